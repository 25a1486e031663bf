//! Crash safety: `sitegen build` killed with SIGKILL at many moments never leaves a
//! half-written site. After every kill the output folder is byte for byte either the
//! complete old site or the complete new one, and the next build succeeds and removes the
//! leftover staging folder. Two builds of one output never interleave: the second waits.
//!
//! The kill moments come from a seeded generator spread over the length of one build, so
//! the schedule is the same on every run; which moment lands in which stage depends on the
//! machine's speed, but the assertion holds for any moment, so the test cannot flake.

use crate::support::{Site, assert_has, files_below};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const NOW: &str = "2026-12-01 00:00:00";
const KILLS: usize = 32;

type Snapshot = BTreeMap<String, Vec<u8>>;

fn snapshot(dir: &Path) -> Snapshot {
    files_below(dir).into_iter().collect()
}

/// A small deterministic generator (xorshift64*), so the kill schedule is fixed.
struct Schedule(u64);

impl Schedule {
    fn next_fraction(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn sitegen(root: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sitegen"));
    cmd.current_dir(root)
        .env_remove("SOURCE_DATE_EPOCH")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// Builds `root` to completion into `-o out`, returning how long it took.
fn build(root: &Path, out: &str) -> Duration {
    let started = Instant::now();
    let status = sitegen(root)
        .args(["build", "--now", NOW, "-o", out])
        .status()
        .unwrap();
    assert!(status.success(), "a full build failed");
    started.elapsed()
}

#[test]
fn a_killed_build_leaves_the_old_or_the_new_site_never_a_mix() {
    let site = Site::real();
    let root = site.root.clone();
    let old_config = site.read("site.yaml");
    let new_config = old_config.replacen("name: ", "name: 新版", 1);
    assert_ne!(old_config, new_config, "site.yaml has a `name:` line");

    // The two complete sites, built once each into folders of their own.
    site.write("site.yaml", &new_config);
    let duration = build(&root, "new-site");
    let new = snapshot(&root.join("new-site"));
    site.write("site.yaml", &old_config);
    // A build into `public` also prepares the staging folder; time the slower of the two.
    let duration = duration.max(build(&root, "public"));
    let old = snapshot(&root.join("public"));
    assert_ne!(old, new);
    assert!(
        old.len() > 100,
        "the site is big enough to be killed mid-write"
    );

    let mut schedule = Schedule(0x5eed_cafe_f00d_d00d);
    let mut outcomes = (0, 0);
    for kill in 0..KILLS {
        // Build towards whichever site the output does not hold now.
        let output = snapshot(&root.join("public"));
        let holds_old = output == old;
        site.write(
            "site.yaml",
            if holds_old { &new_config } else { &old_config },
        );
        let delay = duration.mul_f64(2.5 * schedule.next_fraction());
        let mut child = sitegen(&root)
            .args(["build", "--now", NOW])
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL; the build may already have finished
        let _ = child.wait();
        let after = snapshot(&root.join("public"));
        if after == old {
            outcomes.0 += 1;
        } else if after == new {
            outcomes.1 += 1;
        } else {
            let differing: Vec<&String> = after
                .keys()
                .chain(old.keys())
                .filter(|k| after.get(*k) != old.get(*k) && after.get(*k) != new.get(*k))
                .take(5)
                .collect();
            panic!(
                "kill {kill} after {delay:?}: the output is neither the old nor the new site \
                 ({} files; first differing: {differing:?})",
                after.len()
            );
        }
    }
    eprintln!(
        "crash test: {KILLS} kills, output was the old site {} times and the new site {} times",
        outcomes.0, outcomes.1
    );

    // The next build succeeds and gives the complete new site; the staging folder it
    // leaves is the complete previous site (with its manifest), kept for reuse.
    site.write("site.yaml", &new_config);
    build(&root, "public");
    assert_eq!(snapshot(&root.join("public")), new);
    let staging = root.join(".public.staging");
    assert!(
        !staging.exists() || staging.join(".sitegen-manifest").exists(),
        "a partial staging folder was left behind"
    );
}

#[test]
fn a_second_build_of_the_same_output_waits_for_the_first() {
    use std::io::{BufRead, BufReader};
    let site = Site::built("basic", NOW);
    let page = "public/aaa/alpha/index.html";
    let before = site.read(page);
    assert!(before.contains("甲城医保局"));
    site.edit("cities/aaa.yaml", "甲城医保局", "甲城医疗保障局");
    // The test stands for a first build still running: it holds the output's lock.
    let lock = fs::File::create(site.path(".public.lock")).unwrap();
    lock.lock().unwrap();
    let mut child = sitegen(&site.root)
        .args(["build", "--now", NOW])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let waiting = loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) if line.contains("waiting for it to finish") => break line,
            Ok(_) => continue,
            Err(e) => panic!("the second build did not say it waits: {e}"),
        }
    };
    assert_has(&waiting, "public");
    // It waits before touching anything.
    assert!(child.try_wait().unwrap().is_none(), "it did not wait");
    assert_eq!(site.read(page), before);
    drop(lock);
    assert!(child.wait().unwrap().success());
    assert_has(&site.read(page), "甲城医疗保障局");
}

/// Everything a build may change: the output folder, its staging folder, the locks and
/// the report folder, as (path below the site, bytes).
fn state(root: &Path) -> Snapshot {
    let mut all = Snapshot::new();
    for dir in ["public", ".public.staging", "public-report"] {
        for (k, v) in snapshot(&root.join(dir)) {
            all.insert(format!("{dir}/{k}"), v);
        }
    }
    for file in ["schedule.lock", "modified.lock"] {
        if let Ok(bytes) = fs::read(root.join(file)) {
            all.insert(file.to_string(), bytes);
        }
    }
    all
}

