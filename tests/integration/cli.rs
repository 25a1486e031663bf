//! The command layer: closed pipes, shell completions, `-q`/`-v`, colour and its
//! environment variables, no progress bar off a terminal, help texts that list only what
//! works, and folders that are no site.

use crate::support::{Site, assert_has, repo_root};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const ALL: &str = "2026-01-06 00:00:00";

/// The binary in `dir`, with the environment the tests start from: no colour variables,
/// no SOURCE_DATE_EPOCH, then `env` (an empty value sets the variable to empty).
fn sitegen(dir: &Path, args: &[&str], env: Env) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sitegen"));
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Runs [`sitegen`] to its end.
fn output(dir: &Path, args: &[&str], env: Env) -> Output {
    sitegen(dir, args, env).output().unwrap()
}

/// Environment variables to set.
type Env<'a> = &'a [(&'a str, &'a str)];

/// Which stream has no reader.
#[derive(Clone, Copy, Debug)]
enum Closed {
    Stdout,
    Stderr,
}

/// Makes the `closed` stream of `cmd` a pipe whose reading end is closed before the
/// program starts, so its first write there fails with EPIPE; the other is piped.
fn close(cmd: &mut Command, closed: Closed) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    match closed {
        Closed::Stdout => cmd.stdout(writer).stderr(Stdio::piped()),
        Closed::Stderr => cmd.stderr(writer).stdout(Stdio::piped()),
    };
}

/// Runs `sitegen <args>` with the `closed` stream closed (see [`close`]). Returns the exit
/// code and the other stream's text.
fn with_closed(dir: &Path, args: &[&str], closed: Closed) -> (Option<i32>, String) {
    let mut cmd = sitegen(dir, args, &[("NO_COLOR", "1")]);
    close(&mut cmd, closed);
    let out = cmd.output().unwrap();
    let other = match closed {
        Closed::Stdout => out.stderr,
        Closed::Stderr => out.stdout,
    };
    (
        out.status.code(),
        String::from_utf8_lossy(&other).into_owned(),
    )
}

#[test]
fn a_closed_pipe_ends_every_printing_command_quietly() {
    let site = Site::real();
    let commands: &[&[&str]] = &[
        &["explain", "岳阳", "参保地变更"],
        &["explain", "岳阳", "参保地变更", "--format", "json"],
        &["check", "--format", "json"],
        &["check"],
        &["build", "-o", "out"],
        &["-v", "build", "-o", "out"],
        &["coverage"],
        &["coverage", "--format", "json"],
        &["completions", "bash"],
        &["completions", "zsh"],
        &["new", "topic", "ceshi-NTH"],
        &["new", "city", "测试市NTH", "--slug", "ceshi-NTH"],
        &["--help"],
        &["build", "--help"],
        &["--version"],
    ];
    for (n, args) in commands.iter().enumerate() {
        for closed in [Closed::Stdout, Closed::Stderr] {
            // `new` writes each file once: every run gets its own name.
            let nth = format!("{n}{}", closed as u8);
            let args: Vec<String> = args.iter().map(|a| a.replace("NTH", &nth)).collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (code, other) = with_closed(&site.root, &args, closed);
            assert_eq!(
                code,
                Some(0),
                "sitegen {args:?} with {closed:?} closed\n{other}"
            );
            assert!(!other.contains("panicked"), "{args:?}: {other}");
            if let Closed::Stdout = closed {
                // Only what belongs on stderr is there: no panic, no "broken pipe".
                assert!(!other.to_lowercase().contains("pipe"), "{args:?}: {other}");
            }
        }
    }
}

#[test]
fn a_closed_pipe_keeps_the_exit_code_of_a_site_with_problems() {
    let site = Site::fixture("basic");
    site.write("cities/bbb.yaml", "name: 乙城\nprovnce: 乙省\nslug: bbb\n");
    for args in [
        &["check", "--now", ALL, "--format", "json"][..],
        &["check", "--now", ALL][..],
    ] {
        for closed in [Closed::Stdout, Closed::Stderr] {
            let (code, other) = with_closed(&site.root, args, closed);
            assert_eq!(code, Some(1), "{args:?} {closed:?}\n{other}");
            assert!(!other.contains("panicked"), "{other}");
        }
    }
}

