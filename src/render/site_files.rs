//! The machine-read files of the site: the sitemap (split when large), the site-wide and
//! per-city Atom feeds, `robots.txt`, and the static files.

use super::Renderer;
use super::feeds::{self, Feed, FeedEntry};
use super::sitemap::{self, SitemapEntry};
use super::templates::names;
use crate::plan::{Page, urls};
use chrono::NaiveDateTime;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use xxhash_rust::xxh3::Xxh3;

/// The dead-link list at a stable URL of the site, for Baidu's 死链提交 (txt format).
pub const DEAD_LINKS_FILE: &str = "dead-links.txt";

/// The page left at an old URL: it sends readers and crawlers to `to` and is not indexed.
fn redirect_page(to: &str, language: &str) -> String {
    let to = feeds::xml_escape(to);
    let lang = feeds::xml_escape(language);
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>页面已迁移</title>\n<meta name=\"robots\" content=\"noindex\">\n\
         <link rel=\"canonical\" href=\"{to}\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url={to}\">\n</head>\n<body>\n\
         <p>本页已迁移至 <a href=\"{to}\">{to}</a>。</p>\n</body>\n</html>\n"
    )
}

/// A file kept between rebuilds: its path below the output folder and its bytes.
pub type KeptFile = (String, Arc<[u8]>);

/// One Atom feed of the site: where it goes and what it lists.
struct FeedSpec<'p> {
    path: String,
    title: String,
    /// The page the feed is the feed of, below the base URL.
    alternate: String,
    /// Newest first; the feed shows the first `feed_size`.
    articles: &'p [usize],
}

/// Feeds kept between `serve`'s rebuilds under a hash of everything they are made from, so
/// a rebuild renders only the feeds whose shown articles changed (their leads are rendered
/// from templates, the dearest part of the site files).
#[derive(Default)]
pub struct FeedCache {
    kept: HashMap<u64, Arc<[u8]>>,
    /// The sitemap files under a hash of what they are made from (see `sitemap_key`).
    sitemaps: Option<(u64, Vec<KeptFile>)>,
}

/// What decides a feed's bytes besides its own path, title and articles: the site-wide
/// fingerprint and, per article, its page fingerprint (which covers its title, content,
/// category and publish time; the lead is rendered from the same inputs as the page).
pub struct FeedKeys<'a> {
    pub global: u64,
    pub articles: &'a [u64],
}

