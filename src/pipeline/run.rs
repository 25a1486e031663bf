//! The one driver: merge → plan → render → site files, run on assembled input. `build`,
//! `check`, `serve`, `explain` and `coverage` all call [`run`]; what differs is data:
//! where the input came from, what is kept from earlier runs ([`Kept`]), where pages go
//! ([`Sink`]) and how far the run goes and how it meets problems ([`Mode`]).

use super::fingerprint::{Fingerprints, title_inputs};
use super::kept_files::{FeedKeys, MadeFiles, site_files};
use super::memo::{Kept, MergeStamps, keep_titles};
use super::pages::{Memo, Rendered, Sink, render_into};
use super::{BuildError, BuildOptions, check_lock, check_modified, search_index, strict};
use crate::coverage;
use crate::diag::{Diagnostic, Diagnostics};
use crate::lint::Linter;
use crate::load::Stamps;
use crate::merge::{self, Merged};
use crate::model::ids::{ArticleId, CityId, IdVec};
use crate::model::{ModifiedEntry, SiteInput};
use crate::plan::modified::{self, ModifiedTable};
use crate::plan::{self, Page, Plan, PlanOptions};
use crate::render::Renderer;
use crate::site_files::{KeptFile, Sources};
use crate::timings::Timings;
use crate::write::page_memo::MemoPage;
use crate::write::title_memo;
use chrono::NaiveDateTime;
use rayon::prelude::*;

/// How far a run goes, and whether it goes past value-shape and lock problems (reporting
/// them in [`Ran::found`]) or stops at them.
pub(crate) enum Mode<'s> {
    /// `build` and `serve`: every page and site file, into the sink; stops at problems.
    Render(Sink<'s>),
    /// `check`: every page; goes past problems.
    Check,
    /// `coverage`: up to the renderer; stops at problems.
    Plan,
    /// `explain`: up to the renderer; goes past problems.
    PlanWhatLoads,
}

impl Mode<'_> {
    fn pages(&self) -> bool {
        matches!(self, Mode::Render(_) | Mode::Check)
    }

    fn go_on(&self) -> bool {
        matches!(self, Mode::Check | Mode::PlanWhatLoads)
    }
}

/// What a run made, lent to its caller.
pub(crate) struct Ran<'r> {
    pub input: &'r SiteInput,
    pub merged: &'r Merged,
    pub plan: &'r Plan,
    pub renderer: &'r Renderer<'r>,
    /// Problems found and gone past (see [`Mode`]).
    pub found: Diagnostics,
    /// When the mode renders pages.
    pub site: Option<BuiltSite<'r>>,
}

/// The rendered site.
pub(crate) struct BuiltSite<'r> {
    pub rendered: Rendered<'r>,
    pub table: ModifiedTable,
    /// Sitemap, feeds, robots.txt, redirects and static files (none into a sink that is
    /// nowhere).
    pub files: Vec<KeptFile>,
    /// Memo lines of the site files made through the page memo (the feeds and the search
    /// index), put into the sink.
    pub memo_files: Vec<MemoPage>,
    /// The title memo's text, for a sink that keeps it on disk (the staging folder).
    pub titles: Option<String>,
}

/// Why a run stopped.
pub(crate) enum Stopped {
    /// Templates or titles could not be made ready: their problems (`broken`), and those
    /// gone past before.
    Templates {
        found: Diagnostics,
        broken: Vec<Diagnostic>,
    },
    At(BuildError),
}

impl From<BuildError> for Stopped {
    fn from(e: BuildError) -> Stopped {
        Stopped::At(e)
    }
}

impl From<Stopped> for BuildError {
    fn from(s: Stopped) -> BuildError {
        match s {
            Stopped::Templates { mut found, broken } => {
                found.extend(broken);
                BuildError::Input(found)
            }
            Stopped::At(e) => e,
        }
    }
}

