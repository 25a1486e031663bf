//! `sitegen explain`: each value of an article attributed to the right level, file and line.

use crate::support::{Site, assert_has};

const NOW: &str = "2026-01-06 00:00:00";

fn explain(site: &Site, city: &str, topic: &str) -> serde_json::Value {
    let run = site
        .run(&["explain", city, topic, "--now", NOW, "--format", "json"])
        .ok();
    serde_json::from_str(&run.stdout()).unwrap_or_else(|e| panic!("{e}: {}", run.stdout()))
}

/// `sitegen explain <city> <topic>` as people read it.
fn explain_text(site: &Site, city: &str, topic: &str) -> String {
    site.run(&["explain", city, topic, "--now", NOW])
        .ok()
        .stdout()
}

/// The row of value `name` in an explanation or one of its sections (`e["values"]`).
fn value<'e>(e: &'e serde_json::Value, name: &str) -> &'e serde_json::Value {
    e["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no value {name}: {e}"))
}

/// `file:line` of a value or key row, checking that the line holds `text`.
fn place_holding(site: &Site, row: &serde_json::Value, text: &str) -> String {
    let (file, line) = (row["file"].as_str().unwrap(), row["line"].as_u64().unwrap());
    let written = site
        .read(file)
        .lines()
        .nth(line as usize - 1)
        .unwrap()
        .to_string();
    assert!(written.contains(text), "{file}:{line} is `{written}`");
    format!("{file}:{line}")
}

/// (level, file:line) of value `name`, checking the line really holds `text`.
fn source_of(site: &Site, e: &serde_json::Value, name: &str, text: &str) -> (String, String) {
    let v = value(e, name);
    let place = place_holding(site, v, text);
    (v["level"].as_str().unwrap().into(), place)
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
    // Lead, teaser and the date suffix's format, each with where it comes from.
    assert_eq!(e["lead"], "甲专题的导语,甲城适用。");
    assert_eq!(e["lead_source"], "topics/alpha.md:8:7");
    assert!(
        e["teaser"].as_str().unwrap().ends_with("了解甲专题。"),
        "{e}"
    );
    assert_eq!(e["teaser_source"], "topics/alpha.md:10:5");
    let format = e["date_format"].as_str().unwrap();
    let entry = ["(%Y年%-m月%-d日)", "(%y/%m/%d)", "(%-m月%-d日)"]
        .iter()
        .position(|f| *f == format)
        .unwrap_or_else(|| panic!("format {format}"));
    assert_eq!(
        e["date_format_source"],
        format!("`title_date_formats` entry {} in site.yaml", entry + 1)
    );
    // After a build, the date is the one recorded in schedule.lock.
    site.build_at(NOW);
    let e = explain(&site, "aaa", "alpha");
    let line = site
        .read("schedule.lock")
        .lines()
        .position(|l| l.split_whitespace().nth(2) == Some("aaa/alpha"))
        .unwrap();
    assert_eq!(
        e["publish_source"],
        format!("recorded in schedule.lock:{}", line + 1),
        "{e}"
    );
    assert_eq!(
        e["date_format_source"],
        "pinned in schedule.lock when the article was published"
    );
    let human = explain_text(&site, "aaa", "alpha");
    assert_has(&human, "url:        https://test.example.org/aaa/alpha/");
    assert_has(&human, "  time_limit  city×topic  cities/aaa.yaml:15:19");
}

#[test]
fn unknown_or_skipped_articles_are_refused_with_a_hint() {
    let site = Site::fixture("basic");
    let err = site
        .run(&["explain", "aab", "alpha"])
        .fails_with(2)
        .stderr();
    assert_has(&err, "no city `aab`");
    assert_has(&err, "did you mean `aaa`?");
    let err = site
        .run(&["explain", "bbb", "gamma"])
        .fails_with(1)
        .stderr();
    assert_has(&err, "cities/bbb.yaml:6");
    assert_has(&err, "does not publish topic `gamma`");
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
    let materials = value(&sections[1], "materials");
    assert_eq!(materials["level"], "topic");
    assert_eq!(materials["file"], "topics/alpha.md");
    let human = explain_text(&site, "ccc", "gamma");
    assert_has(&human, "values of the extra section alpha:");
}

