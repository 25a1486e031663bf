//! The site files kept across `serve`'s rebuilds under a hash of everything they are made
//! from, so a rebuild makes only the feeds whose shown articles changed (their leads are
//! rendered from templates, the dearest part of the site files) and the sitemap only when
//! a page or a `dateModified` changed.

use super::fingerprint::{add_num, add_str, add_time};
use crate::model::ids::{ArticleId, Id, IdVec};
use crate::plan::Page;
use crate::site_files::{FeedSpec, KeptFile, Sources};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use xxhash_rust::xxh3::Xxh3;

/// The feeds and sitemap files of the last run, by key.
#[derive(Default)]
pub(crate) struct FeedCache {
    kept: HashMap<u64, Arc<[u8]>>,
    /// The sitemap files under a hash of what they are made from (see `sitemap_key`).
    sitemaps: Option<(u64, Vec<KeptFile>)>,
}

/// What decides a feed's bytes besides its own path, title and articles: the site-wide
/// fingerprint and, per article, its page fingerprint (which covers its title, content,
/// category and publish time; the lead is rendered from the same inputs as the page).
pub(crate) struct FeedKeys<'a> {
    pub(crate) global: u64,
    pub(crate) articles: &'a IdVec<ArticleId, u64>,
}

/// Sitemap, feeds, `robots.txt`, redirects and static files; every feed and sitemap whose
/// inputs (see [`FeedKeys`]) are unchanged comes from `cache`, which then holds this run's.
pub(crate) fn site_files(
    sources: &Sources<'_>,
    keys: &FeedKeys<'_>,
    cache: &mut FeedCache,
) -> Vec<KeptFile> {
    let key = sitemap_key(sources, keys.global);
    let sitemaps = match cache.sitemaps.take() {
        Some((kept, files)) if kept == key => files,
        _ => sources.sitemaps(),
    };
    cache.sitemaps = Some((key, sitemaps.clone()));
    let fresh = Mutex::new(HashMap::new());
    let files = sources.with_feeds(sitemaps, |spec| {
        let key = feed_key(spec, sources, keys);
        let bytes = match cache.kept.get(&key) {
            Some(kept) => kept.clone(),
            None => Arc::from(sources.feed(spec).into_bytes()),
        };
        fresh
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, bytes.clone());
        bytes
    });
    cache.kept = fresh.into_inner().unwrap_or_else(|e| e.into_inner());
    files
}

/// A hash of everything `spec`'s feed is made from.
fn feed_key(spec: &FeedSpec<'_>, sources: &Sources<'_>, keys: &FeedKeys) -> u64 {
    let mut h = Xxh3::new();
    h.update(&keys.global.to_le_bytes());
    for part in [&spec.path, &spec.title, &spec.alternate] {
        add_str(&mut h, part);
    }
    for &i in spec.shown {
        h.update(&keys.articles[i].to_le_bytes());
        add_time(&mut h, sources.modified[i]);
    }
    h.digest()
}

/// A hash of everything the sitemap entries are made from: the site settings (in
/// `global`: base URL, time zone, cadence), the pages, the city and topic slugs, and
/// each article's path, city, topic, whether it is out, and its `dateModified`.
fn sitemap_key(sources: &Sources<'_>, global: u64) -> u64 {
    let (input, plan) = (sources.input, sources.plan);
    let mut h = Xxh3::new();
    h.update(&global.to_le_bytes());
    for page in &plan.pages {
        let (kind, a, b) = match *page {
            Page::Article(i) => (0, i.index(), 0),
            Page::Home { page, pages } => (1, page, pages),
            Page::City(c) => (2, c.index(), 0),
            Page::Topic { topic, page, .. } => (3, topic.index(), page),
            Page::Cities => (4, 0, 0),
            Page::NotFound => (5, 0, 0),
            Page::About => (6, 0, 0),
            Page::Search => (7, 0, 0),
        };
        for n in [kind, a, b] {
            add_num(&mut h, n);
        }
    }
    let slugs = (input.cities.iter().map(|c| c.slug.value.as_str()))
        .chain(input.topics.iter().map(|t| t.slug.as_str()));
    for slug in slugs {
        h.update(slug.as_bytes());
        h.update(b"\0");
    }
    for (a, m) in plan.articles.iter().zip(sources.modified) {
        h.update(a.path.as_bytes());
        for n in [a.city.index(), a.topic.index(), usize::from(a.published)] {
            add_num(&mut h, n);
        }
        add_time(&mut h, *m);
    }
    h.digest()
}
