//! The coverage page: a city × topic matrix coloured by local share, each cell linking to
//! the article's explanation further down the page (values with their levels, facts, twin,
//! the city file line to edit). One static HTML file with its styles inline: it works from
//! the report folder without a server, and on a phone the matrix scrolls in its own box.

use super::table::worst_first;
use super::{ArticleCoverage, Coverage, percent};
use crate::model::SiteInput;
use crate::site_files::xml_escape as esc;
use rayon::prelude::*;
use std::collections::HashMap;
use std::fmt::Write;
use std::path::Path;

/// The file name in the report folder.
pub(crate) const FILE: &str = "coverage.html";

const STYLE: &str = "\
*{box-sizing:border-box}\
body{margin:0;font:15px/1.5 system-ui,-apple-system,'Noto Sans CJK SC','PingFang SC',sans-serif;color:#1a1a1a;background:#fff}\
main{max-width:1100px;margin:0 auto;padding:16px}\
h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.15em;margin:1.6em 0 .4em}h3{font-size:1em;margin:0 0 .3em}\
a{color:#0645ad}a:focus-visible{outline:3px solid #0645ad;outline-offset:2px}\
.summary{font-size:1.1em;font-weight:600}\
.box{overflow-x:auto;max-width:100%;border:1px solid #ccc}\
table{border-collapse:collapse}th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}\
.matrix td{text-align:center;white-space:nowrap}.matrix td a{display:block;color:#1a1a1a;text-decoration:none;padding:2px}\
.matrix th{white-space:nowrap;background:#f6f6f6}\
.s0{background:#f4b6b6}.s1{background:#f9d3a8}.s2{background:#fbeaa0}.s3{background:#d4edc9}.s4{background:#a8dba0}.skip{background:#eee;color:#666}\
.legend span{display:inline-block;padding:0 8px;margin:2px;border:1px solid #ccc}\
.article{border-top:1px solid #ccc;padding:8px 0}.article:target{background:#fffbe6}\
.path{overflow-wrap:anywhere;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}\
ol.todo li{margin:2px 0}\
";

/// The share's colour class: 0 %, under 5 %, under 15 %, under 30 %, 30 % and more.
fn class(share: f64) -> &'static str {
    match share {
        s if s <= 0.0 => "s0",
        s if s < 0.05 => "s1",
        s if s < 0.15 => "s2",
        s if s < 0.30 => "s3",
        _ => "s4",
    }
}

/// An editor link that opens `file` at `line` (VS Code's URL scheme).
fn editor_link(root: &Path, file: &str, line: u32) -> String {
    let full = root.join(file);
    let mut url = String::from("vscode://file");
    let text = full.to_string_lossy();
    if !text.starts_with('/') {
        url.push('/');
    }
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~:".contains(&b) {
            url.push(b as char);
        } else {
            let _ = write!(url, "%{b:02X}");
        }
    }
    let _ = write!(url, ":{line}");
    url
}

