//! Parsing every template once: the layouts in `templates/` and the Tera strings in topic
//! and city files (titles, headings, lead, teasers, bodies), with a map back to file lines.

use crate::diag::{Diagnostic, Origin};
use crate::model::{SiteInput, Sourced};
use std::collections::HashMap;

/// The layouts every site must provide.
pub const REQUIRED_LAYOUTS: [&str; 5] = [
    "article.html",
    "index.html",
    "city.html",
    "topic.html",
    "404.html",
];

/// Where a content template's line 1 is in its file.
#[derive(Debug, Clone)]
struct Anchor {
    origin: Origin,
    source: String,
}

/// All templates, parsed.
pub struct Templates {
    pub layouts: tera::Tera,
    pub content: tera::Tera,
    anchors: HashMap<String, Anchor>,
    layout_sources: HashMap<String, (Origin, String)>,
}

/// Names of content templates.
pub mod names {
    pub fn body(topic: &str) -> String {
        format!("topic:{topic}:body")
    }
    pub fn lead(topic: &str) -> String {
        format!("topic:{topic}:lead")
    }
    pub fn title(topic: &str, i: usize) -> String {
        format!("topic:{topic}:title:{i}")
    }
    pub fn heading(topic: &str, i: usize) -> String {
        format!("topic:{topic}:heading:{i}")
    }
    pub fn teaser(topic: &str, i: usize) -> String {
        format!("topic:{topic}:teaser:{i}")
    }
    pub fn city_heading(city: &str, topic: &str) -> String {
        format!("city:{city}:{topic}:heading")
    }
    pub fn city_title(city: &str, topic: &str) -> String {
        format!("city:{city}:{topic}:title")
    }
}

impl Templates {
    /// Parses layouts and content strings, reporting every syntax error.
    pub fn compile(input: &SiteInput) -> Result<Templates, Vec<Diagnostic>> {
        let mut problems = Vec::new();
        let mut layouts = tera::Tera::new();
        layouts.autoescape_on(vec![".html", ".xml"]);
        layouts.set_escape_fn(escape_html);
        let mut layout_sources = HashMap::new();
        for t in &input.templates {
            layout_sources.insert(
                t.name.clone(),
                (Origin::new(&t.path, 1, 1), t.source.clone()),
            );
        }
        if let Err(e) = layouts.add_raw_templates(
            input
                .templates
                .iter()
                .map(|t| (t.name.as_str(), t.source.as_str())),
        ) {
            problems.push(layout_error(&e, &layout_sources, None));
        }
        for name in REQUIRED_LAYOUTS {
            if !input.templates.iter().any(|t| t.name == name) {
                problems.push(
                    Diagnostic::error(Origin::file(format!("templates/{name}")), format!("missing template `{name}`"))
                        .with_hint("every site needs article.html, index.html, city.html, topic.html and 404.html in templates/"),
                );
            }
        }

        let mut anchors = HashMap::new();
        // Collected first and added in one batch: Tera re-checks every template on each
        // addition, so adding them one by one is quadratic in the number of cities.
        let mut sources: Vec<(String, String)> = Vec::new();
        let mut add = |name: String, s: &Sourced<String>, anchors: &mut HashMap<String, Anchor>| {
            anchors.insert(
                name.clone(),
                Anchor {
                    origin: s.origin.clone(),
                    source: s.value.clone(),
                },
            );
            sources.push((name, trim_block_lines(&s.value)));
        };
        for topic in &input.topics {
            let body = Sourced::new(
                topic.body.clone(),
                Origin::new(&topic.path, topic.body_line, 1),
            );
            add(names::body(&topic.slug), &body, &mut anchors);
            add(names::lead(&topic.slug), &topic.lead, &mut anchors);
            for (i, s) in topic.titles.iter().enumerate() {
                add(names::title(&topic.slug, i), s, &mut anchors);
            }
            for (i, s) in topic.headings.iter().enumerate() {
                add(names::heading(&topic.slug, i), s, &mut anchors);
            }
            for (i, s) in topic.teasers.iter().enumerate() {
                add(names::teaser(&topic.slug, i), s, &mut anchors);
            }
        }
        for city in &input.cities {
            for (topic, ct) in &city.topics {
                if let Some(h) = &ct.heading {
                    add(
                        names::city_heading(&city.slug.value, topic),
                        h,
                        &mut anchors,
                    );
                }
                if let Some(t) = &ct.title {
                    add(names::city_title(&city.slug.value, topic), t, &mut anchors);
                }
            }
        }
        let content = match content_tera(&sources) {
            Ok(content) => content,
            Err(batch) => {
                // Content templates stand alone, so each can be checked on its own: this
                // reports every syntax error, not only the first.
                let before = problems.len();
                for (name, source) in &sources {
                    if let Err(e) = content_tera(&[(name.clone(), source.clone())]) {
                        problems.push(content_error_with(&e, &anchors, None));
                    }
                }
                if problems.len() == before {
                    problems.push(content_error_with(&batch, &anchors, None));
                }
                tera::Tera::new()
            }
        };
        if problems.is_empty() {
            Ok(Templates {
                layouts,
                content,
                anchors,
                layout_sources,
            })
        } else {
            Err(problems)
        }
    }

