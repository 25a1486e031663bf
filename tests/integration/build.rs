//! `sitegen build` on the `basic` fixture: cascade, titles, schedule, related blocks,
//! future gating, determinism and failure safety.

use crate::support::{Site, assert_has, between, hrefs, served_file, strip_tags};

const ALL: &str = "2026-01-06 00:00:00";

/// The byline's publish datetime (`YYYY-MM-DD HH:MM`).
fn byline(html: &str) -> String {
    let time = between(
        between(html, "class=\"byline\"", "</p>"),
        "<time",
        "</time>",
    );
    time[time.find('>').map_or(0, |i| i + 1)..].to_string()
}

/// The `h1` text, without the spans that keep names and dates on one line.
fn title(html: &str) -> String {
    strip_tags(between(html, "<h1>", "</h1>"))
}

fn article_pages(site: &Site) -> Vec<String> {
    let mut out = Vec::new();
    for city in ["aaa", "bbb", "ccc"] {
        for topic in ["alpha", "beta", "gamma"] {
            let rel = format!("public/{city}/{topic}/index.html");
            if site.exists(&rel) {
                out.push(rel);
            }
        }
    }
    out
}

#[test]
fn every_article_is_written_with_all_its_parts() {
    let site = Site::built("basic", ALL);
    let pages = article_pages(&site);
    assert_eq!(
        pages.len(),
        8,
        "3 cities × 3 topics, bbb skips gamma: {pages:?}"
    );
    assert!(!site.exists("public/bbb/gamma/index.html"));
    for rel in &pages {
        let html = site.read(rel);
        assert!(
            html.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"),
            "{rel}"
        );
        // Byline source, lead, teaser, disclaimer and complaint link.
        for part in [
            "<span class=\"source\">测试医保站</span>",
            "class=\"lead\"",
            "class=\"teaser\"",
            "温馨提示:以上内容仅供参考",
            "<a href=\"mailto:complaint@test.example.org\">投诉</a>",
        ] {
            assert!(html.contains(part), "{rel}: missing {part}");
        }
        assert!(
            html.matches("<section class=\"qa\"").count() >= 2,
            "{rel}: main + extra section"
        );
        assert!(
            !html.contains("{{") && !html.contains("{%"),
            "{rel}: template syntax left"
        );
    }
    for rel in [
        "public/index.html",
        "public/aaa/index.html",
        "public/topic/alpha/index.html",
        "public/404.html",
        "public/cities/index.html",
        "public/sitemap.xml",
        "public/atom.xml",
        "public/static/style.css",
    ] {
        assert!(site.exists(rel), "{rel} missing");
    }
}

#[test]
fn cascade_city_topic_beats_city_beats_topic_default() {
    let site = Site::built("basic", ALL);
    let aaa = site.read("public/aaa/alpha/index.html");
    assert!(aaa.contains("办理时限为5个工作日"), "city×topic value wins");
    assert!(
        aaa.contains("<li>户口簿</li>"),
        "city×topic list replaces the default list"
    );
    assert!(
        aaa.contains("请到甲城医保局办理"),
        "city value beats the site default"
    );
    assert!(
        aaa.contains("甲城专属标题:怎么办甲专题?"),
        "city×topic heading"
    );
    let bbb = site.read("public/bbb/alpha/index.html");
    assert!(
        bbb.contains("办理时限为20个工作日"),
        "city value beats topic default"
    );
    assert!(!bbb.contains("户口簿"));
    let ccc = site.read("public/ccc/alpha/index.html");
    assert!(ccc.contains("办理时限为15个工作日"), "topic default");
    assert!(ccc.contains("请到医保经办机构办理"), "site default");
    assert!(ccc.contains("咨询电话 12345"), "site default");
}

fn expected_suffixes(byline: &str) -> Vec<String> {
    let (y, m, d) = (&byline[0..4], &byline[5..7], &byline[8..10]);
    let (mi, di) = (m.trim_start_matches('0'), d.trim_start_matches('0'));
    vec![
        format!("({y}年{mi}月{di}日)"),
        format!("({}/{m}/{d})", &y[2..]),
        format!("({mi}月{di}日)"),
        format!("({y}-{m}-{d})"),
    ]
}

