//! The hostile-input corpus: every case under `tests/corpus/<case>/` is applied to a freshly
//! built copy of the `basic` fixture, then `sitegen build` and `sitegen check` run on it.
//!
//! A case folder holds files laid over the site (same relative paths) and an `expect.txt`:
//!
//! ```text
//! # one line saying what the case is
//! exit: 1                     # the documented exit code (0, 1 or 2)
//! check_exit: 0               # `sitegen check`'s exit code when it differs
//! file: cities/aaa.yaml       # stderr must name this file …
//! line: 3                     # … at this line (`file:line`), when the parser knows it
//! message: duplicate          # stderr must contain each `message:` fragment
//! output: unchanged           # unchanged | changed | any (default: unchanged)
//! args: --strict              # extra arguments for build and check
//! build_args: -o out          # extra arguments for build only
//! remove: cities/bbb.yaml     # actions applied after the files are laid over:
//! symlink: cities/loop -> ..  #   symbolic link (path -> target)
//! fill: cities/big.yaml 52428800        # a file of N bytes of YAML comments
//! long_line: cities/aaa.yaml 2000000    # appends `  long: "xxx…"` (N chars) to a file
//! repeat_line: topics/d.md 200000 文字  # appends one line of the text repeated N times
//! many_values: cities/bbb.yaml 20000   # appends N lines `  vN: "值N"` (end with `values:`)
//! unreadable: cities/aaa.yaml           # chmod 000 (skipped, with a message, as root)
//! as_dir: site.yaml                     # replace a file by a folder (unreadable as root too)
//! create: static/a\x0ab.css             # an empty file whose name has `\xHH` bytes in it
//! env: SOURCE_DATE_EPOCH=253402300800   # an environment variable for build and check
//! explain: aaa alpha                    # also run `sitegen explain aaa alpha` (exit 0)
//! rebuild: 0                            # build once more after the case's build (exit 0):
//!                                       #   what a build wrote must read back
//! rebuild_message: (0 rendered           # the next build's stderr must contain this (e.g.
//!                                       #   every page taken from the page memo)
//! ```
//!
//! `HOSTILE_SHOW=<part of a case name> cargo test hostile -- --nocapture` prints what
//! sitegen said for the matching cases.
//!
//! Every case asserts: no panic (no "panicked", exit code never 101, no signal), the exit
//! code, the file (and line) in the message, no raw control character in what sitegen
//! prints (a terminal would obey it), no temporary file left in the site or its output,
//! and the previous output folder byte-identical after a failed build. After a build that
//! succeeded, every XML file of the output (feeds, sitemaps) must parse and every datetime
//! in it be RFC 3339: what a build writes reads back. All failures are collected and
//! reported together.

use crate::support::{Site, assert_has, copy_dir, files_below, repo_root};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const NOW: &str = "2026-01-06 00:00:00";
/// A safety net so a hanging case fails instead of blocking the test run; never reached
/// by a passing case (each takes well under a second).
const CASE_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Default, Debug)]
struct Expect {
    exit: i32,
    check_exit: Option<i32>,
    file: Option<String>,
    line: Option<u32>,
    messages: Vec<String>,
    output: Option<String>,
    args: Vec<String>,
    build_args: Vec<String>,
    env: Vec<(String, String)>,
    explain: Option<Vec<String>>,
    rebuild: Option<i32>,
    rebuild_messages: Vec<String>,
    actions: Vec<(String, String)>,
}

impl Expect {
    /// Whether the runs get `--now NOW` (not when the case sets `--now` or
    /// `SOURCE_DATE_EPOCH` itself: `--now` would take precedence over the variable).
    fn needs_now(&self) -> bool {
        !self.args.iter().any(|a| a.starts_with("--now"))
            && !self.env.iter().any(|(k, _)| k == "SOURCE_DATE_EPOCH")
    }
}

