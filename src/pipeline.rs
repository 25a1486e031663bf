//! The one place where the stage order is written: load → merge → plan → render → write.

use crate::diag::{Diagnostic, Diagnostics, Origin};
use crate::load;
use crate::merge;
use crate::model::SiteInput;
use crate::plan::{self, Plan, PlanOptions};
use crate::render::Renderer;
use crate::write::{self, Staging, WriteError, WriteStats};
use chrono::{DateTime, NaiveDateTime, Utc};
use rayon::prelude::*;
use std::path::PathBuf;
use std::sync::Mutex;

mod session;
pub use session::{Rebuilt, Session, SiteFiles};

/// The build's idea of "now".
#[derive(Debug, Clone, Copy)]
pub enum Now {
    /// A wall-clock time in the site's time zone (`--now`).
    Local(NaiveDateTime),
    /// An instant (the system clock or `SOURCE_DATE_EPOCH`).
    Instant(DateTime<Utc>),
}

/// Checked options for a build or check.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub output: PathBuf,
    pub now: Now,
    pub future: bool,
    pub base_url: Option<String>,
    /// Fail instead of updating `schedule.lock` (CI).
    pub locked: bool,
    /// Treat content warnings as errors.
    pub strict: bool,
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    pub articles: usize,
    pub future_articles: usize,
    pub pages: usize,
    pub files: usize,
    pub stats: WriteStats,
    pub warnings: Vec<Diagnostic>,
    pub next_publish: Option<NaiveDateTime>,
    pub lock_updated: bool,
}

/// Why a build failed.
#[derive(Debug)]
pub enum BuildError {
    /// Problems in the input; nothing was written.
    Input(Diagnostics),
    /// The output folder could not be written; the previous site is unchanged.
    Write(WriteError),
}

/// The loaded input with command-line overrides applied, and "now" in site time.
pub fn load_input(opts: &BuildOptions) -> Result<(SiteInput, NaiveDateTime), Diagnostics> {
    with_overrides(load::load(&opts.root)?, opts)
}

/// Applies the command-line overrides to loaded input; gives "now" in site time.
pub fn with_overrides(
    mut input: SiteInput,
    opts: &BuildOptions,
) -> Result<(SiteInput, NaiveDateTime), Diagnostics> {
    if let Some(url) = &opts.base_url {
        match load::normalise_base_url(url) {
            Some(u) => input.site.base_url = u,
            None => {
                let mut d = Diagnostics::default();
                d.push(
                    Diagnostic::error(
                        Origin::file("--base-url"),
                        format!("`{url}` is not an absolute http(s) URL"),
                    )
                    .with_hint("write it like `https://example.org/preview/123/`"),
                );
                return Err(d);
            }
        }
    }
    let now = match opts.now {
        Now::Local(dt) => dt,
        Now::Instant(t) => t.with_timezone(&input.site.timezone).naive_local(),
    };
    Ok((input, now))
}

/// Plans the site (load, merge, plan) without rendering.
pub fn plan_site(opts: &BuildOptions) -> Result<(SiteInput, merge::Merged, Plan), Diagnostics> {
    let (input, now) = load_input(opts)?;
    let (merged, plan) = merge_and_plan(&input, now, opts.future);
    Ok((input, merged, plan))
}

/// The pure stages on loaded input: merge, then plan.
pub fn merge_and_plan(
    input: &SiteInput,
    now: NaiveDateTime,
    future: bool,
) -> (merge::Merged, Plan) {
    let merged = merge::merge(input);
    let plan = plan::plan(input, &merged, &PlanOptions { now, future });
    (merged, plan)
}

