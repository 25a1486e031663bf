//! Stage 4, render: templates + markdown into page bytes. Pure, and run in parallel over
//! the plan's pages by the pipeline.

mod article;
mod article_meta;
mod bounds;
pub(crate) mod cache;
pub(crate) mod escape;
mod info_pages;
pub(crate) mod links;
mod list_pages;
pub(crate) mod markdown;
pub(crate) mod other_cities;
pub(crate) mod plain;
pub(crate) mod seo;
pub(crate) mod templates;
pub(crate) mod tera_errors;
pub(crate) mod trust;
pub(crate) mod view;

use crate::content::SectionText;
use crate::content::words::BreakMemo;
use crate::diag::Diagnostic;
use crate::merge::{Merged, Values};
use crate::model::ids::{ArticleId, IdVec, PairId};
use crate::model::{ModifiedEntry, SiteInput, Topic};
use crate::plan::{Page, Plan, PlannedArticle, urls};
use cache::PairCache;
use chrono::NaiveDateTime;
pub(crate) use links::LinkParts;
use links::LinkTable;
use rayon::prelude::*;
use std::collections::HashMap;
use templates::Templates;
use view::*;

/// A rendered output file: its path below the output folder and its bytes.
pub(crate) struct OutputFile {
    pub(crate) path: String,
    pub(crate) bytes: Vec<u8>,
}

/// A rendered page and the warnings found while rendering it.
pub struct Rendered {
    pub(crate) file: OutputFile,
    pub(crate) warnings: Vec<Diagnostic>,
    /// For an article: each section's defects and blocks, for the content lint.
    pub(crate) sections: Vec<SectionText>,
    /// For an article: its index and its `modified.lock` record.
    pub record: Option<(ArticleId, ModifiedEntry)>,
}

/// Titles and links kept from an earlier run, by article (see [`Renderer::new`]).
pub type KnownTitles<'k> = dyn Fn(ArticleId) -> Option<(String, Option<LinkParts>)> + Sync + 'k;

/// Everything needed to render any page; built once, shared by all threads.
pub struct Renderer<'a> {
    input: &'a SiteInput,
    merged: &'a Merged,
    plan: &'a Plan,
    templates: Templates,
    /// Each published article's full title (empty for unpublished ones).
    titles: IdVec<ArticleId, String>,
    /// Each published article's link, built once.
    links: LinkTable,
    /// How many of `titles` were rendered here (the others were known).
    titles_rendered: usize,
    site_value: tera::Value,
    /// The longest string in `site_value`, in bytes (see `bounds::note_longest`).
    site_longest: usize,
    /// `modified.lock` as loaded, by article id.
    old_modified: HashMap<&'a str, &'a ModifiedEntry>,
    /// Each topic's articles by province, for 其他城市的同类问题 (built on first use).
    province_groups: std::sync::OnceLock<other_cities::ProvinceGroups>,
    /// Word breaks of the card-title parts met so far.
    title_breaks: BreakMemo,
}

impl<'a> Renderer<'a> {
    /// Parses templates and renders every published article's title, taking the title and
    /// link of article `i` from `known(i)` when it gives them (kept from an earlier run
    /// whose title inputs did not change; a link shows nothing those inputs do not decide).
    pub fn new(
        input: &'a SiteInput,
        merged: &'a Merged,
        plan: &'a Plan,
        known: Option<&KnownTitles<'_>>,
    ) -> Result<Self, Vec<Diagnostic>> {
        let templates = Templates::compile(input)?;
        let site_value = tera::Value::from_serializable(&site_view(input));
        let site_longest =
            serde_json::to_value(site_view(input)).map_or(0, |v| bounds::longest_string(&v));
        let mut renderer = Renderer {
            input,
            merged,
            plan,
            templates,
            titles: IdVec::default(),
            links: LinkTable::new(Vec::new()),
            titles_rendered: 0,
            site_value,
            site_longest,
            old_modified: input
                .modified_lock
                .iter()
                .map(|e| (e.article.as_str(), e))
                .collect(),
            province_groups: std::sync::OnceLock::new(),
            title_breaks: BreakMemo::default(),
        };
        let (known_titles, known_links): (Vec<_>, Vec<_>) = (plan.articles.par_ids())
            .map(|i| {
                let (title, link) = known.and_then(|known| known(i)).unzip();
                (title, link.flatten())
            })
            .unzip();
        renderer.titles_rendered = (plan.articles.iter().zip(&known_titles))
            .filter(|(a, known)| a.published && known.is_none())
            .count();
        let titles: Vec<Result<String, Diagnostic>> = plan
            .articles
            .par_iter()
            .zip(known_titles)
            .map(|(a, known)| match known {
                Some(title) => Ok(title),
                None if a.published => renderer.title(a),
                None => Ok(String::new()),
            })
            .collect();
        let mut problems = Vec::new();
        for t in titles {
            let title = t.unwrap_or_else(|d| {
                problems.push(d);
                String::new()
            });
            renderer.titles.push(title);
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        renderer.links = LinkTable::new(known_links);
        Ok(renderer)
    }

    /// How many titles [`Renderer::new`] rendered (the others were known).
    pub(crate) fn titles_rendered(&self) -> usize {
        self.titles_rendered
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.input.site.base_path(), path)
    }

