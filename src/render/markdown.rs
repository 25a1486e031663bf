//! Markdown to HTML for topic sections: raw HTML escaped (or, when the site allows it,
//! sanitised with ammonia), links with script URLs neutralised, and structure checks.

use super::escape::strip_controls;
use crate::content::Defect;
use crate::content::blocks::BlockReader;
use crate::model::is_safe_url;
use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

/// Renders `markdown` to HTML. Unless `allow_html`, raw HTML in the text is shown as text,
/// never passed through, so a value pasted from a web page cannot inject markup; with
/// `allow_html` it is kept and the whole section is sanitised (no script, no event handlers,
/// no `javascript:` URLs). Links and images with unsafe URLs are always left out (their text
/// stays). Headings `#`/`##` are demoted to `h3`, since the page's `h1` is the title and
/// `h2` the section question.
pub(crate) fn to_html(markdown: &str, allow_html: bool) -> (String, Vec<Defect>) {
    to_html_reading(markdown, allow_html, &mut BlockReader::default())
}

/// [`to_html`], also feeding every parsed event to `blocks` (for the content lint, which
/// so needs no parse of its own).
pub(crate) fn to_html_reading(
    markdown: &str,
    allow_html: bool,
    blocks: &mut BlockReader,
) -> (String, Vec<Defect>) {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut defects = Vec::new();
    let mut open_heading: Option<String> = None;
    let mut heading_text = String::new();
    let mut in_heading = false;
    let mut item_has_text: Vec<bool> = Vec::new();
    let mut events: Vec<Event<'_>> = Vec::new();
    // For each open link or image: whether it was left out (so its end is left out too).
    let mut dropped: Vec<bool> = Vec::new();
    for event in Parser::new_ext(markdown, options) {
        // Offsets are not needed for rendered text: its findings point at input files.
        blocks.feed(&event, 0);
        let event = match event {
            Event::Html(s) | Event::InlineHtml(s) if !allow_html => Event::Text(s),
            Event::Start(Tag::Link { ref dest_url, .. } | Tag::Image { ref dest_url, .. }) => {
                let unsafe_url = !is_safe_url(dest_url);
                if unsafe_url {
                    defects.push(Defect::UnsafeUrl(dest_url.to_string()));
                }
                dropped.push(unsafe_url);
                if unsafe_url {
                    continue;
                }
                event
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                if dropped.pop() == Some(true) {
                    continue;
                }
                event
            }
            Event::Text(t) => match strip_controls(&t) {
                std::borrow::Cow::Borrowed(_) => Event::Text(t),
                std::borrow::Cow::Owned(clean) => Event::Text(CowStr::from(clean)),
            },
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
    if allow_html {
        out = sanitise(&out);
    }
    (out, defects)
}

/// Sanitises HTML with ammonia's defaults (a safe allow-list of tags and attributes, no
/// script or style, no event handlers) and this module's URL rule.
fn sanitise(html: &str) -> String {
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto", "tel"].into())
        .attribute_filter(|_, attr, value| match attr {
            "href" | "src" if !is_safe_url(value) => None,
            _ => Some(value.into()),
        })
        .clean(html)
        .to_string()
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
        let (html, defects) = to_html("## 材料:\n\n- 身份证\n- 医保卡\n", false);
        assert!(html.contains("<h3>材料:</h3>"), "{html}");
        assert!(html.contains("<li>身份证</li>"));
        assert!(defects.is_empty());
    }

    #[test]
    fn raw_html_is_escaped() {
        let (html, _) = to_html(
            "a <script>alert(1)</script> b\n\n<img src=x onerror=alert(1)>\n",
            false,
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
    }

    #[test]
    fn finds_empty_headings_and_items() {
        let (_, defects) = to_html("### 一:\n### 二:\n\n正文\n\n### 三:\n", false);
        assert_eq!(
            defects,
            vec![
                Defect::EmptyHeading("一:".into()),
                Defect::EmptyHeading("三:".into())
            ]
        );
        let (_, defects) = to_html("- a\n-\n- b\n", false);
        assert_eq!(defects, vec![Defect::EmptyListItem]);
    }

    #[test]
    fn finds_leftover_template_syntax() {
        let (_, defects) = to_html("办理 {{ city.name }}\n", false);
        assert!(matches!(defects[0], Defect::TemplateSyntax(_)));
    }

    #[test]
    fn script_urls_are_left_out_always() {
        for md in [
            "[x](javascript:alert(1))",
            "[x](  JavaScript:alert(1))",
            "[x](JAVASCRIPT:alert(1) \"t\")",
            "<javascript:alert(1)>",
            "![x](vbscript:msgbox)",
            "[x](data:text/html;base64,PHNjcmlwdD4=)",
        ] {
            for allow in [false, true] {
                let (html, defects) = to_html(md, allow);
                assert!(
                    !html.contains("href=") && !html.contains("src="),
                    "{md} → {html}"
                );
                assert!(
                    matches!(defects[..], [Defect::UnsafeUrl(_)]),
                    "{md}: {defects:?}"
                );
            }
        }
        let (html, defects) = to_html(
            "[医保局](https://a.org/x) [b](/rel) [c](mailto:a@b.c)",
            false,
        );
        assert!(html.contains("href=\"https://a.org/x\""), "{html}");
        assert!(html.contains("href=\"/rel\""), "{html}");
        assert!(defects.is_empty());
    }

    #[test]
    fn allowed_html_is_sanitised() {
        let md = "<p onclick=\"x()\">段落</p>\n\n<script>alert(1)</script>\n\n\
                  a <b>粗</b> <a href=\"javascript:alert(1)\">x</a> <img src=x onerror=alert(1)>\n";
        let (html, _) = to_html(md, true);
        assert!(html.contains("<b>粗</b>"), "{html}");
        assert!(html.contains("段落"), "{html}");
        for bad in [
            "<script",
            "onclick",
            "onerror",
            "javascript:",
            "alert(1)</script",
        ] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
    }

    #[test]
    fn control_characters_are_dropped() {
        let (html, _) = to_html("a\u{1}b\u{1b}c", false);
        assert!(html.contains("abc"), "{html:?}");
    }
}
