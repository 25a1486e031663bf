//! Rebuilds at scale: unchanged files are neither written nor moved, an edit rewrites only
//! the pages it changes, and map values render in a stable order.

use crate::support::{Site, assert_has, summary_count};
use std::fs;
use std::os::unix::fs::MetadataExt;

const ALL: &str = "2026-01-06 00:00:00";

/// Inode and modification time of a file: equal when the file was left alone.
fn identity(site: &Site, rel: &str) -> (u64, i64, i64) {
    let m = fs::metadata(site.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    (m.ino(), m.mtime(), m.mtime_nsec())
}

#[test]
fn an_unchanged_rebuild_touches_no_file() {
    let site = Site::built("basic", ALL);
    let page = "public/aaa/alpha/index.html";
    let (folder, file) = (identity(&site, "public"), identity(&site, page));
    for _ in 0..2 {
        let err = site.build_at(ALL).stderr();
        assert_eq!(summary_count(&err, " written"), 0, "{err}");
        assert_eq!(identity(&site, "public"), folder, "the output was swapped");
        assert_eq!(identity(&site, page), file);
    }
}

#[test]
fn editing_one_city_rewrites_only_its_pages() {
    let site = Site::built("basic", ALL);
    let other = "public/aaa/alpha/index.html";
    let before = identity(&site, other);
    site.edit("cities/bbb.yaml", "20个工作日", "25个工作日");
    let err = site.build_at(ALL).stderr();
    // bbb's two articles, and what lists their dateModified: atom.xml, bbb/atom.xml and
    // sitemap.xml.
    assert_eq!(summary_count(&err, " written"), 5, "{err}");
    assert_has(&site.read("public/bbb/alpha/index.html"), "25个工作日");
    assert_eq!(
        identity(&site, other),
        before,
        "another city's page was rewritten"
    );
    // The next rebuild finds the previous site beside the output and changes nothing.
    let err = site.build_at(ALL).stderr();
    assert_eq!(summary_count(&err, " written"), 0, "{err}");
    assert_has(&site.read("public/bbb/alpha/index.html"), "25个工作日");
}

#[test]
fn map_values_render_in_a_stable_order() {
    let site = Site::fixture("basic");
    site.edit(
        "topics/alpha.md",
        "  time_limit: 15个工作日\n",
        "  time_limit: 15个工作日\n  windows: {f: 6, b: 2, e: 5, a: 1, d: 4, c: 3}\n",
    );
    site.edit(
        "topics/alpha.md",
        "### 时限:",
        "### 窗口:\n\n{% for k, v in windows %}{{ k }}={{ v }} {% endfor %}\n\n### 时限:",
    );
    for out in ["one", "two", "three"] {
        site.run(&["build", "--now", ALL, "-o", out]).ok();
        let html = site.read(&format!("{out}/aaa/alpha/index.html"));
        assert!(html.contains("a=1 b=2 c=3 d=4 e=5 f=6"), "{out}: {html}");
    }
}