#[test]
fn serve_goes_on_serving_when_stdout_or_stderr_is_closed() {
    for closed in [Closed::Stdout, Closed::Stderr] {
        let site = Site::fixture("basic");
        let mut cmd = sitegen(
            &site.root,
            &["serve", "--port", "0", "--open-browser", "no", "--now", ALL],
            &[("NO_COLOR", "1")],
        );
        close(&mut cmd, closed);
        let mut child = cmd.spawn().unwrap();
        let other: Box<dyn Read + Send> = match closed {
            Closed::Stdout => Box::new(child.stderr.take().unwrap()),
            Closed::Stderr => Box::new(child.stdout.take().unwrap()),
        };
        let mut other = BufReader::new(other);
        let mut log = String::new();
        let mut line = String::new();
        // stderr says `sitegen: serving http://…`, stdout `serving http://…`.
        while !log.contains("serving http://127.0.0.1:") {
            line.clear();
            if other.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            log.push_str(&line);
        }
        // A rebuild prints to stderr again.
        site.edit("cities/aaa.yaml", "甲城", "甲市");
        std::thread::sleep(Duration::from_millis(1500));
        let running = child.try_wait().unwrap().is_none();
        let _ = child.kill();
        let _ = child.wait();
        let mut rest = String::new();
        let _ = other.read_to_string(&mut rest);
        log.push_str(&rest);
        assert!(running, "serve stopped with {closed:?} closed:\n{log}");
        assert_has(&log, "serving http://127.0.0.1:");
        assert!(!log.contains("panicked"), "{log}");
    }
}

