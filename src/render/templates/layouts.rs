//! The layouts in `templates/`, parsed as one set: every broken layout is reported, not
//! only the first. Tera stops at the first syntax error of a set, so a broken layout is
//! replaced by its stand-in (its blocks, empty) and the set parsed again; `check` renders
//! with the stand-ins, so that a broken layout hides no problem of the content.

use crate::diag::Diagnostic;
use crate::render::bounds::line_column;
use crate::render::tera_errors::locate;

/// Tera's own filters (what a layout may use; sitegen registers none for layouts).
const BUILTIN_FILTERS: [&str; 37] = [
    "safe",
    "default",
    "upper",
    "lower",
    "wordcount",
    "escape",
    "escape_html",
    "escape_xml",
    "newlines_to_br",
    "pluralize",
    "trim",
    "trim_start",
    "trim_end",
    "replace",
    "capitalize",
    "title",
    "truncate",
    "indent",
    "str",
    "int",
    "float",
    "length",
    "reverse",
    "split",
    "abs",
    "round",
    "first",
    "last",
    "nth",
    "join",
    "sort",
    "unique",
    "get",
    "values",
    "keys",
    "pairs",
    "group_by",
];

/// An empty Tera set for layouts: HTML and XML escaped with sitegen's escape.
fn empty() -> tera::Tera {
    let mut layouts = tera::Tera::new();
    layouts.autoescape_on(vec![".html", ".xml"]);
    layouts.set_escape_fn(crate::render::escape::escape_html);
    layouts
}

/// Parses `sources` (name, text) as one set. On an error, `report` turns it into a
/// diagnostic, the layout it names is replaced by its [`stand_in`], and the set is parsed
/// again, until it parses or an error names no layout that can still be replaced.
pub(super) fn compile(
    sources: &[(String, String)],
    mut report: impl FnMut(&tera::Error) -> Diagnostic,
    problems: &mut Vec<Diagnostic>,
) -> tera::Tera {
    let mut sources = sources.to_vec();
    let mut replaced = vec![false; sources.len()];
    loop {
        let mut layouts = empty();
        let Err(e) = layouts.add_raw_templates(sources.iter().map(|(n, s)| (n, s))) else {
            return layouts;
        };
        let broken = locate(&e).and_then(|l| sources.iter().position(|(n, _)| *n == l.template));
        let d = with_filter_hint(report(&e));
        problems.push(match broken {
            Some(i) => at_unclosed_tag(d, &sources[i].1),
            None => d,
        });
        match broken {
            Some(i) if !replaced[i] => {
                sources[i].1 = stand_in(&sources[i].1);
                replaced[i] = true;
            }
            _ => return empty(),
        }
    }
}

/// What stands in for a broken layout: each `{% block name %}` it declares, empty, so that
/// layouts extending it still find their blocks; nothing else.
pub(crate) fn stand_in(source: &str) -> String {
    let mut out = String::new();
    let mut rest = source;
    while let Some(at) = rest.find("{%") {
        rest = &rest[at + 2..];
        let tag = rest.trim_start_matches('-').trim_start();
        if let Some(after) = tag.strip_prefix("block")
            && after.starts_with(char::is_whitespace)
        {
            let name: String = after
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && !out.contains(&format!("{{% block {name} %}}")) {
                out.push_str(&format!("{{% block {name} %}}{{% endblock {name} %}}"));
            }
        }
    }
    out
}

/// Tags that open a block closed by `end<name>`.
const BLOCK_TAGS: [&str; 6] = ["if", "for", "block", "filter", "raw", "macro"];

/// A syntax error Tera reports at a closing tag it did not expect (“Unknown tag”) or at the
/// end of the file, moved to the tag the editor left open: the fix goes there.
fn at_unclosed_tag(d: Diagnostic, source: &str) -> Diagnostic {
    if d.message != "Unknown tag" && d.message != "Unexpected end of input" {
        return d;
    }
    let Some(at) = byte_at(source, d.origin.line, d.origin.column) else {
        return d;
    };
    let mut open: Vec<(&str, usize)> = Vec::new();
    let mut closer = None;
    for (start, name) in tags(source)
        .into_iter()
        .take_while(|&(start, _)| start < at)
    {
        let end = source[start..]
            .find("%}")
            .map_or(source.len(), |e| start + e + 2);
        if end > at {
            // The tag Tera stopped at.
            closer = Some((start, name));
            break;
        }
        if BLOCK_TAGS.contains(&name) {
            open.push((name, start));
        } else if let Some(block) = name.strip_prefix("end")
            && open.last().is_some_and(|(n, _)| *n == block)
        {
            open.pop();
        }
    }
    let Some(&(name, start)) = open.last() else {
        return d;
    };
    let (line, column) = line_column(source, start);
    let message = match closer {
        Some((c, closing)) if closing.starts_with("end") => format!(
            "`{{% {name} %}}` is not closed: `{{% {closing} %}}` on line {} comes first",
            line_column(source, c).0
        ),
        _ => format!("`{{% {name} %}}` is not closed before the end of the file"),
    };
    Diagnostic {
        origin: crate::diag::Origin::new(&d.origin.file, line, column),
        message,
        hint: Some(format!("close it with `{{% end{name} %}}`")),
        ..d
    }
    .with_source(source)
}