fn parse_expect(case: &str, text: &str) -> Expect {
    let mut e = Expect {
        exit: -1,
        ..Expect::default()
    };
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("{case}/expect.txt: `{line}` is not `key: value`"));
        let value = value.trim().to_string();
        match key.trim() {
            "exit" => e.exit = value.parse().expect("exit code"),
            "check_exit" => e.check_exit = Some(value.parse().expect("exit code")),
            "file" => e.file = Some(value),
            "line" => e.line = Some(value.parse().expect("line number")),
            "message" => e.messages.push(value),
            "output" => e.output = Some(value),
            "args" => e.args = value.split_whitespace().map(String::from).collect(),
            "build_args" => e.build_args = value.split_whitespace().map(String::from).collect(),
            "env" => {
                let (k, v) = value.split_once('=').expect("env: NAME=value");
                e.env.push((k.to_string(), v.to_string()));
            }
            "explain" => e.explain = Some(value.split_whitespace().map(String::from).collect()),
            "rebuild" => e.rebuild = Some(value.parse().expect("exit code")),
            "rebuild_message" => e.rebuild_messages.push(value),
            action => e.actions.push((action.to_string(), value)),
        }
    }
    assert!(e.exit >= 0, "{case}/expect.txt has no `exit:`");
    e
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Applies one action; `Err` is a reason to skip the case on this machine.
fn apply(root: &Path, action: &str, value: &str) -> Result<(), String> {
    let mut parts = value.split_whitespace();
    let rel = parts.next().expect("action path");
    let path = root.join(rel);
    let append = |more: String| {
        let text = fs::read_to_string(&path).unwrap() + &more;
        fs::write(&path, text).unwrap();
    };
    match action {
        "remove" => {
            if path.is_dir() {
                fs::remove_dir_all(&path).unwrap();
            } else {
                fs::remove_file(&path).unwrap();
            }
        }
        "symlink" => {
            let target = value.split_once("->").expect("symlink: path -> target").1;
            let link = root.join(value.split_once("->").unwrap().0.trim());
            fs::create_dir_all(link.parent().unwrap()).unwrap();
            std::os::unix::fs::symlink(target.trim(), &link).unwrap();
        }
        "fill" => {
            let size: usize = parts.next().expect("fill size").parse().unwrap();
            let line = "# padding: this file is far larger than any real input file\n";
            let mut text = String::from("name: 大城\nslug: big\n");
            while text.len() < size {
                text.push_str(line);
            }
            fs::write(&path, text).unwrap();
        }
        "long_line" => {
            let len: usize = parts.next().expect("long_line length").parse().unwrap();
            append(format!("  long: \"{}\"\n", "长".repeat(len / 3)));
        }
        "repeat_line" => {
            let times: usize = parts.next().expect("repeat_line count").parse().unwrap();
            let unit = parts.next().expect("repeat_line text");
            append(format!("{}\n", unit.repeat(times)));
        }
        "many_values" => {
            let count: usize = parts.next().expect("many_values count").parse().unwrap();
            append((0..count).map(|i| format!("  v{i}: \"值{i}\"\n")).collect());
        }
        "unreadable" => {
            if is_root() {
                return Err("running as root, where chmod 000 does not stop reading".into());
            }
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
        }
        "as_dir" => {
            fs::remove_file(&path).unwrap();
            fs::create_dir_all(path.join("inside")).unwrap();
        }
        "create" => {
            use std::os::unix::ffi::OsStrExt;
            let path = root.join(std::ffi::OsStr::from_bytes(&unescape(rel)));
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, b"").unwrap();
        }
        other => panic!("unknown action `{other}`"),
    }
    Ok(())
}

/// `text` with each `\xHH` turned into that byte.
fn unescape(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"\\x") && i + 4 <= bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 2..i + 4]).unwrap();
            out.push(u8::from_str_radix(hex, 16).expect("\\xHH"));
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// What a successful build wrote must read back: every XML file parses, every datetime in
/// the output is RFC 3339.
fn unreadable_output(dir: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    crate::datetimes::check_output(dir, &mut problems);
    for entry in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.path().extension().is_some_and(|e| e == "xml") {
            let text = fs::read_to_string(entry.path()).unwrap_or_default();
            if let Err(e) = roxmltree::Document::parse(&text) {
                problems.push(format!(
                    "{} is not well-formed XML: {e}",
                    entry.path().display()
                ));
            }
        }
    }
    problems
}

struct Outcome {
    code: Option<i32>,
    stderr: String,
    stdout: String,
}

/// Reads a child's pipe to the end on a thread (lossily: bytes are what is checked).
fn drain(pipe: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let mut r = std::io::BufReader::new(pipe);
        let _ = std::io::Read::read_to_end(&mut r, &mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Runs the binary with a time limit (a hang is a failure, not a stuck test run).
fn run(root: &Path, args: &[String], env: &[(String, String)]) -> Outcome {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sitegen"))
        .args(args)
        .current_dir(root)
        .env_remove("SOURCE_DATE_EPOCH")
        .env("NO_COLOR", "1")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let reader = drain(child.stderr.take().unwrap());
    let out_reader = drain(child.stdout.take().unwrap());
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if started.elapsed() > CASE_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stderr = reader.join().unwrap();
    let stdout = out_reader.join().unwrap();
    Outcome {
        code: status.and_then(|s| s.code()),
        stdout,
        stderr: match status {
            Some(s) if s.code().is_none() => format!("killed by a signal ({s})\n{stderr}"),
            None => format!("timed out after {CASE_TIMEOUT:?}\n{stderr}"),
            _ => stderr,
        },
    }
}

/// The first raw control character (other than line feed and tab) in `text`, if any.
fn raw_control(text: &str) -> Option<char> {
    text.chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\t'))
}

/// Temporary files (a `.tmp` name, or tempfile's `.tmp…` names) anywhere under `dir`.
fn temporary_files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy();
            name.ends_with(".tmp") || name.starts_with(".tmp") || name.contains(".tmp.")
        })
        .map(|e| e.path().to_path_buf())
        .collect()
}

