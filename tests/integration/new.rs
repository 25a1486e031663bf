//! `sitegen new city|topic`: files that load, pinyin slugs, polyphone warnings, and never
//! an overwrite.

use crate::support::{Site, assert_has};

const NOW: &str = "2026-01-06 00:00:00";

#[test]
fn new_city_writes_a_file_that_loads() {
    let site = Site::fixture("basic");
    let run = site
        .run(&["new", "city", "岳阳", "--province", "湖南"])
        .ok();
    assert_has(&run.stderr(), "wrote cities/yueyang.yaml");
    let text = site.read("cities/yueyang.yaml");
    assert_has(&text, "name: \"岳阳\"\nprovince: \"湖南\"\n");
    assert_has(&text, "\nslug: yueyang\n");
    site.run(&["check", "--now", NOW]).ok();
    let e = site
        .run(&[
            "explain", "yueyang", "alpha", "--now", NOW, "--format", "json",
        ])
        .ok()
        .stdout();
    assert_has(&e, "\"url\": \"https://test.example.org/yueyang/alpha/\"");
}

/// Place names whose per-character pinyin is wrong (polyphones, irregular readings): the
/// slug and province come from the place-name table.
const PLACES: [(&str, &str, &str); 30] = [
    ("重庆", "chongqing", "重庆"),
    ("长沙", "changsha", "湖南"),
    ("厦门", "xiamen", "福建"),
    ("长春", "changchun", "吉林"),
    ("蚌埠", "bengbu", "安徽"),
    ("六安", "luan", "安徽"),
    ("丽水", "lishui", "浙江"),
    ("番禺", "panyu", "广东"),
    ("乐山", "leshan", "四川"),
    ("台州", "taizhou", "浙江"),
    ("荥阳", "xingyang", "河南"),
    ("单县", "shanxian", "山东"),
    ("莘县", "shenxian", "山东"),
    ("洪洞", "hongtong", "山西"),
    ("铅山", "yanshan", "江西"),
    ("枞阳", "zongyang", "安徽"),
    ("涡阳", "guoyang", "安徽"),
    ("东阿", "donge", "山东"),
    ("歙县", "shexian", "安徽"),
    ("黄陂", "huangpi", "湖北"),
    ("蔚县", "yuxian", "河北"),
    ("乐亭", "laoting", "河北"),
    ("泌阳", "biyang", "河南"),
    ("浚县", "xunxian", "河南"),
    ("尉犁", "yuli", "新疆"),
    ("大埔", "dabu", "广东"),
    ("长治", "changzhi", "山西"),
    ("乐清", "yueqing", "浙江"),
    ("吕梁市", "lvliang", "山西"),
    ("恩施土家族苗族自治州", "enshi", "湖北"),
];

#[test]
fn place_names_get_the_official_slug_and_their_province() {
    let site = Site::fixture("basic");
    for (name, slug, province) in PLACES {
        let err = site.run(&["new", "city", name]).ok().stderr();
        assert!(
            err.contains(&format!("wrote cities/{slug}.yaml")),
            "{name}: {err}"
        );
        assert!(!err.contains("warning"), "{name}: {err}");
        let text = site.read(&format!("cities/{slug}.yaml"));
        assert!(
            text.contains(&format!("\nprovince: \"{province}\"\n")),
            "{name}: {text}"
        );
        assert!(
            text.contains(&format!("\nslug: {slug}\n")),
            "{name}: {text}"
        );
    }
    // Every file written loads: the whole site still checks.
    site.run(&["check", "--now", NOW]).ok();
}

#[test]
fn names_outside_the_table_fall_back_to_pinyin_with_warnings() {
    let site = Site::fixture("basic");
    let err = site.run(&["new", "city", "重乐"]).ok().stderr();
    assert_has(&err, "`重` has several readings");
    assert_has(&err, "not in the place-name table");
    let text = site.read("cities/zhongle.yaml");
    assert_has(&text, "\n# province: 湖南\n");
    let err = site
        .run(&[
            "new",
            "city",
            "重乐",
            "--slug",
            "chongyue",
            "--province",
            "湖南",
        ])
        .fails_with(1)
        .stderr();
    assert_has(&err, "cities/zhongle.yaml");
    site.run(&["new", "city", "丁城", "--slug", "Ding Cheng"])
        .fails_with(2);
}

#[test]
fn a_name_of_several_places_needs_the_province() {
    let site = Site::fixture("basic");
    let err = site.run(&["new", "city", "朝阳区"]).fails_with(2).stderr();
    assert_has(&err, "朝阳区 (北京, `chaoyang`)");
    assert_has(&err, "--province");
    site.run(&["new", "city", "朝阳区", "--province", "吉林省"])
        .ok();
    assert_has(&site.read("cities/chaoyang.yaml"), "province: \"吉林\"");
}

#[test]
fn an_existing_name_or_slug_is_refused_naming_its_file() {
    let site = Site::fixture("basic");
    let err = site
        .run(&["new", "city", "甲城", "--slug", "jiacheng"])
        .fails_with(1)
        .stderr();
    assert_has(&err, "cities/aaa.yaml");
    assert_has(&err, "a city named `甲城` already exists");
    let err = site
        .run(&["new", "city", "丁城", "--slug", "bbb"])
        .fails_with(1)
        .stderr();
    assert_has(&err, "cities/bbb.yaml");
    assert_has(&err, "slug `bbb` already exists (`乙城`)");
    assert!(!site.exists("cities/jiacheng.yaml"));
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
    assert_has(&err, "cities/aaa.yaml");
    assert_has(&err, "already exists");
    assert_eq!(site.read("cities/aaa.yaml"), before);
    site.run(&["new", "topic", "alpha"]).fails_with(1);
    assert_has(&site.read("topics/alpha.md"), "name: 甲专题");
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
    site.build_at(NOW);
    let page = site.read("public/aaa/xin-zhuanti/index.html");
    assert_has(&page, "甲城的新专题可以到当地医保经办机构办理。");
    site.run(&["new", "topic", "Bad Slug"]).fails_with(2);
}