/// The page, for the site in `root` (the folder the editor link opens files from).
pub(crate) fn html(input: &SiteInput, c: &Coverage, root: &Path) -> String {
    let mut out = String::with_capacity(4096 + c.articles.len() * 1200);
    let title = format!("Coverage of {}", input.site.name);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta name=\"robots\" content=\"noindex\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        esc(&title)
    );
    let _ = writeln!(out, "<h1>{}</h1>", esc(&title));
    let s = &c.site;
    let _ = writeln!(out, "<p class=\"summary\">{}</p>", esc(&s.summary));
    let _ = writeln!(
        out,
        "<p>{} articles, {} with values of their own. {} city facts, {} with a source, {} past <code>fact_max_age_days</code> ({} days). Median nearest-twin similarity {}.</p>",
        s.articles,
        s.articles_with_own,
        s.facts,
        s.sourced,
        s.overdue,
        input.site.lint.fact_max_age_days,
        percent(s.median_twin_similarity)
    );
    out.push_str(
        "<p class=\"legend\">Local share: <span class=\"s0\">0 %</span><span class=\"s1\">under 5 %</span>\
<span class=\"s2\">under 15 %</span><span class=\"s3\">under 30 %</span><span class=\"s4\">30 % or more</span>\
<span class=\"skip\">skipped</span></p>\n\
<p>Local share: the part of an article's text (its title without the date, lead, teaser, \
headings and sections, with the city's name masked) that the same topics rendered with \
defaults only do not have. Nearest twin: the most similar other article (Jaccard similarity \
of 5-character shingles). Each cell links to the article's values and the line to edit.</p>\n",
    );
    matrix(&mut out, input, c);
    todo(&mut out, c);
    let _ = writeln!(out, "<h2 id=\"articles\">Articles</h2>");
    // Each article's section on its own (in parallel), then joined in plan order.
    let sections: Vec<String> = c
        .articles
        .par_iter()
        .map(|a| {
            let mut section = String::with_capacity(2048);
            article(&mut section, a, root);
            section
        })
        .collect();
    for section in sections {
        out.push_str(&section);
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn matrix(out: &mut String, input: &SiteInput, c: &Coverage) {
    let by_id: HashMap<&str, &ArticleCoverage> =
        c.articles.iter().map(|a| (a.article.as_str(), a)).collect();
    out.push_str("<h2 id=\"matrix\">City × topic</h2>\n<div class=\"box\">\n<table class=\"matrix\">\n<thead><tr><th scope=\"col\">City</th>");
    for t in &input.topics {
        let _ = write!(
            out,
            "<th scope=\"col\" lang=\"zh-CN\">{}</th>",
            esc(&t.name)
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for city in &input.cities {
        let _ = write!(
            out,
            "<tr><th scope=\"row\" lang=\"zh-CN\">{}</th>",
            esc(&city.name)
        );
        for t in &input.topics {
            let id = format!("{}/{}", city.slug.value, t.slug);
            match by_id.get(id.as_str()) {
                Some(a) => {
                    let twin = a.twin.as_ref().map_or(String::new(), |t| {
                        format!("; twin {} {}", t.article, percent(t.similarity))
                    });
                    let _ = write!(
                        out,
                        "<td class=\"{}\"><a href=\"#{}\" title=\"{}: local share {}{}\">{}</a></td>",
                        class(a.local_share),
                        esc(&a.article),
                        esc(&a.article),
                        percent(a.local_share),
                        esc(&twin),
                        percent(a.local_share)
                    );
                }
                None => out.push_str("<td class=\"skip\">skipped</td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
}

/// The to-do list: the articles worst first (at most 100 here; the text report has all).
fn todo(out: &mut String, c: &Coverage) {
    const SHOWN: usize = 100;
    let _ = writeln!(
        out,
        "<h2 id=\"todo\">To do, worst first</h2>\n<ol class=\"todo\">"
    );
    for a in worst_first(c).into_iter().take(SHOWN) {
        let twin = a.twin.as_ref().map_or(String::new(), |t| {
            format!(", twin {} ({})", esc(&t.article), percent(t.similarity))
        });
        let _ = writeln!(
            out,
            "<li><a href=\"#{}\">{}</a> <span lang=\"zh-CN\">{} × {}</span>: local share {}{twin}</li>",
            esc(&a.article),
            esc(&a.article),
            esc(&a.city_name),
            esc(&a.topic_name),
            percent(a.local_share),
        );
    }
    out.push_str("</ol>\n");
    if c.articles.len() > SHOWN {
        let _ = writeln!(
            out,
            "<p>{} more: run <code>sitegen coverage</code> for the whole list.</p>",
            c.articles.len() - SHOWN
        );
    }
}

fn article(out: &mut String, a: &ArticleCoverage, root: &Path) {
    let _ = writeln!(
        out,
        "<section class=\"article\" id=\"{}\">\n<h3><span lang=\"zh-CN\">{} × {}</span> ({})</h3>",
        esc(&a.article),
        esc(&a.city_name),
        esc(&a.topic_name),
        esc(&a.article)
    );
    let twin = a.twin.as_ref().map_or("none".to_string(), |t| {
        format!(
            "<a href=\"#{}\">{}</a>, {} similar",
            esc(&t.article),
            esc(&t.article),
            percent(t.similarity)
        )
    });
    let _ = writeln!(
        out,
        "<p>Local share {} ({} of {} shingles). Nearest twin: {twin}.{}</p>",
        percent(a.local_share),
        a.local_shingles,
        a.shingles,
        if a.published {
            ""
        } else {
            " Not yet published."
        }
    );
    let _ = writeln!(
        out,
        "<p>Edit: <a class=\"path\" href=\"{}\">{}:{}</a> · page: <a class=\"path\" href=\"{}\">{}</a> · explain: <code class=\"path\">sitegen explain {} {}</code></p>",
        esc(&editor_link(root, &a.edit_file, a.edit_line)),
        esc(&a.edit_file),
        a.edit_line,
        esc(&a.url),
        esc(&a.url),
        esc(&a.city),
        esc(&a.topic)
    );
    let rows: Vec<String> = a
        .own
        .iter()
        .chain(&a.defaults)
        .map(|v| {
            let fact = a.facts.iter().find(|f| f.name == v.name && f.level == v.level);
            let source = match fact {
                None => String::new(),
                Some(f) => match (&f.source, f.verified) {
                    (None, _) => "no source".to_string(),
                    (Some(s), None) => format!("{}; no verified date", esc(s)),
                    (Some(s), Some(d)) => format!(
                        "{}; verified {d}, {} days ago; due {}{}",
                        esc(s),
                        f.age_days.unwrap_or(0),
                        f.due.map_or(String::new(), |d| d.to_string()),
                        if f.overdue { " (overdue)" } else { "" }
                    ),
                },
            };
            format!(
                "<tr><td>{}</td><td>{}</td><td class=\"path\">{}:{}</td><td lang=\"zh-CN\">{source}</td></tr>",
                esc(&v.name),
                v.level,
                esc(&v.file),
                v.line
            )
        })
        .collect();
    if !rows.is_empty() {
        out.push_str("<div class=\"box\"><table>\n<thead><tr><th scope=\"col\">Value</th><th scope=\"col\">Level</th><th scope=\"col\">Set at</th><th scope=\"col\">Source</th></tr></thead>\n<tbody>\n");
        for r in rows {
            out.push_str(&r);
            out.push('\n');
        }
        out.push_str("</tbody>\n</table></div>\n");
    }
    out.push_str("</section>\n");
}