/// Runs every stage and replaces the output folder on success.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    let (input, merged, plan) = plan_site(opts).map_err(BuildError::Input)?;
    check_lock(opts, &input, &plan).map_err(BuildError::Input)?;
    let renderer =
        Renderer::new(&input, &merged, &plan).map_err(|d| BuildError::Input(collect(d)))?;
    let staging = Staging::begin(&opts.output).map_err(BuildError::Write)?;
    let outcome = render_into(&renderer, &plan, Some(&staging), opts.strict);
    let (warnings, pages) = match outcome {
        Ok(ok) => ok,
        Err(e) => {
            staging.abandon();
            return Err(e);
        }
    };
    let extra = renderer.site_files();
    for f in &extra {
        if let Err(e) = staging.put(&f.path, &f.bytes) {
            staging.abandon();
            return Err(BuildError::Write(e));
        }
    }
    let stats = staging.commit().map_err(BuildError::Write)?;
    let lock_updated = if opts.locked {
        false
    } else {
        let text = load::format_lock(&plan.lock);
        write::replace_file_if_changed(&opts.root.join(load::LOCK_FILE), &text)
            .map_err(BuildError::Write)?
    };
    let published = plan.articles.iter().filter(|a| a.published).count();
    Ok(BuildReport {
        articles: published,
        future_articles: plan.articles.len() - published,
        pages,
        files: pages + extra.len(),
        stats,
        warnings,
        next_publish: plan.next_publish,
        lock_updated,
    })
}

/// Loads and renders everything without writing; returns all problems found.
pub fn check(opts: &BuildOptions) -> Diagnostics {
    let (input, merged, plan) = match plan_site(opts) {
        Ok(x) => x,
        Err(d) => return d,
    };
    let mut all = Diagnostics::default();
    if let Err(d) = check_lock(opts, &input, &plan) {
        all.extend(d);
    }
    match Renderer::new(&input, &merged, &plan) {
        Ok(renderer) => match render_into(&renderer, &plan, None, opts.strict) {
            Ok((warnings, _)) => all.extend(warnings),
            Err(BuildError::Input(d)) => all.extend(d),
            Err(BuildError::Write(_)) => {}
        },
        Err(d) => all.extend(d),
    }
    all
}

fn check_lock(opts: &BuildOptions, input: &SiteInput, plan: &Plan) -> Result<(), Diagnostics> {
    if !opts.locked {
        return Ok(());
    }
    let mut current = input.schedule_lock.clone();
    current.sort();
    let mut wanted = plan.lock.clone();
    wanted.sort();
    if current == wanted {
        return Ok(());
    }
    let mut d = Diagnostics::default();
    d.push(
        Diagnostic::error(
            Origin::file(load::LOCK_FILE),
            "schedule.lock is out of date (articles were added or removed)",
        )
        .with_hint("run `sitegen build` without --locked and commit the updated schedule.lock"),
    );
    Err(d)
}

fn collect(items: Vec<Diagnostic>) -> Diagnostics {
    let mut d = Diagnostics::default();
    d.extend(items);
    d
}

/// Renders every page in parallel, writing each into `staging` as soon as it is ready.
/// Every error is collected; with `strict`, warnings count as errors.
fn render_into(
    renderer: &Renderer<'_>,
    plan: &Plan,
    staging: Option<&Staging>,
    strict: bool,
) -> Result<(Vec<Diagnostic>, usize), BuildError> {
    let write_error: Mutex<Option<WriteError>> = Mutex::new(None);
    let results: Vec<(Vec<Diagnostic>, Option<Diagnostic>)> = plan
        .pages
        .par_iter()
        .map(|&page| match renderer.render_page(page) {
            Ok(rendered) => {
                if let Some(s) = staging
                    && let Err(e) = s.put(&rendered.file.path, &rendered.file.bytes)
                {
                    write_error
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .get_or_insert(e);
                }
                (rendered.warnings, None)
            }
            Err(d) => (Vec::new(), Some(d)),
        })
        .collect();
    if let Some(e) = write_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(BuildError::Write(e));
    }
    let mut errors = Diagnostics::default();
    let mut warnings = Vec::new();
    for (w, e) in results {
        warnings.extend(w);
        errors.extend(e);
    }
    if strict {
        for w in warnings.drain(..) {
            errors.push(Diagnostic {
                severity: crate::diag::Severity::Error,
                ..w
            });
        }
    }
    if errors.has_errors() {
        errors.extend(warnings);
        return Err(BuildError::Input(errors));
    }
    Ok((warnings, plan.pages.len()))
}
