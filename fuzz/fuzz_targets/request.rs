//! Fuzzes the preview server's request handling: the fuzzed bytes are a raw HTTP request,
//! read with the same parser hyper uses and answered by `serve::http::respond` from a small
//! fixed site (with a problem banner). Besides panics, it checks what must hold for every
//! answer: a redirect stays on this server, headers are writable, and a request that names
//! another host, or a path outside the site, never gets a page.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sitegen::diag::{Diagnostic, Origin};
use sitegen::serve::http::{Answer, Local, parse_head, respond};
use sitegen::serve::state::Snapshot;
use std::sync::{Arc, OnceLock};

const LOCAL: Local = Local { port: 1111 };

fn site() -> &'static Snapshot {
    static SITE: OnceLock<Snapshot> = OnceLock::new();
    SITE.get_or_init(|| {
        let mut files = sitegen::pipeline::SiteFiles::new();
        for (name, body) in [
            ("index.html", "<html><body><p>首页</p></body></html>"),
            ("yueyang/index.html", "<html><body>岳阳</body></html>"),
            ("yueyang/canbaodi-biangeng/index.html", "<body>参保地变更</body>"),
            ("%E5%B2%B3/index.html", "<body>encoded</body>"),
            ("岳/index.html", "<body>岳</body>"),
            ("static/style.css", "body{}"),
            ("404.html", "<html><body>404</body></html>"),
            ("sitemap.xml", "<urlset/>"),
        ] {
            files.insert(name.into(), Arc::from(body.as_bytes()));
        }
        let problem = Diagnostic::error(Origin::new("cities/yueyang.yaml", 3, 1), "broken")
            .with_source("name: 岳阳\nslug: yueyang\nnmae: x\n");
        Snapshot {
            generation: 5,
            files: Arc::new(files),
            problems: Some(Arc::new(vec![problem])),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some(head) = parse_head(data) else {
        return;
    };
    let Answer::Reply(reply) = respond(&head, site(), LOCAL) else {
        assert!(
            head.target.starts_with("/__sitegen/events")
                || head.target.starts_with("/__sitegen/coverage/")
        );
        return;
    };
    for (name, value) in &reply.headers {
        assert!(
            value.bytes().all(|b| b.is_ascii_graphic() || b == b' '),
            "{name}: {value:?}"
        );
        if *name == "location" {
            let bytes = value.as_bytes();
            assert!(
                bytes.first() == Some(&b'/') && !matches!(bytes.get(1), Some(b'/' | b'\\')),
                "redirect off the server: {value:?} for {:?}",
                head.target
            );
            assert!(!value.contains('\\'), "{value:?}");
        }
    }
    let host_ok = matches!(head.hosts.as_slice(), [h] if LOCAL.accepts_host(h));
    if !host_ok {
        assert!(matches!(reply.status, 400 | 421), "{} for another host", reply.status);
    }
    if reply.status == 200 {
        let path = head.target.split(['?', '#']).next().unwrap_or("");
        assert!(path.starts_with('/'), "served {:?}", head.target);
        let lower = path.to_ascii_lowercase();
        for bad in ["/../", "/./", "%2f", "%5c", "\\", "%00"] {
            assert!(
                !format!("{lower}/").contains(bad),
                "served {:?}",
                head.target
            );
        }
    }
});