#[test]
fn titles_end_with_a_date_suffix_from_the_articles_own_date() {
    let site = Site::built("basic", ALL);
    let mut used = std::collections::BTreeSet::new();
    for rel in article_pages(&site) {
        let html = site.read(&rel);
        let (t, b) = (title(&html), byline(&html));
        let suffixes = expected_suffixes(&b);
        let which = suffixes.iter().position(|s| t.ends_with(s.as_str()));
        assert!(which.is_some(), "{rel}: title `{t}` has no suffix for {b}");
        used.insert(which.unwrap());
        assert!(html.contains(&format!("<title>{t} - 测试医保站</title>")));
    }
    assert!(
        used.len() >= 2,
        "formats are varied across articles: {used:?}"
    );
}

#[test]
fn related_block_lists_earlier_published_articles_newest_first() {
    let site = Site::fixture("basic");
    // 08:00 … 10:20 every 20 minutes; at 09:30 five articles are published.
    site.build_at("2026-01-05 09:30:00");
    let mut published = 0;
    for rel in article_pages(&site) {
        published += 1;
        let html = site.read(&rel);
        let own = byline(&html);
        let related = if html.contains("id=\"related-title\"") {
            between(&html, "id=\"related-title\"", "</aside>")
        } else {
            ""
        };
        let times: Vec<&str> = related
            .split("<time datetime=\"")
            .skip(1)
            .map(|s| between(s, "\">", "</time>"))
            .collect();
        assert!(times.len() <= 3, "{rel}: related_count is 3");
        assert!(
            times.windows(2).all(|w| w[0] > w[1]),
            "{rel}: newest first {times:?}"
        );
        assert!(
            times.iter().all(|t| **t < own[..16]),
            "{rel}: only earlier {times:?} vs {own}"
        );
        let earlier = [
            "2026-01-05 08:00",
            "2026-01-05 08:20",
            "2026-01-05 08:40",
            "2026-01-05 09:00",
            "2026-01-05 09:20",
        ]
        .iter()
        .filter(|t| **t < &own[..16])
        .count();
        assert_eq!(
            times.len(),
            earlier.min(3),
            "{rel}: as many as there are earlier ones, up to 3"
        );
    }
    assert_eq!(published, 5);
}

#[test]
fn future_articles_are_left_out_everywhere() {
    let site = Site::built("basic", "2026-01-05 08:30:00");
    let pages = article_pages(&site);
    assert_eq!(pages.len(), 2, "{pages:?}");
    let future = site.future_ids("2026-01-05 08:30:00");
    assert_eq!(future.len(), 6);
    let mut everything = String::new();
    for (path, bytes) in site.snapshot("public") {
        if path.ends_with(".html") || path.ends_with(".xml") {
            everything.push_str(&String::from_utf8(bytes).unwrap());
        }
    }
    for id in future {
        assert!(
            !everything.contains(&format!("/{id}/")),
            "future article {id} appears somewhere"
        );
    }
    // --future previews them all
    site.run(&["build", "--now", "2026-01-05 08:30:00", "--future"])
        .ok();
    assert_eq!(article_pages(&site).len(), 8);
}

#[test]
fn source_date_epoch_fixes_now() {
    let site = Site::fixture("basic");
    // 2026-01-05 00:40:00 UTC = 08:40 in Asia/Shanghai: three articles are out.
    site.run_env(&["build"], &[("SOURCE_DATE_EPOCH", "1767573600")])
        .ok();
    assert_eq!(article_pages(&site).len(), 3);
}

#[test]
fn adding_a_city_moves_no_existing_date() {
    let site = Site::built("basic", ALL);
    let before: Vec<(String, String)> = article_pages(&site)
        .into_iter()
        .map(|r| (r.clone(), byline(&site.read(&r))))
        .collect();
    site.write("cities/ddd.yaml", "name: 丁城\nprovince: 丁省\nslug: ddd\n");
    site.run(&["build", "--now", "2026-01-07 00:00:00"]).ok();
    for (rel, date) in &before {
        assert_eq!(&byline(&site.read(rel)), date, "{rel} moved");
    }
    let new_date = byline(&site.read("public/ddd/alpha/index.html"));
    assert!(
        before.iter().all(|(_, d)| *d < new_date),
        "new articles come after the existing ones"
    );
}

#[test]
fn output_is_byte_identical_with_one_and_two_threads() {
    let site = Site::fixture("basic");
    site.run(&["build", "--now", ALL, "-j", "1", "-o", "one"])
        .ok();
    site.run(&["build", "--now", ALL, "-j", "2", "-o", "two"])
        .ok();
    let (one, two) = (site.snapshot("one"), site.snapshot("two"));
    assert!(one.len() > 20);
    assert!(one == two, "outputs differ");
}

