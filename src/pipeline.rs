//! The one place where the stage order is written: load → merge → plan → render → write.

use crate::coverage;
use crate::diag::{Diagnostic, Diagnostics, Origin, Severity};
use crate::load;
use crate::model::SiteInput;
use crate::plan::modified::ModifiedTable;
use crate::plan::{self, Plan};
use crate::progress::Progress;
use crate::search::{self, memo::WordMemo};
use crate::timings::Timings;
use crate::write::report::{self, Report};
use crate::write::title_memo::TitleMemo;
use crate::write::{self, Staging, WriteError, WriteStats, page_memo};
use chrono::{DateTime, NaiveDateTime, Utc};
use std::collections::BTreeSet;
use std::path::PathBuf;

mod fingerprint;
mod kept_files;
#[cfg(test)]
mod layering;
mod memo;
mod pages;
mod run;
mod run_memo;
mod search_index;
mod session;
pub use session::{Rebuilt, Session, SiteFiles};

use memo::Kept;
use pages::Sink;
pub(crate) use run::Ran;
use run::{Mode, Stopped, run};

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

impl BuildOptions {
    /// A build of the site at `root` into `root/public` at `now`, every switch off.
    pub(crate) fn new(root: PathBuf, now: Now) -> Self {
        BuildOptions {
            output: root.join("public"),
            root,
            now,
            future: false,
            base_url: None,
            locked: false,
            strict: false,
            render_all: false,
            report_dir: None,
            progress: Progress::default(),
            verbose: false,
        }
    }
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
    /// Taken from the run memo: the live site is what this build would make.
    pub replayed: bool,
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
pub(crate) fn load_input(opts: &BuildOptions) -> Result<(SiteInput, NaiveDateTime), Diagnostics> {
    let input = load::load(&opts.root)?;
    apply_overrides(input, opts)
}

/// Applies `--base-url` and works out "now" in the site's time zone.
pub(crate) fn apply_overrides(
    mut input: SiteInput,
    opts: &BuildOptions,
) -> Result<(SiteInput, NaiveDateTime), Diagnostics> {
    if let Some(url) = &opts.base_url {
        match load::normalise_base_url(url) {
            Some(u) => input.site.base_url = u,
            None => {
                return Err(Diagnostic::error(
                    Origin::file("--base-url"),
                    format!("`{url}` is not an absolute http(s) URL"),
                )
                .with_hint("write it like `https://example.org/preview/123/`")
                .into());
            }
        }
    }
    let now = now_in(input.site.timezone, opts)?;
    Ok((input, now))
}

/// "Now" in time zone `tz`: `--now` (refused in a gap of the clocks) or the clock.
fn now_in(tz: chrono_tz::Tz, opts: &BuildOptions) -> Result<NaiveDateTime, Diagnostics> {
    Ok(match opts.now {
        Now::Local(dt) => {
            if let Some((message, hint)) = load::local_time::gap_problem(tz, dt) {
                return Err(Diagnostic::error(Origin::file("--now"), message)
                    .with_hint(hint)
                    .into());
            }
            dt
        }
        Now::Instant(t) => load::local_time::wall_clock_now(tz, t),
    })
}

/// `explain`: plans what loads, every file or, when some have problems, those that loaded
/// (as `check` does), and lends the planned site to `then` with the number of problems
/// left out.
pub(crate) fn plan_what_loads<R>(
    opts: &BuildOptions,
    then: impl FnOnce(&Ran<'_>, usize) -> R,
) -> Result<R, Diagnostics> {
    let (input, loaded) = load::Parts::read(&opts.root).assemble();
    let Some(input) = input else {
        return Err(loaded);
    };
    let (mut input, now) = apply_overrides(input, opts)?;
    let mut then = Some(then);
    // Problems of templates set aside (a topic or city file left out, a layout stood in).
    let mut aside = 0;
    loop {
        let outcome = run(
            &input,
            now,
            opts,
            &mut Kept::default(),
            Mode::PlanWhatLoads,
            |ran| {
                let left_out = if loaded.has_errors() {
                    loaded.len()
                } else {
                    ran.found.len()
                };
                Ok(then.take().map(|then| then(&ran, left_out + aside)))
            },
        );
        match outcome {
            Ok(Some(r)) => return Ok(r),
            Ok(None) => unreachable!("a run calls its `then` once"),
            Err(Stopped::Templates { broken, .. }) if set_aside(&mut input, &broken) => {
                aside += broken.len();
            }
            Err(s) => return Err(problems_of(s.into())),
        }
    }
}

/// `sitegen coverage` (and serve's coverage page): load, merge, plan, then each article's
/// words from the renderer — only those of articles `memo` holds nothing for under their
/// current inputs; nothing is written. On success `memo` becomes this run's (for the
/// next run); on failure it is left as it was.
pub(crate) fn coverage(
    opts: &BuildOptions,
    memo: &mut coverage::CoverageMemo,
) -> Result<(SiteInput, coverage::Coverage, coverage::Reuse), Diagnostics> {
    let mut timings = Timings::new(opts.verbose);
    let (input, now) = load_input(opts)?;
    timings.mark("load");
    let mut kept = Kept::default();
    kept.title_memo = read_titles(opts);
    let report = run(&input, now, opts, &mut kept, Mode::Plan, |ran| {
        coverage::analyse(ran.input, ran.merged, ran.plan, ran.renderer, memo)
            .map_err(BuildError::Input)
    });
    let analysis = report.map_err(|s| problems_of(s.into()))?;
    timings.mark("coverage");
    *memo = analysis.memo;
    Ok((input, analysis.coverage, analysis.reuse))
}

/// Runs every stage and replaces the output folder on success.
pub(crate) fn build(opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    let mut timings = Timings::new(opts.verbose);
    let digest = load::digest(&opts.root);
    if let Some(replayed) = run_memo::replay(opts, digest) {
        timings.mark("run memo");
        return replayed;
    }
    let (input, now) = load_input(opts).map_err(BuildError::Input)?;
    timings.mark("load");
    let staging = Staging::begin(&opts.root, &opts.output).map_err(BuildError::Write)?;
    let mut kept = Kept::from_memo(read_memo(opts));
    kept.search_words = read_words(opts);
    kept.title_memo = read_titles(opts);
    let formatted = run_memo::formatted_locks(opts, digest);
    let outcome = run(
        &input,
        now,
        opts,
        &mut kept,
        Mode::Render(Sink::Staging(&staging)),
        |ran| before_swap(opts, &ran, &staging, digest, formatted),
    );
    let (mut built, own) = match outcome {
        Ok(built) => built,
        Err(e) => {
            staging.abandon();
            return Err(e.into());
        }
    };
    let words_text = kept.search_words.to_text();
    built.stats = staging
        .commit(&[
            (page_memo::FILE, &own.pages),
            (search::memo::FILE, &words_text),
            (write::title_memo::FILE, &own.titles),
            (write::run_memo::FILE, &own.run),
        ])
        .map_err(BuildError::Write)?;
    timings.mark("commit");
    let base = &input.site.base_url;
    let urls = |files: &[String]| -> Vec<String> {
        files
            .iter()
            .filter_map(|f| plan::urls::page_of_file(f))
            .map(|p| format!("{base}{p}"))
            .collect()
    };
    let changes = &mut built.changes;
    changes.added = urls(&built.stats.changes.added);
    changes.changed = urls(&built.stats.changes.changed);
    changes.removed = urls(&built.stats.changes.removed);
    write::durable::crash_point("report");
    report::write_report(&built.report_dir, changes).map_err(BuildError::AfterSwap)?;
    timings.mark("locks");
    Ok(built)
}

/// The texts of sitegen's own files that come with the new site (see [`Staging::commit`]).
struct OwnTexts {
    /// The page memo.
    pages: String,
    /// The title memo.
    titles: String,
    /// The run memo.
    run: String,
}

/// Everything a build does before the swap: the site files put into `staging`, the memo
/// text made and the locks written. Gives the report, but for what the swap changes.
fn before_swap(
    opts: &BuildOptions,
    ran: &Ran<'_>,
    staging: &Staging,
    digest: Option<load::InputDigest>,
    formatted: run_memo::FormattedLocks,
) -> Result<(BuildReport, OwnTexts), BuildError> {
    let (input, plan, renderer) = (ran.input, ran.plan, ran.renderer);
    let Some(site) = &ran.site else {
        unreachable!("a build renders its pages");
    };
    for (path, bytes) in &site.files {
        staging.put(path, bytes).map_err(BuildError::Write)?;
    }
    let sitemaps: String =
        crate::site_files::sitemap::submittable(site.files.iter().map(|(path, _)| path.as_str()))
            .into_iter()
            .map(|p| format!("{}{p}\n", input.site.base_url))
            .collect();
    // Kept pages' lines were read from the memo (borrowed); new ones are checked.
    let memo = (site.rendered.memo.iter())
        .map(|m| (m.as_ref(), matches!(m, std::borrow::Cow::Borrowed(_))))
        .chain(site.memo_files.iter().map(|m| (m, false)));
    let memo_text = page_memo::format(memo);
    // The commit order (README, "Build safety"): everything that can fail runs before the
    // swap, so a failure leaves the output folder as it was; only the change lists are
    // written after it, and a failure there says that the new site is live.
    let report_dir = report_dir(opts);
    let preview = preview_reason(opts, input.site.timezone);
    let locks = lock_texts(opts, preview, input, plan, &site.table, formatted)
        .map_err(BuildError::Input)?;
    report::prepare(&report_dir).map_err(BuildError::Write)?;
    let (lock_updated, modified_updated) = save_locks(opts, &locks)?;
    let mut warnings = site.rendered.warnings.clone();
    let aged = crate::lint::facts::aged(input, plan.now.date());
    let aged_list: String = aged
        .iter()
        .map(|d| format!("{}: {}\n", d.origin, d.message))
        .collect();
    warnings.extend(aged);
    let next_publish_iso = plan.next_publish.map(|t| renderer.iso(t));
    let base = &input.site.base_url;
    let changes = Report {
        next_publish: next_publish_iso.clone(),
        extra: [
            (AGED_FACTS_FILE.to_string(), aged_list),
            (SITEMAPS_FILE.to_string(), sitemaps),
            (
                crate::site_files::DEAD_LINKS_FILE.to_string(),
                plan.dead_links
                    .iter()
                    .map(|p| format!("{base}{p}\n"))
                    .collect(),
            ),
        ]
        .into_iter()
        .chain(crate::site_files::redirect_maps(input, plan))
        .collect(),
        ..Report::default()
    };
    let published = plan.articles.iter().filter(|a| a.published).count();
    let pages = site.rendered.pages;
    let built = BuildReport {
        articles: published,
        future_articles: plan.articles.len() - published,
        pages,
        rendered: site.rendered.rendered,
        files: pages + site.files.len() + site.memo_files.len(),
        stats: WriteStats::default(),
        warnings,
        next_publish: plan.next_publish,
        next_publish_iso,
        lock_updated,
        modified_updated,
        preview,
        report_dir,
        changes,
        replayed: false,
    };
    // This build leaves a lock as a build formats it when it wrote or compared it, or left
    // alone a lock already so.
    let writes = !opts.locked && preview.is_none();
    let formatted = run_memo::FormattedLocks {
        schedule: formatted.schedule || writes,
        modified: formatted.modified || writes,
    };
    let tz = input.site.timezone;
    let run_text = run_memo::record(opts, digest, plan, &built, &memo_text, tz, formatted);
    let own = OwnTexts {
        pages: memo_text,
        titles: site.titles.clone().unwrap_or_default(),
        run: run_text,
    };
    Ok((built, own))
}

/// Where the change lists go: `--report-dir`, or beside the output folder.
fn report_dir(opts: &BuildOptions) -> PathBuf {
    opts.report_dir
        .clone()
        .unwrap_or_else(|| report::default_report_dir(&opts.output))
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
fn preview_reason(opts: &BuildOptions, tz: chrono_tz::Tz) -> Option<&'static str> {
    if opts.future {
        return Some("--future");
    }
    if let Now::Local(now) = opts.now
        && now > load::local_time::wall_clock_now(tz, Utc::now())
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
/// A lock is left out, unformatted, when it is as a build formats it (`formatted`) and
/// lists the very entries this build has for it: its text would be the same.
fn lock_texts(
    opts: &BuildOptions,
    preview: Option<&str>,
    input: &SiteInput,
    plan: &Plan,
    table: &ModifiedTable,
    formatted: run_memo::FormattedLocks,
) -> Result<Vec<(&'static str, String)>, Diagnostics> {
    if opts.locked || preview.is_some() {
        return Ok(Vec::new());
    }
    let same = |name: &str| {
        let note = format!("{name} lists the same entries: not formatted again");
        Timings::new(opts.verbose).note(&note);
    };
    let mut texts = Vec::new();
    if formatted.schedule && load::lock_lists_the_same(&plan.lock, &input.schedule_lock) {
        same(load::LOCK_FILE);
    } else {
        texts.push((load::LOCK_FILE, load::format_lock(&plan.lock)));
    }
    if formatted.modified && load::lock_lists_the_same(&table.entries, &input.modified_lock) {
        same(load::MODIFIED_FILE);
    } else if opts.base_url.is_none() {
        texts.push((load::MODIFIED_FILE, load::format_modified(&table.entries)));
    }
    let mut problems = Diagnostics::default();
    for (name, text) in &texts {
        // A lock the site already holds is not written: this build read it, so the next can.
        if write::file_holds(&opts.root.join(name), text.as_bytes()) {
            continue;
        }
        let shown = std::path::Path::new(name);
        let again = match *name {
            load::LOCK_FILE => load::lock_reads_back(text, shown),
            _ => load::parse_modified(text, shown).map(|m| load::format_modified(&m) == *text),
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
    Err(Diagnostic::error(
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
    .with_hint("run `sitegen build` without --locked and commit the updated modified.lock")
    .into())
}

/// Loads and renders everything without writing; returns all problems found, with the
/// content lint's warnings (errors with `--strict`).
///
/// Unlike `build`, it goes on past broken files: a city or topic file with errors is left
/// out and the rest is still merged, planned, rendered and linted, so one run reports
/// every problem of every file.
pub(crate) fn check(opts: &BuildOptions) -> Diagnostics {
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
    // Pages unchanged since the last build give their warnings from its memo.
    let mut kept = Kept::from_memo(read_memo(opts));
    kept.title_memo = read_titles(opts);
    let mut run_opts = opts.clone();
    let mut retried = false;
    loop {
        let outcome = run(&input, now, &run_opts, &mut kept, Mode::Check, |ran| {
            let mut found = ran.found;
            found.extend(ran.site.map(|s| s.rendered.warnings).unwrap_or_default());
            Ok(found)
        });
        match outcome {
            Ok(found) => all.extend(found),
            Err(Stopped::At(BuildError::Input(d))) => all.extend(d),
            Err(Stopped::At(_)) => {}
            Err(Stopped::Templates { found, broken: d }) => {
                // Leave out the files whose templates failed and check the rest, once (its
                // schedule is not the whole site's: --locked is not asked again); a broken
                // layout is checked as its stand-in, so the content is still rendered.
                all.extend(found);
                let progress = set_aside(&mut input, &d);
                all.extend(d);
                if progress && !retried {
                    retried = true;
                    run_opts.locked = false;
                    continue;
                }
            }
        }
        break;
    }
    // Time passing is never a content error, not even with --strict.
    all.extend(crate::lint::facts::aged(&input, now.date()));
    all
}

/// Sets aside what `problems` (from [`Renderer::new`]) name, so that the rest can still
/// be rendered and linted (`check`, `explain`): a city or topic file whose templates do not
/// compile is left out, a broken layout is replaced by its stand-in (its blocks, empty).
/// `false` when nothing was set aside.
pub fn set_aside(input: &mut SiteInput, problems: &[Diagnostic]) -> bool {
    let broken: BTreeSet<&std::path::Path> =
        problems.iter().map(|d| d.origin.file.as_path()).collect();
    let before = input.topics.len() + input.cities.len();
    input.topics.retain(|t| !broken.contains(t.path.as_path()));
    input.cities.retain(|c| !broken.contains(c.path.as_path()));
    let mut stood_in = false;
    for t in input
        .templates
        .iter_mut()
        .filter(|t| broken.contains(t.path.as_path()))
    {
        let stand_in = crate::render::templates::stand_in(&t.source);
        stood_in |= stand_in != t.source;
        t.source = stand_in;
    }
    stood_in || input.topics.len() + input.cities.len() < before
}

/// The output folder's page memo, unless `--render-all` asks to render every page.
fn read_memo(opts: &BuildOptions) -> page_memo::PageMemo {
    if opts.render_all {
        page_memo::PageMemo::new()
    } else {
        page_memo::read(&opts.output)
    }
}

/// The words of texts the last build's search index segmented, from the output folder
/// (none with `--render-all`, which makes everything again).
fn read_words(opts: &BuildOptions) -> WordMemo {
    if opts.render_all {
        WordMemo::default()
    } else {
        WordMemo::read(&opts.output)
    }
}

/// The titles the last build rendered, from the output folder (none with `--render-all`).
fn read_titles(opts: &BuildOptions) -> TitleMemo {
    if opts.render_all {
        TitleMemo::default()
    } else {
        TitleMemo::read(&opts.output)
    }
}

/// The one place `--strict` is applied (by the driver, to the warnings of the lint and the
/// pages): with it, they count as errors. Time passing (aged facts) is never a content
/// error, so those are added later and stay warnings.
fn strict(opts: &BuildOptions, warnings: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if !opts.strict {
        return warnings;
    }
    (warnings.into_iter())
        .map(|d| Diagnostic {
            severity: Severity::Error,
            ..d
        })
        .collect()
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
    Err(Diagnostic::error(
        Origin::file(load::LOCK_FILE),
        "schedule.lock is out of date (articles were added or removed)",
    )
    .with_hint("run `sitegen build` without --locked and commit the updated schedule.lock")
    .into())
}

/// The problems a command reports for a failed run that writes nothing.
fn problems_of(e: BuildError) -> Diagnostics {
    match e {
        BuildError::Input(d) => d,
        BuildError::Write(_) | BuildError::AfterSwap(_) => Diagnostics::default(),
    }
}
