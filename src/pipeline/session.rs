//! Incremental rebuilds (for `serve`): the same stages as [`super::build`], re-run after a
//! change with everything kept that the change cannot affect.
//!
//! A [`Session`] keeps the input file by file ([`Parts`]), the titles and the rendered pages
//! of the last good build. A rebuild re-reads only the changed files, merges and plans the
//! whole site again (both are cheap and pure), renders titles only for articles whose inputs
//! changed, and renders only the pages whose fingerprint changed. Nothing is written to
//! disk: the result is the site's files in memory, byte-identical to what `build` writes.

use super::pages::record_holds;
use super::{BuildOptions, apply_overrides, as_error, collect};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lint::Linter;
use crate::load::{ChangeKind, Parts, Stamps};
use crate::merge::{self, Merged};
use crate::model::ModifiedEntry;
use crate::plan::{Page, Plan, PlanOptions};
use crate::render::fingerprint::{Shared, site_digest, title_inputs};
use crate::render::modified;
use crate::render::{FeedCache, FeedKeys, LinkParts, Renderer};
use crate::timings::Timings;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

/// A built site in memory: each file's path below the output folder and its bytes.
pub type SiteFiles = HashMap<String, Arc<[u8]>>;

/// A rendered page kept for the next rebuild, under its fingerprint.
struct KeptPage {
    path: String,
    bytes: Arc<[u8]>,
    /// Render and content-lint warnings of the page.
    warnings: Vec<Diagnostic>,
    /// For an article: its `modified.lock` record (it decides `dateModified` in feeds and
    /// the sitemap).
    record: Option<ModifiedEntry>,
}

/// Every page in plan order with its fingerprint, how many were rendered (not kept), and
/// all the pages' warnings.
type RenderedPages = (Vec<(u64, Arc<KeptPage>)>, usize, Vec<Diagnostic>);

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
    /// Page fingerprint → the page rendered from those inputs.
    /// Shared, so keeping one for the next rebuild only bumps a count.
    pages: HashMap<u64, Arc<KeptPage>>,
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
            pages: HashMap::new(),
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
                let changed = |c: usize| was.cities.get(c) != Some(&stamps.cities[c]);
                let found = merge::check_shapes_of(&input, changed);
                if found.is_empty() {
                    found
                } else {
                    merge::check_shapes(&input)
                }
            }
            _ => merge::check_shapes(&input),
        };
        if !shapes.is_empty() {
            return Err(collect(shapes));
        }
        timings.mark("shapes");
        let merged = match self.merged.take() {
            Some((old, was)) if was.site == merge_stamps.site && was.topics == stamps.topics => {
                let unchanged = |c: usize| was.cities.get(c) == Some(&stamps.cities[c]);
                merge::merge_reusing(&input, Some(old), unchanged)
            }
            _ => merge::merge(&input),
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
        let renderer = Renderer::with_known_titles(&input, &merged, &plan, |i| {
            kept(i).map(|k| (k.title.clone(), k.link.clone()))
        })
        .map_err(collect)?;
        timings.mark("titles");
        let linter = Linter::new(&input, &merged);
        let shared = renderer.fingerprint_shared(|i| kept(i).map(|k| k.link_hash));
        let mut early = linter.input();
        early.extend(linter.aged(plan.now.date()));
        timings.mark("lint");
        let (pages, rendered, mut warnings) =
            self.render(&renderer, &linter, &plan, &shared, &stamps)?;
        timings.mark("pages");
        warnings.splice(0..0, early);
        if self.opts.strict && !warnings.is_empty() {
            return Err(collect(warnings.into_iter().map(as_error)));
        }

        // The modified table as `build` makes it; unpublished articles' records only matter
        // to modified.lock, which serve does not write.
        let records: Vec<(usize, ModifiedEntry)> = plan
            .pages
            .iter()
            .zip(&pages)
            .filter_map(|(page, (_, kept))| match (page, &kept.record) {
                (Page::Article(i), Some(r)) => Some((*i, r.clone())),
                _ => None,
            })
            .collect();
        let table = modified::table(&plan, &input.modified_lock, records);
        let mut files: SiteFiles = pages
            .iter()
            .map(|(_, p)| (p.path.clone(), p.bytes.clone()))
            .collect();
        // Per article, its page's fingerprint: a feed entry is made from what its page is.
        let mut article_keys = vec![0; plan.articles.len()];
        for (page, (fingerprint, _)) in plan.pages.iter().zip(&pages) {
            if let Page::Article(i) = page {
                article_keys[*i] = *fingerprint;
            }
        }
        let keys = FeedKeys {
            global: shared.global(),
            articles: &article_keys,
        };
        files.extend(renderer.site_files_kept(&table.modified, &keys, &mut self.feeds));
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
        let old_pages = std::mem::replace(&mut self.pages, pages.into_iter().collect());
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

    /// Every page of the plan, in plan order with its fingerprint: kept when the
    /// fingerprint is known, rendered and linted otherwise. Also gives how many were
    /// rendered and every page's warnings.
    fn render(
        &self,
        renderer: &Renderer<'_>,
        linter: &Linter<'_>,
        plan: &Plan,
        shared: &Shared,
        stamps: &Stamps,
    ) -> Result<RenderedPages, Diagnostics> {
        let outcomes: Vec<(u64, Result<Arc<KeptPage>, Diagnostic>, bool)> = plan
            .pages
            .par_iter()
            .map(|&page| {
                let fingerprint = renderer.fingerprint(page, shared, stamps);
                let kept = self.pages.get(&fingerprint);
                if let Some(kept) = kept.filter(|k| record_holds(renderer, page, k.record.as_ref()))
                {
                    return (fingerprint, Ok(kept.clone()), false);
                }
                let fresh = renderer.render_page(page).map(|r| {
                    let mut warnings = r.warnings;
                    if let Page::Article(i) = page {
                        let title = renderer.article_title(i);
                        warnings.extend(linter.article(&plan.articles[i], title, &r.sections));
                    }
                    Arc::new(KeptPage {
                        path: r.file.path,
                        bytes: r.file.bytes.into(),
                        warnings,
                        record: r.record.map(|(_, e)| e),
                    })
                });
                (fingerprint, fresh, true)
            })
            .collect();
        let mut errors = Diagnostics::default();
        let mut warnings = Vec::new();
        let mut pages = Vec::with_capacity(outcomes.len());
        let mut rendered = 0;
        for (fingerprint, outcome, fresh) in outcomes {
            match outcome {
                Ok(page) => {
                    rendered += usize::from(fresh);
                    warnings.extend(page.warnings.iter().cloned());
                    pages.push((fingerprint, page));
                }
                Err(d) => errors.push(d),
            }
        }
        if errors.has_errors() {
            errors.extend(warnings);
            return Err(errors);
        }
        Ok((pages, rendered, warnings))
    }
}

#[cfg(test)]
mod tests;
