//! `sitegen coverage` on tests/fixtures/coverage: four cities, one topic, known overrides
//! at every level and one planted near-copy (丁城 copies 丙城's own text, one item more).
//!
//! The expected local shares and similarities are computed here from the fixture's texts
//! with the definition the README gives (5-character shingles per text piece, the city's
//! name masked, minus the shingles of the topic rendered with defaults only), on plain
//! string sets: independent of the hashing, HTML reading and MinHash of the real code.

use crate::support::{Site, assert_has};
use serde_json::Value;
use std::collections::BTreeSet;

const NOW: &str = "2026-03-01 12:00:00";
const MASK: &str = "#";

/// The visible pieces of an article of topic alpha (title without date, lead, teaser,
/// heading, body blocks) for a city named `name`.
fn pieces(name: &str, heading: &str, materials: &[&str], time_limit: &str) -> Vec<String> {
    let mut p = vec![
        format!("{name}甲事项怎么办理"),
        "甲事项是常见的医保业务。".to_string(),
        "下面一起来了解甲事项的办理方法。".to_string(),
        heading.to_string(),
        "办理甲事项需要准备以下材料：".to_string(),
    ];
    p.extend(materials.iter().map(|m| m.to_string()));
    p.push(format!("办理时限为{time_limit}，咨询电话12345。"));
    p.into_iter().map(|s| s.replace(name, MASK)).collect()
}

fn shingles(pieces: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for p in pieces {
        let chars: Vec<char> = p.chars().collect();
        if chars.len() < 5 {
            out.insert(p.clone());
        }
        for w in chars.windows(5) {
            out.insert(w.iter().collect());
        }
    }
    out
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    a.intersection(b).count() as f64 / a.union(b).count() as f64
}

struct Expected {
    id: &'static str,
    set: BTreeSet<String>,
}

fn expected() -> (Vec<Expected>, BTreeSet<String>) {
    let defaults = ["身份证", "医保卡"];
    let baseline = shingles(&pieces(MASK, "#如何办理甲事项", &defaults, "十五个工作日"));
    let articles = vec![
        Expected {
            id: "aaa/alpha",
            set: shingles(&pieces(
                "甲城",
                "甲城如何办理甲事项",
                &defaults,
                "十五个工作日",
            )),
        },
        Expected {
            id: "bbb/alpha",
            set: shingles(&pieces(
                "乙城",
                "乙城如何办理甲事项",
                &defaults,
                "十个工作日",
            )),
        },
        Expected {
            id: "ccc/alpha",
            set: shingles(&pieces(
                "丙城",
                "丙城办理甲事项的新办法",
                &["身份证", "医保卡", "丙城居住证"],
                "十五个工作日",
            )),
        },
        Expected {
            id: "ddd/alpha",
            set: shingles(&pieces(
                "丁城",
                "丁城办理甲事项的新办法",
                &["身份证", "医保卡", "丁城居住证", "户口簿"],
                "十五个工作日",
            )),
        },
    ];
    (articles, baseline)
}

fn coverage_json(site: &Site) -> Value {
    let run = site
        .run(&["coverage", "--now", NOW, "--format", "json"])
        .ok();
    serde_json::from_str(&run.stdout()).expect("coverage --format json prints JSON")
}

fn article<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["articles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["article"] == id)
        .unwrap_or_else(|| panic!("no article {id}"))
}

