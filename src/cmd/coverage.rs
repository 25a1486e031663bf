//! `sitegen coverage`: which articles are local and which run on defaults — the text
//! report worst first (or JSON), and the HTML page in the report folder.

use super::config::CoverageOptions;
use super::{CmdResult, Console, Exit, Failure, prepare};
use crate::cli::Format;
use crate::coverage::{self, page, table};
use crate::diag::{Diagnostic, Diagnostics, Origin};
use crate::pipeline;
use crate::write::report::default_report_dir;
use std::path::Path;

pub(crate) fn run(opts: &CoverageOptions, console: &Console) -> CmdResult {
    let build = &opts.build;
    let (input, c) =
        pipeline::coverage(build).map_err(|problems| Failure::problems(problems, &build.root))?;
    let dir = opts
        .report_dir
        .clone()
        .unwrap_or_else(|| default_report_dir(&build.output));
    let root = build
        .root
        .canonicalize()
        .unwrap_or_else(|_| build.root.clone());
    let written = write_page(&dir, &page::html(&input, &c, &root));
    console.print(&match opts.format {
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&c).unwrap_or_else(|_| "{}".into())
        ),
        Format::Human => table::human(&c, input.site.lint.fact_max_age_days),
    })?;
    let mut problems = Diagnostics::default();
    problems.extend(c.notes.iter().cloned());
    problems.extend(coverage::warnings(&input, &c));
    let strict_fail = build.strict && !problems.is_empty();
    if let Err(d) = &written {
        problems.push(d.clone());
    }
    let items = prepare(problems, &build.root);
    let wrote = written
        .ok()
        .map(|path| format!("sitegen coverage: wrote {path}"));
    if strict_fail || items.iter().any(|d| d.is_error()) {
        return Err(Failure {
            exit: Exit::Problems,
            diagnostics: items,
            closing: wrote,
        });
    }
    console.diagnostics(&items)?;
    if let Some(line) = wrote {
        console.summary(&line)?;
    }
    Ok(())
}

/// Writes the page into `dir` (replacing it whole); the path written, or the problem.
fn write_page(dir: &Path, html: &str) -> Result<String, Diagnostic> {
    let path = dir.join(page::FILE);
    let fail = |e: std::io::Error| {
        Diagnostic::error(
            Origin::file(&path),
            format!("cannot write the coverage page: {e}"),
        )
        .with_hint("choose a folder you can write with --report-dir")
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let tmp = dir.join(format!(".{}.tmp", page::FILE));
    std::fs::write(&tmp, html).map_err(fail)?;
    std::fs::rename(&tmp, &path).map_err(fail)?;
    Ok(path.display().to_string())
}
