//! Rendering diagnostics for the terminal (snippet + caret) and as JSON for CI.

use super::{Diagnostic, Severity};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// Renders one diagnostic as `error: … --> file:line:col`, the source line and a caret.
pub fn render_human(d: &Diagnostic, color: bool) -> String {
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
pub fn render_json(items: &[Diagnostic]) -> String {
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
