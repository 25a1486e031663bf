//! Page fingerprints: a hash of everything a page's bytes are made from, so an incremental
//! rebuild (`serve`, or `build` with its page memo) renders only the pages whose fingerprint
//! changed. One input is left out: an article's `dateModified`, which `modified.lock` and
//! "now" decide; a kept article also needs [`record_holds`].
//!
//! Each must read exactly what `Renderer::render_page` reads: content comes from city and
//! topic files (their content stamps), lists from the plan's article links and the
//! renderer's titles, and everything else from the site-wide part.

use crate::load::Stamps;
use crate::model::ids::{ArticleId, Id, IdVec};
use crate::model::{ModifiedEntry, SiteInput};
use crate::plan::modified::next_entry;
use crate::plan::variants::TemplateRef;
use crate::plan::{Page, Plan, PlannedArticle, on_page};
use crate::render::{Renderer, site_view};
use rayon::prelude::*;
use xxhash_rust::xxh3::{Xxh3, xxh3_64};

/// The fingerprints of one run's pages, and what they share.
pub(crate) struct Fingerprints<'a> {
    input: &'a SiteInput,
    plan: &'a Plan,
    renderer: &'a Renderer<'a>,
    pub(super) stamps: &'a Stamps,
    /// Site settings, layouts and the site-wide view every page gets.
    pub(super) global: u64,
    /// Per article, a hash of its link as lists show it (0 when not published), kept for
    /// the next run.
    pub(super) links: IdVec<ArticleId, u64>,
}

impl<'a> Fingerprints<'a> {
    /// Computes the site-wide hash and every article's link hash; `known(i)` may give the
    /// link hash of article `i` kept from an earlier run whose [`title_inputs`] were equal
    /// (a link shows nothing those inputs do not decide).
    pub(crate) fn new(
        input: &'a SiteInput,
        plan: &'a Plan,
        renderer: &'a Renderer<'a>,
        stamps: &'a Stamps,
        known: impl Fn(ArticleId) -> Option<u64> + Sync,
    ) -> Self {
        let mut h = Xxh3::new();
        h.update(format!("{:?}", input.site).as_bytes());
        for t in &input.templates {
            add_str(&mut h, &t.name);
            add_str(&mut h, &t.source);
        }
        h.update(&serde_json::to_vec(&site_view(input)).unwrap_or_default());
        let mut fingerprints = Fingerprints {
            input,
            plan,
            renderer,
            stamps,
            global: h.digest(),
            links: IdVec::default(),
        };
        fingerprints.links = (plan.articles.par_ids())
            .map(|i| match known(i) {
                _ if !plan.articles[i].published => 0,
                Some(hash) => hash,
                None => fingerprints.link_hash(i),
            })
            .collect::<Vec<_>>()
            .into();
        fingerprints
    }

    /// A hash of what lists show of article `i` (`Renderer::link`), from what the link is
    /// made of; the site-wide parts (base path, time zone) are in the global hash.
    fn link_hash(&self, i: ArticleId) -> u64 {
        let a = &self.plan.articles[i];
        let mut h = Xxh3::new();
        add_str(&mut h, self.renderer.article_title(i));
        add_str(&mut h, &a.path);
        add_time(&mut h, a.publish_at);
        add_str(&mut h, &self.plan.categories[a.category]);
        add_str(&mut h, &self.input.cities[a.city].name);
        add_str(&mut h, &self.input.topics[a.topic].name);
        h.digest()
    }