    fn absolute(&self, path: &str) -> String {
        format!("{}{}", self.input.site.base_url, path)
    }

    /// ISO 8601 with the site's offset, e.g. `2026-02-03T06:39:37+08:00`.
    /// Valid RFC 3339 for every time, in the gap or fold too (see `load::local_time`).
    pub(crate) fn iso(&self, dt: NaiveDateTime) -> String {
        crate::load::local_time::rfc3339(self.input.site.timezone, dt)
    }

    fn content_context(&self, pair: PairId) -> tera::Context {
        let p = &self.merged.pairs[pair];
        let city = &self.input.cities[p.city];
        let city_value = serde_json::json!({
            "name": city.name, "province": city.province, "slug": city.slug.value,
        });
        let city_longest = (city.name.len()).max(city.province.as_ref().map_or(0, |p| p.len()));
        let topic = &self.input.topics[p.topic];
        self.context_of(city_value, city_longest, topic, &p.values)
    }

    /// What content templates of `topic` see: `city` (whose longest string has
    /// `city_longest` bytes), the topic, the site and `values`, with the longest string of
    /// them all noted for the budgets (see `bounds::note_longest`).
    fn context_of(
        &self,
        city: serde_json::Value,
        city_longest: usize,
        topic: &Topic,
        values: &Values,
    ) -> tera::Context {
        let mut ctx = tera::Context::new();
        ctx.insert("city", &city);
        ctx.insert(
            "topic",
            &serde_json::json!({ "name": topic.name, "slug": topic.slug }),
        );
        ctx.insert_value("site", self.site_value.clone());
        let mut longest = self.site_longest.max(city_longest);
        for (k, v) in values {
            longest = longest.max(k.len()).max(bounds::longest_string(&v.value));
            ctx.insert(k.to_string(), &v.value);
        }
        bounds::note_longest(&mut ctx, longest);
        ctx
    }

    /// Content template `name` rendered for `article` and trimmed: a title, heading, lead
    /// or teaser.
    fn render_text(
        &self,
        name: &str,
        ctx: &tera::Context,
        article: &PlannedArticle,
    ) -> Result<String, Diagnostic> {
        let text = self.templates.render_content(name, ctx, &article.id)?;
        Ok(text.trim().to_string())
    }

    fn title(&self, a: &PlannedArticle) -> Result<String, Diagnostic> {
        let base = self.title_base(a)?;
        Ok(base + &a.date_suffix())
    }

    /// An article's title without its date suffix, trimmed.
    pub(crate) fn title_base(&self, a: &PlannedArticle) -> Result<String, Diagnostic> {
        let name = a.chosen.title.name(self.input);
        self.render_text(&name, &self.content_context(a.pair), a)
    }

    /// Article `i`'s link value and ISO datetime (nothing for unpublished articles, which
    /// are never linked).
    fn link_parts(&self, i: ArticleId) -> (tera::Value, String) {
        if !self.plan.articles[i].published {
            return (tera::Value::none(), String::new());
        }
        let link = self.link(i);
        (tera::Value::from_serializable(&link), link.iso)
    }

