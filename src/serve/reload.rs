//! Live reload and the problem banner, added to HTML pages as they are served (never to
//! the pages themselves, so `build` output stays clean).
//!
//! The script listens on Server-Sent Events at [`EVENTS_PATH`] and reloads the page when
//! the server's generation moves past the one the page was served at: after every
//! rebuild, good or failed. A failed rebuild is shown by a banner the server puts on every
//! page, so it is visible with or without the script.

use crate::diag::{Diagnostic, render_human};
// XML escaping is valid HTML5 escaping too (`&apos;` included).
use crate::site_files::xml_escape as escape_html;

/// The path of the event stream; no site page can have it (`__` is not a valid slug).
pub(crate) const EVENTS_PATH: &str = "/__sitegen/events";

/// The script that reloads the page after the next rebuild. When the stream is refused
/// (the server is busy: `503`) the browser gives up on it, so the script opens a new one
/// after a pause that doubles up to 30 s.
pub(crate) fn script(generation: u64) -> String {
    format!(
        "<script>/* sitegen serve: live reload */(function(){{\
var url=\"{EVENTS_PATH}?since={generation}\",pause=1000;\
function listen(){{var es=new EventSource(url);\
es.addEventListener(\"reload\",function(){{es.close();location.reload();}});\
es.onerror=function(){{if(es.readyState===2){{setTimeout(listen,pause);pause=Math.min(pause*2,30000);}}}};}}\
listen();}})();</script>"
    )
}

/// The banner listing the problems of a failed rebuild, each as the terminal shows it
/// (file:line:column, message, source line with a caret, hint).
pub(crate) fn banner(problems: &[Diagnostic]) -> String {
    let errors = problems.iter().filter(|d| d.is_error()).count();
    let mut out = String::from(
        "<div id=\"sitegen-problems\" role=\"alert\" style=\"position:fixed;top:0;left:0;\
right:0;z-index:2147483647;max-height:70vh;overflow:auto;margin:0;padding:12px 16px;\
background:#fff4f4;color:#5c0000;border-bottom:3px solid #c00;\
font:14px/1.45 ui-monospace,Menlo,Consolas,monospace;text-align:left\">",
    );
    out.push_str(&format!(
        "<strong>sitegen: the last change did not build ({errors} error(s)). \
This is the last good version of the page; fix the file and save to reload.</strong>"
    ));
    for d in problems {
        out.push_str("<pre style=\"white-space:pre-wrap;margin:8px 0 0\">");
        out.push_str(&escape_html(&render_human(d, false)));
        out.push_str("</pre>");
    }
    out.push_str("</div>");
    out
}

/// Adds `extra` before the page's last `</body>` (or at the end when there is none).
pub(crate) fn inject(html: &[u8], extra: &str) -> Vec<u8> {
    let at = find_last_ignore_case(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + extra.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    (0..=haystack.len().checked_sub(needle.len())?)
        .rev()
        .find(|&i| haystack[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Origin;

    #[test]
    fn injects_before_the_closing_body_tag() {
        let page = b"<html><body><p>x</p></BODY></html>";
        let out = String::from_utf8(inject(page, "<script></script>")).unwrap();
        assert_eq!(out, "<html><body><p>x</p><script></script></BODY></html>");
        assert_eq!(inject(b"<p>", "<i>"), b"<p><i>");
    }

    #[test]
    fn banner_escapes_the_diagnostic_and_names_the_place() {
        let d = Diagnostic::error(
            Origin::new("cities/yueyang.yaml", 3, 7),
            "unknown key `<script>alert(1)</script>`",
        )
        .with_source("name: 岳阳\nslug: yueyang\nnmae: <script>&\n")
        .with_hint("did you mean `name`?");
        let html = banner(&[d]);
        assert!(html.contains("cities/yueyang.yaml:3:7"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("nmae: &lt;script&gt;&amp;"));
        assert!(html.contains("did you mean `name`?"));
    }

    #[test]
    fn script_waits_past_the_served_generation() {
        assert!(script(7).contains("/__sitegen/events?since=7"));
    }
}
