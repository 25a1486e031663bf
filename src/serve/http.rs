//! Answering HTTP requests from the in-memory site: clean URLs, content types, the 404
//! page, the live-reload event stream.
//!
//! Pages are looked up in a map of the built files, never on disk, and [`resolve`] refuses
//! any URL path with `..`, `.`, backslashes or NUL (also when percent-encoded), so a
//! request cannot name anything outside the site.

use super::reload::{self, EVENTS_PATH};
use super::state::{Snapshot, State};
use crate::diag::render_human;
use crate::pipeline::{self, BuildOptions};
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;
use tiny_http::{Header, Method, Request, Response, StatusCode};

/// How often an idle event stream sends a comment, to notice closed pages.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The site file a URL path asks for: `/` → `index.html`, `/a/b/` → `a/b/index.html`,
/// `/a/b.css` → `a/b.css`. `None` for paths that are not plain relative names.
pub fn resolve(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let rest = path.strip_prefix('/')?;
    let decoded = percent_decode(rest)?;
    let mut segments = Vec::new();
    for segment in decoded.split('/') {
        if segment == ".." || segment == "." || segment.contains(['\\', '\0', ':']) {
            return None;
        }
        if !segment.is_empty() {
            segments.push(segment);
        }
    }
    let mut file = segments.join("/");
    if decoded.is_empty() || decoded.ends_with('/') {
        if !file.is_empty() {
            file.push('/');
        }
        file.push_str("index.html");
    }
    Some(file)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `Content-Type` for a site file, by extension; text types say `charset=utf-8`.
pub fn content_type(file: &str) -> &'static str {
    let ext = file.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json; charset=utf-8",
        Some("xml") => "application/xml; charset=utf-8",
        Some("txt") => "text/plain; charset=utf-8",
        Some("svg") => "image/svg+xml; charset=utf-8",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("avif") => "image/avif",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("pdf") => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// The coverage page of the served site (`sitegen coverage`'s page, made on request).
pub const COVERAGE_PATH: &str = "/__sitegen/coverage/";

/// Answers one request; `site` are the build options of the served site.
pub fn handle(request: Request, state: &Arc<State>, site: &BuildOptions) {
    if !matches!(request.method(), Method::Get | Method::Head) {
        let _ = request.respond(text(405, "only GET and HEAD are served"));
        return;
    }
    let url = request.url().to_string();
    if url.split('?').next() == Some(COVERAGE_PATH) {
        let _ = request.respond(coverage(&state.snapshot(), site));
        return;
    }
    if url.split('?').next() == Some(EVENTS_PATH) {
        let since = url
            .split_once("since=")
            .and_then(|(_, v)| v.split('&').next()?.parse().ok())
            .unwrap_or(0);
        events(request, state, since);
        return;
    }
    let snapshot = state.snapshot();
    let Some(file) = resolve(&url) else {
        let _ = request.respond(text(400, "bad path"));
        return;
    };
    let response = match snapshot.files.get(&file) {
        Some(bytes) => page(&snapshot, &file, bytes, 200),
        None if snapshot.files.contains_key(&format!("{file}/index.html")) => {
            // A folder asked for without its slash: pages link relative to the folder.
            let (path, query) = url.split_once('?').unwrap_or((&url, ""));
            let query = if query.is_empty() {
                String::new()
            } else {
                format!("?{query}")
            };
            let mut r = text(301, "moved");
            r.add_header(header("Location", &format!("{path}/{query}")));
            r
        }
        None => match snapshot.files.get("404.html") {
            Some(bytes) => page(&snapshot, "404.html", bytes, 404),
            None => {
                let body = b"<!doctype html><meta charset=utf-8><title>404</title><body><h1>404</h1></body>";
                page(&snapshot, "404.html", body, 404)
            }
        },
    };
    let _ = request.respond(response);
}

/// A site file as a response; HTML pages get the reload script and any problem banner.
fn page(
    snapshot: &Snapshot,
    file: &str,
    bytes: &[u8],
    status: u16,
) -> Response<std::io::Cursor<Vec<u8>>> {
    let kind = content_type(file);
    let body = if kind.starts_with("text/html") {
        let mut extra = String::new();
        if let Some(problems) = &snapshot.problems {
            extra.push_str(&reload::banner(problems));
        }
        extra.push_str(COVERAGE_LINK);
        extra.push_str(&reload::script(snapshot.generation));
        reload::inject(bytes, &extra)
    } else {
        bytes.to_vec()
    };
    Response::from_data(body)
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", kind))
        .with_header(header("Cache-Control", "no-store"))
}

/// A small fixed link to the coverage page, in the corner of every served page.
const COVERAGE_LINK: &str = "<a id=\"sitegen-coverage\" href=\"/__sitegen/coverage/\" \
style=\"position:fixed;right:8px;bottom:8px;z-index:2147483646;padding:2px 8px;\
background:#fff;color:#0645ad;border:1px solid #888;border-radius:4px;\
font:12px/1.6 system-ui,sans-serif\">coverage</a>";

/// The coverage page of the site as it is on disk now, or its problems as text.
fn coverage(snapshot: &Snapshot, site: &BuildOptions) -> Response<std::io::Cursor<Vec<u8>>> {
    match pipeline::coverage(site) {
        Ok((input, report)) => {
            let html = crate::coverage::page::html(&input, &report, &site.root);
            page(snapshot, "coverage.html", html.as_bytes(), 200)
        }
        Err(problems) => {
            let all: Vec<String> = problems
                .into_sorted()
                .iter()
                .map(|d| render_human(d, false))
                .collect();
            text(
                500,
                &format!("the site does not build:\n\n{}", all.join("\n\n")),
            )
        }
    }
}

fn text(status: u16, body: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_string(body)
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", "text/plain; charset=utf-8"))
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

/// The Server-Sent Events stream: one `reload` event once the generation moves past
/// `since`, then the stream ends (the page reloads and opens a new one).
fn events(request: Request, state: &Arc<State>, since: u64) {
    // tiny_http's own responses buffer the body, which would hold events back, so the
    // stream is written by hand on the raw connection.
    let mut w = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n\
Cache-Control: no-store\r\nConnection: close\r\n\r\nretry: 1000\n\n";
    if w.write_all(head.as_bytes())
        .and_then(|_| w.flush())
        .is_err()
    {
        return;
    }
    loop {
        let generation = state.wait_past(since, KEEP_ALIVE);
        let message = if generation != since {
            format!("event: reload\ndata: {generation}\n\n")
        } else {
            ": keep-alive\n\n".to_string()
        };
        if w.write_all(message.as_bytes())
            .and_then(|_| w.flush())
            .is_err()
            || generation != since
        {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_urls_map_to_index_files() {
        assert_eq!(resolve("/").as_deref(), Some("index.html"));
        assert_eq!(resolve("/yueyang/").as_deref(), Some("yueyang/index.html"));
        assert_eq!(
            resolve("/yueyang/canbaodi-biangeng/?x=1#top").as_deref(),
            Some("yueyang/canbaodi-biangeng/index.html")
        );
        assert_eq!(
            resolve("/static/style.css").as_deref(),
            Some("static/style.css")
        );
        assert_eq!(resolve("/yueyang").as_deref(), Some("yueyang"));
        assert_eq!(resolve("//a//b/").as_deref(), Some("a/b/index.html"));
        assert_eq!(resolve("/%E5%B2%B3/").as_deref(), Some("岳/index.html"));
    }

    #[test]
    fn traversal_is_refused() {
        for bad in [
            "/../etc/passwd",
            "/a/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/a/%2e%2e/%2e%2e/x",
            "/./index.html",
            "/a\\..\\b",
            "/a%5c..%5cb",
            "/C:/Windows/win.ini",
            "/a%00b",
            "/%zz",
            "/%e5%b2",
            "relative/path",
            "http://example.org/",
        ] {
            assert_eq!(resolve(bad), None, "{bad}");
        }
    }

    #[test]
    fn text_types_say_utf8() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("static/style.css"), "text/css; charset=utf-8");
        assert_eq!(
            content_type("sitemap.xml"),
            "application/xml; charset=utf-8"
        );
        assert_eq!(content_type("robots.txt"), "text/plain; charset=utf-8");
        assert_eq!(content_type("logo.PNG"), "image/png");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }
}
