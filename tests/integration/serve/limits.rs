//! The preview server against hostile clients: `Host` values of other sites (DNS
//! rebinding), redirects that would leave the server, traversal spellings, and more
//! connections and live-reload streams than it serves, also under a lowered address-space
//! and file-descriptor limit. The server must answer (or say 503), never panic, and serve
//! normally again once the clients are gone.

use super::{DEADLINE, Response, Server, get, request};
use crate::support::{Site, assert_has};
use sitegen::serve::net::{MAX_CONNECTIONS, MAX_STREAMS, WRITE_TIMEOUT};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

fn port(server: &Server) -> u16 {
    server.addr.rsplit(':').next().unwrap().parse().unwrap()
}

fn with_host(server: &Server, target: &str, host: &str) -> Response {
    request(
        &server.addr,
        &format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
    )
    .unwrap_or_else(|| panic!("no answer for Host {host:?}; log:\n{}", server.log()))
}

#[test]
fn only_requests_naming_the_servers_own_address_are_answered() {
    let site = Site::fixture("basic");
    let server = Server::start(&site, &[]);
    // A broken city: every page carries the problem banner, which must not leak either.
    site.edit("cities/bbb.yaml", "slug: bbb", "slug: bbb\nvalus: {}");
    server.wait_until("the banner is shown", || {
        server.get("/aaa/alpha/").body.contains("valus")
    });
    let port = port(&server);
    for good in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
        format!("[::1]:{port}"),
    ] {
        let page = with_host(&server, "/aaa/alpha/", &good);
        assert_eq!(page.status, 200, "{good}");
        assert!(page.body.contains("户口簿") && page.body.contains("sitegen-problems"));
    }
    let other = if port == u16::MAX { 1 } else { port + 1 };
    for bad in [
        format!("evil.example:{port}"),
        "evil.example".to_string(),
        format!("127.0.0.1.evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        format!("127.0.0.1:{other}"),
        format!("127.0.0.1:{port}@evil.example"),
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        String::new(),
    ] {
        for target in ["/aaa/alpha/", "/", "/__sitegen/events?since=0", "/nope/"] {
            let r = with_host(&server, target, &bad);
            assert_eq!(r.status, 421, "Host {bad:?} {target}");
            assert_has(&r.body, "DNS rebinding");
            assert_has(&r.body, &format!("http://127.0.0.1:{port}/"));
            assert!(
                !r.body.contains("户口簿") && !r.body.contains("valus"),
                "{}",
                r.body
            );
        }
    }
    let addr = &server.addr;
    for (raw, status) in [
        (
            "GET / HTTP/1.1\r\nConnection: close\r\n\r\n".to_string(),
            400,
        ),
        ("GET / HTTP/1.0\r\n\r\n".to_string(), 400),
        (
            format!(
                "GET / HTTP/1.1\r\nHost: {addr}\r\nHost: evil.example:{port}\r\nConnection: close\r\n\r\n"
            ),
            400,
        ),
        (
            format!(
                "GET http://evil.example:{port}/aaa/alpha/ HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
            ),
            400,
        ),
        (
            format!(
                "POST /aaa/alpha/ HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            ),
            405,
        ),
    ] {
        let r = request(addr, &raw).expect("an answer");
        assert_eq!(r.status, status, "{raw:?}");
        assert!(!r.body.contains("户口簿"), "{raw:?}");
    }
}

#[test]
fn redirects_never_leave_the_server() {
    let site = Site::fixture("basic");
    let server = Server::start(&site, &[]);
    for (target, location) in [
        ("/aaa", "/aaa/"),
        ("//aaa", "/aaa/"),
        ("///aaa", "/aaa/"),
        ("//aaa?x=1", "/aaa/?x=1"),
        ("/aaa//alpha", "/aaa/alpha/"),
        ("//%61aa", "/aaa/"),
        // The query is carried whole, a backslash in it percent-encoded (found by fuzzing).
        ("/aaa?a\\b", "/aaa/?a%5Cb"),
        ("//aaa?\\\\evil.example", "/aaa/?%5C%5Cevil.example"),
        ("/aaa?q=%5C\\&r=`x`", "/aaa/?q=%5C%5C&r=%60x%60"),
    ] {
        let r = get(&server.addr, target);
        assert_eq!(r.status, 301, "{target}");
        assert_eq!(r.header("Location"), Some(location), "{target}");
    }
    for target in [
        "/\\aaa",
        "/\\\\evil.example",
        "/\\/evil.example/",
        "/%5Caaa",
        "/%5C%5Cevil.example",
        "/%2F%2Fevil.example",
        "/%2faaa",
        "/aaa%2F",
        "/.//aaa",
    ] {
        let r = get(&server.addr, target);
        assert_eq!(r.status, 400, "{target}");
        assert_eq!(r.header("Location"), None, "{target}");
    }
    for target in ["//evil.example", "//evil.example/", "///evil.example/aaa"] {
        let r = get(&server.addr, target);
        assert_eq!(r.status, 404, "{target}");
        assert_eq!(r.header("Location"), None, "{target}");
    }
}

#[test]
fn traversal_spellings_are_refused() {
    let site = Site::fixture("basic");
    let server = Server::start(&site, &[]);
    let secret = site.read("site.yaml");
    let line = secret.lines().find(|l| l.len() > 8).unwrap().to_string();
    for target in [
        "/../site.yaml",
        "/../../site.yaml",
        "//../site.yaml",
        "/aaa/../../site.yaml",
        "/%2e%2e/site.yaml",
        "/%2E%2E/site.yaml",
        "/.%2e/site.yaml",
        "/%2e./site.yaml",
        "/..%2fsite.yaml",
        "/..%2Fsite.yaml",
        "/%2e%2e%2fsite.yaml",
        "/..%5csite.yaml",
        "/..\\site.yaml",
        "/aaa/%2E%2E/%2e%2e/site.yaml",
        "/a%5c..%5csite.yaml",
        "/%c0%ae%c0%ae/site.yaml",
        "/%252e%252e/site.yaml",
        "/..%00/site.yaml",
        "/site.yaml%00.html",
        "/./site.yaml",
        "/site.yaml",
        "/cities/aaa.yaml",
        "/C:/site.yaml",
    ] {
        let r = get(&server.addr, target);
        assert!(matches!(r.status, 400 | 404), "{target}: {}", r.status);
        assert!(!r.body.contains(&line), "{target} served site.yaml");
        assert_eq!(r.header("Location"), None, "{target}");
    }
}

/// A live-reload stream: its connection and the status it was answered with (`None`
/// when nothing came within `wait`).
fn open_stream(addr: &str, wait: Duration) -> (TcpStream, Option<u16>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(wait)).unwrap();
    write!(
        stream,
        "GET /__sitegen/events?since=1 HTTP/1.1\r\nHost: {addr}\r\n\r\n"
    )
    .unwrap();
    let mut line = String::new();
    let status = BufReader::new(&stream)
        .read_line(&mut line)
        .ok()
        .and_then(|_| line.split(' ').nth(1)?.parse().ok());
    (stream, status)
}

