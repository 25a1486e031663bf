//! Where a Tera error points: the template name, line and column, and a short message.
//!
//! Tera reports some problems as structured errors (syntax and rendering errors, circular
//! `extends`/`include`) and others, found while checking a whole set of templates (unknown
//! filters or includes), as one message holding pre-rendered reports. Both are turned into
//! the same [`Located`] so every template problem names its file and line.

/// A template problem, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Located {
    /// The Tera template name (a layout's path below `templates/`, or a content name).
    pub(crate) template: String,
    /// 1-based line in the template; 0 when unknown.
    pub(crate) line: u32,
    /// 1-based column; 0 when unknown.
    pub(crate) column: u32,
    /// The problem in words, without Tera's own source excerpt.
    pub(crate) message: String,
}

/// Locates `e`; `None` when the error names no template.
pub(crate) fn locate(e: &tera::Error) -> Option<Located> {
    let whole = |template: &str| Located {
        template: template.to_string(),
        line: 0,
        column: 0,
        message: chain_message(e),
    };
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            let mut message = r.message().to_string();
            append_sources(e, &mut message);
            Some(Located {
                template: r.filename().to_string(),
                line: r.span().start_line as u32,
                column: r.span().start_col as u32 + 1,
                message,
            })
        }
        // The template that closes the loop is the last of the chain.
        tera::ErrorKind::CircularExtend {
            tpl,
            inheritance_chain: chain,
        }
        | tera::ErrorKind::CircularInclude {
            tpl,
            include_chain: chain,
        } => Some(whole(chain.last().unwrap_or(tpl))),
        tera::ErrorKind::MissingParent { current, .. } => Some(whole(current)),
        tera::ErrorKind::Msg(m) => parse_rendered_report(m),
        _ => None,
    }
}

/// The error's message followed by those of its sources.
pub(crate) fn chain_message(e: &tera::Error) -> String {
    let mut message = match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            r.message().to_string()
        }
        other => other.to_string(),
    };
    append_sources(e, &mut message);
    message
}

fn append_sources(e: &tera::Error, message: &mut String) {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
}

/// Reads the first report of a message such as
/// `error: Unknown filter `x`\n   --> topic:a:lead:1:16\n …`.
fn parse_rendered_report(m: &str) -> Option<Located> {
    let mut lines = m.lines();
    let message = lines
        .next()?
        .trim()
        .trim_start_matches("error:")
        .trim()
        .to_string();
    let place = lines.find_map(|l| l.trim().strip_prefix("--> "))?;
    // The name may itself hold `:` (content names such as `topic:a:lead`).
    let mut parts = place.rsplitn(3, ':');
    let column = parts.next()?.trim().parse().ok()?;
    let line = parts.next()?.trim().parse().ok()?;
    let template = parts.next()?.to_string();
    Some(Located {
        template,
        line,
        column,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile_error(templates: &[(&str, &str)]) -> tera::Error {
        let mut tera = tera::Tera::new();
        tera.add_raw_templates(templates.iter().copied())
            .unwrap_err()
    }

    #[test]
    fn unknown_filter_names_template_and_place() {
        let e = compile_error(&[("topic:a:lead", "x\n{{ city.name | shout }}")]);
        let l = locate(&e).unwrap();
        assert_eq!(l.template, "topic:a:lead");
        assert_eq!((l.line, l.column), (2, 16));
        assert_eq!(l.message, "Unknown filter `shout`");
    }

    #[test]
    fn circular_include_names_the_template() {
        let e = compile_error(&[
            ("a.html", "{% include \"f.html\" %}"),
            ("f.html", "{% include \"f.html\" %}"),
        ]);
        assert_eq!(locate(&e).unwrap().template, "f.html");
    }

    #[test]
    fn syntax_errors_keep_their_span() {
        let e = compile_error(&[("a.html", "<p>\n{{ x }</p>")]);
        let l = locate(&e).unwrap();
        assert_eq!((l.template.as_str(), l.line), ("a.html", 2));
    }
}