    /// A diagnostic for an error rendering content template `name` for `article`.
    pub fn content_error(&self, e: &tera::Error, article: &str) -> Diagnostic {
        content_error_with(e, &self.anchors, Some(article))
    }

    /// A diagnostic for an error rendering a layout for `page`.
    pub fn layout_error(&self, e: &tera::Error, page: &str) -> Diagnostic {
        layout_error(e, &self.layout_sources, Some(page))
    }
}

/// Tera's HTML escaping (`&`, `<`, `>`, `"`, `'`), byte for byte the same output, faster:
/// eight bytes are checked at once for special characters (most values have none), and the
/// runs between them are written whole instead of one byte per call.
pub fn escape_html(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let bytes = input.as_bytes();
    let mut start = 0;
    let mut words = bytes.chunks_exact(8);
    for (k, word) in words.by_ref().enumerate() {
        if has_special(u64::from_le_bytes(word.try_into().unwrap_or_default())) {
            escape_bytes(bytes, k * 8..k * 8 + 8, &mut start, out)?;
        }
    }
    let tail = bytes.len() - words.remainder().len();
    escape_bytes(bytes, tail..bytes.len(), &mut start, out)?;
    out.write_all(&bytes[start..])
}

/// Whether any byte of `word` is one of the five that HTML escaping replaces.
fn has_special(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    [b'&', b'<', b'>', b'"', b'\'']
        .iter()
        .fold(0, |acc, &c| acc | zero_byte(word ^ (ONES * c as u64)))
        != 0
}

/// Escapes the special bytes in `range`, writing what precedes each from `start` on.
fn escape_bytes(
    bytes: &[u8],
    range: std::ops::Range<usize>,
    start: &mut usize,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    for i in range {
        let entity: &[u8] = match bytes[i] {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&#39;",
            _ => continue,
        };
        out.write_all(&bytes[*start..i])?;
        out.write_all(entity)?;
        *start = i + 1;
    }
    Ok(())
}

/// A Tera instance holding the content templates, checked together in one batch.
fn content_tera(sources: &[(String, String)]) -> Result<tera::Tera, tera::Error> {
    let mut content = tera::Tera::new();
    content.autoescape_on(Vec::<&str>::new());
    content.add_raw_templates(sources.iter().map(|(n, s)| (n.as_str(), s.as_str())))?;
    Ok(content)
}

/// Makes a line holding only a block tag (`{% for … %}`, `{% endif %}`) produce no output
/// of its own, as Jinja's `trim_blocks` + `lstrip_blocks` do, so loops in markdown make
/// tight lists. The newline moves into a comment, keeping line numbers for errors.
pub fn trim_block_lines(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + 64);
    for line in source.split_inclusive('\n') {
        let body = line.strip_suffix('\n');
        let trimmed = body.unwrap_or(line).trim();
        let single_tag = trimmed.starts_with("{%")
            && trimmed.ends_with("%}")
            && trimmed.matches("%}").count() == 1;
        if single_tag && body.is_some() {
            out.push_str(trimmed);
            out.push_str("{#\n#}");
        } else {
            out.push_str(line);
        }
    }
    out
}

