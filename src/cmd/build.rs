//! `sitegen build`

use super::{Outcome, options, print_diagnostics_in};
use crate::cli::BuildArgs;
use crate::diag::{Diagnostics, render_human};
use crate::pipeline::{self, BuildError, BuildOptions};
use std::time::Instant;

pub fn run(args: &BuildArgs) -> Outcome {
    let started = Instant::now();
    let opts = match options(&args.site, args.output.clone(), args.locked) {
        Ok(o) => BuildOptions {
            report_dir: args.report_dir.clone(),
            render_all: args.render_all,
            ..o
        },
        Err(d) => {
            eprintln!("{}", render_human(&d, false));
            return Outcome::Usage;
        }
    };
    match pipeline::build(&opts) {
        Ok(report) => {
            let mut warnings = Diagnostics::default();
            warnings.extend(report.warnings);
            print_diagnostics_in(warnings, &opts.root);
            eprintln!(
                "sitegen: built {} articles, {} pages ({} rendered, {} files) in {:.2} s; {} written, {} unchanged, {} removed{}",
                report.articles,
                report.pages,
                report.rendered,
                report.files,
                started.elapsed().as_secs_f64(),
                report.stats.written,
                report.stats.unchanged,
                report.stats.removed,
                match (report.preview, report.lock_updated, report.modified_updated) {
                    (Some(why), _, _) => format!(
                        "; a preview ({why}): schedule.lock and modified.lock left as they were"
                    ),
                    (None, true, true) =>
                        "; schedule.lock and modified.lock updated (commit them)".into(),
                    (None, true, false) => "; schedule.lock updated (commit it)".into(),
                    (None, false, true) => "; modified.lock updated (commit it)".into(),
                    (None, false, false) => String::new(),
                },
            );
            eprintln!(
                "sitegen: change lists in {}: {} pages added, {} changed, {} removed",
                report.report_dir.display(),
                report.changes.added.len(),
                report.changes.changed.len(),
                report.changes.removed.len(),
            );
            if let (Some(next), Some(iso)) = (report.next_publish, &report.next_publish_iso) {
                eprintln!(
                    "sitegen: {} future articles; the next is due at {} ({iso}, in next-publish.txt)",
                    report.future_articles,
                    next.format("%Y-%m-%d %H:%M:%S")
                );
            }
            Outcome::Success
        }
        Err(BuildError::Input(problems)) => {
            let n = print_diagnostics_in(problems, &opts.root);
            eprintln!("sitegen: build failed with {n} error(s); the output folder was not changed");
            Outcome::Problems
        }
        Err(BuildError::Write(e)) => {
            eprintln!("error: {e}");
            eprintln!("sitegen: build failed; the output folder was not changed");
            Outcome::Problems
        }
    }
}