    /// Article `i`'s link as lists show it (keep `fingerprint::link_hash` in step with it).
    fn link(&self, i: ArticleId) -> ArticleLink<'_> {
        let a = &self.plan.articles[i];
        let city = &self.input.cities[a.city].name;
        ArticleLink {
            title: &self.titles[i],
            title_html: trust::title_html(
                &self.titles[i],
                city,
                &a.date_suffix(),
                Some(&self.title_breaks),
            ),
            url: self.url(&a.path),
            datetime: links::minutes(a.publish_at),
            iso: self.iso(a.publish_at),
            category: &self.plan.categories[a.category],
            city: &self.input.cities[a.city].name,
            topic: &self.input.topics[a.topic].name,
        }
    }

    /// Renders one page of the plan.
    pub fn render_page(&self, page: Page) -> Result<Rendered, Diagnostic> {
        self.render_page_with(page, &mut PairCache::default())
    }

    /// Renders consecutive pages of the plan, sharing the section bodies of each
    /// (city, topic) pair among them: pass the articles of one city together.
    pub(crate) fn render_pages(&self, pages: &[Page]) -> Vec<Result<Rendered, Diagnostic>> {
        let mut cache = PairCache::default();
        pages
            .iter()
            .map(|&page| self.render_page_with(page, &mut cache))
            .collect()
    }

    /// Renders one page, each kind by its own module (`article`, `list_pages`).
    fn render_page_with(&self, page: Page, cache: &mut PairCache) -> Result<Rendered, Diagnostic> {
        match page {
            Page::Article(i) => self.article(i, cache),
            Page::Home { page, pages } => self.home(page, pages),
            Page::City(c) => self.city_page(c),
            Page::Topic { topic, page, pages } => self.topic_page(topic, page, pages),
            Page::Cities => self.cities_page(),
            Page::About => self.about_page(),
            Page::Search => self.search_page(),
            Page::NotFound => self.not_found(),
        }
    }

    /// Renders the view `page` through layout `template` into the output file for `path`;
    /// every page kind ends here.
    fn layout(
        &self,
        template: &str,
        path: &str,
        page: tera::Value,
    ) -> Result<Rendered, Diagnostic> {
        let mut ctx = tera::Context::new();
        ctx.insert_value("site", self.site_value.clone());
        ctx.insert_value("page", page);
        // Rendered straight to bytes: the page goes to disk as it is, so checking it is
        // UTF-8 again (as `render` does for a `String`) would be wasted work.
        let mut bytes = Vec::with_capacity(32 * 1024);
        self.templates
            .layouts
            .render_to(template, &ctx, &mut bytes)
            .map_err(|e| self.templates.layout_error(&e, template, path))?;
        Ok(Rendered {
            file: OutputFile {
                path: urls::output_file(path),
                bytes,
            },
            warnings: Vec::new(),
            sections: Vec::new(),
            record: None,
        })
    }

    /// An article's full title (date suffix included); empty for unpublished articles.
    pub(crate) fn article_title(&self, i: ArticleId) -> &str {
        &self.titles[i]
    }
}

/// What templates see of the site as `site` (also hashed into every page's fingerprint).
pub(crate) fn site_view(input: &SiteInput) -> SiteView<'_> {
    let s = &input.site;
    let base = s.base_path();
    SiteView {
        name: &s.name,
        lang: &s.language,
        base_url: &s.base_url,
        base_path: base,
        category: &s.category,
        editor: &s.editor,
        disclaimer: &s.disclaimer,
        statement: &s.statement,
        complaint_url: &s.complaint_url,
        complaint_label: &s.complaint_label,
        icp: &s.icp,
        public_security_filing: &s.public_security_filing,
        public_security_url: seo::public_security_url(&s.public_security_filing),
        health_info_approval: &s.health_info_approval,
        og_locale: seo::og_locale(&s.language),
        home_url: base.to_string(),
        cities_url: format!("{base}{}", urls::CITIES_PATH),
        css_url: format!("{base}static/style.css"),
        feed_url: format!("{base}atom.xml"),
        about_url: format!("{base}{}", urls::ABOUT_PATH),
        search_url: format!("{base}{}", urls::SEARCH_PATH),
        image_url: if s.image.is_empty() {
            String::new()
        } else {
            format!("{}{}", s.base_url, s.image)
        },
        topics: input
            .topics
            .iter()
            .map(|t| NamedLink {
                name: t.name.clone(),
                url: format!("{base}{}", urls::topic_path(&t.slug, 1)),
            })
            .collect(),
    }
}
