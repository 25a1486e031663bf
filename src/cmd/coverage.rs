//! `sitegen coverage`: which articles are local and which run on defaults — the text
//! report worst first (or JSON), and the HTML page in the report folder.

use super::{Outcome, options, print_diagnostics_in};
use crate::cli::{CoverageArgs, Format};
use crate::coverage::{self, Coverage, page, table};
use crate::diag::{Diagnostic, Diagnostics, Origin, render_human};
use crate::model::SiteInput;
use crate::pipeline::{self, BuildOptions};
use crate::render::Renderer;
use crate::write::report::default_report_dir;
use std::path::Path;

pub fn run(args: &CoverageArgs) -> Outcome {
    let opts = match options(&args.site, None, false) {
        Ok(o) => o,
        Err(d) => {
            eprintln!("{}", render_human(&d, false));
            return Outcome::Usage;
        }
    };
    let (input, c) = match report(&opts) {
        Ok(x) => x,
        Err(problems) => {
            print_diagnostics_in(problems, &opts.root);
            return Outcome::Problems;
        }
    };
    let dir = args
        .report_dir
        .clone()
        .unwrap_or_else(|| default_report_dir(&opts.output));
    let root = opts
        .root
        .canonicalize()
        .unwrap_or_else(|_| opts.root.clone());
    let written = write_page(&dir, &page::html(&input, &c, &root));
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&c).unwrap_or_else(|_| "{}".into())
        ),
        Format::Human => print!("{}", table::human(&c, input.site.lint.fact_max_age_days)),
    }
    let mut problems = Diagnostics::default();
    problems.extend(c.notes.iter().cloned());
    problems.extend(coverage::warnings(&input, &c));
    let strict_fail = opts.strict && !problems.is_empty();
    if let Err(d) = &written {
        problems.push(d.clone());
    }
    let errors = print_diagnostics_in(problems, &opts.root);
    if let Ok(path) = &written {
        eprintln!("sitegen coverage: wrote {}", path);
    }
    if errors > 0 || strict_fail {
        Outcome::Problems
    } else {
        Outcome::Success
    }
}

/// One run of the stages (load, merge, plan, render the articles' words) and the report.
pub fn report(opts: &BuildOptions) -> Result<(SiteInput, Coverage), Diagnostics> {
    let (input, merged, plan) = pipeline::plan_site(opts)?;
    let c = {
        let renderer = Renderer::new(&input, &merged, &plan).map_err(|d| {
            let mut all = Diagnostics::default();
            all.extend(d);
            all
        })?;
        coverage::analyse(&input, &merged, &plan, &renderer)?
    };
    Ok((input, c))
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
