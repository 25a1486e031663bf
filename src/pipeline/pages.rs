//! The one render loop, of `build`, `check` and `serve`: every page rendered (or taken
//! from the page memo), linted, and put into its sink as soon as it is ready.

use super::BuildError;
use super::fingerprint::{Fingerprints, record_holds};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lint::{LintCache, Linter};
use crate::model::ModifiedEntry;
use crate::model::ids::ArticleId;
use crate::plan::{Page, Plan};
use crate::progress::Progress;
use crate::render::{OutputFile, Renderer};
use crate::sync::Kept as _;
use crate::write::manifest::Entry;
use crate::write::page_memo::{MemoPage, PageMemo};
use crate::write::{Staging, WriteError};
use rayon::prelude::*;
use std::borrow::Cow;
use std::sync::{Arc, Mutex};

/// Where rendered pages go.
pub(crate) enum Sink<'a> {
    /// `build`: the staging folder; a page kept from the memo must still be in the live
    /// output folder, unchanged.
    Staging(&'a Staging),
    /// `serve`: memory; memo lines keep their pages' bytes.
    Memory,
    /// `check`: nowhere; the memo only gives kept pages' warnings and records.
    Nowhere,
}

/// What earlier runs rendered, and what this run's fingerprints are made from.
pub(crate) struct Memo<'a, 'm> {
    /// The page memo: the live output folder's, or the one kept in memory.
    pub(crate) pages: &'m PageMemo,
    pub(crate) fingerprints: &'a Fingerprints<'a>,
}

/// What the render stage gave (`'m`: the memo read before it).
pub(crate) struct Rendered<'m> {
    /// The pages' errors, in page order.
    pub(crate) errors: Diagnostics,
    /// Every page's warnings, after the early ones, in page order.
    pub(crate) warnings: Vec<Diagnostic>,
    pub(crate) pages: usize,
    /// Published articles' `modified.lock` records.
    pub(crate) records: Vec<(ArticleId, ModifiedEntry)>,
    /// Unless the sink is nowhere: every page's memo line, in page order (kept lines
    /// borrowed).
    pub(crate) memo: Vec<Cow<'m, MemoPage>>,
    /// How many pages were rendered (the rest came from the memo).
    pub(crate) rendered: usize,
}

/// One page's outcome (one per page of the site is held until all are rendered, so the
/// rare error is boxed).
struct PageOutcome<'m> {
    warnings: Vec<Diagnostic>,
    error: Option<Box<Diagnostic>>,
    record: Option<(ArticleId, ModifiedEntry)>,
    memo: Option<Cow<'m, MemoPage>>,
    fresh: bool,
}

