//! From a request target to the site file it names, and back to the one same-origin path a
//! redirect may point at.
//!
//! The path is split on `/` first and each segment percent-decoded after, so an encoded
//! slash (`%2F`) or backslash (`%5C`) can never become a separator. Empty segments (`//`)
//! are dropped, which is what keeps `//yueyang` on this server: the redirect goes to the
//! path built from the kept segments (`/yueyang/`), never to the text the client sent.

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

/// What a URL path asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SitePath {
    /// The decoded, non-empty segments: `/a//b/` → `["a", "b"]`.
    segments: Vec<String>,
    /// The path ended with `/` (or was `/`): it names a folder's `index.html`.
    folder: bool,
}

/// Characters escaped when a segment is written back into a `Location`: everything that is
/// not plainly part of a path segment, `%` itself, and the separators of other URL parts.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b':')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

impl SitePath {
    /// Parses the path part of an origin-form target (`/a/b?q` → `/a/b`). `None` for
    /// anything that is not a plain relative name inside the site: no leading `/`, a `.` or
    /// `..` segment, a backslash, NUL, `:` or other control character (also when
    /// percent-encoded), an encoded `/`, or bytes that do not decode to UTF-8.
    pub(crate) fn parse(target: &str) -> Option<SitePath> {
        let path = target.split(['?', '#']).next().unwrap_or("");
        let rest = path.strip_prefix('/')?;
        let mut segments = Vec::new();
        for raw in rest.split('/') {
            if !escapes_are_valid(raw) {
                return None;
            }
            let segment = percent_decode_str(raw).decode_utf8().ok()?;
            if segment == ".." || segment == "." || segment.contains(['/', '\\', ':']) {
                return None;
            }
            if segment.chars().any(char::is_control) {
                return None;
            }
            if !segment.is_empty() {
                segments.push(segment.into_owned());
            }
        }
        Some(SitePath {
            folder: rest.is_empty() || rest.ends_with('/'),
            segments,
        })
    }

    /// The site file: `/` → `index.html`, `/a/b/` → `a/b/index.html`, `/a/b.css` →
    /// `a/b.css`.
    pub(crate) fn file(&self) -> String {
        let mut file = self.segments.join("/");
        if self.folder {
            if !file.is_empty() {
                file.push('/');
            }
            file.push_str("index.html");
        }
        file
    }

    /// The file a folder named without its slash would serve: `/a/b` → `a/b/index.html`.
    pub(crate) fn as_folder_file(&self) -> Option<String> {
        (!self.folder && !self.segments.is_empty())
            .then(|| format!("{}/index.html", self.segments.join("/")))
    }

    /// The folder's own path for a redirect, `/a/b/`: always one `/` followed by a segment
    /// (never `//`, never a backslash), so it stays on this server whatever the client sent.
    pub(crate) fn folder_location(&self) -> String {
        let mut out = String::from("/");
        for segment in &self.segments {
            out.extend(utf8_percent_encode(segment, SEGMENT));
            out.push('/');
        }
        out
    }
}

/// Every `%` starts a two-digit hex escape (percent-encoding leaves a stray `%` as it is).
fn escapes_are_valid(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || bytes
                .get(i + 1..i + 3)
                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
    })
}

/// Characters escaped when a query is carried into a `Location`: controls, space, the
/// backslash and the other characters a URL may not hold as they are. A browser reads a
/// raw `\` like `/` in some places, so none ever reaches a header; `%5C` means the same
/// to the page asked for.
const QUERY: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The query of a target (`?x=1`, with its `?`), to be carried into a `Location`: every
/// character a URL may not hold as it is (a backslash, a control character, non-ASCII) is
/// percent-encoded, so the query arrives whole and the header is plain visible ASCII.
/// Empty when there is no query or only a `?`.
pub(crate) fn clean_query(target: &str) -> String {
    let Some(at) = target.find('?') else {
        return String::new();
    };
    let query = target[at + 1..].split('#').next().unwrap_or("");
    if query.is_empty() {
        return String::new();
    }
    format!("?{}", utf8_percent_encode(query, QUERY))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(target: &str) -> Option<String> {
        SitePath::parse(target).map(|p| p.file())
    }

    #[test]
    fn clean_urls_map_to_index_files() {
        assert_eq!(file("/").as_deref(), Some("index.html"));
        assert_eq!(file("/yueyang/").as_deref(), Some("yueyang/index.html"));
        assert_eq!(
            file("/yueyang/canbaodi-biangeng/?x=1#top").as_deref(),
            Some("yueyang/canbaodi-biangeng/index.html")
        );
        assert_eq!(
            file("/static/style.css").as_deref(),
            Some("static/style.css")
        );
        assert_eq!(file("/yueyang").as_deref(), Some("yueyang"));
        assert_eq!(file("//a//b/").as_deref(), Some("a/b/index.html"));
        assert_eq!(file("/%E5%B2%B3/").as_deref(), Some("岳/index.html"));
    }

    #[test]
    fn traversal_and_other_spellings_are_refused() {
        for bad in [
            "/../etc/passwd",
            "/a/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/a/%2e%2e/%2e%2e/x",
            "/./index.html",
            "/a\\..\\b",
            "/a%5c..%5cb",
            "/\\evil.example",
            "/%5Cevil.example",
            "/%2F%2Fevil.example",
            "/a%2Fb",
            "/C:/Windows/win.ini",
            "/a%00b",
            "/a%0d%0aSet-Cookie:x",
            "/%zz",
            "/%2",
            "/a%",
            "/100%",
            "/%e5%b2",
            "relative/path",
            "http://example.org/",
            "",
            "*",
        ] {
            assert_eq!(file(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_folder_redirect_never_leaves_the_origin() {
        let location = |t: &str| SitePath::parse(t).unwrap().folder_location();
        assert_eq!(location("/yueyang"), "/yueyang/");
        assert_eq!(location("//yueyang"), "/yueyang/");
        assert_eq!(location("///evil.example//x"), "/evil.example/x/");
        assert_eq!(location("/%E5%B2%B3"), "/%E5%B2%B3/");
        assert_eq!(location("/a%20b%23c%3Fd"), "/a%20b%23c%3Fd/");
        assert_eq!(
            SitePath::parse("//yueyang").unwrap().as_folder_file(),
            Some("yueyang/index.html".into())
        );
        assert_eq!(SitePath::parse("/").unwrap().as_folder_file(), None);
    }

    #[test]
    fn the_query_is_carried_with_unsafe_characters_encoded() {
        assert_eq!(clean_query("/a?x=1"), "?x=1");
        assert_eq!(clean_query("/a?x=1#f"), "?x=1");
        assert_eq!(clean_query("/a?"), "");
        assert_eq!(clean_query("/a"), "");
        assert_eq!(clean_query("/a?x= 1"), "?x=%201");
        assert_eq!(clean_query("/a?\u{e9}"), "?%C3%A9");
        assert_eq!(clean_query("/a?x=\\evil"), "?x=%5Cevil");
        assert_eq!(clean_query("/a?\\\\evil.example"), "?%5C%5Cevil.example");
        assert_eq!(clean_query("/a?a\r\nb"), "?a%0D%0Ab");
        assert_eq!(
            clean_query("/a?q=%5C&r=/x"),
            "?q=%5C&r=/x",
            "escapes and slashes stay"
        );
        assert_eq!(clean_query("/a?<x>{y}|`^\""), "?%3Cx%3E%7By%7D%7C%60%5E%22");
    }
}
