//! `sitegen check`: every problem at once, nothing written.

use super::{Outcome, options, print_diagnostics};
use crate::cli::{CheckArgs, Format};
use crate::diag::{render_human, render_json};
use crate::pipeline;

pub fn run(args: &CheckArgs) -> Outcome {
    let opts = match options(&args.site, None, false) {
        Ok(o) => o,
        Err(d) => {
            eprintln!("{}", render_human(&d, false));
            return Outcome::Usage;
        }
    };
    let problems = pipeline::check(&opts);
    let failed = problems.has_errors();
    match args.format {
        Format::Json => println!("{}", render_json(&problems.into_sorted())),
        Format::Human => {
            let total = problems.len();
            let errors = print_diagnostics(problems);
            eprintln!(
                "sitegen check: {errors} error(s), {} warning(s)",
                total - errors
            );
        }
    }
    if failed {
        Outcome::Problems
    } else {
        Outcome::Success
    }
}
