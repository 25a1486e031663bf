//! `sitegen build`

use super::{Outcome, options, print_diagnostics_in};
use crate::cli::BuildArgs;
use crate::diag::{Diagnostics, render_human};
use crate::pipeline::{self, BuildError};
use std::time::Instant;

pub fn run(args: &BuildArgs) -> Outcome {
    let started = Instant::now();
    let opts = match options(&args.site, args.output.clone(), args.locked) {
        Ok(o) => o,
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
                "sitegen: built {} articles, {} pages ({} files) in {:.2} s; {} written, {} unchanged, {} removed{}",
                report.articles,
                report.pages,
                report.files,
                started.elapsed().as_secs_f64(),
                report.stats.written,
                report.stats.unchanged,
                report.stats.removed,
                if report.lock_updated {
                    "; schedule.lock updated (commit it)"
                } else {
                    ""
                },
            );
            if let Some(next) = report.next_publish {
                eprintln!(
                    "sitegen: {} future articles; the next is due at {}",
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
