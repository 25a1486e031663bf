//! The coverage memo (`public-report/.sitegen-coverage`): a second run renders no words,
//! an edit recomputes only what it touches, and every output is byte for byte what a run
//! without the memo gives, on any number of threads.

use crate::support::{Site, assert_has};

const NOW: &str = "2026-03-01 12:00:00";
const MEMO: &str = "public-report/.sitegen-coverage";
const PAGE: &str = "public-report/coverage.html";

/// Everything a coverage run gives: text report, JSON report, page.
#[derive(Debug, PartialEq)]
struct Outputs {
    text: String,
    json: String,
    page: String,
}

/// Runs coverage with `-v` (and `extra` arguments) for JSON, then for text; the outputs and
/// the first run's memo line (the second finds everything in the memo the first left).
fn coverage(site: &Site, extra: &[&str]) -> (Outputs, String) {
    let run = |format: &str| {
        let mut args = vec!["coverage", "-v", "--now", NOW, "--format", format];
        args.extend_from_slice(extra);
        site.run(&args).ok()
    };
    let json = run("json");
    let text = run("human");
    let line = reuse_line(&json.stderr());
    assert!(reuse_line(&text.stderr()).contains(" 0 of "));
    let outputs = Outputs {
        text: text.stdout(),
        json: json.stdout(),
        page: site.read(PAGE),
    };
    (outputs, line)
}

fn reuse_line(stderr: &str) -> String {
    stderr
        .lines()
        .find(|l| l.contains("words rendered for"))
        .unwrap_or_else(|| panic!("no memo line under -v:\n{stderr}"))
        .to_string()
}

/// Outputs of a run without the memo (it is deleted first, and rewritten by the run).
fn cold(site: &Site, extra: &[&str]) -> Outputs {
    std::fs::remove_file(site.path(MEMO)).ok();
    let (outputs, line) = coverage(site, extra);
    assert_has(&line, " 0 more for twin pairs");
    outputs
}

#[test]
fn a_second_run_renders_no_words_and_gives_the_same_bytes_on_any_thread_count() {
    let site = Site::fixture("coverage");
    let first = site
        .run(&["coverage", "-v", "--now", NOW, "--format", "json"])
        .ok();
    assert!(
        reuse_line(&first.stderr()).contains("words rendered for 4 of 4 articles"),
        "{}",
        first.stderr()
    );
    assert!(site.exists(MEMO));
    let (warm, line) = coverage(&site, &[]);
    assert!(
        line.contains("words rendered for 0 of 4 articles")
            && line.contains("0 more for twin pairs")
            && line.contains("0 of 6 twin pairs compared"),
        "{line}"
    );
    assert_eq!(warm.json, first.stdout());
    let (one_thread, _) = coverage(&site, &["-j", "1"]);
    assert_eq!(one_thread, warm);
    assert_eq!(cold(&site, &[]), warm);
    assert_eq!(cold(&site, &["-j", "1"]), warm);
}

#[test]
fn an_edited_city_recomputes_its_article_and_the_result_is_a_cold_runs() {
    let site = Site::fixture("coverage");
    let (before, _) = coverage(&site, &[]);
    // 乙城's own value changes: its article's words, and the pairs it is in.
    let path = "cities/bbb.yaml";
    site.edit(path, "十个工作日", "十个工作日，加急三个工作日");
    let (after, line) = coverage(&site, &[]);
    assert_has(&line, "words rendered for 1 of 4 articles");
    assert!(!line.contains(" 0 of 6 twin pairs compared"), "{line}");
    assert_ne!(after.json, before.json);
    let json: serde_json::Value = serde_json::from_str(&after.json).unwrap();
    let old: serde_json::Value = serde_json::from_str(&before.json).unwrap();
    let find = |j: &serde_json::Value, id: &str| {
        j["articles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["article"] == id)
            .unwrap()
            .clone()
    };
    assert_ne!(
        find(&json, "bbb/alpha")["shingles"],
        find(&old, "bbb/alpha")["shingles"]
    );
    for id in ["aaa/alpha", "ccc/alpha", "ddd/alpha"] {
        assert_eq!(
            find(&json, id)["local_shingles"],
            find(&old, id)["local_shingles"]
        );
    }
    assert_eq!(cold(&site, &[]), after);
}

#[test]
fn the_real_site_edited_city_and_topic_recompute_their_articles_only() {
    let site = Site::real();
    let articles = |line: &str| -> (usize, usize) {
        let rest = line.split("words rendered for ").nth(1).unwrap();
        let mut n = rest.split(' ');
        let changed = n.next().unwrap().parse().unwrap();
        let all = n.nth(1).unwrap().parse().unwrap();
        (changed, all)
    };
    let (_, first) = coverage(&site, &[]);
    let (changed, all) = articles(&first);
    assert_eq!(changed, all);
    // One city: its five articles.
    let path = "cities/yueyang.yaml";
    site.append(path, "\n# 编辑过\n");
    let (after_city, line) = coverage(&site, &[]);
    assert_eq!(articles(&line), (5, all), "{line}");
    assert_eq!(cold(&site, &[]), after_city);
    // One topic: its articles and those showing it as an extra section, not all.
    let path = "topics/yake-baoxiao.md";
    site.append(path, "\n另外说明一点。\n");
    let (after_topic, line) = coverage(&site, &[]);
    let (changed, _) = articles(&line);
    assert!(changed >= all / 5 && changed < all, "{line}");
    assert_eq!(cold(&site, &[]), after_topic);
}

#[test]
fn a_damaged_or_foreign_memo_means_everything_is_computed_again() {
    let site = Site::fixture("coverage");
    let (good, _) = coverage(&site, &[]);
    let memo = std::fs::read(site.path(MEMO)).unwrap();
    let damaged = [
        memo[..memo.len() / 2].to_vec(),
        memo.iter().map(|b| b ^ 0x55).collect(),
        b"sitegen-coverage 1 0000000000000000\n".to_vec(),
        Vec::new(),
    ];
    for bytes in damaged {
        std::fs::write(site.path(MEMO), &bytes).unwrap();
        let (outputs, line) = coverage(&site, &[]);
        assert_has(&line, "words rendered for 4 of 4 articles");
        assert_eq!(outputs, good);
        // The run left a good memo.
        assert_eq!(std::fs::read(site.path(MEMO)).unwrap(), memo);
    }
}

#[test]
fn a_failed_run_leaves_the_memo_and_coverage_leaves_the_output_folder_alone() {
    let site = Site::built("coverage", NOW);
    let published = site.snapshot("public");
    coverage(&site, &[]);
    assert_eq!(
        site.snapshot("public"),
        published,
        "coverage touched public/"
    );
    assert!(!site.exists("public/.sitegen-coverage"));
    let memo = std::fs::read(site.path(MEMO)).unwrap();
    let path = "cities/ccc.yaml";
    site.edit(
        path,
        "丙城办理甲事项的新办法",
        "{{ missing_value }}办理甲事项",
    );
    site.run(&["coverage", "--now", NOW]).fails_with(1);
    assert_eq!(std::fs::read(site.path(MEMO)).unwrap(), memo);
}
