//! Rendering diagnostics for the terminal (snippet + caret) and as JSON for CI.

use super::{Diagnostic, Severity};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use anstream::ColorChoice;
use std::ffi::OsString;
use std::io::IsTerminal;

/// Whether a stream gets colour. `forced` is `--color always|never`, which beats the
/// environment; `None` is `auto`: not with `NO_COLOR` set to a non-empty value
/// (no-color.org: an empty one does not count); always with `CLICOLOR_FORCE` set to
/// anything but empty or `0`; not with `CLICOLOR=0`; otherwise when the stream is a
/// terminal that is not `TERM=dumb`.
pub(crate) fn color_enabled(
    forced: Option<bool>,
    is_terminal: bool,
    var: impl Fn(&str) -> Option<OsString>,
) -> bool {
    if let Some(on) = forced {
        return on;
    }
    let set = |name: &str| var(name).filter(|v| !v.is_empty());
    if set("NO_COLOR").is_some() {
        false
    } else if set("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
        true
    } else if set("CLICOLOR").is_some_and(|v| v == "0") {
        false
    } else {
        is_terminal && set("TERM").is_none_or(|t| t != "dumb")
    }
}

/// Whether stderr is coloured, for code that renders diagnostics itself (serve's rebuild
/// loop): the choice the command layer recorded in anstream, or the environment's.
pub(crate) fn stderr_color() -> bool {
    match ColorChoice::global() {
        ColorChoice::Never => false,
        ColorChoice::Auto => color_enabled(None, std::io::stderr().is_terminal(), |n| {
            std::env::var_os(n)
        }),
        _ => true,
    }
}

/// Renders one diagnostic as `error: … --> file:line:col`, the source line and a caret.
pub(crate) fn render_human(d: &Diagnostic, color: bool) -> String {
    // Never raw control characters on a terminal: input text is shown escaped.
    let d = d.visible();
    let d = d.as_ref();
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let path = d.origin.to_string();
    let title = level.primary_title(d.message.as_str());
    let group = match &d.source_line {
        Some(line) if d.origin.line > 0 => {
            let start = char_column_to_byte(line, d.origin.column);
            let end = next_char_boundary(line, start);
            title.element(
                Snippet::source(line.as_str())
                    .line_start(d.origin.line as usize)
                    .path(d.origin.file.display().to_string())
                    .annotation(AnnotationKind::Primary.span(start..end)),
            )
        }
        _ => title.element(annotate_snippets::Origin::path(path)),
    };
    let mut report = vec![group];
    if let Some(hint) = &d.hint {
        report.push(Group::with_title(
            Level::HELP.secondary_title(hint.as_str()),
        ));
    }
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    renderer.render(&report)
}

fn char_column_to_byte(line: &str, column: u32) -> usize {
    let skip = column.saturating_sub(1) as usize;
    line.char_indices()
        .nth(skip)
        .map(|(i, _)| i)
        .unwrap_or(line.len())
}

fn next_char_boundary(line: &str, start: usize) -> usize {
    line[start..]
        .chars()
        .next()
        .map(|c| start + c.len_utf8())
        .unwrap_or(start)
}

/// Renders all diagnostics as one JSON array (one object per problem).
pub(crate) fn render_json(items: &[Diagnostic]) -> String {
    let list: Vec<serde_json::Value> = items
        .iter()
        .map(|d| {
            serde_json::json!({
                "severity": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "file": d.origin.file.display().to_string(),
                "line": d.origin.line,
                "column": d.origin.column,
                "message": d.message,
                "hint": d.hint,
                "article": d.article,
                "source_line": d.source_line,
            })
        })
        .collect();
    serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Origin;

    fn decide(forced: Option<bool>, terminal: bool, env: &[(&str, &str)]) -> bool {
        color_enabled(forced, terminal, |name| {
            env.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        })
    }

    #[test]
    fn auto_colour_follows_the_terminal() {
        assert!(decide(None, true, &[("TERM", "xterm")]));
        assert!(decide(None, true, &[]));
        assert!(!decide(None, false, &[("TERM", "xterm")]));
        assert!(!decide(None, true, &[("TERM", "dumb")]));
    }

    #[test]
    fn no_color_counts_only_when_not_empty() {
        assert!(!decide(None, true, &[("NO_COLOR", "1")]));
        assert!(decide(None, true, &[("NO_COLOR", "")]));
        // NO_COLOR beats CLICOLOR_FORCE; --color beats both.
        let both = [("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")];
        assert!(!decide(None, true, &both));
        assert!(decide(Some(true), false, &both));
    }

    #[test]
    fn clicolor_force_counts_unless_zero() {
        assert!(decide(None, false, &[("CLICOLOR_FORCE", "1")]));
        assert!(!decide(None, false, &[("CLICOLOR_FORCE", "0")]));
        assert!(!decide(None, false, &[("CLICOLOR_FORCE", "")]));
        assert!(!decide(Some(false), true, &[("CLICOLOR_FORCE", "1")]));
        assert!(!decide(None, true, &[("CLICOLOR", "0")]));
    }

    #[test]
    fn human_report_shows_path_line_and_caret() {
        let d = Diagnostic::error(
            Origin::new("cities/yueyang.yaml", 2, 1),
            "unknown key `provnce`",
        )
        .with_hint("did you mean `province`?")
        .with_source("name: 岳阳\nprovnce: 湖南\n");
        let text = render_human(&d, false);
        assert!(text.contains("cities/yueyang.yaml:2:1"), "{text}");
        assert!(text.contains("provnce: 湖南"), "{text}");
        assert!(text.contains('^'), "{text}");
        assert!(text.contains("did you mean `province`?"), "{text}");
    }

    #[test]
    fn json_report_is_an_array_of_objects() {
        let d = Diagnostic::warning(Origin::new("a.md", 1, 2), "x");
        let v: serde_json::Value = serde_json::from_str(&render_json(&[d])).unwrap();
        assert_eq!(v[0]["line"], 1);
        assert_eq!(v[0]["severity"], "warning");
    }
}