impl Renderer<'_> {
    /// Sitemap, feeds, `robots.txt`, redirects and static files; `modified` is each
    /// article's `dateModified` (see [`super::modified::ModifiedTable`]). With `kept`, every
    /// feed and sitemap whose inputs (see [`FeedKeys`]) are unchanged comes from the cache,
    /// which then holds this build's.
    pub fn site_files(
        &self,
        modified: &[NaiveDateTime],
        kept: Option<(&FeedKeys<'_>, &mut FeedCache)>,
    ) -> Vec<KeptFile> {
        let Some((keys, cache)) = kept else {
            let sitemaps = self.sitemap_files(modified);
            return self.files_with(sitemaps, |spec| {
                self.feed(spec, modified).into_bytes().into()
            });
        };
        let key = self.sitemap_key(modified, keys.global);
        let sitemaps = match cache.sitemaps.take() {
            Some((kept, files)) if kept == key => files,
            _ => self.sitemap_files(modified),
        };
        cache.sitemaps = Some((key, sitemaps.clone()));
        let fresh = Mutex::new(HashMap::new());
        let files = self.files_with(sitemaps, |spec| {
            let key = self.feed_key(spec, modified, keys);
            let bytes = match cache.kept.get(&key) {
                Some(kept) => kept.clone(),
                None => Arc::from(self.feed(spec, modified).into_bytes()),
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
    fn feed_key(&self, spec: &FeedSpec<'_>, modified: &[NaiveDateTime], keys: &FeedKeys) -> u64 {
        let mut h = Xxh3::new();
        h.update(&keys.global.to_le_bytes());
        for part in [&spec.path, &spec.title, &spec.alternate] {
            h.update(&part.len().to_le_bytes());
            h.update(part.as_bytes());
        }
        for &i in self.shown(spec.articles) {
            h.update(&keys.articles[i].to_le_bytes());
            h.update(&modified[i].and_utc().timestamp().to_le_bytes());
        }
        h.digest()
    }

    /// The sitemap (or its index and parts).
    fn sitemap_files<B: From<Vec<u8>>>(&self, modified: &[NaiveDateTime]) -> Vec<(String, B)> {
        let entries = self.sitemap_entries(modified);
        sitemap::sitemaps(&entries, &self.input.site.base_url, sitemap::BAIDU)
            .into_iter()
            .map(|(path, text)| (path, text.into_bytes().into()))
            .collect()
    }

    /// A hash of everything [`Self::sitemap_entries`] reads: the site settings (in
    /// `global`: base URL, time zone, cadence), the pages, the city and topic slugs, and
    /// each article's path, city, topic, whether it is out, and its `dateModified`.
    fn sitemap_key(&self, modified: &[NaiveDateTime], global: u64) -> u64 {
        let mut h = Xxh3::new();
        h.update(&global.to_le_bytes());
        let add = |h: &mut Xxh3, n: usize| h.update(&(n as u64).to_le_bytes());
        for page in &self.plan.pages {
            let (kind, a, b) = match *page {
                Page::Article(i) => (0, i, 0),
                Page::Home { page, pages } => (1, page, pages),
                Page::City(c) => (2, c, 0),
                Page::Topic { topic, page, .. } => (3, topic, page),
                Page::Cities => (4, 0, 0),
                Page::NotFound => (5, 0, 0),
                Page::About => (6, 0, 0),
                Page::Search => (7, 0, 0),
            };
            for n in [kind, a, b] {
                add(&mut h, n);
            }
        }
        let slugs = (self.input.cities.iter().map(|c| c.slug.value.as_str()))
            .chain(self.input.topics.iter().map(|t| t.slug.as_str()));
        for slug in slugs {
            h.update(slug.as_bytes());
            h.update(b"\0");
        }
        for (a, m) in self.plan.articles.iter().zip(modified) {
            h.update(a.path.as_bytes());
            for n in [a.city, a.topic, usize::from(a.published)] {
                add(&mut h, n);
            }
            h.update(&m.and_utc().timestamp().to_le_bytes());
        }
        h.digest()
    }

    /// Every file but the pages: `sitemaps`, then the feeds, each made by `feed`.
    fn files_with<B: From<Vec<u8>> + Send>(
        &self,
        mut files: Vec<(String, B)>,
        feed: impl Fn(&FeedSpec<'_>) -> B + Sync,
    ) -> Vec<(String, B)> {
        let site = &self.input.site;
        let mut specs = vec![FeedSpec {
            path: "atom.xml".into(),
            title: site.name.clone(),
            alternate: String::new(),
            articles: &self.plan.newest_first,
        }];
        specs.extend(
            self.input
                .cities
                .iter()
                .enumerate()
                .map(|(c, city)| FeedSpec {
                    path: urls::city_feed_path(&city.slug.value),
                    title: format!("{} - {}", city.name, site.name),
                    alternate: urls::city_path(&city.slug.value),
                    articles: &self.plan.by_city[c],
                }),
        );
        let feeds: Vec<(String, B)> = specs
            .into_par_iter()
            .map(|spec| {
                let bytes = feed(&spec);
                (spec.path, bytes)
            })
            .collect();
        let sitemap_urls: Vec<String> = files
            .iter()
            .filter(|(path, _)| sitemap::is_sitemap_file(path))
            .map(|(path, _)| self.absolute(path))
            .collect();
        files.extend(feeds);
        files.push((
            "robots.txt".into(),
            feeds::robots(&sitemap_urls).into_bytes().into(),
        ));
        let dead: String = (self.plan.dead_links.iter())
            .map(|p| format!("{}\n", self.absolute(p)))
            .collect();
        files.push((DEAD_LINKS_FILE.into(), dead.into_bytes().into()));
        files.extend(self.plan.redirects.iter().map(|r| {
            let page = redirect_page(&self.absolute(&r.to), &self.input.site.language);
            (urls::output_file(&r.from), page.into_bytes().into())
        }));
        files.extend(
            self.input
                .statics
                .iter()
                .map(|s| (format!("static/{}", s.rel), s.bytes.clone().into())),
        );
        files
    }

    /// The redirect map for static hosts, as `(file name, text)`: `_redirects` (Netlify,
    /// Cloudflare Pages) and `redirects.nginx.map` (an nginx `map` include).
    pub(crate) fn redirect_maps(&self) -> Vec<(String, String)> {
        let base = self.input.site.base_path();
        let mut netlify = String::new();
        let mut nginx = String::from(
            "# sitegen redirects; use inside `http { }` as:\n\
             #   map $uri $sitegen_redirect { include /path/to/redirects.nginx.map; }\n\
             # and in the server: if ($sitegen_redirect) { return 301 $sitegen_redirect; }\n",
        );
        for r in &self.plan.redirects {
            netlify.push_str(&format!("{base}{} {base}{} 301\n", r.from, r.to));
            for from in [
                format!("{base}{}", r.from),
                format!("{base}{}", urls::output_file(&r.from)),
            ] {
                nginx.push_str(&format!("{from} {base}{};\n", r.to));
            }
        }
        vec![
            ("_redirects".into(), netlify),
            ("redirects.nginx.map".into(), nginx),
        ]
    }

    /// The articles a feed of `articles` shows: the newest `feed_size`.
    fn shown<'a>(&self, articles: &'a [usize]) -> &'a [usize] {
        &articles[..articles.len().min(self.input.site.feed_size)]
    }

    /// The latest `dateModified` among `articles`, as ISO 8601; `fallback` when empty.
    fn latest(&self, articles: &[usize], modified: &[NaiveDateTime], fallback: &str) -> String {
        articles
            .iter()
            .map(|&i| modified[i])
            .max()
            .map(|d| self.iso(d))
            .unwrap_or_else(|| fallback.to_string())
    }

    /// Every published page with the time its listed content last changed. An article's
    /// is its `dateModified`; a list's is the latest of the articles it (or, for later
    /// pages that shift, its whole list) shows. Never the clock, so rebuilds agree.
    fn sitemap_entries(&self, modified: &[NaiveDateTime]) -> Vec<SitemapEntry> {
        let plan = self.plan;
        let start = self.iso(self.input.site.cadence.start);
        let newest = self.latest(&plan.newest_first, modified, &start);
        let mut entries = Vec::with_capacity(plan.pages.len());
        for page in &plan.pages {
            let (path, lastmod) = match *page {
                Page::Article(i) => (plan.articles[i].path.clone(), self.iso(modified[i])),
                Page::Home { page, .. } => (urls::home_path(page), newest.clone()),
                Page::City(c) => (
                    urls::city_path(&self.input.cities[c].slug.value),
                    self.latest(&plan.by_city[c], modified, &newest),
                ),
                Page::Topic { topic, page, .. } => (
                    urls::topic_path(&self.input.topics[topic].slug, page),
                    self.latest(&plan.by_topic[topic], modified, &newest),
                ),
                Page::Cities => (urls::CITIES_PATH.to_string(), newest.clone()),
                Page::About => (urls::ABOUT_PATH.to_string(), start.clone()),
                // The search page answers queries; it is not content to index.
                Page::Search | Page::NotFound => continue,
            };
            entries.push(SitemapEntry {
                loc: self.absolute(&path),
                lastmod,
            });
        }
        entries
    }

    /// The Atom feed `spec` describes.
    fn feed(&self, spec: &FeedSpec<'_>, modified: &[NaiveDateTime]) -> String {
        let site = &self.input.site;
        let shown = self.shown(spec.articles);
        let entries: Vec<FeedEntry> = shown
            .iter()
            .map(|&i| {
                let a = &self.plan.articles[i];
                let lead = self
                    .render_content(
                        &names::lead(&self.input.topics[a.topic].slug),
                        &self.content_context(a.pair),
                        a,
                    )
                    .unwrap_or_default();
                FeedEntry {
                    url: self.absolute(&a.path),
                    title: self.titles[i].clone(),
                    published: self.iso(a.publish_at),
                    updated: self.iso(modified[i]),
                    summary: lead.trim().to_string(),
                    category: self.plan.categories[a.category].clone(),
                }
            })
            .collect();
        let start = self.iso(site.cadence.start);
        let updated = self.latest(shown, modified, &start);
        let (alternate, self_url) = (self.absolute(&spec.alternate), self.absolute(&spec.path));
        feeds::atom(
            &Feed {
                title: &spec.title,
                alternate: &alternate,
                self_url: &self_url,
                updated: &updated,
                lang: &site.language,
                author: &site.name,
                author_url: &site.base_url,
            },
            &entries,
        )
    }
}
