//! `sitegen new city|topic`: files that load, pinyin slugs, polyphone warnings, and never
//! an overwrite.

use crate::support::Site;

const NOW: &str = "2026-01-06 00:00:00";

#[test]
fn new_city_writes_a_file_that_loads() {
    let site = Site::fixture("basic");
    let run = site
        .run(&["new", "city", "岳阳", "--province", "湖南"])
        .ok();
    assert!(
        run.stderr().contains("wrote cities/yueyang.yaml"),
        "{}",
        run.stderr()
    );
    let text = site.read("cities/yueyang.yaml");
    assert!(
        text.contains("name: \"岳阳\"\nprovince: \"湖南\"\n"),
        "{text}"
    );
    assert!(text.contains("\nslug: yueyang\n"), "{text}");
    site.run(&["check", "--now", NOW]).ok();
    let e = site
        .run(&[
            "explain", "yueyang", "alpha", "--now", NOW, "--format", "json",
        ])
        .ok()
        .stdout();
    assert!(
        e.contains("\"url\": \"https://test.example.org/yueyang/alpha/\""),
        "{e}"
    );
}

#[test]
fn polyphones_are_warned_about_and_slug_can_be_given() {
    let site = Site::fixture("basic");
    let err = site.run(&["new", "city", "重庆"]).ok().stderr();
    assert!(err.contains("`重` has several readings"), "{err}");
    assert!(err.contains("chong"), "{err}");
    let err = site
        .run(&["new", "city", "重庆", "--slug", "chongqing"])
        .ok()
        .stderr();
    assert!(!err.contains("several readings"), "{err}");
    assert!(site.exists("cities/chongqing.yaml"));
    site.run(&["new", "city", "重庆", "--slug", "Chong Qing"])
        .fails_with(2);
}

#[test]
fn existing_files_are_never_overwritten() {
    let site = Site::fixture("basic");
    site.run(&["new", "city", "甲城", "--slug", "aaa"])
        .fails_with(1);
    let before = site.read("cities/aaa.yaml");
    let err = site
        .run(&["new", "city", "甲城", "--slug", "aaa"])
        .fails_with(1)
        .stderr();
    assert!(err.contains("cities/aaa.yaml"), "{err}");
    assert!(err.contains("never overwrites"), "{err}");
    assert_eq!(site.read("cities/aaa.yaml"), before);
    site.run(&["new", "topic", "alpha"]).fails_with(1);
    assert!(site.read("topics/alpha.md").contains("name: 甲专题"));
}

#[test]
fn new_topic_skeleton_passes_check() {
    let site = Site::fixture("basic");
    site.run(&["new", "topic", "xin-zhuanti", "--name", "新专题"])
        .ok();
    let run = site.run(&["check", "--now", NOW, "--format", "json"]).ok();
    assert!(
        !run.stdout().contains("topics/xin-zhuanti.md"),
        "{}",
        run.stdout()
    );
    let page = {
        site.build_at(NOW);
        site.read("public/aaa/xin-zhuanti/index.html")
    };
    assert!(
        page.contains("甲城的新专题可以到当地医保经办机构办理。"),
        "{page}"
    );
    site.run(&["new", "topic", "Bad Slug"]).fails_with(2);
}