    /// The fingerprint of `page`: equal fingerprints mean byte-identical pages.
    pub(crate) fn page(&self, page: Page) -> u64 {
        let (plan, stamps) = (self.plan, self.stamps);
        let mut h = Xxh3::new();
        h.update(&self.global.to_le_bytes());
        let add_links = |h: &mut Xxh3, list: &mut dyn Iterator<Item = ArticleId>| {
            for i in list {
                h.update(&self.links[i].to_le_bytes());
            }
            h.update(b"\0");
        };
        match page {
            Page::Article(i) => {
                let a = &plan.articles[i];
                h.update(b"article");
                add_str(&mut h, &a.id);
                add_time(&mut h, a.publish_at);
                add_str(&mut h, self.renderer.article_title(i));
                add_num(&mut h, a.category);
                add_template(&mut h, a.chosen.teaser);
                for &heading in &a.chosen.headings {
                    add_template(&mut h, heading);
                }
                add_title(&mut h, a);
                h.update(&stamps.cities[a.city].to_le_bytes());
                for t in a.chosen.sections() {
                    h.update(&stamps.topics[t].to_le_bytes());
                }
                // Not dateModified: modified.lock and "now" decide it, and a kept page is
                // checked with `record_holds` instead, so that "now" moving on does
                // not change every fingerprint.
                // The content lint of an article reads every topic's text.
                for s in &stamps.topics {
                    h.update(&s.to_le_bytes());
                }
                add_links(&mut h, &mut std::iter::once(i));
                add_links(
                    &mut h,
                    &mut plan.lists.related(i, self.input.site.related_count),
                );
                add_links(&mut h, &mut plan.by_city[a.city].iter().copied());
                add_links(&mut h, &mut self.renderer.other_cities(i).into_iter());
            }
            Page::Home { page, pages } => {
                h.update(b"home");
                add_num(&mut h, page);
                add_num(&mut h, pages);
                let per = self.input.site.home_page_size;
                add_links(&mut h, &mut on_page(&plan.newest_first, page, per));
            }
            Page::City(c) => {
                h.update(b"city");
                h.update(&stamps.cities[c].to_le_bytes());
                add_links(&mut h, &mut plan.by_city[c].iter().copied());
            }
            Page::Topic { topic, page, pages } => {
                h.update(b"topic");
                h.update(&stamps.topics[topic].to_le_bytes());
                add_num(&mut h, page);
                add_num(&mut h, pages);
                let per = self.input.site.home_page_size;
                add_links(&mut h, &mut on_page(&plan.by_topic[topic], page, per));
            }
            Page::Cities => {
                h.update(b"cities");
                for s in &stamps.cities {
                    h.update(&s.to_le_bytes());
                }
            }
            Page::About => h.update(b"about"),
            Page::Search => h.update(b"search"),
            Page::NotFound => h.update(b"404"),
        }
        h.digest()
    }
}

/// Whether a kept page's `modified.lock` record (an article's, kept with the same
/// fingerprint) is the record this run gives it: then the page's `dateModified`, and so
/// the whole page, is unchanged.
pub(crate) fn record_holds(
    renderer: &Renderer<'_>,
    plan: &Plan,
    page: Page,
    record: Option<&ModifiedEntry>,
) -> bool {
    match (page, record) {
        (Page::Article(i), Some(r)) => {
            let a = &plan.articles[i];
            next_entry(renderer.recorded(a), &a.id, r.hash, a.publish_at, plan.now) == *r
        }
        (Page::Article(_), None) => false,
        (_, _) => true,
    }
}

/// A hash of the site settings, for [`title_inputs`].
pub(crate) fn site_digest(input: &SiteInput) -> u64 {
    xxh3_64(format!("{:?}", input.site).as_bytes())
}

/// A hash of everything article `a`'s title is made from: site settings, its city and
/// topic files, its publish datetime and the variants chosen for it.
pub(crate) fn title_inputs(site_digest: u64, a: &PlannedArticle, stamps: &Stamps) -> u64 {
    let mut h = Xxh3::new();
    h.update(&site_digest.to_le_bytes());
    h.update(&stamps.cities[a.city].to_le_bytes());
    h.update(&stamps.topics[a.topic].to_le_bytes());
    add_str(&mut h, &a.id);
    add_time(&mut h, a.publish_at);
    add_title(&mut h, a);
    h.digest()
}

/// The title template and date format chosen for article `a`.
fn add_title(h: &mut Xxh3, a: &PlannedArticle) {
    add_template(h, a.chosen.title);
    add_str(h, &a.chosen.date_format);
}

fn add_template(h: &mut Xxh3, template: TemplateRef) {
    let (own, kind, place, topic) = match template {
        TemplateRef::Listed { kind, topic, index } => (0, kind, index, topic.index()),
        TemplateRef::Own { kind, city, topic } => (1, kind, city.index(), topic.index()),
    };
    for n in [own, kind as usize, place, topic] {
        add_num(h, n);
    }
}

pub(super) fn add_time(h: &mut Xxh3, t: chrono::NaiveDateTime) {
    h.update(&t.and_utc().timestamp().to_le_bytes());
}

pub(super) fn add_num(h: &mut Xxh3, n: usize) {
    h.update(&(n as u64).to_le_bytes());
}

pub(super) use crate::model::hash_str as add_str;
