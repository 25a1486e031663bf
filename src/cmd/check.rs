//! `sitegen check`: every problem at once, nothing written.

use super::config::CheckOptions;
use super::{CmdResult, Console, Exit, Failure};
use crate::cli::Format;
use crate::diag::render_json;
use crate::pipeline;

pub(crate) fn run(opts: &CheckOptions, console: &Console) -> CmdResult {
    let items = pipeline::check(&opts.build).prepared(&opts.build.root);
    let errors = items.iter().filter(|d| d.is_error()).count();
    let exit = Exit::of(items.iter());
    let summary = format!(
        "sitegen check: {errors} error(s), {} warning(s)",
        items.len() - errors
    );
    match (opts.format, errors) {
        (Format::Json, _) => console.print(&format!("{}\n", render_json(&items)))?,
        (Format::Human, 0) => {
            console.diagnostics(&items)?;
            console.summary(&summary)?;
        }
        (Format::Human, _) => {
            return Err(Failure {
                exit,
                diagnostics: items,
                closing: Some(summary),
            });
        }
    }
    if errors > 0 {
        Err(Failure::shown(exit))
    } else {
        Ok(())
    }
}
