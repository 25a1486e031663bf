//! `sitegen explain`: each value of an article attributed to the right level, file and line.

use crate::support::Site;

const NOW: &str = "2026-01-06 00:00:00";

fn explain(site: &Site, city: &str, topic: &str) -> serde_json::Value {
    let run = site
        .run(&["explain", city, topic, "--now", NOW, "--format", "json"])
        .ok();
    serde_json::from_str(&run.stdout()).unwrap_or_else(|e| panic!("{e}: {}", run.stdout()))
}

/// (level, file:line) of value `name`, checking the line really holds `text`.
fn source_of(site: &Site, e: &serde_json::Value, name: &str, text: &str) -> (String, String) {
    let v = e["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no value {name}: {e}"));
    let file = v["file"].as_str().unwrap();
    let line = v["line"].as_u64().unwrap() as usize;
    let written = site.read(file).lines().nth(line - 1).unwrap().to_string();
    assert!(written.contains(text), "{file}:{line} is `{written}`");
    (
        v["level"].as_str().unwrap().into(),
        format!("{file}:{line}"),
    )
}

#[test]
fn values_are_attributed_at_each_level_of_the_cascade() {
    let site = Site::fixture("basic");
    let e = explain(&site, "aaa", "alpha");
    let at = |name, text| source_of(&site, &e, name, text);
    assert_eq!(
        at("hotline", "12345"),
        ("site".into(), "site.yaml:22".into())
    );
    assert_eq!(
        at("office", "甲城医保局"),
        ("city".into(), "cities/aaa.yaml:5".into())
    );
    assert_eq!(
        at("time_limit", "5个工作日"),
        ("city×topic".into(), "cities/aaa.yaml:15".into())
    );
    assert_eq!(
        at("materials", "身份证"),
        ("city×topic".into(), "cities/aaa.yaml:12".into())
    );
    let e = explain(&site, "ccc", "alpha");
    let at = |name, text| source_of(&site, &e, name, text);
    assert_eq!(
        at("time_limit", "15个工作日"),
        ("topic".into(), "topics/alpha.md:14".into())
    );
}

#[test]
fn article_facts_url_date_title_and_headings() {
    let site = Site::fixture("basic");
    let e = explain(&site, "甲城", "甲专题");
    assert_eq!(e["article"], "aaa/alpha");
    assert_eq!(e["url"], "https://test.example.org/aaa/alpha/");
    assert_eq!(e["publish_at"], "2026-01-05 08:00:00");
    assert_eq!(e["published"], true);
    let title = e["title"].as_str().unwrap();
    assert!(
        title.starts_with("甲城甲专题") || title.starts_with("甲城的甲专题"),
        "{title}"
    );
    assert!(title.ends_with(')') || title.ends_with(')'), "{title}");
    assert_eq!(e["sections"][0]["heading"], "甲城专属标题:怎么办甲专题?");
    assert_eq!(e["sections"][0]["heading_source"], "cities/aaa.yaml:9:14");
    // After a build, the date is the one recorded in schedule.lock.
    site.build_at(NOW);
    let e = explain(&site, "aaa", "alpha");
    assert!(
        e["publish_source"]
            .as_str()
            .unwrap()
            .starts_with("recorded in schedule.lock:"),
        "{e}"
    );
    let human = site
        .run(&["explain", "aaa", "alpha", "--now", NOW])
        .ok()
        .stdout();
    assert!(
        human.contains("url:        https://test.example.org/aaa/alpha/"),
        "{human}"
    );
    assert!(
        human.contains("  time_limit  city×topic  cities/aaa.yaml:15:19"),
        "{human}"
    );
}

#[test]
fn unknown_or_skipped_articles_are_refused_with_a_hint() {
    let site = Site::fixture("basic");
    let err = site
        .run(&["explain", "aab", "alpha"])
        .fails_with(2)
        .stderr();
    assert!(err.contains("no city `aab`"), "{err}");
    assert!(err.contains("did you mean `aaa`?"), "{err}");
    let err = site
        .run(&["explain", "bbb", "gamma"])
        .fails_with(1)
        .stderr();
    assert!(err.contains("cities/bbb.yaml:6"), "{err}");
    assert!(err.contains("does not publish topic `gamma`"), "{err}");
}

#[test]
fn extra_sections_show_their_own_values() {
    let site = Site::fixture("basic");
    let e = explain(&site, "ccc", "gamma");
    let sections = e["sections"].as_array().unwrap();
    let topics: Vec<&str> = sections
        .iter()
        .map(|s| s["topic"].as_str().unwrap())
        .collect();
    assert_eq!(topics, ["gamma", "alpha", "beta"]);
    let alpha = &sections[1]["values"];
    let materials = alpha
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "materials")
        .unwrap_or_else(|| panic!("{alpha}"));
    assert_eq!(materials["level"], "topic");
    assert_eq!(materials["file"], "topics/alpha.md");
    let human = site
        .run(&["explain", "ccc", "gamma", "--now", NOW])
        .ok()
        .stdout();
    assert!(
        human.contains("values of the extra section alpha:"),
        "{human}"
    );
}

#[test]
fn explain_runs_when_other_files_have_errors_and_says_so() {
    let site = Site::fixture("basic");
    site.write("cities/bbb.yaml", "name: 乙城\nslug: bbb\nprovnce: 乙省\n");
    let e = explain(&site, "aaa", "alpha");
    assert_eq!(e["other_problems"], 1, "{e}");
    assert_eq!(e["article"], "aaa/alpha");
    let human = site
        .run(&["explain", "aaa", "alpha", "--now", NOW])
        .ok()
        .stdout();
    assert!(
        human.starts_with("note: other files of the site have 1 problem(s)"),
        "{human}"
    );
    // The broken city itself is not explained.
    site.run(&["explain", "bbb", "alpha", "--now", NOW])
        .fails_with(2);
}
