//! `sitegen serve`: builds the site into memory, serves it on 127.0.0.1, and rebuilds what
//! a change affects whenever an input file changes, reloading open pages.
//!
//! Threads: the caller's thread runs the watch → rebuild loop; [`net`] serves HTTP on
//! threads of its own, all started before the first request. They share a
//! [`state::State`]. Nothing is written to the site folder.

pub mod http;
pub mod net;
pub(crate) mod path;
pub(crate) mod reload;
pub mod state;
pub(crate) mod watch;

use crate::diag::{Diagnostics, render_human, stderr_color};
use crate::load::ChangeKind;
use crate::pipeline::{BuildOptions, Rebuilt, Session};
use state::State;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Checked options of `sitegen serve`.
#[derive(Debug, Clone)]
pub(crate) struct ServeOptions {
    pub(crate) build: BuildOptions,
    /// 0 picks a free port.
    pub(crate) port: u16,
    pub(crate) open_browser: bool,
    /// `-q`: no line per rebuild, only problems.
    pub(crate) quiet: bool,
}

/// Runs the server until the process is stopped. `Err` when it cannot start.
pub(crate) fn run(mut opts: ServeOptions) -> Result<(), String> {
    let root = opts.build.root.canonicalize().map_err(|e| {
        format!(
            "cannot open the site folder {}: {e}",
            opts.build.root.display()
        )
    })?;
    opts.build.root = root.clone();
    let listener = net::Listener::bind(opts.port)?;
    let url = format!("{}/", listener.local().origin());
    // Links and canonical URLs point at this server, so every link works in the preview.
    opts.build.base_url = Some(url.clone());

    // Watch before the first build, so a change made while it runs is not lost.
    let mut watcher = watch::Watcher::start(&root)?;
    let mut rebuilder = Rebuilder {
        session: Session::new(opts.build.clone()),
        state: Arc::new(State::default()),
        root: root.clone(),
        shown: HashSet::new(),
        quiet: opts.quiet,
    };
    rebuilder.rebuild(&[]);

    listener.start(rebuilder.state.clone(), opts.build.clone())?;
    // Not `println!`, which panics when stdout is closed; the URL is on stderr too.
    let _ = writeln!(std::io::stdout(), "serving {url}");
    if !opts.quiet {
        say!(
            "sitegen: serving {url} (watching {}; Ctrl-C stops)",
            root.display()
        );
    }
    if opts.open_browser {
        open_browser(&url);
    }
    while let Some(changes) = watcher.next_changes() {
        rebuilder.session.apply(&changes);
        rebuilder.rebuild(&changes);
    }
    Err("the file watcher stopped".into())
}

/// The watch loop's state: the session, what the server shows, and the warnings already
/// printed (each is printed once, not on every rebuild).
struct Rebuilder {
    session: Session,
    state: Arc<State>,
    root: PathBuf,
    shown: HashSet<String>,
    quiet: bool,
}

impl Rebuilder {
    /// Rebuilds, publishes the result and reports it on the terminal.
    fn rebuild(&mut self, changes: &[ChangeKind]) {
        let started = Instant::now();
        let outcome = self.session.rebuild();
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let what = describe(changes, &self.root);
        match outcome {
            Ok(Rebuilt {
                files,
                articles,
                rendered,
                reused,
                warnings,
            }) => {
                let warnings = Diagnostics::from_iter(warnings).prepared(&self.root);
                let texts: HashSet<String> =
                    warnings.iter().map(|d| render_human(d, false)).collect();
                let color = stderr_color();
                for d in &warnings {
                    if !self.shown.contains(&render_human(d, false)) {
                        say!("{}\n", render_human(d, color));
                    }
                }
                self.shown = texts;
                self.state.publish_site(files);
                if self.quiet {
                    return;
                }
                say!(
                    "sitegen: {} in {ms:.1} ms{what}: {articles} articles; {rendered} pages rendered, {reused} unchanged; {} warning(s)",
                    if changes.is_empty() {
                        "built"
                    } else {
                        "rebuilt"
                    },
                    warnings.len(),
                );
            }
            Err(problems) => {
                let problems = problems.prepared(&self.root);
                let errors = problems.iter().filter(|d| d.is_error()).count();
                let color = stderr_color();
                for d in &problems {
                    say!("{}\n", render_human(d, color));
                }
                // Shown again once the site builds: they may still hold.
                self.shown.clear();
                self.state.publish_problems(problems);
                say!(
                    "sitegen: rebuild failed{what} with {errors} error(s) in {ms:.1} ms; still serving the last good site"
                );
            }
        }
    }
}

/// ` after cities/yueyang.yaml, templates/` for the terminal line.
fn describe(changes: &[ChangeKind], root: &Path) -> String {
    if changes.is_empty() {
        return String::new();
    }
    let names: Vec<String> = changes
        .iter()
        .map(|c| match c {
            ChangeKind::Site => "site.yaml".into(),
            ChangeKind::Lock => "schedule.lock".into(),
            ChangeKind::Modified => "modified.lock".into(),
            ChangeKind::Templates => "templates/".into(),
            ChangeKind::Statics => "static/".into(),
            ChangeKind::AllTopics => "topics/".into(),
            ChangeKind::AllCities => "cities/".into(),
            ChangeKind::Topic(p) | ChangeKind::City(p) => {
                p.strip_prefix(root).unwrap_or(p).display().to_string()
            }
        })
        .collect();
    format!(" after {}", names.join(", "))
}

/// Opens `url` in the desktop's browser; failing to is not an error.
fn open_browser(url: &str) {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let spawned = std::process::Command::new(program)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match spawned {
        // Reap the opener when it exits, so it does not linger as a zombie.
        Ok(mut child) => drop(std::thread::spawn(move || child.wait())),
        Err(_) => say!("sitegen: could not open a browser; open {url} yourself"),
    }
}
