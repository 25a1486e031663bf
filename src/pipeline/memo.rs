//! What a run may reuse from earlier runs: the page memo (the output folder's, read by
//! `build` and `check`, or the one `serve` keeps in memory with the pages' bytes), and,
//! kept across `serve`'s rebuilds, the last merge, the articles' titles, the sitemap and
//! the search index's words.

use super::fingerprint::{Fingerprints, site_digest};
use super::kept_files::SitemapCache;
use crate::load::Stamps;
use crate::merge::Merged;
use crate::model::SiteInput;
use crate::model::ids::{ArticleId, CityId, IdVec, TopicId};
use crate::plan::{Plan, PlannedArticle};
use crate::render::{LinkParts, Renderer};
use crate::search::memo::WordMemo;
use crate::write::page_memo::PageMemo;
use crate::write::title_memo::TitleMemo;
use std::collections::HashMap;

/// What earlier runs left for this one.
#[derive(Default)]
pub(crate) struct Kept {
    /// Page fingerprint → what those inputs gave.
    pub pages: PageMemo,
    /// Article id → its title, link and link hash, under the hash of their inputs.
    titles: HashMap<String, KeptTitle>,
    pub(super) sitemaps: SitemapCache,
    /// The words of the texts the last search index segmented (see `search::memo`).
    pub(super) search_words: WordMemo,
    /// The titles the last build rendered, under their inputs (read from the output folder
    /// by `build` and `check`; `serve` keeps `titles`).
    pub(super) title_memo: TitleMemo,
    /// The last merge and what it was made from.
    pub(super) merged: Option<(Merged, MergeStamps)>,
    /// Whether runs leave their merge and titles here for the next (`serve`).
    across_runs: bool,
}

/// An article's title, link and link hash, kept under the hash of their inputs.
struct KeptTitle {
    inputs: u64,
    title: String,
    link: LinkParts,
    link_hash: u64,
}

/// What a merge was made from: site settings (with the site-wide defaults), topic files and
/// city files, by position.
pub(super) struct MergeStamps {
    pub(super) site: u64,
    pub(super) topics: IdVec<TopicId, u64>,
    pub(super) cities: IdVec<CityId, u64>,
}

impl MergeStamps {
    pub(super) fn of(input: &SiteInput, stamps: &Stamps) -> MergeStamps {
        MergeStamps {
            site: site_digest(input),
            topics: stamps.topics.clone(),
            cities: stamps.cities.clone(),
        }
    }
}

impl Kept {
    /// For one run: the page memo read from the output folder.
    pub(crate) fn from_memo(pages: PageMemo) -> Kept {
        Kept {
            pages,
            ..Kept::default()
        }
    }

    /// For a series of runs (`serve`), each leaving what it made for the next.
    pub(crate) fn across_runs() -> Kept {
        Kept {
            across_runs: true,
            ..Kept::default()
        }
    }

    /// Whether this memo lives across runs (`serve`): it then keeps the merge and the
    /// renderer's links for the next run.
    pub(super) fn lives_across_runs(&self) -> bool {
        self.across_runs
    }

    /// Article `a`'s title, link and link hash, if its title inputs are still `inputs`.
    pub(super) fn title(&self, a: &PlannedArticle, inputs: u64) -> Option<(&str, &LinkParts, u64)> {
        let k = self.titles.get(&a.id)?;
        (a.published && k.inputs == inputs).then_some((k.title.as_str(), &k.link, k.link_hash))
    }
}

/// Keeps every published article's title for the next run (when runs keep them): those
/// kept already move over to the new map; only new ones are made.
pub(super) fn keep_titles(
    kept: &mut Kept,
    plan: &Plan,
    renderer: &Renderer<'_>,
    inputs: &IdVec<ArticleId, u64>,
    shared: &Fingerprints<'_>,
) {
    if !kept.across_runs {
        return;
    }
    let mut old = std::mem::take(&mut kept.titles);
    kept.titles.reserve(plan.articles.len());
    for (i, a) in plan.articles.iter_ids().filter(|(_, a)| a.published) {
        let entry = match old.remove_entry(&a.id) {
            Some(entry) if entry.1.inputs == inputs[i] => entry,
            _ => (
                a.id.clone(),
                KeptTitle {
                    inputs: inputs[i],
                    title: renderer.article_title(i).to_string(),
                    link: renderer.article_link(i),
                    link_hash: shared.links[i],
                },
            ),
        };
        kept.titles.insert(entry.0, entry.1);
    }
    // Freeing the old map takes a while on a large site; nothing waits for it.
    std::thread::spawn(move || drop(old));
}
