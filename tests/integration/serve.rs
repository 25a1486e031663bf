//! `sitegen serve` on a copy of the `basic` fixture: started on a free port, pages fetched
//! over HTTP, edits picked up, broken edits reported while the last good site is served.
//!
//! Every wait polls with a deadline; the server process is always killed (Drop guard).
//! The hardening cases (Host, redirects, traversal, connection exhaustion, resource limits)
//! are in [`limits`].

mod limits;

use crate::support::{Site, assert_has, between};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ALL: &str = "2026-01-06 00:00:00";
const DEADLINE: Duration = Duration::from_secs(30);

/// A running `sitegen serve`, killed when dropped.
struct Server {
    child: Child,
    /// `127.0.0.1:PORT`
    addr: String,
    stderr: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(site: &Site, extra: &[&str]) -> Server {
        Server::spawn(Command::new(env!("CARGO_BIN_EXE_sitegen")), site, extra)
    }

    /// Starts `serve` through `command` (the binary itself, or a shell that sets limits
    /// first and passes the arguments on).
    fn spawn(mut command: Command, site: &Site, extra: &[&str]) -> Server {
        let mut child = command
            .args(["serve", "--port", "0", "--open-browser", "no", "--now", ALL])
            .args(extra)
            .current_dir(&site.root)
            .env_remove("SOURCE_DATE_EPOCH")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sitegen starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut first = String::new();
        let stdout = child.stdout.take().unwrap();
        // The guard exists before the read, so a failed start still kills the child.
        let mut server = Server {
            child,
            addr: String::new(),
            stderr,
        };
        BufReader::new(stdout).read_line(&mut first).unwrap();
        server.addr = first
            .trim()
            .strip_prefix("serving http://")
            .and_then(|s| s.strip_suffix('/'))
            .unwrap_or_else(|| panic!("unexpected first line {first:?}; stderr:\n{}", server.log()))
            .to_string();
        server
    }

