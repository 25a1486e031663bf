//! `sitegen explain <city> <topic>`: every value one article uses after the cascade, with
//! the level, file and line that set it, and the article's URL, date, title and headings.

use super::config::ExplainOptions;
use super::{CmdResult, Console, Exit, Failure};
use crate::cli::Format;
use crate::coverage::levels::level_name;
use crate::diag::{Diagnostic, Diagnostics, Origin, did_you_mean};
use crate::load::LOCK_FILE;
use crate::model::SiteInput;
use crate::pipeline::{self, BuildOptions, Ran};
use crate::plan::PlannedArticle;
use crate::plan::schedule::PublishFrom;
use crate::plan::variants::{DateFrom, ExtrasFrom};
use crate::render::cache::PairCache;
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

mod keys;

/// Everything `explain` reports about one article.
#[derive(Serialize)]
struct Explanation {
    article: String,
    city: String,
    topic: String,
    url: String,
    publish_at: String,
    publish_source: String,
    published: bool,
    title: String,
    title_source: String,
    /// The title's date-suffix format (empty: no suffix) and where it comes from.
    date_format: String,
    date_format_source: String,
    lead: String,
    lead_source: String,
    teaser: String,
    teaser_source: String,
    sections: Vec<Section>,
    extras_source: String,
    values: Vec<ValueRow>,
    /// Problems in other files (what `check` reports); the article is explained from the
    /// files that loaded.
    other_problems: usize,
}

#[derive(Serialize)]
struct Section {
    topic: String,
    heading: String,
    heading_source: String,
    /// The values this section uses (for extras: the city's values for that topic).
    values: Vec<ValueRow>,
}

#[derive(Serialize)]
struct ValueRow {
    name: String,
    value: serde_json::Value,
    level: &'static str,
    file: String,
    line: u32,
    column: u32,
    /// For a map: each key (nested keys as `a.b`) with the level and place that set it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    keys: Vec<KeyRow>,
}

#[derive(Serialize)]
struct KeyRow {
    key: String,
    value: serde_json::Value,
    level: &'static str,
    file: String,
    line: u32,
    column: u32,
}

pub(crate) fn run(opts: &ExplainOptions, console: &Console) -> CmdResult {
    let e = explain(&opts.build, &opts.city, &opts.topic).map_err(|(problems, exit)| Failure {
        exit,
        ..Failure::problems(problems, &opts.build.root)
    })?;
    match opts.format {
        Format::Json => console.print_json(&e)?,
        Format::Human => console.print(&crate::diag::visible(&human(&e)))?,
    }
    Ok(())
}

fn explain(
    opts: &BuildOptions,
    city_arg: &str,
    topic_arg: &str,
) -> Result<Explanation, (Diagnostics, Exit)> {
    pipeline::plan_what_loads(opts, |ran, left_out| {
        explain_planned(ran, opts, (city_arg, topic_arg), left_out)
    })
    .map_err(|d| (d, Exit::Problems))?
}

