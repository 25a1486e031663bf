//! The render stage of `build` and `check`: every page rendered (or taken from the page
//! memo), linted, and written into the staging folder as soon as it is ready.

use super::{BuildError, as_error};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lint::{LintCache, Linter};
use crate::load::Stamps;
use crate::model::ModifiedEntry;
use crate::plan::{Page, Plan};
use crate::progress::Progress;
use crate::render::Renderer;
use crate::render::fingerprint::Shared;
use crate::write::page_memo::{MemoPage, PageMemo};
use crate::write::{Staging, WriteError};
use rayon::prelude::*;
use std::borrow::Cow;
use std::sync::Mutex;

/// Where a build's pages go, and what earlier builds rendered.
pub struct Output<'a, 'm> {
    /// The build's staging folder; `None` for `check`, which writes nothing and only
    /// takes warnings and records from the memo.
    pub staging: Option<&'a Staging>,
    /// The live output folder's page memo.
    pub memo: &'m PageMemo,
    pub shared: &'a Shared,
    pub stamps: &'a Stamps,
    /// Told as pages get done (a progress bar).
    pub progress: &'a Progress,
}

/// What the render stage gave (`'m`: the memo read before it).
pub struct Rendered<'m> {
    /// Every page's warnings, after the early ones, in page order.
    pub warnings: Vec<Diagnostic>,
    pub pages: usize,
    /// Published articles' `modified.lock` records.
    pub records: Vec<(usize, ModifiedEntry)>,
    /// With an output: every page's memo line, in page order (kept lines borrowed).
    pub memo: Vec<Cow<'m, MemoPage>>,
    /// With an output: how many pages were rendered (the rest came from the memo).
    pub rendered: usize,
}

/// One page's outcome.
struct PageOutcome<'m> {
    warnings: Vec<Diagnostic>,
    error: Option<Diagnostic>,
    record: Option<(usize, ModifiedEntry)>,
    memo: Option<Cow<'m, MemoPage>>,
    fresh: bool,
}

/// Renders every page in parallel, writing each into the output's staging folder as soon
/// as it is ready, and lints each article. A page whose fingerprint the memo knows, and
/// whose file the live site still has, is neither rendered nor written: its warnings and
/// record come from the memo. A city's articles are rendered together by one worker, so
/// they share section bodies. Every error is collected, in page order; `early` holds
/// warnings found before rendering; with `strict`, warnings count as errors.
pub fn render_into<'m>(
    renderer: &Renderer<'_>,
    linter: &Linter<'_>,
    plan: &Plan,
    output: Option<&Output<'_, 'm>>,
    early: Vec<Diagnostic>,
    strict: bool,
) -> Result<Rendered<'m>, BuildError> {
    let write_error: Mutex<Option<WriteError>> = Mutex::new(None);
    let off = Progress::default();
    let progress = output.map_or(&off, |out| out.progress);
    progress.start(plan.pages.len());
    let outcomes: Vec<Vec<PageOutcome<'m>>> = plan
        .page_groups()
        .par_iter()
        .map(|group| {
            // Per page: its fingerprint and, when the live site has it, its memo line.
            let known: Vec<(u64, Option<&'m MemoPage>)> = group
                .iter()
                .map(|&page| match output {
                    Some(out) => {
                        let fingerprint = renderer.fingerprint(page, out.shared, out.stamps);
                        let kept = out
                            .memo
                            .get(&fingerprint)
                            .filter(|m| record_holds(renderer, page, m.record.as_ref()))
                            .filter(|m| out.staging.is_none_or(|s| s.keep(&m.path, m.entry())));
                        (fingerprint, kept)
                    }
                    None => (0, None),
                })
                .collect();
            let todo: Vec<Page> = group
                .iter()
                .zip(&known)
                .filter(|(_, (_, kept))| kept.is_none())
                .map(|(&page, _)| page)
                .collect();
            let mut rendered = renderer.render_pages(&todo).into_iter();
            let mut lint_cache = LintCache::default();
            group
                .iter()
                .zip(known)
                .map(|(&page, (fingerprint, kept))| {
                    let staging = output.and_then(|out| out.staging);
                    if let Some(m) = kept {
                        return kept_outcome(page, m, staging.is_some());
                    }
                    let rendered = match rendered.next() {
                        Some(Ok(r)) => r,
                        Some(Err(d)) => {
                            return PageOutcome {
                                warnings: Vec::new(),
                                error: Some(d),
                                record: None,
                                memo: None,
                                fresh: true,
                            };
                        }
                        None => unreachable!("one rendering per page to render"),
                    };
                    let entry = staging.and_then(|s| {
                        let file = &rendered.file;
                        s.put(&file.path, &file.bytes)
                            .map_err(|e| {
                                let mut first =
                                    write_error.lock().unwrap_or_else(|p| p.into_inner());
                                first.get_or_insert(e);
                            })
                            .ok()
                    });
                    let mut warnings = rendered.warnings;
                    if let Page::Article(i) = page {
                        warnings.extend(linter.article_with(
                            &plan.articles[i],
                            renderer.article_title(i),
                            &rendered.sections,
                            &mut lint_cache,
                        ));
                    }
                    let memo = entry.map(|e| {
                        Cow::Owned(MemoPage {
                            fingerprint,
                            path: rendered.file.path,
                            hash: e.hash,
                            len: e.len,
                            warnings: warnings.clone(),
                            record: rendered.record.as_ref().map(|(_, r)| r.clone()),
                        })
                    });
                    PageOutcome {
                        warnings,
                        error: None,
                        record: rendered.record,
                        memo,
                        fresh: true,
                    }
                })
                .collect()
        })
        .inspect(|group: &Vec<_>| progress.advance(group.len()))
        .collect();
    if let Some(e) = write_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(BuildError::Write(e));
    }
    let mut errors = Diagnostics::default();
    let mut done = Rendered {
        warnings: early,
        pages: plan.pages.len(),
        records: Vec::new(),
        memo: Vec::new(),
        rendered: 0,
    };
    for page in outcomes.into_iter().flatten() {
        done.warnings.extend(page.warnings);
        errors.extend(page.error);
        done.records.extend(page.record);
        done.memo.extend(page.memo);
        done.rendered += usize::from(page.fresh);
    }
    if strict {
        errors.extend(done.warnings.drain(..).map(as_error));
    }
    if errors.has_errors() {
        errors.extend(done.warnings);
        return Err(BuildError::Input(errors));
    }
    Ok(done)
}

/// A page taken from the memo: its warnings and record, and its memo line again when the
/// build writes a memo (only for a site the line describes).
fn kept_outcome(page: Page, m: &MemoPage, writes_memo: bool) -> PageOutcome<'_> {
    PageOutcome {
        warnings: m.warnings.clone(),
        error: None,
        record: article_index(page).zip(m.record.clone()),
        memo: writes_memo.then_some(Cow::Borrowed(m)),
        fresh: false,
    }
}

/// Whether a kept page's `modified.lock` record (an article's) still holds.
pub fn record_holds(renderer: &Renderer<'_>, page: Page, record: Option<&ModifiedEntry>) -> bool {
    match (page, record) {
        (Page::Article(i), Some(r)) => renderer.record_holds(i, r),
        (Page::Article(_), None) => false,
        (_, _) => true,
    }
}

fn article_index(page: Page) -> Option<usize> {
    match page {
        Page::Article(i) => Some(i),
        _ => None,
    }
}
