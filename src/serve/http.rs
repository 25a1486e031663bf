//! Answering one HTTP request from the in-memory site: the `Host` check, clean URLs, content
//! types, the 404 page, and the hand-over of live-reload requests to the event stream.
//!
//! [`respond`] is a pure function of the request head and the published [`Snapshot`]: no
//! I/O, no clock, so it is unit-tested and fuzzed on its own (`fuzz/fuzz_targets/request.rs`
//! feeds it raw bytes through [`parse_head`]); `net` only moves bytes. Pages are looked up
//! in the map of built files, never on disk, and [`SitePath`] refuses any path that is not
//! a plain name inside the site.

use super::path::{SitePath, clean_query};
use super::reload::{self, EVENTS_PATH};
use super::state::Snapshot;

/// The most headers [`parse_head`] reads; `net` gives the server the same bound.
pub(crate) const MAX_HEADERS: usize = 64;

/// The address the server listens on, and so the only `Host` values it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Local {
    pub port: u16,
}

impl Local {
    /// `http://127.0.0.1:PORT`, the origin every page is served from.
    pub(crate) fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Whether a `Host` header names this server: `127.0.0.1`, `localhost` or `[::1]`
    /// with the server's port (ASCII case ignored; the port may be left out only when it
    /// is 80). Anything else is another site's name, as in DNS rebinding, where a page of
    /// `evil.example` resolves its own name to 127.0.0.1 to read the preview.
    pub fn accepts_host(&self, host: &[u8]) -> bool {
        let Ok(host) = std::str::from_utf8(host) else {
            return false;
        };
        let host = host.trim_matches([' ', '\t']).to_ascii_lowercase();
        let (name, port) = match host.rsplit_once(':') {
            Some((name, port)) if !name.is_empty() && !port.contains(']') => (name, Some(port)),
            _ => (host.as_str(), None),
        };
        let port_ok = match port {
            Some(p) => p.parse::<u16>() == Ok(self.port) && p.bytes().all(|b| b.is_ascii_digit()),
            None => self.port == 80,
        };
        port_ok && matches!(name, "127.0.0.1" | "localhost" | "[::1]")
    }
}

/// A request as far as the server reads it: the body of a GET or HEAD is never looked at.
#[derive(Debug, Clone, Default)]
pub struct Head {
    pub(crate) method: String,
    /// The request target exactly as sent (`/a/b?x=1`).
    pub target: String,
    /// The value of every `Host` header (a valid request has exactly one).
    pub hosts: Vec<Vec<u8>>,
}

/// An answer with all of its body.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    /// Names are lower case; values are visible ASCII (checked by the fuzz target).
    pub headers: Vec<(&'static str, String)>,
    pub(crate) body: Vec<u8>,
}

/// What to do with a request.
#[derive(Debug)]
pub enum Answer {
    Reply(Reply),
    /// Open the live-reload stream for a page served at generation `since`.
    Events {
        since: u64,
    },
    /// Make the coverage page (it reads the site folder: done off the request thread) and
    /// answer with [`coverage_reply`].
    Coverage,
}

/// The coverage page of the served site (`sitegen coverage`'s page, made on request).
pub(crate) const COVERAGE_PATH: &str = "/__sitegen/coverage/";

/// Reads a complete request head from raw bytes; `None` when it is not one (incomplete,
/// malformed, or more than [`MAX_HEADERS`] headers). The server itself parses with hyper,
/// which uses the same parser (httparse).
pub fn parse_head(raw: &[u8]) -> Option<Head> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    if !request.parse(raw).ok()?.is_complete() {
        return None;
    }
    Some(Head {
        method: request.method?.to_string(),
        target: request.path?.to_string(),
        hosts: request
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case("host"))
            .map(|h| h.value.to_vec())
            .collect(),
    })
}