fn names_at(a: &Value, key: &str) -> Vec<(String, String)> {
    a[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["name"].as_str().unwrap().to_string(),
                v["level"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn values_come_from_the_levels_the_fixture_sets() {
    let site = Site::fixture("coverage");
    let json = coverage_json(&site);
    let pair = |n: &str, l: &str| (n.to_string(), l.to_string());
    let aaa = article(&json, "aaa/alpha");
    assert!(names_at(aaa, "own").is_empty());
    assert_eq!(
        names_at(aaa, "defaults"),
        [
            pair("hotline", "site"),
            pair("materials", "topic"),
            pair("time_limit", "topic")
        ]
    );
    let bbb = article(&json, "bbb/alpha");
    assert_eq!(names_at(bbb, "own"), [pair("time_limit", "city")]);
    let ccc = article(&json, "ccc/alpha");
    assert_eq!(
        names_at(ccc, "own"),
        [
            pair("materials", "city×topic"),
            pair("heading", "city×topic")
        ]
    );
    assert_eq!(ccc["own"][1]["file"], "cities/ccc.yaml");
    assert_eq!(ccc["own"][1]["line"], 7);
    assert_eq!(ccc["edit_file"], "cities/ccc.yaml");
    assert_eq!(ccc["edit_line"], 7);
    assert_eq!(json["site"]["cities"], 4);
    assert_eq!(json["site"]["default_only_cities"], 1);
    let cities = json["cities"].as_array().unwrap();
    let default_only: Vec<&str> = cities
        .iter()
        .filter(|c| c["default_only"] == true)
        .map(|c| c["city"].as_str().unwrap())
        .collect();
    assert_eq!(default_only, ["aaa"]);
}

#[test]
fn fact_sources_ages_and_due_dates() {
    let site = Site::fixture("coverage");
    let json = coverage_json(&site);
    // bbb: verified 2026-01-01, 31 + 28 = 59 days before 2026-03-01; due 100 days after
    // it: 30 (Jan 31) + 28 (Feb) + 31 (Mar) + 11 = 2026-04-11.
    let f = &article(&json, "bbb/alpha")["facts"][0];
    assert_eq!(f["name"], "time_limit");
    assert_eq!(f["source"], "窗口电话确认");
    assert_eq!(f["verified"], "2026-01-01");
    assert_eq!(f["age_days"], 59);
    assert_eq!(f["due"], "2026-04-11");
    assert_eq!(f["overdue"], false);
    // ccc: verified 2025-06-01: 30+31+31+30+31+30+31+31+28 = 273 days; due 29 (Jun 30)
    // + 31 + 31 + 9 = 2025-09-09, long past.
    let f = &article(&json, "ccc/alpha")["facts"][0];
    assert_eq!(f["source"], "https://ccc.example.org/materials");
    assert_eq!(f["age_days"], 273);
    assert_eq!(f["due"], "2025-09-09");
    assert_eq!(f["overdue"], true);
    // ddd: its own materials have no source.
    let f = &article(&json, "ddd/alpha")["facts"][0];
    assert_eq!(f["name"], "materials");
    assert!(f["source"].is_null());
    assert!(f["verified"].is_null());
    assert_eq!(json["site"]["facts"], 3);
    assert_eq!(json["site"]["sourced"], 2);
    assert_eq!(json["site"]["overdue"], 1);
}

#[test]
fn local_share_and_nearest_twin_are_what_the_texts_imply() {
    let site = Site::fixture("coverage");
    let json = coverage_json(&site);
    let (articles, baseline) = expected();
    for e in &articles {
        let a = article(&json, e.id);
        let local = e.set.difference(&baseline).count();
        assert_eq!(a["shingles"], e.set.len(), "{}", e.id);
        assert_eq!(a["local_shingles"], local, "{}", e.id);
        let share = a["local_share"].as_f64().unwrap();
        assert!((share - local as f64 / e.set.len() as f64).abs() < 1e-12);
        // The nearest twin: the highest exact Jaccard over every other article.
        let (twin, sim) = articles
            .iter()
            .filter(|o| o.id != e.id)
            .map(|o| (o.id, jaccard(&e.set, &o.set)))
            .fold(("", -1.0), |best, x| if x.1 > best.1 { x } else { best });
        assert_eq!(a["twin"]["article"], twin, "twin of {}", e.id);
        let got = a["twin"]["similarity"].as_f64().unwrap();
        assert!((got - sim).abs() < 1e-12, "{}: {got} vs {sim}", e.id);
    }
    // The default-only city has nothing of its own; the planted copy is the closest pair.
    assert_eq!(article(&json, "aaa/alpha")["local_shingles"], 0);
    assert_eq!(article(&json, "ddd/alpha")["twin"]["article"], "ccc/alpha");
    assert_eq!(article(&json, "ccc/alpha")["twin"]["article"], "ddd/alpha");
}

#[test]
fn text_report_lists_worst_first_and_the_page_is_written() {
    let site = Site::fixture("coverage");
    let run = site.run(&["coverage", "--now", NOW]).ok();
    let out = run.stdout();
    assert!(
        out.starts_with("coverage: 1 of 4 cities use only defaults; median local share"),
        "{out}"
    );
    let order: Vec<usize> = ["aaa/alpha", "bbb/alpha", "ccc/alpha", "ddd/alpha"]
        .iter()
        .map(|id| out.find(&format!("  {id} ")).expect(id))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{out}");
    assert_has(&out, "cities/ccc.yaml:7");
    let page = site.read("public-report/coverage.html");
    assert!(page.starts_with("<!DOCTYPE html>"));
    // Each matrix cell links to the article's section, which links to the line to edit.
    assert!(page.contains("<a href=\"#ccc/alpha\""));
    assert!(page.contains("id=\"ccc/alpha\""));
    assert!(page.contains("cities/ccc.yaml:7</a>"));
    assert!(page.contains("vscode://file/"));
    assert!(run.stderr().contains("coverage.html"));
}

#[test]
fn thresholds_in_site_yaml_make_lint_warnings_and_strict_errors() {
    let site = Site::fixture("coverage");
    site.edit(
        "site.yaml",
        "  fact_max_age_days: 100\n",
        "  fact_max_age_days: 1000\n  min_local_share: 0.05\n  max_twin_similarity: 0.95\n",
    );
    // Only ddd's source is missing now; aaa is thin; ccc and ddd are twins.
    let run = site.run(&["check", "--now", NOW]).ok();
    let err = run.stderr();
    assert!(
        err.contains(
            "甲城 × 甲事项: only 0 % of its text is its own (lint.min_local_share is 5 %)"
        ),
        "{err}"
    );
    assert!(err.contains("丙城 × 甲事项 is") && err.contains("the same as ddd/alpha"));
    assert!(err.contains("丁城 × 甲事项 is") && err.contains("the same as ccc/alpha"));
    assert!(!err.contains("乙城 × 甲事项"), "{err}");
    site.run(&["check", "--now", NOW, "--strict"]).fails_with(1);
    let build = site.run(&["build", "--now", NOW, "--strict"]).fails_with(1);
    assert!(build.stderr().contains("lint.min_local_share"));
    assert!(!site.exists("public/index.html"));
    site.edit("site.yaml", "min_local_share: 0.05", "min_local_share: 5");
    let run = site.run(&["coverage", "--now", NOW]).fails_with(1);
    assert_has(
        &run.stderr(),
        "lint.min_local_share is 5, not a share from 0 to 1",
    );
}

#[test]
fn real_site_default_only_cities_and_the_two_local_ones() {
    let site = Site::real();
    let run = site
        .run(&[
            "coverage",
            "--format",
            "json",
            "--now",
            "2026-02-03 12:00:00",
        ])
        .ok();
    let json: Value = serde_json::from_str(&run.stdout()).unwrap();
    let cities = json["cities"].as_array().unwrap();
    let local: Vec<&str> = cities
        .iter()
        .filter(|c| c["default_only"] == false)
        .map(|c| c["city"].as_str().unwrap())
        .collect();
    assert_eq!(local, ["jinhua", "yueyang"]);
    assert_eq!(json["site"]["default_only_cities"], cities.len() - 2);
    for id in ["yueyang/canbaodi-biangeng", "jinhua/canbaodi-biangeng"] {
        let a = article(&json, id);
        let own = names_at(a, "own");
        assert!(
            own.contains(&("materials".into(), "city×topic".into())),
            "{id}"
        );
        assert!(
            own.contains(&("heading".into(), "city×topic".into())),
            "{id}"
        );
        assert!(a["local_shingles"].as_u64().unwrap() > 0, "{id}");
    }
}

#[test]
fn a_topic_that_needs_city_values_is_named_and_its_text_counts_as_local() {
    let site = Site::fixture("coverage");
    site.edit(
        "topics/alpha.md",
        "咨询电话{{ hotline }}。",
        "咨询电话{{ hotline }}，地点{{ office }}。",
    );
    for city in ["aaa", "bbb", "ccc", "ddd"] {
        let path = format!("cities/{city}.yaml");
        let text = site.read(&path);
        let text = if text.contains("\nvalues:\n") {
            text.replace("\nvalues:\n", "\nvalues:\n  office: 服务大厅\n")
        } else {
            format!("{text}values:\n  office: 服务大厅\n")
        };
        site.write(&path, &text);
    }
    let run = site
        .run(&["coverage", "--now", NOW, "--format", "json"])
        .ok();
    assert_has(&run.stderr(), "warning");
    assert_has(
        &run.stderr(),
        "coverage counts this template's text as local",
    );
    let json: Value = serde_json::from_str(&run.stdout()).unwrap();
    // Without a defaults rendering of the body, its text counts as local, the rest not.
    let aaa = article(&json, "aaa/alpha");
    assert!(aaa["local_shingles"].as_u64().unwrap() > 0);
    assert!(aaa["local_share"].as_f64().unwrap() < 1.0);
}
