//! `sitegen build`

use super::{CmdResult, Console, Failure};
use crate::diag::Diagnostics;
use crate::pipeline::{self, BuildError, BuildOptions, BuildReport};
use crate::write::flush::Flushed;
use std::time::Instant;

pub(crate) fn run(opts: &BuildOptions, console: &Console) -> CmdResult {
    let started = Instant::now();
    match pipeline::build(opts) {
        Ok(mut report) => {
            let warnings: Diagnostics = std::mem::take(&mut report.warnings).into_iter().collect();
            console.diagnostics(&warnings.prepared(&opts.root))?;
            summary(&report, started, console)?;
            Ok(())
        }
        Err(BuildError::Input(problems)) => {
            let failure = Failure::problems(problems, &opts.root);
            let n = failure.errors();
            Err(failure.closing(format!(
                "sitegen: build failed with {n} error(s); the output folder was not changed"
            )))
        }
        Err(BuildError::Write(e)) => Err(Failure::problem(e.diagnostic())
            .closing("sitegen: build failed; the output folder was not changed")),
        Err(BuildError::AfterSwap(e)) => Err(Failure::problem(e.diagnostic()).closing(
            "sitegen: the output folder holds the new site (and the locks are written), but the change lists could not be written; fix the problem and build again to write them",
        )),
    }
}

/// With `-v`, how the new site went to disk before the swap (nothing when
/// `SITEGEN_DURABLE=0` turned the flushes off).
fn flushed_line(flushed: Flushed) -> Option<String> {
    if !crate::write::durable::durable() {
        return None;
    }
    match flushed {
        Flushed::Nothing => None,
        Flushed::FileSystem => Some(
            "sitegen: the new site was flushed to disk before the swap: its whole file system at once (syncfs)".into(),
        ),
        Flushed::OneByOne { files, folders } => Some(format!(
            "sitegen: the new site was flushed to disk before the swap: {files} written file(s) and {folders} folder(s), one by one"
        )),
    }
}

/// What the build did (silenced by `-q`), and with `-v` the pages it changed.
fn summary(report: &BuildReport, started: Instant, console: &Console) -> CmdResult {
    console.summary(&format!(
        "sitegen: built {} articles, {} pages ({} rendered, {} files) in {:.2} s; {} written, {} unchanged, {} removed{}",
        report.articles,
        report.pages,
        report.rendered,
        report.files,
        started.elapsed().as_secs_f64(),
        report.stats.written,
        report.stats.unchanged,
        report.stats.removed,
        match (&report.preview, report.lock_updated, report.modified_updated) {
            (Some(why), _, _) =>
                format!("; a preview ({why}): schedule.lock and modified.lock left as they were"),
            (None, true, true) => "; schedule.lock and modified.lock updated (commit them)".into(),
            (None, true, false) => "; schedule.lock updated (commit it)".into(),
            (None, false, true) => "; modified.lock updated (commit it)".into(),
            (None, false, false) => String::new(),
        },
    ))?;
    if report.replayed {
        console.detail("sitegen: the input files, sitegen and its switches are those of the last build, and no article came due since: the output folder was checked and kept")?;
    }
    if let Some(line) = flushed_line(report.stats.flushed) {
        console.detail(&line)?;
    }
    let changes = &report.changes;
    for (what, urls) in [
        ("added", &changes.added),
        ("changed", &changes.changed),
        ("removed", &changes.removed),
    ] {
        for url in urls {
            console.detail(&format!("sitegen: {what} {url}"))?;
        }
    }
    console.summary(&format!(
        "sitegen: change lists in {}: {} pages added, {} changed, {} removed",
        report.report_dir.display(),
        changes.added.len(),
        changes.changed.len(),
        changes.removed.len(),
    ))?;
    if let (Some(next), Some(iso)) = (report.next_publish, &report.next_publish_iso) {
        console.summary(&format!(
            "sitegen: {} future articles; the next is due at {} ({iso}, in next-publish.txt)",
            report.future_articles,
            next.format("%Y-%m-%d %H:%M:%S")
        ))?;
    }
    Ok(())
}