/// Answers one request from the published site.
pub fn respond(head: &Head, snapshot: &Snapshot, local: Local) -> Answer {
    let origin = local.origin();
    match head.hosts.as_slice() {
        [host] if local.accepts_host(host) => {}
        [] => {
            return Answer::Reply(text(
                400,
                &format!("The request has no Host header. Open {origin}/ in a browser.\n"),
            ));
        }
        [_] => {
            return Answer::Reply(text(
                421,
                &format!(
                    "This preview server answers only requests for {origin}/ (or \
localhost:{port}). The request named another site in its Host header, as a web page \
does when it tries to read the preview through DNS rebinding.\n",
                    port = local.port
                ),
            ));
        }
        _ => return Answer::Reply(text(400, "The request has more than one Host header.\n")),
    }
    if !matches!(head.method.as_str(), "GET" | "HEAD") {
        let mut reply = text(405, "Only GET and HEAD are served.\n");
        reply.headers.push(("allow", "GET, HEAD".into()));
        return Answer::Reply(reply);
    }
    let target = head.target.as_str();
    if target.split(['?', '#']).next() == Some(EVENTS_PATH) {
        return Answer::Events {
            since: since(target),
        };
    }
    if target.split(['?', '#']).next() == Some(COVERAGE_PATH) {
        return Answer::Coverage;
    }
    let Some(path) = SitePath::parse(target) else {
        return Answer::Reply(text(
            400,
            "Bad path: only plain names inside the site are served (no `..`, `.`, \
backslashes, encoded slashes or control characters).\n",
        ));
    };
    let file = path.file();
    Answer::Reply(match snapshot.files.get(&file) {
        Some(bytes) => page(snapshot, &file, bytes, 200),
        None => match path.as_folder_file() {
            // A folder asked for without its slash: pages link relative to the folder.
            Some(index) if snapshot.files.contains_key(&index) => {
                let location = format!("{}{}", path.folder_location(), clean_query(target));
                let mut reply = text(301, &format!("Moved to {location}\n"));
                reply.headers.push(("location", location));
                reply
            }
            _ => not_found(snapshot),
        },
    })
}

/// The answer when the server has no room for another connection or event stream.
pub(crate) fn busy(what: &str) -> Reply {
    let mut reply = text(
        503,
        &format!("The preview server has too many open {what}; try again in a moment.\n"),
    );
    reply.headers.push(("retry-after", "1".into()));
    reply
}

/// `since=N` from the query of an event-stream target; 0 when absent or not a number.
fn since(target: &str) -> u64 {
    let query = target.split_once('?').map_or("", |(_, q)| q);
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("since=")?.parse().ok())
        .unwrap_or(0)
}

fn not_found(snapshot: &Snapshot) -> Reply {
    let fallback =
        b"<!doctype html><meta charset=utf-8><title>404</title><body><h1>404</h1></body>";
    let bytes = snapshot.files.get("404.html").map_or(&fallback[..], |b| b);
    page(snapshot, "404.html", bytes, 404)
}

/// The `Content-Type` for a site file, by extension (mime_guess); text types say
/// `charset=utf-8`, unknown ones are `application/octet-stream`.
pub(crate) fn content_type(file: &str) -> String {
    let ext = file
        .rsplit('/')
        .next()
        .and_then(|name| name.rsplit_once('.'));
    let kind = ext
        .and_then(|(_, ext)| mime_guess::from_ext(ext).first_raw())
        .unwrap_or("application/octet-stream");
    let textual = kind.starts_with("text/")
        || kind.ends_with("+xml")
        || kind.ends_with("+json")
        || matches!(
            kind,
            "application/json" | "application/javascript" | "application/xml"
        );
    if textual {
        format!("{kind}; charset=utf-8")
    } else {
        kind.to_string()
    }
}

/// A site file as a reply; HTML pages get the reload script and any problem banner.
fn page(snapshot: &Snapshot, file: &str, bytes: &[u8], status: u16) -> Reply {
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
    Reply {
        status,
        headers: vec![("content-type", kind), ("cache-control", "no-store".into())],
        body,
    }
}