/// Each `{% … %}` tag of `source`: its byte offset and its name (`if`, `endblock` …);
/// comments are skipped.
fn tags(source: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(found) = source[i..].find(['{']) {
        let start = i + found;
        let rest = &source[start..];
        if rest.starts_with("{#") {
            i = start + rest.find("#}").map_or(rest.len(), |e| e + 2);
        } else if let Some(tag) = rest.strip_prefix("{%") {
            let name_at = tag.trim_start_matches('-').trim_start();
            let len = name_at
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(name_at.len());
            out.push((start, &name_at[..len]));
            i = start + 2;
        } else {
            i = start + 1;
        }
    }
    out
}

/// The byte offset of 1-based `line` and `column` (in characters) in `source`.
fn byte_at(source: &str, line: u32, column: u32) -> Option<usize> {
    let line_start = if line <= 1 {
        0
    } else {
        source.match_indices('\n').nth(line as usize - 2)?.0 + 1
    };
    let text = &source[line_start..];
    let col = column.saturating_sub(1) as usize;
    Some(line_start + text.char_indices().nth(col).map_or(text.len(), |(b, _)| b))
}

/// An unknown filter's diagnostic with the closest of Tera's filters as its hint.
fn with_filter_hint(d: Diagnostic) -> Diagnostic {
    let Some(name) = d
        .message
        .strip_prefix("Unknown filter `")
        .and_then(|m| m.split('`').next())
    else {
        return d;
    };
    let hint = match crate::diag::did_you_mean(name, BUILTIN_FILTERS) {
        Some(dym) => format!("{dym} (layouts may use Tera's own filters)"),
        None => format!(
            "layouts may use Tera's own filters: {}",
            BUILTIN_FILTERS.join(", ")
        ),
    };
    let message = format!("unknown filter `{name}`");
    Diagnostic { message, ..d }.with_hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Origin;

    #[test]
    fn a_stand_in_keeps_the_blocks() {
        let src = "{% extends \"base.html\" %}\n{% block title %}x{% endblock title %}\n{%- block content -%}\n{% if a %}\n{% endblock content %}";
        assert_eq!(
            stand_in(src),
            "{% block title %}{% endblock title %}{% block content %}{% endblock content %}"
        );
    }

    #[test]
    fn every_broken_layout_is_reported() {
        let sources: Vec<(String, String)> = [
            ("base.html", "<title>{% block title %}{% endblock title %}</title>"),
            ("a.html", "{% extends \"base.html\" %}{% block title %}{% if x %}{% endblock title %}"),
            ("b.html", "{% extends \"base.html\" %}{% block title %}{{ x | uppercase }}{% endblock title %}"),
            ("c.html", "{% extends \"base.html\" %}{% block title %}fine{% endblock title %}"),
        ]
        .iter()
        .map(|(n, s)| (n.to_string(), s.to_string()))
        .collect();
        let mut problems = Vec::new();
        let report = |e: &tera::Error| {
            let l = locate(e).unwrap();
            Diagnostic::error(Origin::new(&l.template, l.line, l.column), l.message)
        };
        let layouts = compile(&sources, report, &mut problems);
        let got: Vec<String> = problems
            .iter()
            .map(|d| format!("{} {} {:?}", d.origin, d.message, d.hint))
            .collect();
        assert_eq!(got.len(), 2, "{got:#?}");
        assert!(
            got[0].starts_with(
                "a.html:1:43 `{% if %}` is not closed: `{% endblock %}` on line 1 comes first"
            ),
            "{got:#?}"
        );
        assert!(got[1].starts_with("b.html:1:"), "{got:#?}");
        assert!(got[1].contains("did you mean `upper`?"), "{got:#?}");
        assert_eq!(
            layouts.render("c.html", &tera::Context::new()).unwrap(),
            "<title>fine</title>"
        );
    }

    #[test]
    fn an_unclosed_tag_is_reported_where_it_opens() {
        let at = |src: &str, line, column, message: &str| {
            let d = Diagnostic::error(Origin::new("t.html", line, column), message);
            let d = at_unclosed_tag(d, src);
            format!("{}:{} {}", d.origin.line, d.origin.column, d.message)
        };
        let src = "<h1>x</h1>\n{% if a %}<p>\n{% for x in y %}{% endfor %}\n{% endblock content %}";
        assert_eq!(
            at(src, 4, 4, "Unknown tag"),
            "2:1 `{% if %}` is not closed: `{% endblock %}` on line 4 comes first"
        );
        assert_eq!(
            at(
                "{# {% if %} #}\n{% for a in b %}x",
                2,
                18,
                "Unexpected end of input"
            ),
            "2:1 `{% for %}` is not closed before the end of the file"
        );
        // Other errors stay where Tera puts them.
        assert_eq!(
            at(src, 4, 4, "Unknown filter `x`"),
            "4:4 Unknown filter `x`"
        );
    }
}
