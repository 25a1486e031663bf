//! `sitegen coverage`: which articles are local and which run on defaults — the text
//! report worst first (or JSON), and the HTML page in the report folder, beside the
//! coverage memo it keeps there for the next run. Nothing in the output folder is touched.

use super::config::CoverageOptions;
use super::{CmdResult, Console, Exit, Failure};
use crate::cli::Format;
use crate::coverage::{self, CoverageMemo, page, table};
use crate::diag::{Diagnostic, Diagnostics, Origin};
use crate::pipeline;
use crate::write::replace_if_changed;
use crate::write::report::default_report_dir;
use std::path::Path;

pub(crate) fn run(opts: &CoverageOptions, console: &Console) -> CmdResult {
    let build = &opts.build;
    let dir = opts
        .report_dir
        .clone()
        .unwrap_or_else(|| default_report_dir(&build.output));
    let mut memo = CoverageMemo::read(&dir);
    let (input, c, reuse) = pipeline::coverage(build, &mut memo)
        .map_err(|problems| Failure::problems(problems, &build.root))?;
    let root = build
        .root
        .canonicalize()
        .unwrap_or_else(|_| build.root.clone());
    let html = page::html(&input, &c, &root);
    let written = write_page(&dir, &html);
    match opts.format {
        Format::Json => console.print_json(&c)?,
        Format::Human => console.print(&table::human(&c, input.site.lint.fact_max_age_days))?,
    }
    let mut problems = Diagnostics::default();
    problems.extend(c.notes.iter().cloned());
    problems.extend(coverage::warnings(&input, &c));
    let strict_fail = build.strict && !problems.is_empty();
    match &written {
        // Kept only beside a report that was written: the next run reads it from there.
        Ok(_) if !reuse.unchanged => {
            if let Err(e) = memo.write(&dir) {
                problems.push(
                    Diagnostic::warning(
                        Origin::file(dir.join(coverage::memo::FILE)),
                        format!("cannot keep the coverage memo: {e}"),
                    )
                    .with_hint("the next run renders every article's words again"),
                );
            }
        }
        Ok(_) => {}
        Err(d) => problems.push(d.clone()),
    }
    console.detail(&reuse_line(&reuse))?;
    let items = problems.prepared(&build.root);
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

/// What `-v` says of the memo: whose words were rendered, and which pairs compared.
fn reuse_line(r: &coverage::Reuse) -> String {
    format!(
        "sitegen coverage: words rendered for {} of {} articles (changed since {}) and {} more for twin pairs; {} of {} twin pairs compared",
        r.changed,
        r.articles,
        coverage::memo::FILE,
        r.partners,
        r.compared,
        r.pairs
    )
}

/// Writes the page into `dir` atomically, unless it already holds the same bytes (the
/// usual case when nothing was edited); the path written, or the problem.
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
    replace_if_changed(&path, html.as_bytes(), dir, "coverage-page").map_err(fail)?;
    Ok(path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_page_is_replaced_whole_and_left_alone_when_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(page::FILE);
        write_page(dir.path(), "<p>一</p>").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "<p>一</p>");
        let old = std::fs::File::options().write(true).open(&path).unwrap();
        let then = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1);
        old.set_modified(then).unwrap();
        write_page(dir.path(), "<p>一</p>").unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), then);
        write_page(dir.path(), "<p>二</p>").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "<p>二</p>");
        assert_eq!(names(dir.path()), vec![page::FILE.to_string()]);
    }

    #[test]
    fn a_page_that_cannot_be_written_says_so_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // The page's path is taken by a folder: the rename fails after the write.
        std::fs::create_dir(dir.path().join(page::FILE)).unwrap();
        std::fs::write(dir.path().join(page::FILE).join("x"), "x").unwrap();
        let problem = write_page(dir.path(), "<p>一</p>").unwrap_err();
        assert!(
            problem
                .message
                .starts_with("cannot write the coverage page: "),
            "{}",
            problem.message
        );
        assert_eq!(names(dir.path()), vec![page::FILE.to_string()]);
    }
}