    fn log(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Polls `check` until it holds; panics with the server's log after the deadline.
    fn wait_until(&self, what: &str, mut check: impl FnMut() -> bool) {
        let start = Instant::now();
        while !check() {
            assert!(
                start.elapsed() < DEADLINE,
                "timed out waiting until {what}; server log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn get(&self, path: &str) -> Response {
        get(&self.addr, path)
    }
}

struct Response {
    status: u16,
    head: String,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// A minimal HTTP/1.1 GET (the path is sent exactly as given, without normalising).
fn get(addr: &str, path: &str) -> Response {
    request(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    )
    .unwrap_or_else(|| panic!("no answer to GET {path}"))
}

/// Sends `raw` as it is and reads the answer until the server closes; `None` when the
/// connection closes without a complete response head.
fn request(addr: &str, raw: &str) -> Option<Response> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream.write_all(raw.as_bytes()).ok()?;
    let mut bytes = Vec::new();
    // A reset after a complete answer still leaves the answer.
    let _ = stream.read_to_end(&mut bytes);
    let text = String::from_utf8(bytes).expect("UTF-8 response");
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some(Response {
        status,
        head: head.to_string(),
        body: body.to_string(),
    })
}

#[test]
fn serves_clean_urls_with_types_and_refuses_traversal() {
    let site = Site::fixture("basic");
    let server = Server::start(&site, &[]);
    let page = server.get("/aaa/alpha/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert!(page.body.contains("户口簿"), "city × topic value shown");
    assert!(
        page.body.contains("/__sitegen/events?since="),
        "live reload script"
    );
    assert_eq!(server.get("/").status, 200);
    let moved = server.get("/aaa/alpha?x=1");
    assert_eq!(moved.status, 301);
    assert_eq!(moved.header("Location"), Some("/aaa/alpha/?x=1"));
    let css = server.get("/static/style.css");
    assert_eq!(css.header("Content-Type"), Some("text/css; charset=utf-8"));
    let missing = server.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("<html"), "the site's 404 page");
    for bad in [
        "/../site.yaml",
        "/%2e%2e/site.yaml",
        "/aaa/%2E%2E/%2e%2e/site.yaml",
        "/a%5c..%5csite.yaml",
    ] {
        assert_eq!(server.get(bad).status, 400, "{bad}");
    }
    // Links point at the server itself.
    assert!(
        page.body
            .contains(&format!("http://{}/aaa/alpha/", server.addr))
    );
    // serve keeps the site in memory and writes nothing into the site folder.
    assert!(!site.exists("public"));
}

#[test]
fn an_edit_is_served_and_a_broken_edit_is_reported_over_the_last_good_page() {
    let site = Site::fixture("basic");
    let server = Server::start(&site, &[]);
    assert!(server.get("/aaa/alpha/").body.contains("户口簿"));

    let good = site.read("cities/aaa.yaml").replace("户口簿", "居住证明");
    site.write("cities/aaa.yaml", &good);
    server.wait_until("the edited value is served", || {
        let body = server.get("/aaa/alpha/").body;
        body.contains("居住证明") && !body.contains("户口簿")
    });
    server.wait_until("the rebuild is reported", || {
        server.log().contains("rebuilt in") && server.log().contains("after cities/aaa.yaml")
    });

    // Line 3 gets a misspelt key.
    let broken = good.replacen("slug: aaa", "slug: aaa\nvalus: {}", 1);
    let line = broken.lines().position(|l| l.starts_with("valus")).unwrap() + 1;
    site.write("cities/aaa.yaml", &broken);
    let place = format!("cities/aaa.yaml:{line}");
    // Waits for this problem, not any: a save may be seen half-written for a moment.
    server.wait_until("the problem is shown in the page", || {
        let body = server.get("/aaa/alpha/").body;
        body.contains("sitegen-problems") && body.contains(&place)
    });
    let page = server.get("/aaa/alpha/");
    let banner = between(&page.body, "<div id=\"sitegen-problems\"", "</div>");
    assert_has(banner, &place);
    assert_has(banner, "valus");
    assert!(
        page.body.contains("居住证明"),
        "the last good page is still served"
    );
    assert_eq!(page.status, 200);
    server.wait_until("the problem is shown in the terminal", || {
        server.log().contains(&place) && server.log().contains("still serving the last good site")
    });

    site.write("cities/aaa.yaml", &good);
    server.wait_until("the banner is gone after the fix", || {
        !server.get("/aaa/alpha/").body.contains("sitegen-problems")
    });
}

#[test]
fn open_pages_are_told_to_reload_after_a_rebuild() {
    let site = Site::fixture("basic");
    let server = Server::start(&site, &[]);
    let page = server.get("/aaa/alpha/");
    let since = between(&page.body, "/__sitegen/events?since=", "\"");
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    write!(
        stream,
        "GET /__sitegen/events?since={since} HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.addr
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut status = String::new();
    reader.read_line(&mut status).unwrap();
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    site.edit("topics/alpha.md", "### 时限:", "### 办理时限:");
    let mut seen = String::new();
    while !seen.contains("event: reload") {
        let mut line = String::new();
        let n = reader.read_line(&mut line).unwrap_or_else(|e| {
            panic!(
                "no reload event ({e}); got {seen:?}; log:\n{}",
                server.log()
            )
        });
        assert!(n > 0, "stream closed without a reload event: {seen:?}");
        seen.push_str(&line);
    }
    assert_has(&seen, "text/event-stream");
    server.wait_until("the new heading is served", || {
        server.get("/aaa/alpha/").body.contains("办理时限")
    });
}

#[test]
fn a_site_broken_from_the_start_is_served_once_fixed() {
    let site = Site::fixture("basic");
    let good = site.read("cities/bbb.yaml");
    site.write("cities/bbb.yaml", "name: [\n");
    let server = Server::start(&site, &[]);
    let page = server.get("/");
    assert_has(&page.body, "sitegen-problems");
    assert!(page.body.contains("cities/bbb.yaml"));
    site.write("cities/bbb.yaml", &good);
    server.wait_until("the fixed site is served", || {
        server.get("/bbb/").status == 200
    });
}

#[test]
fn build_output_has_no_live_reload_and_serve_rejects_base_url() {
    let site = Site::built("basic", ALL);
    for (path, bytes) in site.snapshot("public") {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("__sitegen"),
            "{path} has the serve-only script"
        );
    }
    site.run(&[
        "serve",
        "--base-url",
        "https://x.example.org/",
        "--open-browser",
        "no",
    ])
    .fails_with(2);
}

#[test]
fn new_and_removed_cities_and_template_edits_are_followed() {
    let site = Site::fixture("basic");
    let server = Server::start(&site, &[]);
    assert_eq!(server.get("/ddd/").status, 404);
    site.write("cities/ddd.yaml", "name: 丁城\nprovince: 乙省\nslug: ddd\n");
    server.wait_until("the new city is served", || {
        server.get("/ddd/").status == 200
    });
    assert!(server.get("/ddd/alpha/").body.contains("丁城"));
    std::fs::remove_file(site.path("cities/ddd.yaml")).unwrap();
    server.wait_until("the removed city is gone", || {
        server.get("/ddd/").status == 404
    });

    let layout = site.read("templates/article.html");
    site.write(
        "templates/article.html",
        &layout.replace(
            "<article class=\"article\">",
            "<article class=\"article\" data-v=\"2\">",
        ),
    );
    server.wait_until("the edited layout is used", || {
        server.get("/aaa/alpha/").body.contains("data-v=\"2\"")
    });
    site.write(
        "templates/article.html",
        &layout.replace("{% for s in page.sections %}", "{% for s in %}"),
    );
    server.wait_until("the template error is shown with its file", || {
        let body = server.get("/aaa/alpha/").body;
        body.contains("sitegen-problems") && body.contains("templates/article.html:")
    });
    assert!(server.get("/aaa/alpha/").body.contains("data-v=\"2\""));
}

#[test]
fn coverage_page_is_served_and_linked_from_every_page() {
    let site = Site::fixture("coverage");
    let server = Server::start(&site, &[]);
    let page = server.get("/aaa/alpha/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("href=\"/__sitegen/coverage/\""));
    let coverage = server.get("/__sitegen/coverage/");
    assert_eq!(coverage.status, 200, "{}", coverage.body);
    assert!(coverage.body.contains("1 of 4 cities use only defaults"));
    // Article links lead to the preview's pages.
    let own = format!("href=\"http://{}/ccc/alpha/\"", server.addr);
    assert_has(&coverage.body, &own);
    // Made on request from the files as they are: an edit shows at once.
    site.append("cities/aaa.yaml", "values:\n  hotline: \"54321\"\n");
    let again = server.get("/__sitegen/coverage/");
    assert!(again.body.contains("0 of 4 cities use only defaults"));
}
