//! Fuzzes a whole site: the fuzzed bytes, split at 0xFF bytes (never in UTF-8 text), are
//! `site.yaml`, `topics/alpha.md`, `cities/aaa.yaml` and `schedule.lock`, written into a
//! site folder with the repository's layouts and read by the real loader; then every page
//! is planned and rendered. Beyond "no panic", two properties are checked: the
//! `schedule.lock` a build would write reads back as itself, and none of its dates is a
//! time the site's zone skips (a daylight-saving gap).
#![no_main]

#[path = "../common.rs"]
#[allow(dead_code)]
mod common;

use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The site folder, made once per process with the layouts; the fuzzed files are
/// rewritten for every input.
fn site() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("sitegen-fuzz-site-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for t in common::templates() {
            let path = root.join(&t.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, t.source).unwrap();
        }
        std::fs::create_dir_all(root.join("topics")).unwrap();
        std::fs::create_dir_all(root.join("cities")).unwrap();
        root
    })
}

fuzz_target!(|data: &[u8]| {
    let root = site();
    let mut parts = data.split(|&b| b == 0xff);
    for file in ["site.yaml", "topics/alpha.md", "cities/aaa.yaml", "schedule.lock"] {
        let path = root.join(file);
        match parts.next() {
            Some(bytes) => std::fs::write(&path, bytes).unwrap(),
            None => {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    let Ok(input) = sitegen::load::load(root) else {
        return;
    };
    let merged = sitegen::merge::merge(&input, None);
    let now = sitegen::load::parse_datetime("2026-06-01 00:00:00").unwrap();
    let options = sitegen::plan::PlanOptions { now, future: true };
    // A plan that cannot be locked is refused (years past 9999); one that is planned must
    // give a lock that reads back as itself.
    let Ok(plan) = sitegen::plan::plan(&input, &merged, &options) else {
        return;
    };
    // No date of the plan is a time the site's zone skips (a daylight-saving gap): such a
    // date has no RFC 3339 form of its own.
    for slot in &plan.lock {
        assert!(
            sitegen::load::local_time::skipped(input.site.timezone, slot.publish_at).is_none(),
            "{} is dated {}, which {} skips",
            slot.article,
            slot.publish_at,
            input.site.timezone
        );
    }
    let text = sitegen::load::format_lock(&plan.lock);
    match sitegen::load::parse_lock(&text, Path::new("schedule.lock")) {
        Ok(again) => assert_eq!(
            sitegen::load::format_lock(&again),
            text,
            "schedule.lock changed on reading back"
        ),
        Err(_) => panic!("a build would write a schedule.lock it cannot read back:\n{text}"),
    }
    common::render_all(&input);
});