#[test]
fn a_broken_city_file_leaves_the_output_untouched() {
    let site = Site::built("basic", ALL);
    let before = site.snapshot("public");
    site.write(
        "cities/bbb.yaml",
        "name: 乙城\nprovince: 乙省\nslug: bbb\nvalues:\n  time_limit: [20个工作日\n",
    );
    let run = site.run(&["build", "--now", ALL]).fails_with(1);
    let err = run.stderr();
    assert_has(&err, "cities/bbb.yaml:");
    assert_has(&err, "the output folder was not changed");
    assert_eq!(site.snapshot("public"), before);
}

#[test]
fn unknown_key_and_unknown_topic_are_named_with_line_and_hint() {
    let site = Site::fixture("basic");
    site.write("cities/bbb.yaml", "name: 乙城\nprovnce: 乙省\nslug: bbb\n");
    site.write(
        "cities/ccc.yaml",
        "name: 丙城\nslug: ccc\nextras: [alpah]\n",
    );
    let err = site.run(&["build", "--now", ALL]).fails_with(1).stderr();
    assert_has(&err, "cities/bbb.yaml:2:1");
    assert_has(&err, "did you mean `province`?");
    assert_has(&err, "cities/ccc.yaml:3");
    assert_has(&err, "unknown topic `alpah`");
    assert_has(&err, "did you mean `alpha`?");
    assert!(!site.exists("public"));
}

#[test]
fn undefined_template_variable_names_the_topic_line_and_article() {
    let site = Site::fixture("basic");
    site.edit(
        "topics/beta.md",
        "可以通过{{ channel }}查询。",
        "可以通过{{ chanel }}查询。",
    );
    let err = site.run(&["build", "--now", ALL]).fails_with(1).stderr();
    assert_has(&err, "topics/beta.md:15:");
    assert_has(&err, "chanel");
    assert_has(&err, "rendering article");
}

#[test]
fn duplicate_slugs_are_refused() {
    let site = Site::fixture("basic");
    site.write("cities/zzz.yaml", "name: 重复\nslug: aaa\n");
    let err = site.run(&["build", "--now", ALL]).fails_with(1).stderr();
    assert_has(&err, "slug `aaa` is already used");
}

#[test]
fn internal_links_resolve_under_a_sub_path() {
    let site = Site::fixture("basic");
    site.run(&[
        "build",
        "--now",
        ALL,
        "--base-url",
        "https://example.org/sub/",
    ])
    .ok();
    for (path, bytes) in site.snapshot("public") {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        for href in hrefs(&html) {
            if href.starts_with("mailto:") || href.starts_with("https://beian") {
                continue;
            }
            // In-page anchors (the skip link) must name an element of the same page.
            if let Some(id) = href.strip_prefix('#') {
                assert!(html.contains(&format!("id=\"{id}\"")), "{path}: no #{id}");
                continue;
            }
            let local = href.strip_prefix("https://example.org").unwrap_or(&href);
            let rest = local
                .strip_prefix("/sub/")
                .unwrap_or_else(|| panic!("{path}: link {href} escapes /sub/"));
            let target = served_file(rest);
            assert!(site.exists(&target), "{path}: broken link {href}");
        }
    }
}

#[test]
fn a_second_build_rewrites_nothing() {
    let site = Site::built("basic", ALL);
    let err = site.build_at(ALL).stderr();
    assert_has(&err, " 0 written");
}

/// The locks grow with the site (24 MB of `schedule.lock` at 100,000 articles): an
/// editor's `max_input_bytes` bounds the files editors write, never sitegen's own, so a
/// large site builds again after its first build.
#[test]
fn the_locks_are_not_bound_by_max_input_bytes() {
    let site = Site::real();
    let limit = 16 * 1024;
    let lock = std::fs::metadata(site.path("schedule.lock")).unwrap().len();
    assert!(
        lock > limit,
        "the real site's schedule.lock is {lock} bytes"
    );
    site.append("site.yaml", &format!("\nmax_input_bytes: {limit}\n"));
    site.run(&["build", "--locked"]).ok();
    site.run(&["build", "--locked"]).ok();
    // Editors' files are still bound by it.
    let topic = site.read("topics/canbaodi-biangeng.md");
    site.write("topics/canbaodi-biangeng.md", &topic.repeat(5));
    let run = site.run(&["check"]);
    assert_has(&run.stderr(), "file is too large");
}
