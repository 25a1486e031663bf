//! `sitegen check`: every problem at once, nothing written.

use super::{Outcome, options, prepare, print_items};
use crate::cli::{CheckArgs, Format};
use crate::diag::{render_human, render_json};
use crate::pipeline;

pub fn run(args: &CheckArgs) -> Outcome {
    let opts = match options(&args.site, None, false) {
        Ok(o) => pipeline::BuildOptions {
            render_all: args.render_all,
            ..o
        },
        Err(d) => {
            eprintln!("{}", render_human(&d, false));
            return Outcome::Usage;
        }
    };
    let items = prepare(pipeline::check(&opts), &opts.root);
    let errors = items.iter().filter(|d| d.is_error()).count();
    match args.format {
        Format::Json => println!("{}", render_json(&items)),
        Format::Human => {
            print_items(&items);
            eprintln!(
                "sitegen check: {errors} error(s), {} warning(s)",
                items.len() - errors
            );
        }
    }
    if errors > 0 {
        Outcome::Problems
    } else {
        Outcome::Success
    }
}
