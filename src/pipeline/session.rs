//! Incremental rebuilds (for `serve`): the same stages as [`super::build`], re-run after a
//! change with everything kept that the change cannot affect.
//!
//! A [`Session`] keeps the input file by file ([`Parts`]), the titles and the rendered pages
//! of the last good build. A rebuild re-reads only the changed files, merges and plans the
//! whole site again (both are cheap and pure), renders titles only for articles whose inputs
//! changed, and renders only the pages whose fingerprint changed. Nothing is written to
//! disk: the result is the site's files in memory, byte-identical to what `build` writes.

use super::pages::{Memo, Sink, render_into};
use super::{BuildError, BuildOptions, apply_overrides, collect};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lint::Linter;
use crate::load::{ChangeKind, Parts, Stamps};
use crate::merge::{self, Merged};
use crate::plan::{Page, PlanOptions};
use crate::progress::Progress;
use crate::render::fingerprint::{site_digest, title_inputs};
use crate::render::modified;
use crate::render::{FeedCache, FeedKeys, LinkParts, Renderer};
use crate::timings::Timings;
use crate::write::page_memo::{MemoPage, PageMemo};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

/// A built site in memory: each file's path below the output folder and its bytes.
pub type SiteFiles = HashMap<String, Arc<[u8]>>;

/// An article's title, link and link hash, kept under the hash of their inputs.
struct KeptTitle {
    inputs: u64,
    title: String,
    link: LinkParts,
    link_hash: u64,
}

/// The input and the last good build's results, for rebuilding after changes.
pub struct Session {
    opts: BuildOptions,
    parts: Parts,
    /// Article id → what was made from its title's inputs last time.
    titles: HashMap<String, KeptTitle>,
    /// The pages rendered last time, with their bytes, under their fingerprints.
    pages: PageMemo,
    /// The last build's feeds, under a hash of their inputs.
    feeds: FeedCache,
    /// The last merge and the stamps it was made from, to move unchanged cities' pairs
    /// out of.
    merged: Option<(Merged, MergeStamps)>,
    /// The last search index, under the hash of its inputs.
    search: Option<(u64, Vec<crate::render::KeptFile>)>,
}

/// What a merge was made from: site settings (with the site-wide defaults), topic files and
/// city files, by position.
struct MergeStamps {
    site: u64,
    topics: Vec<u64>,
    cities: Vec<u64>,
}

/// What a successful rebuild produced.
pub struct Rebuilt {
    pub files: SiteFiles,
    /// Published articles.
    pub articles: usize,
    /// Pages rendered by this rebuild.
    pub rendered: usize,
    /// Pages taken unchanged from the previous build.
    pub reused: usize,
    /// Every warning of the site as it is now (kept pages' included).
    pub warnings: Vec<Diagnostic>,
}

impl Session {
    /// Reads every input file; nothing is built yet.
    pub fn new(opts: BuildOptions) -> Session {
        Session {
            parts: Parts::read(&opts.root),
            opts,
            titles: HashMap::new(),
            pages: PageMemo::new(),
            feeds: FeedCache::default(),
            merged: None,
            search: None,
        }
    }

    /// Re-reads the files named by `changes`.
    pub fn apply(&mut self, changes: &[ChangeKind]) {
        for change in changes {
            self.parts.reload(change);
        }
    }