fn names_place(stderr: &str, file: &str, line: Option<u32>) -> bool {
    match line {
        None => stderr.contains(file),
        Some(n) => {
            let place = format!("{file}:{n}");
            stderr
                .match_indices(&place)
                .any(|(i, _)| !stderr[i + place.len()..].starts_with(|c: char| c.is_ascii_digit()))
        }
    }
}

/// Runs one case; returns the problems found (empty when it passed) or a skip reason.
fn check_case(base: &Path, case_dir: &Path) -> Result<Vec<String>, String> {
    let case = case_dir.file_name().unwrap().to_string_lossy().into_owned();
    let expect = parse_expect(
        &case,
        &fs::read_to_string(case_dir.join("expect.txt")).unwrap(),
    );
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    copy_dir(base, &root);
    let before = files_below(&root.join("public"));
    for entry in walkdir::WalkDir::new(case_dir).min_depth(1) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(case_dir).unwrap();
        if rel == Path::new("expect.txt") || entry.file_type().is_dir() {
            continue;
        }
        let target = root.join(rel);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::copy(entry.path(), &target).unwrap();
    }
    for (action, value) in &expect.actions {
        apply(&root, action, value)?;
    }
    let mut problems = Vec::new();
    for command in ["build", "check"] {
        let mut args = vec![command.to_string()];
        if expect.needs_now() {
            args.extend(["--now".to_string(), NOW.to_string()]);
        }
        args.extend(expect.args.iter().cloned());
        if command == "build" {
            args.extend(expect.build_args.iter().cloned());
        }
        let out = run(&root, &args, &expect.env);
        if std::env::var("HOSTILE_SHOW").is_ok_and(|s| case.contains(&s)) {
            eprintln!("[{case}] {command} → {:?}\n{}", out.code, out.stderr);
        }
        let say = |what: String| format!("{command}: {what}\n--- stderr ---\n{}", out.stderr);
        if out.stderr.contains("panicked") || out.code == Some(101) || out.code.is_none() {
            problems.push(say("crashed".into()));
            continue;
        }
        if let Some(c) = raw_control(&out.stderr) {
            problems.push(say(format!("printed a raw control character {c:?}")));
        }
        let wanted = match command {
            "check" => expect.check_exit.unwrap_or(expect.exit),
            _ => expect.exit,
        };
        if out.code != Some(wanted) {
            problems.push(say(format!("exit code {:?}, expected {wanted}", out.code)));
        }
        if wanted == 0 {
            if command == "build" {
                problems.extend(unreadable_output(&root.join("public")).into_iter().map(say));
            }
            continue;
        }
        if let Some(file) = &expect.file
            && !names_place(&out.stderr, file, expect.line)
        {
            problems.push(say(format!(
                "the message does not name {file}{}",
                expect.line.map(|l| format!(":{l}")).unwrap_or_default()
            )));
        }
        for m in &expect.messages {
            if !out.stderr.contains(m.as_str()) {
                problems.push(say(format!("the message lacks `{m}`")));
            }
        }
    }
    let after = files_below(&root.join("public"));
    if let Some(explain) = &expect.explain {
        let mut args = vec!["explain".to_string()];
        args.extend(explain.iter().cloned());
        let out = run(&root, &args, &expect.env);
        if out.code != Some(0) {
            problems.push(format!("explain: exit code {:?}\n{}", out.code, out.stderr));
        }
        if let Some(c) = raw_control(&out.stdout).or_else(|| raw_control(&out.stderr)) {
            problems.push(format!("explain printed a raw control character {c:?}"));
        }
    }
    if let Some(wanted) = expect.rebuild {
        let mut args = vec!["build".to_string()];
        if expect.needs_now() {
            args.extend(["--now".to_string(), NOW.to_string()]);
        }
        args.extend(expect.args.iter().cloned());
        args.extend(expect.build_args.iter().cloned());
        let out = run(&root, &args, &expect.env);
        if out.code != Some(wanted) {
            problems.push(format!(
                "the next build: exit code {:?}, expected {wanted}\n{}",
                out.code, out.stderr
            ));
        }
        for m in &expect.rebuild_messages {
            if !out.stderr.contains(m.as_str()) {
                problems.push(format!(
                    "the next build's message lacks `{m}`\n{}",
                    out.stderr
                ));
            }
        }
    }
    let leftovers = temporary_files(&root);
    if !leftovers.is_empty() {
        problems.push(format!("temporary files were left: {leftovers:?}"));
    }
    let output =
        expect
            .output
            .as_deref()
            .unwrap_or(if expect.exit == 0 { "any" } else { "unchanged" });
    // A build that succeeds records the input's bytes in the run memo: a case that builds
    // the same site from other bytes (a BOM, CRLF) changes that record and nothing else.
    let site_files = |files: &[(String, Vec<u8>)]| -> Vec<(String, Vec<u8>)> {
        let memo = |p: &str| expect.exit == 0 && p == ".sitegen-run";
        files.iter().filter(|(p, _)| !memo(p)).cloned().collect()
    };
    let (before, after) = (site_files(&before), site_files(&after));
    match output {
        "unchanged" if after != before => {
            problems.push("the output folder changed".into());
        }
        "changed" if after == before => {
            problems.push("the output folder did not change".into());
        }
        "unchanged" | "changed" | "any" => {}
        other => panic!("{case}: unknown output expectation `{other}`"),
    }
    // A successful build keeps the previous site as the next build's staging folder, with
    // its manifest; a partial one (no manifest) must never be left behind.
    let staging = root.join(".public.staging");
    if staging.exists() && !staging.join(".sitegen-manifest").exists() {
        problems.push("a partial staging folder was left behind".into());
    }
    // Make everything removable again for the temporary folder's cleanup.
    for (action, value) in &expect.actions {
        if action == "unreadable" {
            use std::os::unix::fs::PermissionsExt;
            let _ = fs::set_permissions(root.join(value), fs::Permissions::from_mode(0o644));
        }
    }
    Ok(problems)
}

