//! The real site in this repository builds completely, with every part on every article.

use crate::support::{Site, hrefs, served_file, stems};

#[test]
fn the_real_site_builds_every_article_with_all_parts_and_no_broken_link() {
    let site = Site::real();
    // A fixed "now": the content lint measures the age of city facts against it.
    site.run(&[
        "build",
        "--future",
        "--strict",
        "--now",
        "2026-11-24 00:00:00",
    ])
    .ok();
    let cities = stems(&site.path("cities"));
    let topics = stems(&site.path("topics"));
    assert!(
        cities.len() >= 31,
        "every city of the sample pages: {}",
        cities.len()
    );
    assert_eq!(topics.len(), 5);
    let mut articles = 0;
    for city in &cities {
        for topic in &topics {
            let rel = format!("public/{city}/{topic}/index.html");
            if !site.exists(&rel) {
                continue;
            }
            articles += 1;
            let html = site.read(&rel);
            for part in [
                "<h1>",
                "class=\"byline\"",
                "class=\"lead\"",
                "class=\"teaser\"",
                "<section class=\"qa\"",
                "class=\"disclaimer\"",
                "class=\"statement\"",
            ] {
                assert!(html.contains(part), "{rel}: missing {part}");
            }
            assert!(
                !html.contains("{{") && !html.contains("{%"),
                "{rel}: template syntax"
            );
            assert!(
                !html.contains("<h3></h3>") && !html.contains("<h2></h2>"),
                "{rel}: empty heading"
            );
        }
    }
    assert!(articles >= cities.len() * 4, "articles: {articles}");
    for (path, bytes) in site.snapshot("public") {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        for href in hrefs(&html) {
            if !href.starts_with('/') {
                continue;
            }
            let rest = &href[1..];
            let target = served_file(rest);
            assert!(site.exists(&target), "{path}: broken link {href}");
        }
    }
}

#[test]
fn yueyang_and_jinhua_carry_their_own_materials_and_headings() {
    let site = Site::real();
    site.run(&["build", "--future"]).ok();
    let yueyang = site.read("public/yueyang/canbaodi-biangeng/index.html");
    assert!(
        yueyang.contains("岳阳如何在手机上更改医保参保地"),
        "岳阳 heading"
    );
    assert!(yueyang.contains("户籍迁移证明"), "岳阳 materials");
    let jinhua = site.read("public/jinhua/canbaodi-biangeng/index.html");
    assert!(
        jinhua.contains("金华如果医疗保险想更换参保地该如何更换"),
        "金华 heading"
    );
    assert!(jinhua.contains("户口簿"), "金华 materials");
    assert!(
        !jinhua.contains("户籍迁移证明"),
        "金华 does not show 岳阳's list"
    );
}