    /// Runs the stages on the current input. On failure the kept results stay as they were,
    /// so the next rebuild still reuses the last good build.
    pub fn rebuild(&mut self) -> Result<Rebuilt, Diagnostics> {
        let mut timings = Timings::from_env();
        let (input, now) = apply_overrides(self.parts.input()?, &self.opts)?;
        let stamps = Stamps::of(&input);
        timings.mark("assemble");
        let merge_stamps = MergeStamps {
            site: site_digest(&input),
            topics: stamps.topics.clone(),
            cities: stamps.cities.clone(),
        };
        // The last merge was made from shape-clean input: only cities changed since need
        // checking, and the whole site again when one of them has problems (so they read
        // as `build` reports them).
        let shapes = match &self.merged {
            Some((_, was)) if was.site == merge_stamps.site && was.topics == stamps.topics => {
                let clean = |c: usize| was.cities.get(c) == Some(&stamps.cities[c]);
                let found = merge::check_shapes(&input, Some(&clean));
                if found.is_empty() {
                    found
                } else {
                    merge::check_shapes(&input, None)
                }
            }
            _ => merge::check_shapes(&input, None),
        };
        if !shapes.is_empty() {
            return Err(collect(shapes));
        }
        timings.mark("shapes");
        let merged = match self.merged.take() {
            Some((old, was)) if was.site == merge_stamps.site && was.topics == stamps.topics => {
                let unchanged = |c: usize| was.cities.get(c) == Some(&stamps.cities[c]);
                let earlier = merge::Earlier {
                    merged: old,
                    unchanged: &unchanged,
                };
                merge::merge(&input, Some(earlier))
            }
            _ => merge::merge(&input, None),
        };
        timings.mark("merge");
        let options = PlanOptions {
            now,
            future: self.opts.future,
        };
        let plan = crate::plan::plan(&input, &merged, &options).map_err(collect)?;
        timings.mark("plan");
        let site = merge_stamps.site;
        let title_keys: Vec<u64> = plan
            .articles
            .iter()
            .map(|a| title_inputs(site, a, &stamps))
            .collect();
        // What is kept for article `i`, if its inputs are unchanged.
        let kept = |i: usize| {
            let a = &plan.articles[i];
            self.titles
                .get(&a.id)
                .filter(|k| a.published && k.inputs == title_keys[i])
        };
        let known = |i| kept(i).map(|k| (k.title.clone(), k.link.clone()));
        let renderer = Renderer::new(&input, &merged, &plan, Some(&known)).map_err(collect)?;
        timings.mark("titles");
        let linter = Linter::new(&input, &merged);
        let shared = renderer.fingerprint_shared(|i| kept(i).map(|k| k.link_hash));
        let early = linter.input();
        timings.mark("lint");
        let memo = Memo {
            pages: &self.pages,
            shared: &shared,
            stamps: &stamps,
        };
        let progress = Progress::default();
        let strict = self.opts.strict;
        let done = render_into(
            &renderer,
            &linter,
            &plan,
            &memo,
            &Sink::Memory,
            &progress,
            early,
            strict,
        )
        .map_err(|e| match e {
            BuildError::Input(d) => d,
            BuildError::Write(_) | BuildError::AfterSwap(_) => Diagnostics::default(),
        })?;
        timings.mark("pages");
        let rendered = done.rendered;
        let mut warnings = done.warnings;
        // Time passing is never a content error, not even with --strict (as in `build`).
        warnings.extend(linter.aged(plan.now.date()));
        // The modified table as `build` makes it; unpublished articles' records only matter
        // to modified.lock, which serve does not write.
        let table = modified::table(&plan, &input.modified_lock, done.records);
        // Kept lines are moved out of the last memo, fresh ones taken as they are.
        let lines: Vec<Result<MemoPage, u64>> = (done.memo.into_iter())
            .map(|line| match line {
                Cow::Owned(fresh) => Ok(fresh),
                Cow::Borrowed(kept) => Err(kept.fingerprint),
            })
            .collect();
        let mut old_pages = std::mem::take(&mut self.pages);
        let pages: Vec<MemoPage> = (lines.into_iter())
            .filter_map(|line| line.or_else(|f| old_pages.remove(&f).ok_or(())).ok())
            .collect();
        let mut files: SiteFiles = (pages.iter())
            .filter_map(|p| Some((p.path.clone(), p.bytes.clone()?)))
            .collect();
        // Per article, its page's fingerprint: a feed entry is made from what its page is.
        let mut article_keys = vec![0; plan.articles.len()];
        for (page, line) in plan.pages.iter().zip(&pages) {
            if let Page::Article(i) = page {
                article_keys[*i] = line.fingerprint;
            }
        }
        let keys = FeedKeys {
            global: shared.global(),
            articles: &article_keys,
        };
        files.extend(renderer.site_files(&table.modified, Some((&keys, &mut self.feeds))));
        let search_key = crate::search::key(&plan, &stamps, |i| renderer.article_title(i));
        let index = match self.search.take() {
            Some((key, kept)) if key == search_key => kept,
            _ => crate::search::build(
                &input,
                &merged,
                &plan,
                |i| renderer.article_title(i),
                |i| renderer.date_suffix(i),
            )
            .into_iter()
            .map(|(path, bytes)| (path, Arc::from(bytes)))
            .collect(),
        };
        files.extend(index.iter().cloned());
        self.search = Some((search_key, index));
        timings.mark("site files");
        // Kept titles move over to the new map; only new ones are built.
        let mut old_titles = std::mem::take(&mut self.titles);
        self.titles.reserve(plan.articles.len());
        for (i, a) in plan
            .articles
            .iter()
            .enumerate()
            .filter(|(_, a)| a.published)
        {
            let kept = match old_titles.remove_entry(&a.id) {
                Some(entry) if entry.1.inputs == title_keys[i] => entry,
                _ => (
                    a.id.clone(),
                    KeptTitle {
                        inputs: title_keys[i],
                        title: renderer.article_title(i).to_string(),
                        link: renderer.article_link(i),
                        link_hash: shared.link(i),
                    },
                ),
            };
            self.titles.insert(kept.0, kept.1);
        }
        let total = pages.len();
        let articles = plan.articles.iter().filter(|a| a.published).count();
        self.pages = pages.into_iter().map(|p| (p.fingerprint, p)).collect();
        timings.mark("keep");
        // Freeing the last build's pages and this build's input, merge and plan takes tens
        // of milliseconds at 10,000 articles; the result does not wait for it.
        drop((renderer, linter, shared, table));
        std::thread::spawn(move || drop((old_pages, old_titles, input, plan, stamps)));
        self.merged = Some((merged, merge_stamps));
        timings.mark("free");
        Ok(Rebuilt {
            files,
            articles,
            rendered,
            reused: total - rendered,
            warnings,
        })
    }
}

#[cfg(test)]
mod tests;