/// `explain aaa alpha` runs, in JSON and for people, saying that `n` problems were left out.
fn explains_aaa_alpha_noting(site: &Site, n: u64) {
    let e = explain(site, "aaa", "alpha");
    assert_eq!(e["other_problems"], n, "{e}");
    assert_eq!(e["article"], "aaa/alpha");
    let human = explain_text(site, "aaa", "alpha");
    let note = format!("note: other files of the site have {n} problem(s)");
    assert!(human.starts_with(&note), "{human}");
}

#[test]
fn explain_runs_when_other_files_have_errors_and_says_so() {
    let site = Site::fixture("basic");
    site.write("cities/bbb.yaml", "name: 乙城\nslug: bbb\nprovnce: 乙省\n");
    explains_aaa_alpha_noting(&site, 1);
    // The broken city itself is not explained.
    site.run(&["explain", "bbb", "alpha", "--now", NOW])
        .fails_with(2);
}

/// (key, level, file:line) of each key of map value `name`, checking each line holds `key`.
fn keys_of(site: &Site, e: &serde_json::Value, name: &str) -> Vec<(String, String, String)> {
    let v = value(e, name);
    v["keys"]
        .as_array()
        .unwrap_or_else(|| panic!("no keys: {v}"))
        .iter()
        .map(|k| {
            let key = k["key"].as_str().unwrap();
            let last = key.rsplit('.').next().unwrap();
            let place = place_holding(site, k, &format!("{last}:"));
            (key.into(), k["level"].as_str().unwrap().into(), place)
        })
        .collect()
}

#[test]
fn nested_map_keys_each_show_their_level_and_line() {
    let site = Site::fixture("basic");
    site.edit(
        "site.yaml",
        "  office: 医保经办机构",
        "  office: 医保经办机构\n  hours: {weekday: \"8:30-17:30\", holiday: 休息}",
    );
    site.edit(
        "topics/alpha.md",
        "  time_limit: 15个工作日\n",
        "  time_limit: 15个工作日\n  hours:\n    weekday: 9:00-17:00\n    weekend:\n      saturday: 9:00-12:00\n      sunday: 休息\n",
    );
    site.append(
        "topics/alpha.md",
        "\n工作时间:{{ hours.weekday }},周六{{ hours.weekend.saturday }},周日{{ hours.weekend.sunday }},节假日{{ hours.holiday }}。\n",
    );
    site.edit(
        "cities/aaa.yaml",
        "      time_limit: 5个工作日",
        "      time_limit: 5个工作日\n      hours:\n        weekend:\n          sunday: \"10:00-12:00\"",
    );
    let e = explain(&site, "aaa", "alpha");
    let line_of = |file: &str, text: &str| {
        let n = site
            .read(file)
            .lines()
            .position(|l| l.contains(text))
            .unwrap()
            + 1;
        format!("{file}:{n}")
    };
    let row = |k: &str, level: &str, at: String| (k.to_string(), level.to_string(), at);
    assert_eq!(
        keys_of(&site, &e, "hours"),
        [
            row("holiday", "site", line_of("site.yaml", "holiday: 休息")),
            row(
                "weekday",
                "topic",
                line_of("topics/alpha.md", "weekday: 9:00")
            ),
            row(
                "weekend.saturday",
                "topic",
                line_of("topics/alpha.md", "saturday:")
            ),
            row(
                "weekend.sunday",
                "city×topic",
                line_of("cities/aaa.yaml", "sunday:")
            ),
        ]
    );
    let human = explain_text(&site, "aaa", "alpha");
    assert!(
        human.contains(&format!(
            "    .weekend.sunday    city×topic  {}:11  \"10:00-12:00\"",
            line_of("cities/aaa.yaml", "sunday:")
        )),
        "{human}"
    );
}

#[test]
fn explain_runs_past_template_errors_in_other_files() {
    let site = Site::fixture("basic");
    // A broken layout and a topic whose body does not compile.
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}{% if x %}{% endblock content %}",
    );
    site.append("topics/beta.md", "\n{{ broken }\n");
    explains_aaa_alpha_noting(&site, 2);
}
