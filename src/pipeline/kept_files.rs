//! The site files a run does not make again when what they are made from is unchanged:
//! the feeds through the page memo (their leads are rendered from templates, the dearest
//! part of the site files), under a key of everything they show, so `build` keeps them
//! from the memo on disk as `serve` keeps them from the one in memory; and, across
//! `serve`'s rebuilds, the sitemap while no page, path or `dateModified` changed.

use super::fingerprint::{add_num, add_str, add_time};
use super::pages::{Memo, Sink};
use crate::model::ids::{ArticleId, Id, IdVec};
use crate::plan::Page;
use crate::render::OutputFile;
use crate::site_files::{FeedSpec, KeptFile, Sources};
use crate::write::WriteError;
use crate::write::page_memo::MemoPage;
use rayon::prelude::*;
use xxhash_rust::xxh3::Xxh3;

/// The sitemap files of the last run, under a hash of what they are made from (see
/// `sitemap_key`).
#[derive(Default)]
pub(crate) struct SitemapCache {
    sitemaps: Option<(u64, Vec<KeptFile>)>,
}

/// What decides a feed's bytes besides its own path, title and articles: the site-wide
/// fingerprint and, per article, its page fingerprint (which covers its title, content,
/// category and publish time; the lead is rendered from the same inputs as the page).
pub(crate) struct FeedKeys<'a> {
    pub(crate) global: u64,
    pub(crate) articles: &'a IdVec<ArticleId, u64>,
}

/// What [`site_files`] made.
pub(crate) struct MadeFiles {
    /// Sitemap, `robots.txt`, redirects and static files, for the caller to put.
    pub(crate) files: Vec<KeptFile>,
    /// The feeds' memo lines: each feed is in the sink already.
    pub(crate) feeds: Vec<MemoPage>,
    /// How many feeds were made (the others were kept).
    pub(crate) feeds_made: usize,
}

/// Sitemap, feeds, `robots.txt`, redirects and static files. A feed whose key (see
/// [`FeedKeys`]) the page memo knows, and whose file the sink still holds, is kept;
/// the others are made and put into the sink. The sitemap comes from `cache` when its
/// inputs are unchanged, and `cache` then holds this run's. Fails only when the sink does.
pub(crate) fn site_files(
    sources: &Sources<'_>,
    keys: &FeedKeys<'_>,
    memo: &Memo<'_, '_>,
    sink: &Sink<'_>,
    cache: &mut SitemapCache,
) -> Result<MadeFiles, WriteError> {
    let key = sitemap_key(sources, keys.global);
    let sitemaps = match cache.sitemaps.take() {
        Some((kept, files)) if kept == key => files,
        _ => sources.sitemaps(),
    };
    cache.sitemaps = Some((key, sitemaps.clone()));
    let files = sources.besides_feeds(sitemaps);
    let feeds: Vec<(MemoPage, bool)> = (sources.feed_specs().par_iter())
        .map(|spec| {
            let key = feed_key(spec, sources, keys);
            let kept = (memo.pages.get(&key)).filter(|m| m.path == spec.path && sink.holds(m));
            let (line, made) = match kept {
                Some(m) => (Some(m.clone()), false),
                None => {
                    let bytes = sources.feed(spec).into_bytes();
                    let path = spec.path.clone();
                    (sink.put(OutputFile { path, bytes })?, true)
                }
            };
            Ok(line.map(|line| {
                let line = MemoPage {
                    fingerprint: key,
                    ..line
                };
                (line, made)
            }))
        })
        .filter_map(Result::transpose)
        .collect::<Result<_, WriteError>>()?;
    let feeds_made = feeds.iter().filter(|(_, made)| *made).count();
    Ok(MadeFiles {
        files,
        feeds: feeds.into_iter().map(|(line, _)| line).collect(),
        feeds_made,
    })
}

/// A hash of everything `spec`'s feed is made from.
fn feed_key(spec: &FeedSpec<'_>, sources: &Sources<'_>, keys: &FeedKeys) -> u64 {
    let mut h = Xxh3::new();
    // Apart from page fingerprints, which share the memo.
    h.update(b"feed");
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
