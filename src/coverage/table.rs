//! The terminal report: articles worst first (the editor's to-do list), then totals per
//! city and per topic, then the site line.

use super::{ArticleCoverage, Coverage, percent};
use std::cmp::Ordering;
use std::fmt::Write;

/// Articles worst first: lowest local share, then most similar twin, then by id.
pub(crate) fn worst_first(c: &Coverage) -> Vec<&ArticleCoverage> {
    let mut all: Vec<&ArticleCoverage> = c.articles.iter().collect();
    all.sort_by(|a, b| compare(a, b));
    all
}

fn compare(a: &ArticleCoverage, b: &ArticleCoverage) -> Ordering {
    let twin = |x: &ArticleCoverage| x.twin.as_ref().map_or(0.0, |t| t.similarity);
    a.local_share
        .total_cmp(&b.local_share)
        .then(twin(b).total_cmp(&twin(a)))
        .then(a.article.cmp(&b.article))
}

/// The whole report as text.
pub(crate) fn human(c: &Coverage, max_age_days: i64) -> String {
    let mut out = String::new();
    let s = &c.site;
    let _ = writeln!(out, "coverage: {}", s.summary);
    let _ = writeln!(
        out,
        "{} articles, {} with values of their own; {} city facts, {} with a source, {} past fact_max_age_days ({max_age_days} days); median twin similarity {}",
        s.articles,
        s.articles_with_own,
        s.facts,
        s.sourced,
        s.overdue,
        percent(s.median_twin_similarity)
    );
    let _ = writeln!(out, "\narticles, worst first:");
    let twins = c.articles.iter().filter_map(|a| a.twin.as_ref());
    let ids = c.articles.iter().map(|a| &a.article);
    let width = column_width(ids.chain(twins.map(|t| &t.article)), "article");
    let _ = writeln!(
        out,
        "  {:width$}  {:>6}  {:>4}  {:>5}  {:11}  {:>5} {:width$}  edit",
        "article", "local", "own", "facts", "verified", "twin", ""
    );
    for a in worst_first(c) {
        let (sim, twin) = a.twin.as_ref().map_or(("-".to_string(), ""), |t| {
            (percent(t.similarity), t.article.as_str())
        });
        let sourced = a.facts.iter().filter(|f| f.source.is_some()).count();
        let oldest = a.facts.iter().filter_map(|f| f.verified).min();
        let overdue = a.facts.iter().any(|f| f.overdue);
        let _ = writeln!(
            out,
            "  {:width$}  {:>6}  {:>4}  {:>5}  {:11}  {:>5} {:width$}  {}:{}",
            a.article,
            percent(a.local_share),
            a.own.len(),
            format!("{sourced}/{}", a.facts.len()),
            oldest.map_or("-".to_string(), |d| format!(
                "{d}{}",
                if overdue { "!" } else { "" }
            )),
            sim,
            twin,
            a.edit_file,
            a.edit_line,
        );
    }
    let _ = writeln!(out, "\ncities:");
    let cw = column_width(c.cities.iter().map(|x| &x.city), "city");
    let _ = writeln!(
        out,
        "  {:cw$}  {:>8}  {:>6}  {:>6}  {:>5}  {:10}  own",
        "city", "articles", "median", "min", "facts", "verified"
    );
    for x in &c.cities {
        let _ = writeln!(
            out,
            "  {:cw$}  {:>8}  {:>6}  {:>6}  {:>5}  {:10}  {}",
            x.city,
            format!("{}/{}", x.articles_with_own, x.articles),
            percent(x.median_local_share),
            percent(x.min_local_share),
            format!("{}/{}", x.sourced, x.facts),
            x.oldest_verified.map_or("-".to_string(), |d| d.to_string()),
            if x.default_only {
                "(defaults only)".to_string()
            } else {
                x.own.join(", ")
            },
        );
    }
    let _ = writeln!(out, "\ntopics:");
    let tw = column_width(c.topics.iter().map(|x| &x.topic), "topic");
    let _ = writeln!(
        out,
        "  {:tw$}  {:>8}  {:>6}  {:>8}",
        "topic", "cities", "median", "max twin"
    );
    for x in &c.topics {
        let _ = writeln!(
            out,
            "  {:tw$}  {:>8}  {:>6}  {:>8}",
            x.topic,
            format!("{}/{}", x.cities_with_own, x.articles),
            percent(x.median_local_share),
            percent(x.max_twin_similarity),
        );
    }
    let _ = writeln!(out, "\n{}", s.summary);
    out
}

/// The width of a column of `cells` headed `header`: its longest text, in bytes.
fn column_width<'a>(cells: impl Iterator<Item = &'a String>, header: &str) -> usize {
    cells.map(String::len).max().unwrap_or(0).max(header.len())
}
