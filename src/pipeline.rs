//! The one place where the stage order is written: load → merge → plan → render → write.

use crate::coverage;
use crate::diag::{Diagnostic, Diagnostics, Origin, Severity};
use crate::lint::Linter;
use crate::load::{self, Stamps};
use crate::merge;
use crate::model::{ModifiedEntry, SiteInput};
use crate::plan::{self, Plan, PlanOptions};
use crate::progress::Progress;
use crate::render::Renderer;
use crate::render::modified::{self, ModifiedTable};
use crate::timings::Timings;
use crate::write::report::{self, Report};
use crate::write::{self, Staging, WriteError, WriteStats, page_memo};
use chrono::{DateTime, NaiveDateTime, Utc};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::PathBuf;

#[cfg(test)]
mod layering;
mod pages;
mod search_index;
mod session;
pub use session::{Rebuilt, Session, SiteFiles};

use pages::{Memo, Sink, render_into};

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
    /// Ignore the page memo: render every page.
    pub render_all: bool,
    /// Where the change lists and next-publish time go (default: `<output>-report`).
    pub report_dir: Option<PathBuf>,
    /// Told how many pages are rendered (the command layer's progress bar).
    pub progress: Progress,
    /// Print stage timings to stderr (`-v`; also `SITEGEN_TIMINGS=1`).
    pub verbose: bool,
}

/// What a successful build did.
#[derive(Debug)]
pub struct BuildReport {
    pub articles: usize,
    pub future_articles: usize,
    pub pages: usize,
    /// Pages rendered by this build (the others were unchanged since an earlier build).
    pub rendered: usize,
    pub files: usize,
    pub stats: WriteStats,
    pub warnings: Vec<Diagnostic>,
    pub next_publish: Option<NaiveDateTime>,
    /// `next_publish` as ISO 8601 with the site's offset.
    pub next_publish_iso: Option<String>,
    pub lock_updated: bool,
    pub modified_updated: bool,
    /// Why the locks were not written back, when the build is a preview.
    pub preview: Option<&'static str>,
    /// The folder holding the change lists and `next-publish.txt`, and what it says.
    pub report_dir: PathBuf,
    pub changes: Report,
}

/// Why a build failed.
#[derive(Debug)]
pub enum BuildError {
    /// Problems in the input; nothing was written.
    Input(Diagnostics),
    /// The output folder could not be written; the previous site is unchanged.
    Write(WriteError),
    /// The new site is live (and the locks written), but what comes after the swap (the
    /// change lists) could not be written.
    AfterSwap(WriteError),
}

/// The loaded input with command-line overrides applied, and "now" in site time.
pub fn load_input(opts: &BuildOptions) -> Result<(SiteInput, NaiveDateTime), Diagnostics> {
    let input = load::load(&opts.root)?;
    apply_overrides(input, opts)
}

/// Applies `--base-url` and works out "now" in the site's time zone.
pub fn apply_overrides(
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
    let tz = input.site.timezone;
    let now = match opts.now {
        Now::Local(dt) => {
            if let Some((message, hint)) = load::local_time::gap_problem(tz, dt) {
                let mut d = Diagnostics::default();
                d.push(Diagnostic::error(Origin::file("--now"), message).with_hint(hint));
                return Err(d);
            }
            dt
        }
        Now::Instant(t) => load::local_time::wall_clock_now(tz, t),
    };
    Ok((input, now))
}

/// Plans the site (load, merge, plan) without rendering.
pub fn plan_site(opts: &BuildOptions) -> Result<(SiteInput, merge::Merged, Plan), Diagnostics> {
    let (input, now) = load_input(opts)?;
    let (merged, plan) = merge_and_plan(&input, now, opts.future)?;
    Ok((input, merged, plan))
}

/// The pure stages on loaded input: value shapes checked, merged, then planned.
pub fn merge_and_plan(
    input: &SiteInput,
    now: NaiveDateTime,
    future: bool,
) -> Result<(merge::Merged, Plan), Diagnostics> {
    let shapes = merge::check_shapes(input, None);
    if !shapes.is_empty() {
        return Err(collect(shapes));
    }
    let merged = merge::merge(input, None);
    let plan = plan::plan(input, &merged, &PlanOptions { now, future }).map_err(collect)?;
    Ok((merged, plan))
}

