//! The one place where the stage order is written: load → merge → plan → render → write.

use crate::diag::{Diagnostic, Diagnostics, Origin, Severity};
use crate::lint::Linter;
use crate::load;
use crate::merge;
use crate::model::SiteInput;
use crate::plan::{self, Page, Plan, PlanOptions};
use crate::render::Renderer;
use crate::write::{self, Staging, WriteError, WriteStats};
use chrono::{DateTime, NaiveDateTime, Utc};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Mutex;

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
    let input = load::load(&opts.root)?;
    apply_overrides(input, opts)
}

/// Applies `--base-url` and works out "now" in the site's time zone.
fn apply_overrides(
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
    let shapes = merge::check_shapes(&input);
    if !shapes.is_empty() {
        return Err(collect(shapes));
    }
    let merged = merge::merge(&input);
    let plan = plan::plan(
        &input,
        &merged,
        &PlanOptions {
            now,
            future: opts.future,
        },
    );
    Ok((input, merged, plan))
}

/// Runs every stage and replaces the output folder on success.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    let (input, merged, plan) = plan_site(opts).map_err(BuildError::Input)?;
    check_lock(opts, &input, &plan).map_err(BuildError::Input)?;
    let renderer =
        Renderer::new(&input, &merged, &plan).map_err(|d| BuildError::Input(collect(d)))?;
    let linter = Linter::new(&input, &merged);
    let early = linter.input(plan.now.date());
    let staging = Staging::begin(&opts.output).map_err(BuildError::Write)?;
    let outcome = render_into(
        &renderer,
        &linter,
        &plan,
        Some(&staging),
        early,
        opts.strict,
    );
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

/// Loads and renders everything without writing; returns all problems found, with the
/// content lint's warnings (errors with `--strict`).
///
/// Unlike `build`, it goes on past broken files: a city or topic file with errors is left
/// out and the rest is still merged, planned, rendered and linted, so one run reports
/// every problem of every file.
pub fn check(opts: &BuildOptions) -> Diagnostics {
    let (input, mut all) = load::load_partial(&opts.root);
    let Some(input) = input else {
        return all;
    };
    let (mut input, now) = match apply_overrides(input, opts) {
        Ok(x) => x,
        Err(d) => {
            all.extend(d);
            return all;
        }
    };
    all.extend(merge::check_shapes(&input));
    for attempt in 0..2 {
        let merged = merge::merge(&input);
        let plan = plan::plan(
            &input,
            &merged,
            &PlanOptions {
                now,
                future: opts.future,
            },
        );
        let linter = Linter::new(&input, &merged);
        if attempt == 0 {
            if let Err(d) = check_lock(opts, &input, &plan) {
                all.extend(d);
            }
            all.extend(linter.input(now.date()));
        }
        match Renderer::new(&input, &merged, &plan) {
            Ok(renderer) => {
                match render_into(&renderer, &linter, &plan, None, Vec::new(), false) {
                    Ok((warnings, _)) => all.extend(warnings),
                    Err(BuildError::Input(d)) => all.extend(d),
                    Err(BuildError::Write(_)) => {}
                }
                break;
            }
            Err(d) => {
                // Leave out the files whose templates failed and render the rest.
                let broken: BTreeSet<PathBuf> = d.iter().map(|x| x.origin.file.clone()).collect();
                all.extend(d);
                let before = input.topics.len() + input.cities.len();
                input.topics.retain(|t| !broken.contains(&t.path));
                input.cities.retain(|c| !broken.contains(&c.path));
                if input.topics.len() + input.cities.len() == before {
                    break;
                }
            }
        }
    }
    if opts.strict {
        all = collect(all.into_iter().map(as_error));
    }
    all
}

/// A warning made an error by `--strict`.
fn as_error(d: Diagnostic) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        ..d
    }
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

fn collect(items: impl IntoIterator<Item = Diagnostic>) -> Diagnostics {
    let mut d = Diagnostics::default();
    d.extend(items);
    d
}

/// Renders every page in parallel, writing each into `staging` as soon as it is ready,
/// and lints each article. Every error is collected; `early` holds warnings found before
/// rendering; with `strict`, warnings count as errors.
fn render_into(
    renderer: &Renderer<'_>,
    linter: &Linter<'_>,
    plan: &Plan,
    staging: Option<&Staging>,
    early: Vec<Diagnostic>,
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
                let mut warnings = rendered.warnings;
                if let Page::Article(i) = page {
                    warnings.extend(linter.article(
                        &plan.articles[i],
                        renderer.article_title(i),
                        &rendered.sections,
                    ));
                }
                (warnings, None)
            }
            Err(d) => (Vec::new(), Some(d)),
        })
        .collect();
    if let Some(e) = write_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(BuildError::Write(e));
    }
    let mut errors = Diagnostics::default();
    let mut warnings = early;
    for (w, e) in results {
        warnings.extend(w);
        errors.extend(e);
    }
    if strict {
        errors.extend(warnings.drain(..).map(as_error));
    }
    if errors.has_errors() {
        errors.extend(warnings);
        return Err(BuildError::Input(errors));
    }
    Ok((warnings, plan.pages.len()))
}
