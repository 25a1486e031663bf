//! `sitegen serve`: builds the site into memory, serves it on 127.0.0.1, and rebuilds what
//! a change affects whenever an input file changes, reloading open pages.
//!
//! Threads: the caller's thread runs the watch → rebuild loop; one thread accepts HTTP
//! requests and hands each to a thread of its own (event streams stay open). They share a
//! [`state::State`]. Nothing is written to the site folder.

pub mod http;
pub mod reload;
pub mod state;
pub mod watch;

use crate::diag::{Diagnostics, render_human};
use crate::load::ChangeKind;
use crate::pipeline::{BuildOptions, Now, Rebuilt, Session};
use state::State;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// Checked options of `sitegen serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub build: BuildOptions,
    /// 0 picks a free port.
    pub port: u16,
    /// Re-read the clock before each rebuild (no `--now` and no `SOURCE_DATE_EPOCH`).
    pub follow_clock: bool,
    pub open_browser: bool,
}

/// Runs the server until the process is stopped. `Err` when it cannot start.
pub fn run(mut opts: ServeOptions) -> Result<(), String> {
    let root = opts.build.root.canonicalize().map_err(|e| {
        format!(
            "cannot open the site folder {}: {e}",
            opts.build.root.display()
        )
    })?;
    opts.build.root = root.clone();
    let server = tiny_http::Server::http(("127.0.0.1", opts.port)).map_err(|e| {
        format!(
            "cannot listen on 127.0.0.1:{}: {e} (choose another with --port, or --port 0 for any free port)",
            opts.port
        )
    })?;
    let port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .ok_or("the server has no TCP address")?;
    let url = format!("http://127.0.0.1:{port}/");
    // Links and canonical URLs point at this server, so every link works in the preview.
    opts.build.base_url = Some(url.clone());

    // Watch before the first build, so a change made while it runs is not lost.
    let mut watcher = watch::Watcher::start(&root)?;
    let state = Arc::new(State::default());
    let mut session = Session::new(opts.build.clone());
    rebuild(&mut session, &state, &opts, &[], &root);

    println!("serving {url}");
    eprintln!(
        "sitegen: serving {url} (watching {}; Ctrl-C stops)",
        root.display()
    );
    let server_state = state.clone();
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let state = server_state.clone();
            std::thread::spawn(move || http::handle(request, &state));
        }
    });
    if opts.open_browser {
        open_browser(&url);
    }
    while let Some(changes) = watcher.next_changes() {
        session.apply(&changes);
        rebuild(&mut session, &state, &opts, &changes, &root);
    }
    Err("the file watcher stopped".into())
}

/// Rebuilds, publishes the result and reports it on the terminal.
fn rebuild(
    session: &mut Session,
    state: &State,
    opts: &ServeOptions,
    changes: &[ChangeKind],
    root: &Path,
) {
    if opts.follow_clock {
        session.set_now(Now::Instant(chrono::Utc::now()));
    }
    let started = Instant::now();
    let outcome = session.rebuild();
    let elapsed = started.elapsed();
    let what = describe(changes, root);
    match outcome {
        Ok(Rebuilt {
            files,
            articles,
            rendered,
            reused,
            warnings,
        }) => {
            let mut w = Diagnostics::default();
            w.extend(warnings);
            print(w);
            state.publish_site(files);
            eprintln!(
                "sitegen: {} in {:.1} ms{what}: {articles} articles; {rendered} pages rendered, {reused} unchanged",
                if changes.is_empty() {
                    "built"
                } else {
                    "rebuilt"
                },
                elapsed.as_secs_f64() * 1000.0,
            );
        }
        Err(problems) => {
            let errors = problems.error_count();
            let sorted = problems.clone().into_sorted();
            print(problems);
            state.publish_problems(sorted);
            eprintln!(
                "sitegen: rebuild failed{what} with {errors} error(s) in {:.1} ms; still serving the last good site",
                elapsed.as_secs_f64() * 1000.0
            );
        }
    }
}

fn print(items: Diagnostics) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    for d in items.into_sorted() {
        eprintln!("{}\n", render_human(&d, color));
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
        Err(_) => eprintln!("sitegen: could not open a browser; open {url} yourself"),
    }
}