/// `sitegen coverage` (and serve's coverage page): load, merge, plan, then each article's
/// words from the renderer; nothing is written.
pub fn coverage(opts: &BuildOptions) -> Result<(SiteInput, coverage::Coverage), Diagnostics> {
    let (input, now) = load_input(opts)?;
    let (merged, plan) = merge_and_plan(&input, now, opts.future)?;
    let report = {
        let renderer = Renderer::new(&input, &merged, &plan, None).map_err(collect)?;
        coverage::analyse(&input, &merged, &plan, &renderer)?
    };
    Ok((input, report))
}

/// Runs every stage and replaces the output folder on success.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    let mut timings = Timings::new(opts.verbose);
    let (input, now) = load_input(opts).map_err(BuildError::Input)?;
    timings.mark("load");
    let (merged, plan) = merge_and_plan(&input, now, opts.future).map_err(BuildError::Input)?;
    timings.mark("plan");
    check_lock(opts, &input, &plan).map_err(BuildError::Input)?;
    let renderer =
        Renderer::new(&input, &merged, &plan, None).map_err(|d| BuildError::Input(collect(d)))?;
    let linter = Linter::new(&input, &merged);
    let mut early = linter.input();
    early.extend(coverage::lint(&input, &merged, &plan, &renderer));
    let aged = linter.aged(plan.now.date());
    timings.mark("templates");
    let staging = Staging::begin(&opts.root, &opts.output).map_err(BuildError::Write)?;
    let stamps = Stamps::of(&input);
    let memo_pages = read_memo(opts);
    let shared = renderer.fingerprint_shared(|_| None);
    timings.mark("fingerprints");
    let memo = Memo {
        pages: &memo_pages,
        shared: &shared,
        stamps: &stamps,
    };
    let sink = Sink::Staging(&staging);
    let outcome = render_into(
        &renderer,
        &linter,
        &plan,
        &memo,
        &sink,
        &opts.progress,
        early,
        opts.strict,
    )
    .and_then(|mut rendered| {
        let records = std::mem::take(&mut rendered.records);
        let table = modified_table(&renderer, &input, &plan, records);
        check_modified(opts, &input, &table).map_err(BuildError::Input)?;
        let extra = renderer.site_files(&table.modified, None);
        for (path, bytes) in &extra {
            staging.put(path, bytes).map_err(BuildError::Write)?;
        }
        let (index_memo, index_files) = search_index::put_index(
            &renderer,
            &input,
            &merged,
            &plan,
            &stamps,
            &memo_pages,
            &staging,
        )?;
        rendered
            .memo
            .extend(index_memo.into_iter().map(std::borrow::Cow::Owned));
        let sitemaps: String =
            crate::render::sitemap::submittable(extra.iter().map(|(path, _)| path.as_str()))
                .into_iter()
                .map(|p| format!("{}{p}\n", input.site.base_url))
                .collect();
        Ok((rendered, table, extra.len() + index_files, sitemaps))
    });
    let (rendered, table, extra, sitemaps) = match outcome {
        Ok(ok) => ok,
        Err(e) => {
            staging.abandon();
            return Err(e);
        }
    };
    timings.mark("render");
    let memo_text = page_memo::format(rendered.memo.iter().map(|m| m.as_ref()));
    // The commit order (README, "Build safety"): everything that can fail runs before the
    // swap, so a failure leaves the output folder as it was; only the change lists are
    // written after it, and a failure there says that the new site is live.
    let report_dir = opts
        .report_dir
        .clone()
        .unwrap_or_else(|| report::default_report_dir(&opts.output));
    let preview = preview_reason(opts, &input);
    let before_swap = lock_texts(opts, preview, &plan, &table)
        .map_err(BuildError::Input)
        .and_then(|locks| {
            report::prepare(&report_dir).map_err(BuildError::Write)?;
            save_locks(opts, &locks)
        });
    let (lock_updated, modified_updated) = match before_swap {
        Ok(saved) => saved,
        Err(e) => {
            staging.abandon();
            return Err(e);
        }
    };
    let stats = staging
        .commit(&[(page_memo::FILE, &memo_text)])
        .map_err(BuildError::Write)?;
    let mut warnings = rendered.warnings;
    let aged_list: String = aged
        .iter()
        .map(|d| format!("{}: {}\n", d.origin, d.message))
        .collect();
    warnings.extend(aged);
    timings.mark("commit");
    let next_publish_iso = plan.next_publish.map(|t| renderer.iso(t));
    let base = &input.site.base_url;
    let urls = |files: &[String]| -> Vec<String> {
        files
            .iter()
            .filter_map(|f| plan::urls::page_of_file(f))
            .map(|p| format!("{base}{p}"))
            .collect()
    };
    let change_report = Report {
        added: urls(&stats.changes.added),
        changed: urls(&stats.changes.changed),
        removed: urls(&stats.changes.removed),
        next_publish: next_publish_iso.clone(),
        extra: [
            (AGED_FACTS_FILE.to_string(), aged_list),
            (SITEMAPS_FILE.to_string(), sitemaps),
            (
                crate::render::DEAD_LINKS_FILE.to_string(),
                plan.dead_links
                    .iter()
                    .map(|p| format!("{base}{p}\n"))
                    .collect(),
            ),
        ]
        .into_iter()
        .chain(renderer.redirect_maps())
        .collect(),
    };
    write::durable::crash_point("report");
    report::write_report(&report_dir, &change_report).map_err(BuildError::AfterSwap)?;
    timings.mark("locks");
    let published = plan.articles.iter().filter(|a| a.published).count();
    Ok(BuildReport {
        articles: published,
        future_articles: plan.articles.len() - published,
        pages: rendered.pages,
        rendered: rendered.rendered,
        files: rendered.pages + extra,
        stats,
        warnings,
        next_publish: plan.next_publish,
        next_publish_iso,
        lock_updated,
        modified_updated,
        preview,
        report_dir,
        changes: change_report,
    })
}

