//! Stage 5, site files: the machine-read files of the site — the sitemap (split when
//! large), the site-wide and per-city Atom feeds, `robots.txt`, the dead-link list, the
//! redirect pages and maps — and the static files. Made from the plan and each article's
//! `dateModified`; of the renderer only the articles' titles and leads are read.

mod feeds;
pub(crate) mod sitemap;

pub(crate) use feeds::xml_escape;

use crate::model::SiteInput;
use crate::model::ids::{ArticleId, IdVec};
use crate::plan::{Page, Plan, urls};
use crate::render::Renderer;
use chrono::NaiveDateTime;
use feeds::{Feed, FeedEntry};
use rayon::prelude::*;
use sitemap::SitemapEntry;
use std::sync::Arc;

/// The dead-link list at a stable URL of the site, for Baidu's 死链提交 (txt format).
pub(crate) const DEAD_LINKS_FILE: &str = "dead-links.txt";

/// A file kept between rebuilds: its path below the output folder and its bytes.
pub(crate) type KeptFile = (String, Arc<[u8]>);

/// What the site files are made from.
pub struct Sources<'a> {
    pub input: &'a SiteInput,
    pub plan: &'a Plan,
    /// For the feeds: the articles' titles and leads.
    pub renderer: &'a Renderer<'a>,
    /// Each article's `dateModified` (see `plan::modified::ModifiedTable`).
    pub modified: &'a IdVec<ArticleId, NaiveDateTime>,
}

/// One Atom feed of the site: where it goes and what it lists.
pub(crate) struct FeedSpec<'p> {
    pub(crate) path: String,
    pub(crate) title: String,
    /// The page the feed is the feed of, below the base URL.
    pub(crate) alternate: String,
    /// The articles it shows: the newest `feed_size`, newest first.
    pub(crate) shown: &'p [ArticleId],
}

/// The page left at an old URL: it sends readers and crawlers to `to` and is not indexed.
fn redirect_page(to: &str, language: &str) -> String {
    let to = xml_escape(to);
    let lang = xml_escape(language);
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>页面已迁移</title>\n<meta name=\"robots\" content=\"noindex\">\n\
         <link rel=\"canonical\" href=\"{to}\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url={to}\">\n</head>\n<body>\n\
         <p>本页已迁移至 <a href=\"{to}\">{to}</a>。</p>\n</body>\n</html>\n"
    )
}