/// The commit steps a build of `root` passes, in order (`SITEGEN_CRASH_AT=list`); the
/// build runs to completion.
fn commit_steps(root: &Path, now: &str) -> Vec<String> {
    let out = sitegen(root)
        .args(["build", "--now", now])
        .env("SITEGEN_CRASH_AT", "list")
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter_map(|l| l.strip_prefix("sitegen crash point: "))
        .map(String::from)
        .collect()
}

/// After an abort at `step`: the live folder is the old or the new site with no temporary
/// file; the locks read back; the next build gives the new site.
fn check_abort(root: &Path, step: &str, now: &str, old: &Snapshot, new: &Snapshot) {
    let live = snapshot(&root.join("public"));
    let old_live = snapshot_of(old, "public/");
    let new_live = snapshot_of(new, "public/");
    assert!(
        live == old_live || live == new_live,
        "abort at {step}: the output is neither the old nor the new site"
    );
    let temporary: Vec<&String> = live.keys().filter(|k| k.contains(".tmp")).collect();
    assert!(
        temporary.is_empty(),
        "abort at {step}: {temporary:?} in the live folder"
    );
    let status = sitegen(root)
        .args(["build", "--now", now])
        .status()
        .unwrap();
    assert!(status.success(), "abort at {step}: the next build failed");
    assert_eq!(
        snapshot(&root.join("public")),
        new_live,
        "abort at {step}: the next build did not give the new site"
    );
    let beside: Vec<String> = fs::read_dir(root)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(
        beside.is_empty(),
        "abort at {step}: {beside:?} left after the next build"
    );
}

/// The files of `all` below `prefix`, with the prefix removed.
fn snapshot_of(all: &Snapshot, prefix: &str) -> Snapshot {
    all.iter()
        .filter_map(|(k, v)| Some((k.strip_prefix(prefix)?.to_string(), v.clone())))
        .collect()
}

/// Replaces the site at `root` with the copy at `saved`.
fn restore(saved: &Path, root: &Path) {
    fs::remove_dir_all(root).unwrap();
    crate::support::copy_dir(saved, root);
}

#[test]
fn a_build_aborted_at_every_commit_step_leaves_the_old_or_the_new_site() {
    // Two changes: one that swaps a new site in and updates both locks (an edited
    // published article, and a later "now" that publishes more), and one where only the
    // page memo differs (the live folder's own file is replaced without a swap).
    let site = Site::fixture("basic");
    let root = site.root.clone();
    site.build_at("2026-01-05 09:00:00");
    let tmp = tempfile::tempdir().unwrap();
    type Change = fn(&Site);
    let changes: [(&str, Change); 2] = [
        ("swap", |s: &Site| {
            s.edit("cities/aaa.yaml", "甲城医保局", "甲城医疗保障局");
        }),
        ("memo only", |s: &Site| {
            fs::remove_file(s.path("public/.sitegen-pages")).unwrap();
        }),
    ];
    let mut aborted = 0;
    for (name, change) in changes {
        let now = NOW;
        change(&site);
        let saved = tmp.path().join(name.replace(' ', "-"));
        crate::support::copy_dir(&root, &saved);
        let old = state(&root);
        let steps = commit_steps(&root, now);
        let new = state(&root);
        assert_ne!(old, new, "{name}: the build changed nothing");
        assert!(!steps.is_empty(), "{name}: no commit step was listed");
        for step in &steps {
            restore(&saved, &root);
            let out = sitegen(&root)
                .args(["build", "--now", now])
                .env("SITEGEN_CRASH_AT", step)
                .status()
                .unwrap();
            assert!(!out.success(), "{name}: the build did not stop at {step}");
            check_abort(&root, step, now, &old, &new);
            aborted += 1;
        }
        eprintln!(
            "crash test ({name}): aborted at {} steps: {steps:?}",
            steps.len()
        );
    }
    assert!(aborted >= 10, "only {aborted} commit steps");
}

/// The `-v` line saying how the new site went to disk before the swap.
fn flushed(site: &Site, now: &str) -> String {
    let err = site.run(&["build", "-v", "--now", now]).ok().stderr();
    err.lines()
        .find(|l| l.starts_with("sitegen: the new site was flushed to disk"))
        .unwrap_or_else(|| panic!("no flush line:\n{err}"))
        .to_string()
}

#[test]
fn a_rebuild_flushes_only_what_it_changed_a_fresh_staging_folder_flushes_the_file_system() {
    let site = Site::fixture("basic");
    // The first build and the first edit after it fill a fresh staging folder.
    assert_has(
        &flushed(&site, NOW),
        "its whole file system at once (syncfs)",
    );
    site.edit("cities/aaa.yaml", "甲城医保局", "甲城医疗保障局");
    assert_has(
        &flushed(&site, NOW),
        "its whole file system at once (syncfs)",
    );
    // Then the staging folder is the previous site: only the pages that changed, their
    // folders and those above them up to the staging folder are flushed.
    site.edit("cities/aaa.yaml", "甲城医疗保障局", "甲城医保局");
    let line = flushed(&site, NOW);
    let counts: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!(line.ends_with("one by one"), "{line}");
    let (files, folders) = (counts[0], counts[1]);
    let pages = files_below(&site.path("public")).len();
    assert!(files > 0 && files < pages / 2, "{files} of {pages}: {line}");
    assert!(
        folders > 1,
        "the staging folder and the pages' folders: {line}"
    );
    // With the flushes turned off there is nothing to say.
    site.edit("cities/aaa.yaml", "甲城医保局", "甲城医疗保障局");
    let err = site
        .run_env(&["build", "-v", "--now", NOW], &[("SITEGEN_DURABLE", "0")])
        .ok()
        .stderr();
    assert!(!err.contains("flushed to disk"), "{err}");
}
