//! The run memo (`.sitegen-run`): a build whose input files, sitegen and switches are the
//! last build's, with no article come due since, keeps the output folder as it is and
//! reports what a full build would, word for word. Sequences of builds with time moving
//! forward, edits, damage and a CI cache restored into a fresh checkout.

use crate::support::{Site, copy_dir, summary_count};
use std::fs;

const REPLAYED: &str = "no article came due since: the output folder was checked and kept";

/// The `-v` line of a build that compared `schedule.lock` by its entries.
const LOCK_KEPT: &str = "schedule.lock lists the same entries: not formatted again";

/// `build -v --now <now>`: whether the run memo stood for it, and its stderr.
fn build(site: &Site, now: &str) -> (bool, String) {
    let err = site.run(&["build", "-v", "--now", now]).ok().stderr();
    (err.contains(REPLAYED), err)
}

/// What a build printed, but its time and the `-v` lines.
fn printed(stderr: &str) -> String {
    let time = |l: &str| match (l.find(") in "), l.find(" s; ")) {
        (Some(a), Some(b)) if a < b => format!("{}{}", &l[..a + 5], &l[b..]),
        _ => l.to_string(),
    };
    stderr
        .lines()
        .filter(|l| !l.contains(REPLAYED) && !l.starts_with("sitegen: timing "))
        .filter(|l| {
            !l.starts_with("sitegen: feeds made ") && !l.starts_with("sitegen: titles rendered ")
        })
        .map(time)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_build_of_the_same_site_keeps_it_and_says_what_a_full_build_says() {
    let site = Site::fixture("basic");
    let now = "2026-01-05 08:30:00";
    let (replayed, _) = build(&site, now);
    assert!(!replayed, "the first build");
    let before = site.snapshot("public");
    let (replayed, kept) = build(&site, now);
    assert!(replayed, "{kept}");
    assert_eq!(summary_count(&kept, " rendered"), 0);
    assert!(site.snapshot("public") == before);
    let report = site.snapshot("public-report");
    // Without the run memo, the pipeline runs and says and writes the same.
    site.write("public/.sitegen-run", "");
    let full = site.run(&["build", "-v", "--now", now]).ok().stderr();
    assert!(!full.contains(REPLAYED));
    assert_eq!(printed(&kept), printed(&full));
    assert!(site.snapshot("public") == before);
    assert!(site.snapshot("public-report") == report);
    // A run memo damaged in any way only costs a full run, which writes it again.
    let memo = site.read("public/.sitegen-run");
    for text in [
        "{",
        "\u{0}",
        &memo[..memo.len() / 2],
        &memo.replacen("\"format\":", "\"format\":9", 1),
    ] {
        site.write("public/.sitegen-run", text);
        assert!(!build(&site, now).0, "{text:?}");
        assert!(site.snapshot("public") == before);
        assert!(build(&site, now).0);
    }
}

#[test]
fn time_moving_past_a_publish_time_or_a_day_runs_the_pipeline() {
    let site = Site::fixture("basic");
    let fresh = Site::fixture("basic");
    build(&site, "2026-01-05 08:30:00");
    assert!(build(&site, "2026-01-05 08:39:59").0, "nothing due yet");
    let due = "2026-01-05 08:40:00";
    let (replayed, err) = build(&site, due);
    assert!(!replayed);
    assert!(err.contains("sitegen: added "), "{err}");
    // The same output as a site built at that time from nothing, run memo included.
    for f in ["schedule.lock", "modified.lock"] {
        fs::copy(site.path(f), fresh.path(f)).unwrap();
    }
    fresh.build_at(due);
    assert!(site.snapshot("public") == fresh.snapshot("public"));
    // Going back before a publish time is no replay either.
    assert!(!build(&site, "2026-01-05 08:39:00").0);
    build(&site, due);
    // Everything out: the next day (facts age by the day) runs once, then is kept.
    assert!(!build(&site, "2026-01-07 00:00:00").0);
    assert!(build(&site, "2026-01-07 23:59:59").0);
    assert!(!build(&site, "2026-01-08 00:00:00").0);
}

#[test]
fn an_edit_a_switch_or_a_damaged_output_runs_the_pipeline() {
    let site = Site::fixture("basic");
    let now = "2026-01-06 00:00:00";
    build(&site, now);
    assert!(build(&site, now).0);
    // An edit, and the edit undone: the memo holds the last build only.
    let text = site.read("cities/aaa.yaml");
    site.append("cities/aaa.yaml", "\n");
    assert!(!build(&site, now).0);
    site.write("cities/aaa.yaml", &text);
    assert!(!build(&site, now).0);
    assert!(build(&site, now).0);
    // Another switch (`--strict` fails here: the fixture's facts have no sources).
    let strict = site.run(&["build", "-v", "--strict", "--now", now]);
    assert!(!strict.stderr().contains(REPLAYED));
    assert_ne!(strict.code(), 0);
    // It failed, so the output and its run memo are as the last build left them.
    assert!(build(&site, now).0);
    // `--render-all` renders every page; the site it makes is the same one.
    let all = site
        .run(&["build", "-v", "--render-all", "--now", now])
        .ok();
    assert!(!all.stderr().contains(REPLAYED));
    assert!(build(&site, now).0);
    // A page deleted or altered in the output folder is written again.
    let page = "public/aaa/alpha/index.html";
    let original = site.read(page);
    fs::remove_file(site.path(page)).unwrap();
    assert!(!build(&site, now).0);
    assert_eq!(site.read(page), original);
    site.write(page, "by hand");
    assert!(!build(&site, now).0);
    assert_eq!(site.read(page), original);
    // The page memo lost: written again.
    fs::remove_file(site.path("public/.sitegen-pages")).unwrap();
    assert!(!build(&site, now).0);
    assert!(site.exists("public/.sitegen-pages"));
    assert!(build(&site, now).0);
}

#[test]
fn a_preview_is_never_kept_for_a_real_build() {
    let site = Site::fixture("basic");
    let now = "2026-01-05 08:30:00";
    let err = site
        .run(&["build", "-v", "--future", "--now", now])
        .ok()
        .stderr();
    assert!(!err.contains(REPLAYED));
    assert_eq!(site.read("public/.sitegen-run"), "");
    assert!(
        !site
            .run(&["build", "-v", "--future", "--now", now])
            .ok()
            .stderr()
            .contains(REPLAYED)
    );
    assert!(!build(&site, now).0);
    assert!(build(&site, now).0);
}

#[test]
fn a_cached_output_restored_into_a_fresh_checkout_is_kept() {
    // CI: a fresh checkout of the site (with its locks), the output folders restored from
    // the cache, then `sitegen build`.
    let site = Site::fixture("basic");
    let now = "2026-01-06 00:00:00";
    build(&site, now);
    let clone = Site::fixture("basic");
    for f in ["schedule.lock", "modified.lock"] {
        fs::copy(site.path(f), clone.path(f)).unwrap();
    }
    for dir in ["public", "public-report"] {
        copy_dir(&site.path(dir), &clone.path(dir));
    }
    let (replayed, err) = build(&clone, now);
    assert!(replayed, "{err}");
    assert!(clone.snapshot("public") == site.snapshot("public"));
}

#[test]
fn a_kept_build_removes_what_a_killed_build_left_beside_the_site() {
    let site = Site::fixture("basic");
    let now = "2026-01-05 08:30:00";
    build(&site, now);
    // An edit undone: the staging folder is now the complete previous site.
    site.edit("cities/aaa.yaml", "甲城医保局", "甲城医疗保障局");
    build(&site, now);
    site.edit("cities/aaa.yaml", "甲城医疗保障局", "甲城医保局");
    build(&site, now);
    let staging = site.path(".public.staging");
    assert!(staging.join(".sitegen-manifest").is_file());
    let before = site.snapshot("public");
    let previous = site.snapshot(".public.staging");
    // A complete staging folder is kept for the next build to reuse.
    let (replayed, err) = build(&site, now);
    assert!(replayed, "{err}");
    assert!(site.snapshot(".public.staging") == previous);
    // A build killed while changing it leaves it without its manifest, and a temporary
    // file beside the site; both go, as a full build would remove them.
    fs::remove_file(staging.join(".sitegen-manifest")).unwrap();
    site.write(".public.staging/aaa/alpha/index.html", "half");
    site.write(".sitegen-1234.tmp", "half");
    let (replayed, err) = build(&site, now);
    assert!(replayed, "{err}");
    assert!(!staging.exists(), "a partial staging folder was left");
    assert!(!site.path(".sitegen-1234.tmp").exists());
    assert!(site.snapshot("public") == before);
}

#[test]
fn a_lock_as_a_build_left_it_is_compared_by_entries_and_any_other_text_is_formatted_again() {
    let site = Site::real();
    let now = "2026-03-01 00:00:00";
    let build = || site.run(&["build", "-v", "--now", now]).ok().stderr();
    assert!(
        !build().contains(LOCK_KEPT),
        "a first build formats the lock"
    );
    let lock = site.read("schedule.lock");
    // A value edited: the same entries, so the lock is not formatted again, and stays.
    site.edit("cities/yueyang.yaml", "- 医保卡", "- 社保卡");
    assert!(build().contains(LOCK_KEPT));
    assert_eq!(site.read("schedule.lock"), lock);
    // A comment edited: no article changes, so neither lock is formatted again.
    let modified = site.read("modified.lock");
    site.edit("cities/yueyang.yaml", "# 城市资料", "# 城市的资料");
    let quiet = build();
    assert!(quiet.contains(LOCK_KEPT), "{quiet}");
    assert!(
        quiet.contains("modified.lock lists the same entries"),
        "{quiet}"
    );
    assert_eq!(site.read("modified.lock"), modified);
    site.write("modified.lock", &format!("# a note\n{modified}"));
    site.edit("cities/yueyang.yaml", "# 城市的资料", "# 城市资料");
    assert!(!build().contains("modified.lock lists the same entries"));
    assert_eq!(site.read("modified.lock"), modified);
    // Edited by hand (a comment and a blank line): formatted again, as a build writes it.
    site.write("schedule.lock", &format!("{lock}\n# a note\n"));
    site.edit("cities/yueyang.yaml", "- 社保卡", "- 医保卡");
    assert!(!build().contains(LOCK_KEPT));
    assert_eq!(site.read("schedule.lock"), lock);
    // A date moved by hand in a well-formed line is the lock's word: kept, then trusted.
    let moved = lock.replacen(
        "2025-04-29 18:00:00 zhengzhou/baoxiao-fanwei",
        "2025-04-29 18:01:00 zhengzhou/baoxiao-fanwei",
        1,
    );
    assert_ne!(moved, lock);
    site.write("schedule.lock", &moved);
    site.edit("cities/yueyang.yaml", "- 医保卡", "- 社保卡");
    assert!(!build().contains(LOCK_KEPT));
    assert_eq!(site.read("schedule.lock"), moved);
    site.edit("cities/yueyang.yaml", "- 社保卡", "- 医保卡");
    assert!(build().contains(LOCK_KEPT));
    assert_eq!(site.read("schedule.lock"), moved);
    // A city added: more entries, so the lock is written with them.
    site.write(
        "cities/xinyang.yaml",
        "name: 信阳\nprovince: 河南\nslug: xinyang\n",
    );
    assert!(!build().contains(LOCK_KEPT));
    assert!(site.read("schedule.lock").contains(" xinyang/"));
    // A city dropped: other entries (its articles retired), so the lock is written.
    fs::remove_file(site.path("cities/zhengzhou.yaml")).unwrap();
    assert!(!build().contains(LOCK_KEPT));
    let retired = site.read("schedule.lock");
    assert!(
        retired.contains("zhengzhou/baoxiao-fanwei retired"),
        "{retired}"
    );
    // Without the run memo (a fresh checkout), the lock is formatted and compared.
    site.write("public/.sitegen-run", "");
    site.edit("cities/yueyang.yaml", "- 医保卡", "- 社保卡");
    assert!(!build().contains(LOCK_KEPT));
    assert_eq!(site.read("schedule.lock"), retired);
}