/// Renders every page in parallel, putting each into `sink` as soon as it is ready, and
/// lints each article. A page whose fingerprint the memo knows, and that the sink still
/// holds, is neither rendered nor written: its warnings and record come from the memo. A
/// city's articles are rendered together by one worker, so they share section bodies and
/// lint caches. Every error is collected, in page order; `early` holds warnings found
/// before rendering. `progress` is told as pages get done. Fails only when the sink does.
pub(crate) fn render_into<'m>(
    renderer: &Renderer<'_>,
    linter: &Linter<'_>,
    plan: &Plan,
    memo: &Memo<'_, 'm>,
    sink: &Sink<'_>,
    progress: &Progress,
    early: Vec<Diagnostic>,
) -> Result<Rendered<'m>, BuildError> {
    let write_error: Mutex<Option<WriteError>> = Mutex::new(None);
    progress.start(plan.pages.len());
    let outcomes: Vec<Vec<PageOutcome<'m>>> = plan
        .page_groups()
        .par_iter()
        .map(|group| {
            // Per page: its fingerprint and, when the live site has it, its memo line.
            let known: Vec<(u64, Option<&'m MemoPage>)> = group
                .iter()
                .map(|&page| {
                    let fingerprint = memo.fingerprints.page(page);
                    let kept = memo
                        .pages
                        .get(&fingerprint)
                        .filter(|m| record_holds(renderer, plan, page, m.record.as_ref()))
                        .filter(|m| sink.holds(m));
                    (fingerprint, kept)
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
                    if let Some(m) = kept {
                        return kept_outcome(page, m, !matches!(sink, Sink::Nowhere));
                    }
                    let rendered = match rendered.next() {
                        Some(Ok(r)) => r,
                        Some(Err(d)) => {
                            // The sections of a failing article that do render are linted.
                            let warnings = match page {
                                Page::Article(i) => {
                                    let (sections, mut warnings) = renderer.sections_that_render(i);
                                    warnings.extend(linter.article_with(
                                        &plan.articles[i],
                                        renderer.article_title(i),
                                        &sections,
                                        &mut lint_cache,
                                    ));
                                    warnings
                                }
                                _ => Vec::new(),
                            };
                            return PageOutcome {
                                warnings,
                                error: Some(Box::new(d)),
                                record: None,
                                memo: None,
                                fresh: true,
                            };
                        }
                        None => unreachable!("one rendering per page to render"),
                    };
                    let mut warnings = rendered.warnings;
                    if let Page::Article(i) = page {
                        warnings.extend(linter.article_with(
                            &plan.articles[i],
                            renderer.article_title(i),
                            &rendered.sections,
                            &mut lint_cache,
                        ));
                    }
                    let put = sink.put(rendered.file).map_err(|e| {
                        let mut first = write_error.lock_kept();
                        first.get_or_insert(e);
                    });
                    let memo = put.ok().flatten().map(|line| {
                        Cow::Owned(MemoPage {
                            fingerprint,
                            warnings: warnings.clone(),
                            record: rendered.record.as_ref().map(|(_, r)| r.clone()),
                            ..line
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
    if let Some(e) = write_error.into_kept() {
        return Err(BuildError::Write(e));
    }
    let mut done = Rendered {
        errors: Diagnostics::default(),
        warnings: early,
        pages: plan.pages.len(),
        records: Vec::with_capacity(plan.articles.len()),
        memo: Vec::with_capacity(plan.pages.len()),
        rendered: 0,
    };
    for page in outcomes.into_iter().flatten() {
        done.warnings.extend(page.warnings);
        done.errors.extend(page.error.map(|e| *e));
        done.records.extend(page.record);
        done.memo.extend(page.memo);
        done.rendered += usize::from(page.fresh);
    }
    Ok(done)
}

impl Sink<'_> {
    /// Whether the sink still holds the page a memo line describes.
    pub(crate) fn holds(&self, m: &MemoPage) -> bool {
        match self {
            Sink::Staging(staging) => staging.keep(&m.path, m.entry()),
            Sink::Memory => m.bytes.is_some(),
            Sink::Nowhere => true,
        }
    }

    /// Puts a rendered page; gives its memo line but for fingerprint, warnings and record.
    pub(crate) fn put(&self, file: OutputFile) -> Result<Option<MemoPage>, WriteError> {
        let (entry, bytes) = match self {
            Sink::Staging(staging) => (staging.put(&file.path, &file.bytes)?, None),
            Sink::Memory => {
                let len = file.bytes.len() as u64;
                (Entry { hash: 0, len }, Some(Arc::from(file.bytes)))
            }
            Sink::Nowhere => return Ok(None),
        };
        Ok(Some(MemoPage {
            fingerprint: 0,
            path: file.path,
            hash: entry.hash,
            len: entry.len,
            warnings: Vec::new(),
            record: None,
            bytes,
        }))
    }
}

/// A page taken from the memo: its warnings and record, and its memo line again when the
/// build writes a memo (only for a site the line describes).
fn kept_outcome(page: Page, m: &MemoPage, writes_memo: bool) -> PageOutcome<'_> {
    PageOutcome {
        warnings: m.warnings.clone(),
        error: None,
        record: match page {
            Page::Article(i) => m.record.clone().map(|r| (i, r)),
            _ => None,
        },
        memo: writes_memo.then_some(Cow::Borrowed(m)),
        fresh: false,
    }
}