/// The corpus cases, sorted by name.
fn cases() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(repo_root().join("tests/corpus"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expect.txt").exists())
        .collect();
    out.sort();
    out
}

#[test]
fn corpus_never_panics_and_never_touches_the_previous_output() {
    let base = Site::fixture("basic");
    base.build_at(NOW);
    let cases = cases();
    assert!(cases.len() >= 60, "the corpus has {} cases", cases.len());
    let mut failures = Vec::new();
    let mut skipped = 0;
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        match check_case(&base.root, case) {
            Ok(problems) => {
                for p in problems {
                    failures.push(format!("[{name}] {p}"));
                }
            }
            Err(why) => {
                skipped += 1;
                eprintln!("skipping corpus case {name}: {why}");
            }
        }
    }
    eprintln!(
        "hostile corpus: {} cases, {} failures, {skipped} skipped",
        cases.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `-o` naming a symbolic link to a web root: the link stays a link over several builds,
/// the web root holds each new site, and the staging folder sits beside the web root.
#[test]
fn hostile_output_symlink_is_kept_and_the_swap_happens_behind_it() {
    let site = Site::fixture("basic");
    let web = site.root.parent().unwrap().join("www/site");
    fs::create_dir_all(&web).unwrap();
    std::os::unix::fs::symlink(&web, site.path("web")).unwrap();
    for (i, office) in ["甲城医保局", "甲城医疗保障局"].iter().enumerate() {
        if i > 0 {
            site.edit("cities/aaa.yaml", "甲城医保局", office);
        }
        site.run(&["build", "--now", NOW, "-o", "web"]).ok();
        let link = fs::symlink_metadata(site.path("web")).unwrap();
        assert!(link.file_type().is_symlink(), "build {i} replaced the link");
        let page = fs::read_to_string(web.join("aaa/alpha/index.html")).unwrap();
        assert!(
            page.contains(office),
            "build {i}: the web root lacks the new site"
        );
    }
    assert!(web.parent().unwrap().join(".site.staging").is_dir());
}

/// An output folder that is a mount point is refused before rendering, with a hint, and
/// left as it was (skipped where tmpfs cannot be mounted).
#[test]
fn hostile_output_mount_point_is_refused_before_rendering() {
    struct Mounted(PathBuf);
    impl Drop for Mounted {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let site = Site::fixture("basic");
    let mnt = site.path("public");
    fs::create_dir_all(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "none"])
        .arg(&mnt)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipping: cannot mount a tmpfs here");
        return;
    }
    let _guard = Mounted(mnt.clone());
    let run = site.run(&["build", "--now", NOW]).fails_with(1);
    let stderr = run.stderr();
    assert_has(&stderr, "mount point");
    assert_has(&stderr, "help:");
    assert_eq!(
        fs::read_dir(&mnt).unwrap().count(),
        0,
        "the mount was written to"
    );
    assert!(!site.exists(".public.staging"), "a staging folder was left");
}
