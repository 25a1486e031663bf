//! Markdown to HTML for topic sections, with raw HTML escaped and structure checks.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

/// A structural problem found in a rendered section (the sample pages' defects).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Defect {
    /// A heading with nothing after it before the next heading or the end of the section.
    EmptyHeading(String),
    /// A list item with no text.
    EmptyListItem,
    /// Template syntax left in the output.
    TemplateSyntax(String),
}

/// Renders `markdown` to HTML. Raw HTML in the text is shown as text, never passed through,
/// so a value pasted from a web page cannot inject markup. Headings `#`/`##` are demoted to
/// `h3`, since the page's `h1` is the title and `h2` the section question.
pub fn to_html(markdown: &str) -> (String, Vec<Defect>) {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut defects = Vec::new();
    let mut open_heading: Option<String> = None;
    let mut heading_text = String::new();
    let mut in_heading = false;
    let mut item_has_text: Vec<bool> = Vec::new();
    let mut events: Vec<Event<'_>> = Vec::new();
    for event in Parser::new_ext(markdown, options) {
        let event = match event {
            Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                if let Some(h) = open_heading.take() {
                    defects.push(Defect::EmptyHeading(h));
                }
                in_heading = true;
                heading_text.clear();
                Event::Start(Tag::Heading {
                    level: demote(level),
                    id,
                    classes,
                    attrs,
                })
            }
            Event::End(TagEnd::Heading(level)) => {
                in_heading = false;
                open_heading = Some(heading_text.clone());
                Event::End(TagEnd::Heading(demote(level)))
            }
            other => other,
        };
        match &event {
            Event::Text(t) | Event::Code(t) => {
                if in_heading {
                    heading_text.push_str(t);
                } else if !t.trim().is_empty() {
                    open_heading = None;
                    if let Some(last) = item_has_text.last_mut() {
                        *last = true;
                    }
                }
                // A quick byte search first: most text has no brace or percent sign at all.
                if memchr::memchr3(b'{', b'}', b'%', t.as_bytes()).is_some()
                    && (t.contains("{{")
                        || t.contains("{%")
                        || t.contains("}}")
                        || t.contains("%}"))
                {
                    defects.push(Defect::TemplateSyntax(t.to_string()));
                }
            }
            Event::Start(Tag::Item) => item_has_text.push(false),
            Event::End(TagEnd::Item) if item_has_text.pop() == Some(false) => {
                defects.push(Defect::EmptyListItem);
            }
            Event::Start(Tag::Image { .. }) | Event::Start(Tag::Table(_)) => {
                open_heading = None;
                if let Some(last) = item_has_text.last_mut() {
                    *last = true;
                }
            }
            _ => {}
        }
        events.push(event);
    }
    if let Some(h) = open_heading {
        defects.push(Defect::EmptyHeading(h));
    }
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    (out, defects)
}

fn demote(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 | HeadingLevel::H2 => HeadingLevel::H3,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_lists_and_demotes_headings() {
        let (html, defects) = to_html("## 材料:\n\n- 身份证\n- 医保卡\n");
        assert!(html.contains("<h3>材料:</h3>"), "{html}");
        assert!(html.contains("<li>身份证</li>"));
        assert!(defects.is_empty());
    }

    #[test]
    fn raw_html_is_escaped() {
        let (html, _) = to_html("a <script>alert(1)</script> b\n\n<img src=x onerror=alert(1)>\n");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
    }

    #[test]
    fn finds_empty_headings_and_items() {
        let (_, defects) = to_html("### 一:\n### 二:\n\n正文\n\n### 三:\n");
        assert_eq!(
            defects,
            vec![
                Defect::EmptyHeading("一:".into()),
                Defect::EmptyHeading("三:".into())
            ]
        );
        let (_, defects) = to_html("- a\n-\n- b\n");
        assert_eq!(defects, vec![Defect::EmptyListItem]);
    }

    #[test]
    fn finds_leftover_template_syntax() {
        let (_, defects) = to_html("办理 {{ city.name }}\n");
        assert!(matches!(defects[0], Defect::TemplateSyntax(_)));
    }
}