/// A small fixed link to the coverage page, in the corner of every served page.
const COVERAGE_LINK: &str = "<a id=\"sitegen-coverage\" href=\"/__sitegen/coverage/\" \
style=\"position:fixed;right:8px;bottom:8px;z-index:2147483646;padding:2px 8px;\
background:#fff;color:#0645ad;border:1px solid #888;border-radius:4px;\
font:12px/1.6 system-ui,sans-serif\">coverage</a>";

/// The answer to [`Answer::Coverage`]: the page as made, or why the site does not build.
pub(crate) fn coverage_reply(snapshot: &Snapshot, made: Result<String, String>) -> Reply {
    match made {
        Ok(html) => page(snapshot, "coverage.html", html.as_bytes(), 200),
        Err(problems) => text(500, &format!("The site does not build:\n\n{problems}\n")),
    }
}

fn text(status: u16, body: &str) -> Reply {
    Reply {
        status,
        headers: vec![
            ("content-type", "text/plain; charset=utf-8".into()),
            ("cache-control", "no-store".into()),
            ("x-content-type-options", "nosniff".into()),
        ],
        body: body.as_bytes().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    const LOCAL: Local = Local { port: 4000 };

    fn site() -> Snapshot {
        let mut files = crate::pipeline::SiteFiles::new();
        for name in ["index.html", "yueyang/index.html", "static/style.css"] {
            files.insert(name.into(), Arc::from(&b"<body>x</body>"[..]));
        }
        Snapshot {
            generation: 3,
            files: Arc::new(files),
            problems: None,
        }
    }

    fn ask(raw: &str) -> Reply {
        let head = parse_head(raw.as_bytes()).expect("a complete head");
        match respond(&head, &site(), LOCAL) {
            Answer::Reply(r) => r,
            Answer::Events { since } => panic!("event stream since {since}"),
            Answer::Coverage => panic!("coverage page"),
        }
    }

    fn get(target: &str, host: &str) -> Reply {
        ask(&format!("GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n"))
    }

    fn header<'a>(r: &'a Reply, name: &str) -> Option<&'a str> {
        r.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn only_the_servers_own_names_are_answered() {
        for good in [
            "127.0.0.1:4000",
            "localhost:4000",
            "LocalHost:4000",
            "[::1]:4000",
        ] {
            assert_eq!(get("/", good).status, 200, "{good}");
        }
        for bad in [
            "evil.example:4000",
            "evil.example",
            "127.0.0.1",
            "127.0.0.1:4001",
            "127.0.0.1:04000x",
            "localhost.:4000",
            "127.0.0.2:4000",
            "127.0.0.1:4000@evil.example",
            "[::1]",
            ":4000",
            "",
        ] {
            let r = get("/", bad);
            assert_eq!(r.status, 421, "{bad}");
            assert!(String::from_utf8_lossy(&r.body).contains("DNS rebinding"));
        }
        assert_eq!(ask("GET / HTTP/1.1\r\n\r\n").status, 400);
        let two = "GET / HTTP/1.1\r\nHost: 127.0.0.1:4000\r\nHost: evil.example:4000\r\n\r\n";
        assert_eq!(ask(two).status, 400);
        assert!(Local { port: 80 }.accepts_host(b"localhost"));
        assert!(!Local { port: 80 }.accepts_host(b"evil.example"));
    }

    #[test]
    fn a_folder_without_its_slash_redirects_on_this_server() {
        for (target, location) in [
            ("/yueyang", "/yueyang/"),
            ("//yueyang", "/yueyang/"),
            ("///yueyang?x=1", "/yueyang/?x=1"),
            ("/yueyang?a\\b", "/yueyang/?a%5Cb"),
            ("//yueyang?\\\\evil.example", "/yueyang/?%5C%5Cevil.example"),
            ("/yueyang?x=%5C&y=<z>", "/yueyang/?x=%5C&y=%3Cz%3E"),
        ] {
            let r = get(target, "127.0.0.1:4000");
            assert_eq!(r.status, 301, "{target}");
            assert_eq!(header(&r, "location"), Some(location), "{target}");
        }
        for bad in ["/\\yueyang", "/%5Cyueyang", "/%2Fyueyang", "/..%2Fyueyang"] {
            assert_eq!(get(bad, "127.0.0.1:4000").status, 400, "{bad}");
        }
    }

    #[test]
    fn pages_files_and_errors() {
        let r = get("/yueyang/", "127.0.0.1:4000");
        assert_eq!(header(&r, "content-type"), Some("text/html; charset=utf-8"));
        assert!(String::from_utf8_lossy(&r.body).contains("/__sitegen/events?since=3"));
        let css = get("/static/style.css", "localhost:4000");
        assert_eq!(css.body, b"<body>x</body>", "non-HTML is served unchanged");
        assert_eq!(get("/nope/", "127.0.0.1:4000").status, 404);
        let post = ask("POST / HTTP/1.1\r\nHost: 127.0.0.1:4000\r\nContent-Length: 0\r\n\r\n");
        assert_eq!(
            (post.status, header(&post, "allow")),
            (405, Some("GET, HEAD"))
        );
        let head =
            parse_head(b"GET /__sitegen/events?a=1&since=7 HTTP/1.1\r\nHost: [::1]:4000\r\n\r\n");
        assert!(matches!(
            respond(&head.unwrap(), &site(), LOCAL),
            Answer::Events { since: 7 }
        ));
        assert_eq!(busy("connections").status, 503);
        assert!(
            parse_head(b"GET / HTTP/1.1\r\nHost: x").is_none(),
            "incomplete"
        );
    }

    #[test]
    fn the_coverage_page_is_asked_for_and_every_page_links_to_it() {
        let head = parse_head(b"GET /__sitegen/coverage/ HTTP/1.1\r\nHost: localhost:4000\r\n\r\n");
        assert!(matches!(
            respond(&head.unwrap(), &site(), LOCAL),
            Answer::Coverage
        ));
        // Another site's name gets no coverage page either.
        let other = parse_head(b"GET /__sitegen/coverage/ HTTP/1.1\r\nHost: evil.example\r\n\r\n");
        assert!(matches!(
            respond(&other.unwrap(), &site(), LOCAL),
            Answer::Reply(Reply { status: 421, .. })
        ));
        let page = get("/", "127.0.0.1:4000");
        assert!(String::from_utf8_lossy(&page.body).contains("href=\"/__sitegen/coverage/\""));
        let made = coverage_reply(&site(), Ok("<html><body>c</body></html>".into()));
        assert_eq!(made.status, 200);
        assert!(String::from_utf8_lossy(&made.body).contains("/__sitegen/events?since=3"));
        assert_eq!(coverage_reply(&site(), Err("broken".into())).status, 500);
    }

    #[test]
    fn text_types_say_utf8() {
        for (file, kind) in [
            ("a/index.html", "text/html; charset=utf-8"),
            ("static/style.css", "text/css; charset=utf-8"),
            ("sitemap.xml", "text/xml; charset=utf-8"),
            ("atom.xml", "text/xml; charset=utf-8"),
            ("feed.atom", "application/atom+xml; charset=utf-8"),
            ("robots.txt", "text/plain; charset=utf-8"),
            ("static/favicon.svg", "image/svg+xml; charset=utf-8"),
            ("a.js", "text/javascript; charset=utf-8"),
            ("logo.PNG", "image/png"),
            ("noext", "application/octet-stream"),
            ("dir.d/noext", "application/octet-stream"),
        ] {
            assert_eq!(content_type(file), kind, "{file}");
        }
    }
}