/// Waits until a fresh request is served normally again.
fn recovers(server: &Server) {
    let start = Instant::now();
    loop {
        match request(
            &server.addr,
            &format!(
                "GET /aaa/alpha/ HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                server.addr
            ),
        ) {
            Some(r) if r.status == 200 && r.body.contains("户口簿") => return,
            _ => {}
        }
        assert!(
            start.elapsed() < DEADLINE,
            "not serving again; log:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn too_many_connections_and_streams_get_503_and_the_server_recovers() {
    let site = Site::fixture("basic");
    let server = Server::start(&site, &[]);
    let streams: Vec<_> = (0..MAX_STREAMS + 6)
        .map(|_| open_stream(&server.addr, DEADLINE))
        .collect();
    let count = |s: u16| streams.iter().filter(|(_, st)| *st == Some(s)).count();
    assert_eq!(
        (count(200), count(503)),
        (MAX_STREAMS, 6),
        "{}",
        server.log()
    );
    // Idle connections that never send a request: more than the server serves.
    let idle: Vec<_> = (0..MAX_CONNECTIONS + 20)
        .map(|_| TcpStream::connect(&server.addr).unwrap())
        .collect();
    // Connections past the bound that send nothing are closed after a second, so a
    // real request finds a place to be told 503.
    std::thread::sleep(Duration::from_millis(1500));
    let busy = request(
        &server.addr,
        &format!(
            "GET /aaa/alpha/ HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            server.addr
        ),
    )
    .unwrap_or_else(|| panic!("no answer while busy; log:\n{}", server.log()));
    assert_eq!(busy.status, 503, "{}", busy.body);
    assert_eq!(busy.header("Retry-After"), Some("1"));
    assert!(server.log().contains("answering 503"), "{}", server.log());
    drop(idle);
    drop(streams);
    recovers(&server);
    let (_stream, status) = open_stream(&server.addr, DEADLINE);
    assert_eq!(status, Some(200), "live reload works again");
    assert!(!server.log().contains("panicked"), "{}", server.log());
}

#[test]
fn under_lowered_memory_and_descriptor_limits_serve_keeps_listening() {
    let site = Site::fixture("basic");
    // 1.5 GiB of address space and 160 file descriptors: fewer than the connections below.
    let mut shell = Command::new("sh");
    shell.args([
        "-c",
        "ulimit -v 1572864 && ulimit -n 160 && exec \"$0\" \"$@\"",
        env!("CARGO_BIN_EXE_sitegen"),
    ]);
    let mut server = Server::spawn(shell, &site, &[]);
    assert_eq!(get(&server.addr, "/aaa/alpha/").status, 200);
    let streams: Vec<_> = (0..150)
        .map(|_| open_stream(&server.addr, Duration::from_millis(500)))
        .collect();
    let idle: Vec<_> = (0..100)
        .map(|_| TcpStream::connect(&server.addr).unwrap())
        .collect();
    let served = streams.iter().filter(|(_, s)| *s == Some(200)).count();
    assert!(served > 0, "{}", server.log());
    std::thread::sleep(Duration::from_millis(500));
    drop(idle);
    drop(streams);
    recovers(&server);
    assert_eq!(open_stream(&server.addr, DEADLINE).1, Some(200));
    assert!(server.child.try_wait().unwrap().is_none(), "still running");
    let log = server.log();
    assert!(!log.contains("panicked"), "{log}");
    assert!(
        log.contains("cannot accept a connection") && log.contains("still listening"),
        "the descriptor limit was reached and reported: {log}"
    );
}

#[test]
fn a_client_that_stops_reading_is_let_go() {
    let site = Site::fixture("basic");
    let server = Server::start(&site, &[]);
    let page = get(&server.addr, "/aaa/alpha/").body.len();
    // Pipelined requests whose answers (8 MiB) overflow the socket buffers.
    let count = (8 << 20) / page + 1;
    let ask = format!("GET /aaa/alpha/ HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr);
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    stream.set_write_timeout(Some(DEADLINE)).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let sending = std::thread::spawn(move || {
        for _ in 0..count {
            if writer.write_all(ask.as_bytes()).is_err() {
                break;
            }
        }
    });
    std::thread::sleep(WRITE_TIMEOUT + Duration::from_secs(3));
    // Reading now gets what the kernel kept, then the end: not every answer.
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut got = Vec::new();
    let ended = match stream.read_to_end(&mut got) {
        Ok(_) => true,
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    };
    let _ = sending.join();
    let answers = got.windows(15).filter(|w| w == b"HTTP/1.1 200 OK").count();
    assert!(ended, "the connection was not closed");
    assert!(
        answers < count,
        "{answers} of {count} answers sent to a client that did not read"
    );
    assert_eq!(get(&server.addr, "/aaa/alpha/").status, 200);
}