/// The list of city facts past `lint.fact_max_age_days`, in the report folder.
pub const AGED_FACTS_FILE: &str = "aged-facts.txt";

/// The sitemap files to submit one by one (Baidu reads no sitemap index), in the report
/// folder.
pub const SITEMAPS_FILE: &str = "sitemaps.txt";

/// Why this build is a preview whose dates must not be recorded, if it is one: it shows
/// the future (`--future`, a `--now` later than the clock), another address
/// (`--base-url`) or goes to a folder outside the site. Such a build never writes
/// `schedule.lock` or `modified.lock`.
fn preview_reason(opts: &BuildOptions, input: &SiteInput) -> Option<&'static str> {
    if opts.future {
        return Some("--future");
    }
    if let Now::Local(now) = opts.now
        && now > load::local_time::wall_clock_now(input.site.timezone, Utc::now())
    {
        return Some("--now is later than the clock");
    }
    if opts.base_url.is_some() {
        return Some("--base-url");
    }
    // Asked before the swap, when a first build's output folder does not exist yet.
    let output = opts.output.canonicalize().or_else(|_| {
        let parent = write::parent_of(&opts.output).canonicalize()?;
        Ok::<_, std::io::Error>(parent.join(opts.output.file_name().unwrap_or_default()))
    });
    let inside = match (output, opts.root.canonicalize()) {
        (Ok(out), Ok(root)) => out.starts_with(root),
        _ => false,
    };
    (!inside).then_some("-o is outside the site folder")
}

/// The texts of `schedule.lock` and `modified.lock` this build would write (none with
/// `--locked` or for a preview, see [`preview_reason`]), each
/// checked to read back as itself: a build never writes a lock the next one refuses.
fn lock_texts(
    opts: &BuildOptions,
    preview: Option<&str>,
    plan: &Plan,
    table: &ModifiedTable,
) -> Result<Vec<(&'static str, String)>, Diagnostics> {
    if opts.locked || preview.is_some() {
        return Ok(Vec::new());
    }
    let schedule = load::format_lock(&plan.lock);
    let mut texts = vec![(load::LOCK_FILE, schedule)];
    if opts.base_url.is_none() {
        texts.push((load::MODIFIED_FILE, load::format_modified(&table.entries)));
    }
    let mut problems = Diagnostics::default();
    for (name, text) in &texts {
        let shown = std::path::Path::new(name);
        let again = match *name {
            load::LOCK_FILE => load::parse_lock(text, shown).map(|l| load::format_lock(&l)),
            _ => load::parse_modified(text, shown).map(|m| load::format_modified(&m)),
        };
        if let Some(d) = write::unreadable_lock(name, text, again) {
            problems.push(d);
        }
    }
    if problems.is_empty() {
        Ok(texts)
    } else {
        Err(problems)
    }
}

