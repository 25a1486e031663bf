//! Test harness: copies a fixture site to a temporary folder, runs the real binary on it,
//! and reads the output.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where the real site's templates and static files live).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A site in a temporary folder.
pub struct Site {
    _tmp: tempfile::TempDir,
    pub root: PathBuf,
}

/// The result of one run of the binary.
pub struct Run {
    pub output: Output,
}

impl Run {
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    /// Asserts exit code 0 and returns self.
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code(),
            0,
            "expected success\nstderr:\n{}\nstdout:\n{}",
            self.stderr(),
            self.stdout()
        );
        self
    }
    /// Asserts the given exit code and returns self.
    pub fn fails_with(self, code: i32) -> Self {
        assert_eq!(
            self.code(),
            code,
            "unexpected exit code\nstderr:\n{}",
            self.stderr()
        );
        assert!(
            !self.stderr().contains("panicked"),
            "panic:\n{}",
            self.stderr()
        );
        self
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

impl Site {
    /// Copies `tests/fixtures/<name>` to a temporary folder, with the repository's
    /// templates/ and static/ beneath it: a fixture's own file there (a broken layout)
    /// replaces the repository's file of that name.
    pub fn fixture(name: &str) -> Site {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        for shared in ["templates", "static"] {
            copy_dir(&repo_root().join(shared), &root.join(shared));
        }
        copy_dir(&repo_root().join("tests/fixtures").join(name), &root);
        Site { _tmp: tmp, root }
    }

    /// The real site of this repository (without its build output).
    pub fn real() -> Site {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        for part in ["templates", "static", "topics", "cities"] {
            copy_dir(&repo_root().join(part), &root.join(part));
        }
        for file in ["site.yaml", "schedule.lock", "modified.lock"] {
            if repo_root().join(file).exists() {
                fs::copy(repo_root().join(file), root.join(file)).unwrap();
            }
        }
        Site { _tmp: tmp, root }
    }

    /// Runs `sitegen <args>` in the site folder.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    /// Runs `sitegen <args>` with extra environment variables.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sitegen"));
        cmd.args(args)
            .current_dir(&self.root)
            .env_remove("SOURCE_DATE_EPOCH")
            .env("NO_COLOR", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        Run {
            output: cmd.output().unwrap(),
        }
    }

    /// Copies `tests/fixtures/<name>` (see [`Site::fixture`]) and builds it at `now`.
    pub fn built(name: &str, now: &str) -> Site {
        let site = Site::fixture(name);
        site.build_at(now);
        site
    }

    /// `sitegen build --now <now>`, asserting success.
    pub fn build_at(&self, now: &str) -> Run {
        self.run(&["build", "--now", now]).ok()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    /// Replaces every `from` (which must be there) by `to` in the site file `rel`.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} has no `{from}`");
        self.write(rel, &text.replace(from, to));
    }

    /// Adds `more` at the end of the site file `rel`.
    pub fn append(&self, rel: &str, more: &str) {
        let text = self.read(rel);
        self.write(rel, &(text + more));
    }

    /// Article ids (`city/topic`) after `now` according to schedule.lock.
    pub fn future_ids(&self, now: &str) -> Vec<String> {
        self.read("schedule.lock")
            .lines()
            .filter(|l| !l.starts_with('#') && l[..19] > *now)
            .map(|l| l.split(' ').nth(2).unwrap().to_string())
            .collect()
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.path(rel).exists()
    }

    /// Every file below `dir` with its bytes, sorted by path (see [`files_below`]).
    pub fn snapshot(&self, dir: &str) -> Vec<(String, Vec<u8>)> {
        files_below(&self.path(dir))
    }
}

/// Every file below `dir` (symbolic links are not followed) with its bytes, sorted by
/// path; nothing when `dir` does not exist.
pub fn files_below(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            (
                rel.to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// The number before `word` (` pages`, ` rendered`, ` written`) in the summary line of a
/// build's `stderr`.
pub fn summary_count(stderr: &str, word: &str) -> usize {
    let summary = stderr
        .lines()
        .find(|l| l.starts_with("sitegen: built"))
        .unwrap_or_else(|| panic!("no summary: {stderr}"));
    let before = summary.split(word).next().unwrap().trim_end();
    let digits = before.rsplit([' ', '(']).next().unwrap();
    digits.parse().unwrap_or_else(|_| panic!("{summary}"))
}

/// Asserts that `text` contains `part`, showing all of `text` when it does not.
#[track_caller]
pub fn assert_has(text: &str, part: &str) {
    assert!(text.contains(part), "no `{part}` in:\n{text}");
}

/// The text between the first `start` and the following `end` in `html`.
pub fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("`{start}` not found"))
        + start.len();
    let to = html[from..]
        .find(end)
        .map(|i| from + i)
        .unwrap_or(html.len());
    &html[from..to]
}

/// All `href="…"` values in `html`.
pub fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

/// The file stems (slugs) of the files in `dir`, sorted.
pub fn stems(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    out.sort();
    out
}

/// The output file a root-relative link path (`a/b/`, ``, `x.xml`) is served from.
pub fn served_file(rest: &str) -> String {
    // `cities/#p-hunan`: the fragment names a place in the page, not a file.
    let rest = rest.split('#').next().unwrap_or(rest);
    if rest.is_empty() || rest.ends_with('/') {
        format!("public/{rest}index.html")
    } else {
        format!("public/{rest}")
    }
}

/// `html` with its tags left out (`<span class="nw">岳阳</span>` → `岳阳`).
pub fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}