/// Explains one article of the planned site; `other_problems` were left out of it.
fn explain_planned(
    ran: &Ran<'_>,
    opts: &BuildOptions,
    (city_arg, topic_arg): (&str, &str),
    other_problems: usize,
) -> Result<Explanation, (Diagnostics, Exit)> {
    let (input, merged, plan, renderer) = (ran.input, ran.merged, ran.plan, ran.renderer);
    let usage = |d: Diagnostic| (d.into(), Exit::Usage);
    let ci = input
        .cities
        .position(|c| c.slug.value == city_arg || c.name == city_arg)
        .ok_or_else(|| {
            let names = input.cities.iter().map(|c| c.slug.value.as_str());
            usage(unknown("city", city_arg, names))
        })?;
    let ti = input
        .topics
        .position(|t| t.slug == topic_arg || t.name == topic_arg)
        .ok_or_else(|| {
            let names = input.topics.iter().map(|t| t.slug.as_str());
            usage(unknown("topic", topic_arg, names))
        })?;
    let city = &input.cities[ci];
    let topic = &input.topics[ti];
    let Some(pair) = merged.pair_index(ci, ti) else {
        let skip = city.skip.iter().find(|s| s.value == topic.slug);
        let origin = skip.map_or_else(|| Origin::file(&city.path), |s| s.origin.clone());
        let message = format!(
            "{} does not publish topic `{}` (it is in `skip:`)",
            city.name, topic.slug
        );
        return Err((Diagnostic::error(origin, message).into(), Exit::Problems));
    };
    let i = plan
        .articles
        .position(|a| a.pair == pair)
        .expect("every merged pair is planned");
    let a = &plan.articles[i];
    // Input files' texts, read once each: a nested map key's line is found in them.
    let mut read: HashMap<PathBuf, Option<String>> = HashMap::new();
    let mut texts = |file: &Path| {
        let text = read.entry(file.to_path_buf());
        text.or_insert_with(|| std::fs::read_to_string(opts.root.join(file)).ok())
            .clone()
    };
    let mut sections = Vec::new();
    for template in &a.chosen.headings {
        let t = template.topic();
        // A heading that does not render is shown as such; `check` reports it.
        let heading = renderer
            .section_heading(i, t)
            .unwrap_or_else(|d| format!("(does not render: {})", d.message));
        sections.push(Section {
            topic: input.topics[t].slug.clone(),
            heading,
            heading_source: template.origin(input).to_string(),
            values: merged.pair_index(ci, t).map_or_else(Vec::new, |p| {
                value_rows(input, &merged.pairs[p], &mut texts)
            }),
        });
    }
    let values = value_rows(input, &merged.pairs[pair], &mut texts);
    // Lead and teaser as the page shows them; one that does not render is shown as such.
    let (lead, teaser) = match renderer.article_words(i, &mut PairCache::default()) {
        Ok(w) => (w.lead, w.teaser),
        Err(d) => {
            let failed = format!("(does not render: {})", d.message);
            (failed.clone(), failed)
        }
    };
    Ok(Explanation {
        article: a.id.clone(),
        city: city.name.clone(),
        topic: topic.name.clone(),
        url: format!("{}{}", input.site.base_url, a.path),
        publish_at: a.publish_at.format("%Y-%m-%d %H:%M:%S").to_string(),
        publish_source: publish_source(input, a),
        published: a.publish_at <= plan.now,
        title: renderer.article_title(i).to_string(),
        title_source: a.chosen.title.origin(input).to_string(),
        date_format: a.chosen.date_format.clone(),
        date_format_source: date_format_source(input, a),
        lead,
        lead_source: topic.lead.origin.to_string(),
        teaser,
        teaser_source: a.chosen.teaser.origin(input).to_string(),
        sections,
        extras_source: extras_source(input, a),
        values,
        other_problems,
    })
}

/// The rows of `pair`'s values; `texts` gives an input file's text.
fn value_rows(
    input: &SiteInput,
    pair: &crate::merge::MergedPair,
    texts: &mut impl FnMut(&Path) -> Option<String>,
) -> Vec<ValueRow> {
    let (city, topic) = (pair.city, pair.topic);
    pair.values
        .iter()
        .map(|(name, v)| ValueRow {
            name: name.to_string(),
            value: v.value.clone(),
            level: level_name(v.layer),
            file: v.origin.file.display().to_string(),
            line: v.origin.line,
            column: v.origin.column,
            keys: keys::key_sources(input, city, topic, name, texts)
                .into_iter()
                .map(|k| KeyRow {
                    key: k.path,
                    value: k.value,
                    level: level_name(k.layer),
                    file: k.origin.file.display().to_string(),
                    line: k.origin.line,
                    column: k.origin.column,
                })
                .collect(),
        })
        .collect()
}

fn unknown<'a>(what: &str, arg: &str, names: impl Iterator<Item = &'a str>) -> Diagnostic {
    let names: Vec<&str> = names.collect();
    let hint = did_you_mean(arg, names.iter().copied())
        .unwrap_or_else(|| format!("known {what}s: {}", names.join(", ")));
    Diagnostic::error(
        Origin::file(format!("<{what}>")),
        format!("no {what} `{arg}` (give its slug or its name)"),
    )
    .with_hint(hint)
}

/// Why the article has its publish datetime, as the plan decided it.
fn publish_source(input: &SiteInput, a: &PlannedArticle) -> String {
    match a.publish_from {
        PublishFrom::Fixed => {
            let own = input.city_topic(a.city, a.topic);
            match own.and_then(|t| t.publish_at.as_ref()) {
                Some(p) => format!("fixed by `publish_at` at {}", p.origin),
                None => "fixed by `publish_at`".to_string(),
            }
        }
        PublishFrom::Lock { line } => format!("recorded in {LOCK_FILE}:{line}"),
        PublishFrom::Slot => format!(
            "the next free slot of the schedule (not yet in {LOCK_FILE}; `sitegen build` records it)"
        ),
    }
}