/// Writes the locks whose text changed, before the swap; says which were updated.
fn save_locks(
    opts: &BuildOptions,
    texts: &[(&'static str, String)],
) -> Result<(bool, bool), BuildError> {
    let mut updated = (false, false);
    for (name, text) in texts {
        let changed = write::replace_file_if_changed(&opts.root.join(name), text, &opts.root, name)
            .map_err(BuildError::Write)?;
        if changed {
            let _ = write::durable::sync_dir(&opts.root);
        }
        match *name {
            load::LOCK_FILE => updated.0 = changed,
            _ => updated.1 = changed,
        }
    }
    Ok(updated)
}

/// Every article's `modified.lock` record: the published ones from rendering, the others
/// hashed here, so the lock is the same whatever "now" is.
fn modified_table(
    renderer: &Renderer<'_>,
    input: &SiteInput,
    plan: &Plan,
    mut records: Vec<(usize, ModifiedEntry)>,
) -> ModifiedTable {
    let unpublished: Vec<(usize, ModifiedEntry)> = (0..plan.articles.len())
        .into_par_iter()
        .filter(|&i| !plan.articles[i].published)
        .filter_map(|i| renderer.unpublished_record(i).map(|e| (i, e)))
        .collect();
    records.extend(unpublished);
    modified::table(plan, &input.modified_lock, records)
}

/// With `--locked`, fails when `modified.lock` would change (an article's text changed
/// but the lock was not rebuilt and committed).
fn check_modified(
    opts: &BuildOptions,
    input: &SiteInput,
    table: &ModifiedTable,
) -> Result<(), Diagnostics> {
    if !opts.locked || table.entries == input.modified_lock {
        return Ok(());
    }
    let changed: Vec<&str> = table
        .entries
        .iter()
        .filter(|e| !input.modified_lock.contains(e))
        .map(|e| e.article.as_str())
        .take(5)
        .collect();
    let mut d = Diagnostics::default();
    d.push(
        Diagnostic::error(
            Origin::file(load::MODIFIED_FILE),
            format!(
                "modified.lock is out of date (changed articles include: {})",
                if changed.is_empty() {
                    "removed ones".to_string()
                } else {
                    changed.join(", ")
                }
            ),
        )
        .with_hint("run `sitegen build` without --locked and commit the updated modified.lock"),
    );
    Err(d)
}

/// Loads and renders everything without writing; returns all problems found, with the
/// content lint's warnings (errors with `--strict`).
///
/// Unlike `build`, it goes on past broken files: a city or topic file with errors is left
/// out and the rest is still merged, planned, rendered and linted, so one run reports
/// every problem of every file.
pub fn check(opts: &BuildOptions) -> Diagnostics {
    let (input, mut all) = load::Parts::read(&opts.root).assemble();
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
    all.extend(merge::check_shapes(&input, None));
    for attempt in 0..2 {
        let merged = merge::merge(&input, None);
        let plan = match plan::plan(
            &input,
            &merged,
            &PlanOptions {
                now,
                future: opts.future,
            },
        ) {
            Ok(plan) => plan,
            Err(d) => {
                all.extend(d);
                break;
            }
        };
        let linter = Linter::new(&input, &merged);
        if attempt == 0 {
            if let Err(d) = check_lock(opts, &input, &plan) {
                all.extend(d);
            }
            all.extend(linter.input());
        }
        match Renderer::new(&input, &merged, &plan, None) {
            Ok(renderer) => {
                all.extend(coverage::lint(&input, &merged, &plan, &renderer));
                // Pages unchanged since the last build give their warnings from its memo.
                let stamps = Stamps::of(&input);
                let pages = read_memo(opts);
                let shared = renderer.fingerprint_shared(|_| None);
                let memo = Memo {
                    pages: &pages,
                    shared: &shared,
                    stamps: &stamps,
                };
                let progress = &opts.progress;
                match render_into(
                    &renderer,
                    &linter,
                    &plan,
                    &memo,
                    &Sink::Nowhere,
                    progress,
                    Vec::new(),
                    false,
                ) {
                    Ok(rendered) => {
                        all.extend(rendered.warnings);
                        let table = modified_table(&renderer, &input, &plan, rendered.records);
                        if let Err(d) = check_modified(opts, &input, &table) {
                            all.extend(d);
                        }
                    }
                    Err(BuildError::Input(d)) => all.extend(d),
                    Err(BuildError::Write(_) | BuildError::AfterSwap(_)) => {}
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
    // Time passing is never a content error, not even with --strict.
    all.extend(crate::lint::aged_facts(&input, now.date()));
    all
}

/// The output folder's page memo, unless `--render-all` asks to render every page.
fn read_memo(opts: &BuildOptions) -> page_memo::PageMemo {
    if opts.render_all {
        page_memo::PageMemo::new()
    } else {
        page_memo::read(&opts.output)
    }
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