/// Runs the stages on `input` ("now" is `now`), reusing what `kept` holds, putting pages
/// into `sink`, and lends the result to `then`. `kept` then holds this run's merge and
/// titles for the next run (when it keeps them); its pages are the caller's to replace.
pub(crate) fn run<R>(
    input: &SiteInput,
    now: NaiveDateTime,
    opts: &BuildOptions,
    kept: &mut Kept,
    mode: Mode<'_>,
    then: impl FnOnce(Ran<'_>) -> Result<R, BuildError>,
) -> Result<R, Stopped> {
    let mut timings = Timings::new(opts.verbose);
    let sink = match &mode {
        Mode::Render(sink) => sink,
        _ => &Sink::Nowhere,
    };
    let stamps = Stamps::of(input);
    let was = MergeStamps::of(input, &stamps);
    let mut found = Diagnostics::default();
    let (earlier, old) = match kept.merged.take() {
        Some((m, old)) if (old.site, &old.topics) == (was.site, &was.topics) => {
            (Some(m), Some(old))
        }
        _ => (None, None),
    };
    let clean = |c: CityId| {
        old.as_ref()
            .is_some_and(|old| old.cities.get(c) == Some(&was.cities[c]))
    };
    // Only cities changed since a clean merge need checking; the whole site again when one
    // of them has problems, so they read as a full check reports them.
    let mut shapes = merge::check_shapes(
        input,
        old.as_ref().map(|_| &clean as &dyn Fn(CityId) -> bool),
    );
    if old.is_some() && !shapes.is_empty() {
        shapes = merge::check_shapes(input, None);
    }
    if let Err(stopped) = stop_or_go(shapes, &mode, &mut found) {
        // The last merge still holds for the cities it was made from.
        if let (Some(merged), Some(old)) = (earlier, old) {
            kept.merged = Some((merged, old));
        }
        return Err(stopped);
    }
    let earlier = earlier.map(|merged| merge::Earlier {
        merged,
        unchanged: &clean,
    });
    let merged = merge::merge(input, earlier);
    // Everything from the plan on, so a run that fails there still leaves its merge for
    // the next (`serve` after an edit that breaks the plan or a page).
    let from_plan_on = || -> Result<R, Stopped> {
        let plan_opts = PlanOptions {
            now,
            future: opts.future,
        };
        let plan = plan::plan(input, &merged, &plan_opts).map_err(|d| with_found(&mut found, d))?;
        timings.mark("plan");
        let lock = check_lock(opts, input, &plan).err();
        stop_or_go(lock.into_iter().flatten().collect(), &mode, &mut found)?;
        let title_keys = plan.articles.map(|a| title_inputs(was.site, a, &stamps));
        let known = |i: ArticleId| kept.title(&plan.articles[i], title_keys[i]);
        // Kept across `serve`'s runs with the link, or from the output folder's title memo.
        let known_title = |i: ArticleId| match known(i) {
            Some((title, link, _)) => Some((title.to_string(), Some(link.clone()))),
            None => (plan.articles[i].published)
                .then(|| kept.title_memo.get(title_keys[i]))
                .flatten()
                .map(|title| (title.to_string(), None)),
        };
        let renderer = match Renderer::new(input, &merged, &plan, Some(&known_title)) {
            Ok(renderer) => renderer,
            Err(broken) => return Err(Stopped::Templates { found, broken }),
        };
        if timings.enabled() {
            let all = plan.articles.iter().filter(|a| a.published).count();
            let made = renderer.titles_rendered();
            timings.note(&format!("titles rendered {made} of {all}"));
        }
        timings.mark("templates");
        let shared = mode.pages().then(|| {
            Fingerprints::new(input, &plan, &renderer, &stamps, |i| {
                known(i).map(|(_, _, hash)| hash)
            })
        });
        let mut site = None;
        if let Some(shared) = &shared {
            let linter = Linter::new(input, &merged);
            let mut early = linter.input();
            early.extend(coverage::lint(input, &merged, &plan, &renderer));
            let memo = Memo {
                pages: &kept.pages,
                fingerprints: shared,
            };
            let progress = &opts.progress;
            let mut rendered =
                render_into(&renderer, &linter, &plan, &memo, sink, progress, early)?;
            if !kept.lives_across_runs() {
                // No page is rendered after this; only `serve` keeps links for its next run.
                renderer.release_links();
            }
            timings.mark("render");
            // Pages that fail stop every run; warnings made errors by --strict stop only a run
            // that stops at problems (`check` goes on to report the rest).
            let warnings = strict(opts, std::mem::take(&mut rendered.warnings));
            let strict_stop = !mode.go_on() && warnings.iter().any(Diagnostic::is_error);
            if rendered.errors.has_errors() || strict_stop {
                let mut problems = std::mem::take(&mut rendered.errors);
                problems.extend(warnings);
                return Err(with_found(&mut found, problems));
            }
            rendered.warnings = warnings;
            // Unpublished articles' records only matter to modified.lock (written by a build,
            // compared with --locked).
            let lock_records = matches!(sink, Sink::Staging(_)) || opts.locked;
            let table = modified_table(
                &renderer,
                input,
                &plan,
                std::mem::take(&mut rendered.records),
                lock_records,
            );
            let modified = check_modified(opts, input, &table).err();
            stop_or_go(modified.into_iter().flatten().collect(), &mode, &mut found)?;
            let (files, memo_files) = if matches!(sink, Sink::Nowhere) {
                (Vec::new(), Vec::new())
            } else {
                let keys = article_keys(&plan, &rendered.memo);
                let keys = FeedKeys {
                    global: shared.global,
                    articles: &keys,
                };
                let sources = Sources {
                    input,
                    plan: &plan,
                    renderer: &renderer,
                    modified: &table.modified,
                };
                let made = site_files(&sources, &keys, &memo, sink, &mut kept.sitemaps)
                    .map_err(BuildError::Write)?;
                let MadeFiles {
                    files,
                    mut feeds,
                    feeds_made,
                } = made;
                timings.note(&format!("feeds made {feeds_made} of {}", feeds.len()));
                // The words go on to the next run: `serve` keeps them, `build` writes them out.
                let words = &mut kept.search_words;
                let (index, used) =
                    search_index::put_index(&renderer, input, &merged, &plan, &memo, words, sink)
                        .map_err(BuildError::Write)?;
                if let Some(used) = used {
                    let all = used.kept + used.made;
                    timings.note(&format!("search texts segmented {} of {all}", used.made));
                }
                feeds.extend(index);
                (files, feeds)
            };
            timings.mark("site files");
            let titles = matches!(sink, Sink::Staging(_)).then(|| {
                let published = plan.articles.iter_ids().filter(|(_, a)| a.published);
                title_memo::format(
                    published.map(|(i, _)| (title_keys[i], renderer.article_title(i))),
                )
            });
            site = Some(BuiltSite {
                rendered,
                table,
                files,
                memo_files,
                titles,
            });
        }
        let ran = Ran {
            input,
            merged: &merged,
            plan: &plan,
            renderer: &renderer,
            found,
            site,
        };
        let result = then(ran)?;
        if let Some(shared) = &shared {
            keep_titles(kept, &plan, &renderer, &title_keys, shared);
        }
        // Freeing a large plan takes tens of milliseconds; nothing waits for it.
        drop(shared);
        drop(renderer);
        std::thread::spawn(move || drop(plan));
        Ok(result)
    };
    let result = from_plan_on();
    if kept.lives_across_runs() {
        kept.merged = Some((merged, was));
    }
    result
}

/// Stops at `problems`, or, going on, keeps them.
fn stop_or_go(
    problems: Vec<Diagnostic>,
    mode: &Mode<'_>,
    found: &mut Diagnostics,
) -> Result<(), Stopped> {
    if problems.is_empty() || mode.go_on() {
        found.extend(problems);
        Ok(())
    } else {
        Err(Stopped::At(BuildError::Input(
            problems.into_iter().collect(),
        )))
    }
}

/// Stops at `problems`, after those gone past before.
fn with_found(found: &mut Diagnostics, problems: impl IntoIterator<Item = Diagnostic>) -> Stopped {
    let mut all = std::mem::take(found);
    all.extend(problems);
    Stopped::At(BuildError::Input(all))
}

/// Per article, its page's fingerprint: a feed entry is made from what its page is.
fn article_keys(plan: &Plan, memo: &[std::borrow::Cow<'_, MemoPage>]) -> IdVec<ArticleId, u64> {
    let mut keys = plan.articles.map(|_| 0);
    for (page, line) in plan.pages.iter().zip(memo) {
        if let Page::Article(i) = page {
            keys[*i] = line.fingerprint;
        }
    }
    keys
}

/// Every article's `modified.lock` record: the published ones from rendering, the others
/// (with `unpublished`) hashed here, so the lock is the same whatever "now" is.
fn modified_table(
    renderer: &Renderer<'_>,
    input: &SiteInput,
    plan: &Plan,
    mut records: Vec<(ArticleId, ModifiedEntry)>,
    unpublished: bool,
) -> ModifiedTable {
    if unpublished {
        let more: Vec<(ArticleId, ModifiedEntry)> = (plan.articles.par_ids())
            .filter(|&i| !plan.articles[i].published)
            .filter_map(|i| renderer.unpublished_record(i).map(|e| (i, e)))
            .collect();
        records.extend(more);
    }
    modified::table(plan, &input.modified_lock, records)
}