/// Where the list of extra sections comes from.
/// Where the title's date-suffix format comes from.
fn date_format_source(input: &SiteInput, a: &PlannedArticle) -> String {
    match a.chosen.date_from {
        DateFrom::OwnEnding => "none: the title template ends itself".to_string(),
        DateFrom::City => {
            let own = input.city_topic(a.city, a.topic);
            match own.and_then(|t| t.date_format.as_ref()) {
                Some(f) => format!("`date_format` at {}", f.origin),
                None => format!("`date_format` in {}", input.cities[a.city].path.display()),
            }
        }
        DateFrom::Lock => format!("pinned in {LOCK_FILE} when the article was published"),
        DateFrom::Site { index } => {
            format!("`title_date_formats` entry {} in site.yaml", index + 1)
        }
    }
}

fn extras_source(input: &SiteInput, a: &PlannedArticle) -> String {
    let city = &input.cities[a.city];
    let own = input.city_topic(a.city, a.topic);
    let list = match a.chosen.extras_from {
        ExtrasFrom::CityTopic => own.and_then(|t| t.extras.as_ref()),
        ExtrasFrom::City => city.extras.as_ref(),
        ExtrasFrom::Next => None,
    };
    match list {
        Some(list) => match list.first() {
            Some(first) => format!(
                "`extras` at {}",
                Origin::new(&first.origin.file, first.origin.line, 0)
            ),
            None => format!("an empty `extras` list in {}", city.path.display()),
        },
        None => format!(
            "the next {} topics (`extra_sections` in site.yaml)",
            input.site.extra_sections
        ),
    }
}

fn human(e: &Explanation) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    if e.other_problems > 0 {
        let _ = writeln!(
            out,
            "note: other files of the site have {} problem(s) (see `sitegen check`); this article is explained from the files that loaded",
            e.other_problems
        );
    }
    let _ = writeln!(out, "{} × {}  ({})", e.city, e.topic, e.article);
    let _ = writeln!(out, "url:        {}", e.url);
    let _ = writeln!(
        out,
        "publish at: {}{}  ({})",
        e.publish_at,
        if e.published {
            ""
        } else {
            " (not yet published)"
        },
        e.publish_source
    );
    let _ = writeln!(out, "title:      {}  ({})", e.title, e.title_source);
    let _ = writeln!(
        out,
        "date:       `{}`  ({})",
        e.date_format, e.date_format_source
    );
    let _ = writeln!(out, "lead:       {}  ({})", e.lead, e.lead_source);
    let _ = writeln!(out, "teaser:     {}  ({})", e.teaser, e.teaser_source);
    let _ = writeln!(out, "sections:   (extras from {})", e.extras_source);
    for (n, s) in e.sections.iter().enumerate() {
        let role = if n == 0 { "main " } else { "extra" };
        let _ = writeln!(
            out,
            "  {role} {}: {}  ({})",
            s.topic, s.heading, s.heading_source
        );
    }
    let _ = writeln!(out, "values:");
    write_values(&mut out, &e.values, "  ");
    for s in e.sections.iter().skip(1) {
        let _ = writeln!(out, "values of the extra section {}:", s.topic);
        write_values(&mut out, &s.values, "  ");
    }
    out
}

fn write_values(out: &mut String, values: &[ValueRow], indent: &str) {
    use std::fmt::Write;
    let width = values.iter().map(|v| v.name.len()).max().unwrap_or(0);
    for v in values {
        let origin = Origin::new(&v.file, v.line, v.column);
        let _ = writeln!(
            out,
            "{indent}{:width$}  {:<10}  {}\n{indent}{:width$}  {}",
            v.name,
            v.level,
            origin,
            "",
            serde_json::to_string(&v.value).unwrap_or_default(),
        );
        // A map's keys, each where it was set.
        let key_width = v
            .keys
            .iter()
            .map(|k| k.key.chars().count())
            .max()
            .unwrap_or(0);
        for k in &v.keys {
            let _ = writeln!(
                out,
                "{indent}  .{:key_width$}  {:<10}  {}  {}",
                k.key,
                k.level,
                Origin::new(&k.file, k.line, k.column),
                serde_json::to_string(&k.value).unwrap_or_default(),
            );
        }
    }
}
