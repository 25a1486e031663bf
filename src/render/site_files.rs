//! The machine-read files of the site: the sitemap (split when large), the site-wide and
//! per-city Atom feeds, `robots.txt`, and the static files.

use super::feeds::{self, Feed, FeedEntry};
use super::sitemap::{self, SitemapEntry};
use super::templates::names;
use super::{OutputFile, Renderer};
use crate::plan::{Page, urls};
use chrono::NaiveDateTime;
use rayon::prelude::*;

impl Renderer<'_> {
    /// Sitemap, feeds, `robots.txt` and static files; `modified` is each article's
    /// `dateModified` (see [`super::modified::ModifiedTable`]).
    pub fn site_files(&self, modified: &[NaiveDateTime]) -> Vec<OutputFile> {
        let site = &self.input.site;
        let mut files: Vec<OutputFile> = sitemap::sitemaps(
            &self.sitemap_entries(modified),
            &site.base_url,
            sitemap::BAIDU,
        )
        .into_iter()
        .map(|(path, text)| OutputFile {
            path,
            bytes: text.into_bytes(),
        })
        .collect();
        files.push(OutputFile {
            path: "atom.xml".into(),
            bytes: self
                .feed(
                    &site.name,
                    "",
                    "atom.xml",
                    &self.plan.newest_first,
                    modified,
                )
                .into_bytes(),
        });
        let city_feeds: Vec<OutputFile> = self
            .input
            .cities
            .par_iter()
            .enumerate()
            .map(|(c, city)| {
                let path = urls::city_feed_path(&city.slug.value);
                let title = format!("{} - {}", city.name, site.name);
                let alternate = urls::city_path(&city.slug.value);
                let text = self.feed(&title, &alternate, &path, &self.plan.by_city[c], modified);
                OutputFile {
                    path,
                    bytes: text.into_bytes(),
                }
            })
            .collect();
        files.extend(city_feeds);
        files.push(OutputFile {
            path: "robots.txt".into(),
            bytes: feeds::robots(&self.absolute("sitemap.xml")).into_bytes(),
        });
        files.extend(self.input.statics.iter().map(|s| OutputFile {
            path: format!("static/{}", s.rel),
            bytes: s.bytes.clone(),
        }));
        files
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
                Page::NotFound => continue,
            };
            entries.push(SitemapEntry {
                loc: self.absolute(&path),
                lastmod,
            });
        }
        entries
    }

    /// An Atom feed of the newest `feed_size` of `articles` (newest first); `alternate` and
    /// `path` are below the base URL.
    fn feed(
        &self,
        title: &str,
        alternate: &str,
        path: &str,
        articles: &[usize],
        modified: &[NaiveDateTime],
    ) -> String {
        let site = &self.input.site;
        let shown = &articles[..articles.len().min(site.feed_size)];
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
        let (alternate, self_url) = (self.absolute(alternate), self.absolute(path));
        feeds::atom(
            &Feed {
                title,
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
