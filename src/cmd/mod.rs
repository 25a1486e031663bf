//! Commands: turn checked arguments into pipeline calls and print the outcome.

pub mod build;
pub mod check;
pub mod coverage;
pub mod explain;
pub mod new;
pub mod serve;

use crate::cli::SiteArgs;
use crate::diag::{Diagnostic, Diagnostics, Origin, attach_source_lines, render_human};
use crate::load::parse_datetime;
use crate::pipeline::{BuildOptions, Now};
use chrono::{DateTime, Utc};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// How a command ended, mapped to the process exit code by `main`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// Problems in the site (exit 1).
    Problems,
    /// Bad command-line usage (exit 2).
    Usage,
}

/// Builds checked options from the shared arguments; `Err` is a usage problem.
pub fn options(
    site: &SiteArgs,
    output: Option<PathBuf>,
    locked: bool,
) -> Result<BuildOptions, Diagnostic> {
    if let Some(n) = site.jobs {
        if n == 0 {
            return Err(Diagnostic::error(
                Origin::file("--jobs"),
                "--jobs must be at least 1",
            ));
        }
        // Ignored if a pool already exists (only in tests calling commands twice).
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global();
    }
    let now = match (&site.now, std::env::var("SOURCE_DATE_EPOCH")) {
        (Some(s), _) => Now::Local(parse_datetime(s).ok_or_else(|| {
            Diagnostic::error(
                Origin::file("--now"),
                format!("`{s}` is not a valid date and time"),
            )
            .with_hint("write `--now \"2026-02-03 06:39:37\"` (site time zone)")
        })?),
        (None, Ok(epoch)) => {
            let secs: i64 = epoch.trim().parse().map_err(|_| {
                Diagnostic::error(
                    Origin::file("SOURCE_DATE_EPOCH"),
                    format!("`{epoch}` is not a number of seconds"),
                )
            })?;
            Now::Instant(DateTime::<Utc>::from_timestamp(secs, 0).ok_or_else(|| {
                Diagnostic::error(
                    Origin::file("SOURCE_DATE_EPOCH"),
                    format!("`{epoch}` is out of range"),
                )
            })?)
        }
        (None, Err(_)) => Now::Instant(Utc::now()),
    };
    Ok(BuildOptions {
        output: output.unwrap_or_else(|| site.root.join("public")),
        root: site.root.clone(),
        now,
        future: site.future,
        base_url: site.base_url.clone(),
        locked,
        strict: site.strict,
        render_all: false,
        report_dir: None,
    })
}

/// Prints diagnostics to stderr in a stable order, the same problem in many articles once;
/// returns how many were errors.
pub fn print_diagnostics(items: Diagnostics) -> usize {
    print_diagnostics_in(items, Path::new("."))
}

/// Like [`print_diagnostics`], showing source lines of files below `root`.
pub fn print_diagnostics_in(items: Diagnostics, root: &Path) -> usize {
    let items = prepare(items, root);
    print_items(&items);
    items.iter().filter(|d| d.is_error()).count()
}

/// Sorted, folded across articles, with source lines: ready to print.
pub fn prepare(items: Diagnostics, root: &Path) -> Vec<Diagnostic> {
    let mut items = items.into_collapsed();
    attach_source_lines(&mut items, root);
    items
}

/// Prints prepared diagnostics to stderr.
pub fn print_items(items: &[Diagnostic]) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    for d in items {
        eprintln!("{}\n", render_human(d, color));
    }
}