impl Sources<'_> {
    /// Every file but the pages, each made afresh.
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        let mut files = self.besides_feeds(self.sitemaps());
        let feeds: Vec<(String, Vec<u8>)> = (self.feed_specs().into_par_iter())
            .map(|spec| {
                let bytes = self.feed(&spec).into_bytes();
                (spec.path, bytes)
            })
            .collect();
        files.extend(feeds);
        files
    }

    fn absolute(&self, path: &str) -> String {
        format!("{}{}", self.input.site.base_url, path)
    }

    fn iso(&self, dt: NaiveDateTime) -> String {
        crate::load::local_time::rfc3339(self.input.site.timezone, dt)
    }

    /// The sitemap (or its index and parts).
    pub(crate) fn sitemaps<B: From<Vec<u8>>>(&self) -> Vec<(String, B)> {
        let entries = self.sitemap_entries();
        sitemap::sitemaps(&entries, &self.input.site.base_url, sitemap::BAIDU)
            .into_iter()
            .map(|(path, text)| (path, text.into_bytes().into()))
            .collect()
    }

    /// The site's Atom feeds: the site-wide one, then one per city, each made by
    /// [`Sources::feed`].
    pub(crate) fn feed_specs(&self) -> Vec<FeedSpec<'_>> {
        let (input, plan) = (self.input, self.plan);
        let site = &input.site;
        let feed_size = site.feed_size;
        fn shown(articles: &[ArticleId], feed_size: usize) -> &[ArticleId] {
            &articles[..articles.len().min(feed_size)]
        }
        let mut specs = vec![FeedSpec {
            path: "atom.xml".into(),
            title: site.name.clone(),
            alternate: String::new(),
            shown: shown(&plan.newest_first, feed_size),
        }];
        specs.extend(input.cities.iter_ids().map(|(c, city)| FeedSpec {
            path: urls::city_feed_path(&city.slug.value),
            title: format!("{} - {}", city.name, site.name),
            alternate: urls::city_path(&city.slug.value),
            shown: shown(&plan.by_city[c], feed_size),
        }));
        specs
    }

    /// Every file but the pages and the feeds: `sitemaps`, then `robots.txt` (naming
    /// them), the dead-link list, the redirect pages and the static files.
    pub(crate) fn besides_feeds<B: From<Vec<u8>>>(
        &self,
        mut files: Vec<(String, B)>,
    ) -> Vec<(String, B)> {
        let (input, plan) = (self.input, self.plan);
        let site = &input.site;
        let sitemap_urls: Vec<String> = files
            .iter()
            .filter(|(path, _)| sitemap::is_sitemap_file(path))
            .map(|(path, _)| self.absolute(path))
            .collect();
        files.push((
            "robots.txt".into(),
            feeds::robots(&sitemap_urls).into_bytes().into(),
        ));
        let dead: String = (plan.dead_links.iter())
            .map(|p| format!("{}\n", self.absolute(p)))
            .collect();
        files.push((DEAD_LINKS_FILE.into(), dead.into_bytes().into()));
        files.extend(plan.redirects.iter().map(|r| {
            let page = redirect_page(&self.absolute(&r.to), &site.language);
            (urls::output_file(&r.from), page.into_bytes().into())
        }));
        files.extend(
            (input.statics.iter()).map(|s| (format!("static/{}", s.rel), s.bytes.clone().into())),
        );
        files
    }

    /// The latest `dateModified` among `articles`, as ISO 8601; `fallback` when empty.
    fn latest(&self, articles: &[ArticleId], fallback: &str) -> String {
        (articles.iter().map(|&i| self.modified[i]).max())
            .map(|d| self.iso(d))
            .unwrap_or_else(|| fallback.to_string())
    }

    /// Every published page with the time its listed content last changed. An article's
    /// is its `dateModified`; a list's is the latest of the articles it (or, for later
    /// pages that shift, its whole list) shows. Never the clock, so rebuilds agree.
    fn sitemap_entries(&self) -> Vec<SitemapEntry> {
        let (input, plan) = (self.input, self.plan);
        let start = self.iso(input.site.cadence.start);
        let newest = self.latest(&plan.newest_first, &start);
        let mut entries = Vec::with_capacity(plan.pages.len());
        for page in &plan.pages {
            let (path, lastmod) = match *page {
                Page::Article(i) => (plan.articles[i].path.clone(), self.iso(self.modified[i])),
                Page::Home { page, .. } => (urls::home_path(page), newest.clone()),
                Page::City(c) => (
                    urls::city_path(&input.cities[c].slug.value),
                    self.latest(&plan.by_city[c], &newest),
                ),
                Page::Topic { topic, page, .. } => (
                    urls::topic_path(&input.topics[topic].slug, page),
                    self.latest(&plan.by_topic[topic], &newest),
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
    pub(crate) fn feed(&self, spec: &FeedSpec<'_>) -> String {
        let (input, plan) = (self.input, self.plan);
        let site = &input.site;
        let entries: Vec<FeedEntry> = (spec.shown.iter())
            .map(|&i| {
                let a = &plan.articles[i];
                FeedEntry {
                    url: self.absolute(&a.path),
                    title: self.renderer.article_title(i).to_string(),
                    published: self.iso(a.publish_at),
                    updated: self.iso(self.modified[i]),
                    summary: self.renderer.article_lead(i),
                    category: plan.categories[a.category].clone(),
                }
            })
            .collect();
        let start = self.iso(site.cadence.start);
        let updated = self.latest(spec.shown, &start);
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

/// The redirect map for static hosts, as `(file name, text)`: `_redirects` (Netlify,
/// Cloudflare Pages) and `redirects.nginx.map` (an nginx `map` include).
pub(crate) fn redirect_maps(input: &SiteInput, plan: &Plan) -> Vec<(String, String)> {
    let base = input.site.base_path();
    let mut netlify = String::new();
    let mut nginx = String::from(
        "# sitegen redirects; use inside `http { }` as:\n\
         #   map $uri $sitegen_redirect { include /path/to/redirects.nginx.map; }\n\
         # and in the server: if ($sitegen_redirect) { return 301 $sitegen_redirect; }\n",
    );
    for r in &plan.redirects {
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