fn report(e: &tera::Error) -> Option<&tera::ReportError> {
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => Some(r),
        _ => None,
    }
}

fn full_message(e: &tera::Error) -> String {
    let mut msg = match report(e) {
        Some(r) => r.message().to_string(),
        None => e.kind().to_string(),
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

fn hint_for(msg: &str) -> String {
    if msg.contains("not found in context")
        || msg.contains("undefined")
        || msg.contains("Undefined")
    {
        "the variable is not defined for this article: add it under `defaults:` in the topic, or check its spelling".into()
    } else if msg.contains("include") || msg.contains("extend") {
        "check the template names in {% include %} / {% extends %}".into()
    } else {
        "check the template syntax near the caret (Tera 2: {{ value }}, {% for x in list %}…{% endfor %})".into()
    }
}

fn content_error_with(
    e: &tera::Error,
    anchors: &HashMap<String, Anchor>,
    article: Option<&str>,
) -> Diagnostic {
    let message = full_message(e);
    let (name, line, col) = match report(e) {
        Some(r) => (
            r.filename().to_string(),
            r.span().start_line as u32,
            r.span().start_col as u32 + 1,
        ),
        None => (String::new(), 0, 0),
    };
    let with_article = |m: String| match article {
        Some(a) => format!("{m} (rendering article {a})"),
        None => m,
    };
    match anchors.get(&name) {
        Some(anchor) => {
            let file_line = if line > 0 {
                anchor.origin.line + line - 1
            } else {
                anchor.origin.line
            };
            // Line 1 of a template may start mid-line (a YAML string); later lines start at column 1.
            let column = if line == 1 {
                anchor.origin.column.max(1) + col - 1
            } else {
                col
            };
            let mut d = Diagnostic::error(
                Origin::new(&anchor.origin.file, file_line, column),
                with_article(message.clone()),
            )
            .with_hint(hint_for(&message));
            if line > 1 || (line == 1 && anchor.origin.column <= 1) {
                d.source_line = anchor
                    .source
                    .lines()
                    .nth(line as usize - 1)
                    .map(str::to_string);
            }
            d
        }
        None => Diagnostic::error(Origin::file(name), with_article(message.clone()))
            .with_hint(hint_for(&message)),
    }
}

fn layout_error(
    e: &tera::Error,
    sources: &HashMap<String, (Origin, String)>,
    page: Option<&str>,
) -> Diagnostic {
    let message = full_message(e);
    let message = match page {
        Some(p) => format!("{message} (rendering page /{p})"),
        None => message,
    };
    match report(e).and_then(|r| sources.get(r.filename()).map(|s| (r, s))) {
        Some((r, (origin, source))) => {
            let line = r.span().start_line as u32;
            Diagnostic::error(
                Origin::new(&origin.file, line, r.span().start_col as u32 + 1),
                message.clone(),
            )
            .with_hint(hint_for(&message))
            .with_source(source)
        }
        None => Diagnostic::error(Origin::file("templates"), message.clone())
            .with_hint(hint_for(&message)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_tera() {
        for s in [
            "",
            "纯文本",
            "a&b<c>d\"e'f",
            "<<&&>>",
            "末尾&",
            "&开头",
            "x'\"'",
        ] {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            escape_html(s, &mut ours).unwrap();
            tera::escape_html(s, &mut theirs).unwrap();
            assert_eq!(ours, theirs, "{s}");
        }
    }

    #[test]
    fn block_lines_leave_no_blank_lines() {
        let src = "### 材料:\n\n{% for m in materials %}\n- {{ m }}\n{% endfor %}\n\n正文\n";
        let mut tera = tera::Tera::new();
        tera.autoescape_on(Vec::<&str>::new());
        tera.add_raw_template("t", &trim_block_lines(src)).unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("materials", &vec!["身份证", "医保卡"]);
        assert_eq!(
            tera.render("t", &ctx).unwrap(),
            "### 材料:\n\n- 身份证\n- 医保卡\n\n正文\n"
        );
        assert_eq!(trim_block_lines(src).lines().count(), src.lines().count());
    }
}