#[test]
fn completions_are_generated_for_every_shell() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = output(dir.path(), &["completions", shell], &[]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        assert!(out.stderr.is_empty(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        for word in [
            "build",
            "check",
            "explain",
            "coverage",
            "serve",
            "new",
            "completions",
            "base-url",
            "color",
        ] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
    }
    let out = output(dir.path(), &["completions", "tcsh"], &[]);
    assert_eq!(out.status.code(), Some(2));
}

/// The summary lines of a build of the `basic` fixture.
fn is_summary(line: &str) -> bool {
    line.starts_with("sitegen: built ") || line.starts_with("sitegen: change lists in ")
}

#[test]
fn quiet_silences_the_summary_and_keeps_the_problems() {
    let (site, other) = (Site::fixture("basic"), Site::fixture("basic"));
    let normal = site.run(&["build", "--now", ALL]).ok().stderr();
    let quiet = other.run(&["-q", "build", "--now", ALL]).ok().stderr();
    // The fixture's values have no sources: the warnings stay, the summary goes.
    assert!(quiet.starts_with("warning: "), "{quiet}");
    assert!(!quiet.contains("sitegen: "), "{quiet}");
    let summary = normal
        .strip_prefix(quiet.as_str())
        .unwrap_or_else(|| panic!("{normal}"));
    assert_eq!(
        summary.lines().filter(|l| is_summary(l)).count(),
        2,
        "{summary}"
    );
    assert!(summary.lines().all(is_summary), "{summary}");
    let again = site.run(&["build", "--quiet", "--now", ALL]).ok().stderr();
    assert_eq!(again, quiet);
    let check = site.run(&["check", "-q", "--now", ALL]).ok().stderr();
    assert_eq!(check, quiet);
    assert_eq!(site.run(&["new", "-q", "topic", "ceshi"]).ok().stderr(), "");
    site.write("cities/bbb.yaml", "name: 乙城\nprovnce: 乙省\nslug: bbb\n");
    let err = site
        .run(&["-q", "build", "--now", ALL])
        .fails_with(1)
        .stderr();
    assert!(err.starts_with("error: unknown key `provnce`"), "{err}");
    assert!(
        err.ends_with(
            "\n\nsitegen: build failed with 1 error(s); the output folder was not changed\n"
        ),
        "{err}"
    );
    let (q, v) = (site.run(&["-q", "-v", "build"]), "cannot be used with");
    assert!(q.fails_with(2).stderr().contains(v));
}

#[test]
fn quiet_serve_prints_no_rebuild_lines() {
    let site = Site::fixture("basic");
    let mut child = sitegen(
        &site.root,
        &[
            "-q",
            "serve",
            "--port",
            "0",
            "--open-browser",
            "no",
            "--now",
            ALL,
        ],
        &[("NO_COLOR", "1")],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    site.edit("cities/aaa.yaml", "甲城", "甲市");
    std::thread::sleep(Duration::from_millis(1500));
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(first.starts_with("serving http://127.0.0.1:"), "{first}");
    // The fixture's warnings stay; no `sitegen: built/rebuilt/serving` line.
    assert!(err.starts_with("warning: "), "{err}");
    assert!(!err.contains("sitegen: "), "{err}");
}

#[test]
fn verbose_adds_stage_timings_and_the_pages_written() {
    let site = Site::fixture("basic");
    let err = site.run(&["build", "-v", "--now", ALL]).ok().stderr();
    for stage in ["load", "plan", "render", "commit"] {
        assert_has(&err, &format!("sitegen: timing {stage:<10}"));
    }
    assert!(
        err.contains("sitegen: added https://") && err.contains("/aaa/alpha/"),
        "{err}"
    );
    let again = site.run(&["build", "-v", "--now", ALL]).ok().stderr();
    assert!(!again.contains("sitegen: added"), "{again}");
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    // The real site at one thread takes more than the bar's one-second delay.
    let site = Site::real();
    for env in [&[][..], &[("CLICOLOR_FORCE", "1")][..]] {
        let out = output(
            &site.root,
            &["build", "--render-all", "-j", "1", "-o", "out"],
            env,
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{err}");
        assert!(!err.contains('\x1b') && !err.contains('\r'), "{err:?}");
        assert!(!err.contains(" pages, "), "{err}");
        assert!(err.lines().all(is_summary), "{err}");
    }
}

/// The diagnostic for a folder that is no site, as `build` prints it without colour.
const NO_SITE: &str = "error: the current folder is not a sitegen site: it has no site.yaml, topics/ or cities/
--> .
 |
help: run sitegen in the site's folder (the one holding site.yaml, topics/ and cities/), or name it with --root DIR

";

/// The same, coloured (annotate-snippets' styles).
const NO_SITE_COLOURED: &str = "\x1b[1m\x1b[91merror\x1b[0m\x1b[1m: the current folder is not a sitegen site: it has no site.yaml, topics/ or cities/\x1b[0m
\x1b[1m\x1b[94m--> \x1b[0m.
 \x1b[1m\x1b[94m|\x1b[0m
\x1b[1m\x1b[96mhelp\x1b[0m: run sitegen in the site's folder (the one holding site.yaml, topics/ and cities/), or name it with --root DIR

";

#[test]
fn colour_follows_no_color_clicolor_force_and_the_color_flag() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], Env, bool)] = &[
        (&[], &[], false),
        (&[], &[("NO_COLOR", "1")], false),
        // An empty NO_COLOR does not count (no-color.org).
        (&[], &[("NO_COLOR", ""), ("CLICOLOR_FORCE", "1")], true),
        (&[], &[("CLICOLOR_FORCE", "1")], true),
        (&[], &[("CLICOLOR_FORCE", "0")], false),
        (&[], &[("CLICOLOR_FORCE", "")], false),
        (&[], &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")], false),
        (&["--color", "always"], &[("NO_COLOR", "1")], true),
        (&["--color=never"], &[("CLICOLOR_FORCE", "1")], false),
        (&["--color", "auto"], &[("CLICOLOR_FORCE", "1")], true),
    ];
    for (flags, env, coloured) in cases {
        let mut args = flags.to_vec();
        args.push("build");
        let out = output(dir.path(), &args, env);
        assert_eq!(out.status.code(), Some(2));
        let want = if *coloured { NO_SITE_COLOURED } else { NO_SITE };
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            want,
            "{flags:?} {env:?}"
        );
    }
}

#[test]
fn coloured_diagnostics_with_source_lines_differ_only_by_styles() {
    let site = Site::fixture("basic");
    site.write("cities/bbb.yaml", "name: 乙城\nprovnce: 乙省\nslug: bbb\n");
    let run = |env: &[(&str, &str)]| {
        let out = output(&site.root, &["check", "--now", ALL], env);
        assert_eq!(out.status.code(), Some(1));
        String::from_utf8(out.stderr).unwrap()
    };
    let plain = run(&[("NO_COLOR", "1")]);
    let coloured = run(&[("CLICOLOR_FORCE", "1")]);
    assert!(!plain.contains('\x1b'), "{plain}");
    assert_has(&coloured, "\x1b[");
    assert_eq!(strip_styles(&coloured), plain);
    assert_has(&plain, "cities/bbb.yaml:2:1");
}

/// `text` without its `ESC [ … m` sequences.
fn strip_styles(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("\x1b[") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find('m').map_or(rest.len(), |j| i + j + 1);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn serve_help_lists_only_what_serve_takes() {
    let dir = tempfile::tempdir().unwrap();
    let help = |cmd: &str| {
        let out = output(dir.path(), &[cmd, "--help"], &[]);
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    let serve = help("serve");
    assert!(!serve.contains("--base-url"), "{serve}");
    for option in [
        "--port",
        "--root",
        "--now",
        "--color",
        "--quiet",
        "--verbose",
    ] {
        assert!(serve.contains(option), "serve --help lacks {option}");
    }
    for cmd in ["build", "check", "explain"] {
        assert!(help(cmd).contains("--base-url"), "{cmd} --help");
    }
    let out = output(dir.path(), &["serve", "--base-url", "https://x.org/"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unexpected argument '--base-url'"));
}

#[test]
fn commands_refuse_a_folder_that_is_no_site() {
    let dir = tempfile::tempdir().unwrap();
    // Files of another kind do not make a site.
    std::fs::write(dir.path().join("README.md"), "# notes\n").unwrap();
    std::fs::create_dir(dir.path().join("templates")).unwrap();
    let commands: &[&[&str]] = &[
        &["build"],
        &["check"],
        &["check", "--format", "json"],
        &["explain", "岳阳", "参保地变更"],
        &["coverage"],
        &["serve", "--port", "0", "--open-browser", "no"],
    ];
    for args in commands {
        let mut child = sitegen(dir.path(), args, &[("NO_COLOR", "1")])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let stopped = child.try_wait().unwrap().is_some();
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        assert!(stopped, "{args:?} started in a folder that is no site");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), NO_SITE, "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(!dir.path().join("public").exists());
    }
    let out = output(
        dir.path(),
        &["build", "--root", "no-such-folder"],
        &[("NO_COLOR", "1")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: `no-such-folder` is not a folder\n--> --root\n |\n\
         help: run sitegen in the site's folder (the one holding site.yaml, topics/ and \
         cities/), or name it with --root DIR\n\n"
    );
    // The repository itself is a site: --root finds it from anywhere.
    let root = repo_root();
    let out = output(
        dir.path(),
        &[
            "explain",
            "岳阳",
            "参保地变更",
            "--root",
            root.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn source_date_epoch_out_of_range_is_a_usage_error() {
    let site = Site::fixture("basic");
    for (value, what) in [
        ("-1", "outside the years 1970 to 9999"),
        ("253402300800", "outside the years 1970 to 9999"),
        ("soon", "not a whole number of seconds"),
    ] {
        let err = site
            .run_env(&["build"], &[("SOURCE_DATE_EPOCH", value)])
            .fails_with(2)
            .stderr();
        assert_eq!(
            err,
            format!(
                "error: SOURCE_DATE_EPOCH is `{value}`, {what}\n--> SOURCE_DATE_EPOCH\n |\n\
                 help: set it to the seconds since 1970-01-01 00:00 UTC (e.g. `1767573600`), \
                 or unset it; --now overrides it\n\n"
            )
        );
        assert!(!site.exists("public"));
    }
    // The last second of 9999 is taken.
    site.run_env(&["build"], &[("SOURCE_DATE_EPOCH", "253402300799")])
        .ok();
}
