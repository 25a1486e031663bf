//! Stage 4, render: templates + markdown into page bytes. Pure, and run in parallel over
//! the plan's pages by the pipeline.

mod article_meta;
pub mod cache;
pub mod escape;
pub mod feeds;
pub mod fingerprint;
pub mod links;
pub mod markdown;
pub mod modified;
pub mod seo;
mod site_files;
pub mod sitemap;
pub mod templates;
pub mod tera_errors;
pub mod view;

use crate::diag::{Diagnostic, Origin};
use crate::lint::blocks::{Block, BlockReader};
use crate::merge::Merged;
use crate::model::{ModifiedEntry, SiteInput};
use crate::plan::{Page, Plan, PlannedArticle, pick, urls};
use cache::{Body, PairCache};
use chrono::{NaiveDateTime, TimeZone};
pub use links::LinkParts;
use links::{LinkTable, link_value, with_lists};
pub use markdown::Defect;
use rayon::prelude::*;
use seo::PageMeta;
pub use site_files::{FeedCache, FeedKeys};
use std::collections::HashMap;
use templates::{Templates, names};
use view::*;

/// A rendered output file: its path below the output folder and its bytes.
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// A rendered page and the warnings found while rendering it.
pub struct Rendered {
    pub file: OutputFile,
    pub warnings: Vec<Diagnostic>,
    /// For an article: each section's markdown as rendered, for the content lint.
    pub sections: Vec<SectionText>,
    /// For an article: its index and its `modified.lock` record.
    pub record: Option<(usize, ModifiedEntry)>,
}

/// An article's own text (everything its content hash covers besides the title).
struct ArticleContent {
    lead: String,
    teaser: String,
    sections: Vec<SectionView>,
    texts: Vec<SectionText>,
    warnings: Vec<Diagnostic>,
}

/// One section of an article before markdown conversion: what the content lint reads.
pub struct SectionText {
    /// The section's topic (index into `SiteInput::topics`).
    pub topic: usize,
    /// The (city, topic) pair whose values filled it (index into `Merged::pairs`).
    pub pair: usize,
    pub markdown: String,
    /// Structural problems found while converting it to HTML.
    pub defects: Vec<Defect>,
    /// Its headings and top-level paragraphs, read while converting it.
    pub blocks: std::sync::Arc<[Block]>,
}

/// Everything needed to render any page; built once, shared by all threads.
pub struct Renderer<'a> {
    input: &'a SiteInput,
    merged: &'a Merged,
    plan: &'a Plan,
    templates: Templates,
    /// Each published article's full title (empty for unpublished ones).
    titles: Vec<String>,
    /// Each published article's link, built once.
    links: LinkTable,
    site_value: tera::Value,
    /// `modified.lock` as loaded, by article id.
    old_modified: HashMap<&'a str, &'a ModifiedEntry>,
}

impl<'a> Renderer<'a> {
    /// Parses templates and renders every published article's title.
    pub fn new(
        input: &'a SiteInput,
        merged: &'a Merged,
        plan: &'a Plan,
    ) -> Result<Self, Vec<Diagnostic>> {
        Self::with_known_titles(input, merged, plan, |_| None)
    }

    /// Like [`Renderer::new`], but takes the title and link of article `i` from `known(i)`
    /// when it gives them (kept from an earlier run whose title inputs did not change; a
    /// link shows nothing those inputs do not decide).
    pub fn with_known_titles(
        input: &'a SiteInput,
        merged: &'a Merged,
        plan: &'a Plan,
        known: impl Fn(usize) -> Option<(String, LinkParts)> + Sync,
    ) -> Result<Self, Vec<Diagnostic>> {
        let templates = Templates::compile(input)?;
        let site_value = tera::Value::from_serializable(&site_view(input));
        let mut renderer = Renderer {
            input,
            merged,
            plan,
            templates,
            titles: Vec::new(),
            links: LinkTable::new(Vec::new()),
            site_value,
            old_modified: input
                .modified_lock
                .iter()
                .map(|e| (e.article.as_str(), e))
                .collect(),
        };
        let (known_titles, mut known_links): (Vec<_>, Vec<_>) = (0..plan.articles.len())
            .into_par_iter()
            .map(|i| known(i).unzip())
            .unzip();
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
            match t {
                Ok(t) => renderer.titles.push(t),
                Err(d) => {
                    problems.push(d);
                    renderer.titles.push(String::new());
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let parts = known_links
            .par_iter_mut()
            .enumerate()
            .map(|(i, known)| known.take().unwrap_or_else(|| renderer.link_parts(i)))
            .collect();
        renderer.links = LinkTable::new(parts);
        Ok(renderer)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.input.site.base_path(), path)
    }

    fn absolute(&self, path: &str) -> String {
        format!("{}{}", self.input.site.base_url, path)
    }

    /// ISO 8601 with the site's offset, e.g. `2026-02-03T06:39:37+08:00`.
    pub fn iso(&self, dt: NaiveDateTime) -> String {
        match self.input.site.timezone.from_local_datetime(&dt).earliest() {
            Some(t) => t.format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            None => dt.format("%Y-%m-%dT%H:%M:%S").to_string(),
        }
    }

    fn content_context(&self, pair: usize) -> tera::Context {
        let p = &self.merged.pairs[pair];
        let city = &self.input.cities[p.city];
        let topic = &self.input.topics[p.topic];
        let mut ctx = tera::Context::new();
        ctx.insert(
            "city",
            &serde_json::json!({
                "name": city.name, "province": city.province, "slug": city.slug.value,
            }),
        );
        ctx.insert(
            "topic",
            &serde_json::json!({ "name": topic.name, "slug": topic.slug }),
        );
        ctx.insert_value("site", self.site_value.clone());
        for (k, v) in &p.values {
            ctx.insert(k.clone(), &v.value);
        }
        ctx
    }

    fn render_content(
        &self,
        name: &str,
        ctx: &tera::Context,
        article: &PlannedArticle,
    ) -> Result<String, Diagnostic> {
        self.templates
            .content
            .render(name, ctx)
            .map_err(|e| self.templates.content_error(&e, &article.id))
    }

    fn title(&self, a: &PlannedArticle) -> Result<String, Diagnostic> {
        let city = &self.input.cities[a.city];
        let topic = &self.input.topics[a.topic];
        let name = match city.topics.get(&topic.slug).and_then(|t| t.title.as_ref()) {
            Some(_) => names::city_title(&city.slug.value, &topic.slug),
            None => names::title(&topic.slug, a.title_variant),
        };
        let base = self.render_content(&name, &self.content_context(a.pair), a)?;
        let format = &self.input.site.title_date_formats[a.date_format];
        Ok(format!("{}{}", base.trim(), a.publish_at.format(format)))
    }

    /// Article `i`'s link value and ISO datetime (nothing for unpublished articles, which
    /// are never linked).
    fn link_parts(&self, i: usize) -> (tera::Value, String) {
        if !self.plan.articles[i].published {
            return (tera::Value::none(), String::new());
        }
        let link = self.link(i);
        (link_value(&link), link.iso)
    }

    /// Article `i`'s link as lists show it.
    fn link(&self, i: usize) -> ArticleLink<'_> {
        let a = &self.plan.articles[i];
        ArticleLink {
            title: &self.titles[i],
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
    pub fn render_pages(&self, pages: &[Page]) -> Vec<Result<Rendered, Diagnostic>> {
        let mut cache = PairCache::default();
        pages
            .iter()
            .map(|&page| self.render_page_with(page, &mut cache))
            .collect()
    }

    fn render_page_with(&self, page: Page, cache: &mut PairCache) -> Result<Rendered, Diagnostic> {
        match page {
            Page::Article(i) => self.article(i, cache),
            Page::Home { page, pages } => {
                let per = self.input.site.home_page_size;
                let items = self.links.list(
                    self.plan
                        .newest_first
                        .iter()
                        .skip((page - 1) * per)
                        .take(per)
                        .copied(),
                );
                let path = urls::home_path(page);
                let site = &self.input.site;
                let (title, description) = if page > 1 {
                    (
                        format!("{} 第{page}页", site.category),
                        format!("{}:{} 第{page}页", site.name, site.category),
                    )
                } else {
                    (
                        site.name.clone(),
                        format!("{}:{}", site.name, site.category),
                    )
                };
                let view = ListView {
                    heading: self.input.site.category.clone(),
                    canonical: self.absolute(&path),
                    url: self.url(&path),
                    meta: PageMeta::website(title, &description),
                    description,
                    pagination: self.pagination(page, pages, urls::home_path),
                    city: None,
                    province: None,
                    topic: None,
                };
                self.layout("index.html", &path, with_lists(&view, [("items", items)]))
            }
            Page::City(c) => {
                let city = &self.input.cities[c];
                let path = urls::city_path(&city.slug.value);
                let heading = format!("{}{}", city.name, self.input.site.category);
                let description = format!("{}的医保办理指南与常见问题", city.name);
                let view = ListView {
                    meta: self.city_meta(c, &heading, &description),
                    heading,
                    canonical: self.absolute(&path),
                    url: self.url(&path),
                    description,
                    pagination: self.pagination(1, 1, |_| path.clone()),
                    city: Some(NamedLink {
                        name: city.name.clone(),
                        url: self.url(&path),
                    }),
                    province: city.province.as_deref(),
                    topic: None,
                };
                let items = self.links.list(self.plan.by_city[c].iter().copied());
                self.layout("city.html", &path, with_lists(&view, [("items", items)]))
            }
            Page::Topic { topic, page, pages } => {
                let t = &self.input.topics[topic];
                let per = self.input.site.home_page_size;
                let path = urls::topic_path(&t.slug, page);
                let (title, description) = if page > 1 {
                    (
                        format!("{} 第{page}页", t.name),
                        format!("各地{}办理指南 第{page}页", t.name),
                    )
                } else {
                    (t.name.clone(), format!("各地{}办理指南", t.name))
                };
                let view = ListView {
                    heading: t.name.clone(),
                    canonical: self.absolute(&path),
                    url: self.url(&path),
                    meta: PageMeta::website(title, &description),
                    description,
                    pagination: self.pagination(page, pages, |p| urls::topic_path(&t.slug, p)),
                    city: None,
                    province: None,
                    topic: Some(NamedLink {
                        name: t.name.clone(),
                        url: self.url(&urls::topic_path(&t.slug, 1)),
                    }),
                };
                let items = self.links.list(
                    self.plan.by_topic[topic]
                        .iter()
                        .skip((page - 1) * per)
                        .take(per)
                        .copied(),
                );
                self.layout("topic.html", &path, with_lists(&view, [("items", items)]))
            }
            Page::Cities => {
                let site = &self.input.site;
                let meta = PageMeta::website(
                    "按城市浏览",
                    &format!("{}:按省份和城市查找{}", site.name, site.category),
                );
                let view = serde_json::json!({
                    "heading": "按城市浏览",
                    "url": self.url(urls::CITIES_PATH),
                    "canonical": self.absolute(urls::CITIES_PATH),
                    "provinces": self.provinces(),
                    "meta": meta,
                });
                let name = if self.templates.layouts.contains_template("cities.html") {
                    "cities.html"
                } else {
                    "index.html"
                };
                self.layout(
                    name,
                    urls::CITIES_PATH,
                    tera::Value::from_serializable(&view),
                )
            }
            Page::NotFound => {
                let meta = PageMeta {
                    noindex: true,
                    ..PageMeta::website("页面不存在", &self.input.site.name)
                };
                let view = serde_json::json!({ "url": self.url("404.html"), "canonical": self.absolute("404.html"), "meta": meta });
                self.layout(
                    "404.html",
                    "404.html",
                    tera::Value::from_serializable(&view),
                )
            }
        }
    }

    fn provinces(&self) -> Vec<ProvinceView> {
        let mut groups: Vec<ProvinceView> = Vec::new();
        let mut cities: Vec<&crate::model::City> = self.input.cities.iter().collect();
        // Provinces in pinyin order (安徽, 北京, 重庆, …) as readers expect, not by code point.
        let key = |c: &crate::model::City| {
            // A municipality is its own province: its slug spells polyphones (重庆) right.
            let province = c.province.as_deref().unwrap_or(&c.name);
            let spelled = if province == c.name {
                c.slug.value.clone()
            } else {
                pinyin_key(province)
            };
            (spelled, province.to_string(), c.slug.value.clone())
        };
        cities.sort_by_cached_key(|c| key(c));
        for c in cities {
            let province = c.province.clone().unwrap_or_else(|| c.name.clone());
            let link = NamedLink {
                name: c.name.clone(),
                url: self.url(&urls::city_path(&c.slug.value)),
            };
            match groups.last_mut() {
                Some(g) if g.province == province => g.cities.push(link),
                _ => groups.push(ProvinceView {
                    province,
                    cities: vec![link],
                }),
            }
        }
        groups
    }

    fn pagination(
        &self,
        current: usize,
        total: usize,
        path: impl Fn(usize) -> String,
    ) -> Pagination {
        Pagination {
            current,
            total,
            prev_url: (current > 1).then(|| self.url(&path(current - 1))),
            next_url: (current < total).then(|| self.url(&path(current + 1))),
        }
    }

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

    /// The template that gives `topic`'s section heading in article `a`: the city's own
    /// heading if it sets one, else one of the topic's headings picked by the article's id.
    pub fn heading_template(&self, a: &PlannedArticle, topic: usize) -> (String, Origin) {
        let t = &self.input.topics[topic];
        let city = &self.input.cities[a.city];
        match city.topics.get(&t.slug).and_then(|x| x.heading.as_ref()) {
            Some(h) => (
                names::city_heading(&city.slug.value, &t.slug),
                h.origin.clone(),
            ),
            None => {
                let i = pick(&a.id, &format!("heading:{}", t.slug), t.headings.len());
                (names::heading(&t.slug, i), t.headings[i].origin.clone())
            }
        }
    }

    /// `topic`'s section heading in article `i`, rendered.
    pub fn section_heading(&self, i: usize, topic: usize) -> Result<String, Diagnostic> {
        let a = &self.plan.articles[i];
        let pair = self.merged.pair_index(a.city, topic).unwrap_or(a.pair);
        let (name, _) = self.heading_template(a, topic);
        Ok(self
            .render_content(&name, &self.content_context(pair), a)?
            .trim()
            .to_string())
    }

    /// An article's full title (date suffix included); empty for unpublished articles.
    pub fn article_title(&self, i: usize) -> &str {
        &self.titles[i]
    }

    /// Article `i`'s prebuilt link, to hand back to [`Renderer::with_known_titles`].
    pub fn article_link(&self, i: usize) -> LinkParts {
        self.links.parts(i)
    }

    fn section(
        &self,
        a: &PlannedArticle,
        topic: usize,
        cache: &mut PairCache,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<Option<(SectionView, SectionText)>, Diagnostic> {
        let Some(pair) = self.merged.pair_index(a.city, topic) else {
            return Ok(None);
        };
        let t = &self.input.topics[topic];
        let parts = cache.get(pair, || self.content_context(pair));
        let ctx = &parts.ctx;
        let (heading_name, _) = self.heading_template(a, topic);
        let heading = self
            .render_content(&heading_name, ctx, a)?
            .trim()
            .to_string();
        if parts.body.is_none() {
            let body = self.render_content(&names::body(&t.slug), ctx, a)?;
            let mut blocks = BlockReader::default();
            let (html, defects) =
                markdown::to_html_reading(&body, self.input.site.allow_html, &mut blocks);
            parts.body = Some(Body {
                markdown: body,
                html,
                defects,
                blocks: blocks.finish().into(),
            });
        }
        let Body {
            markdown: body,
            html,
            defects,
            blocks,
        } = parts.body.clone().unwrap_or_default();
        if heading.is_empty() {
            warnings.push(
                Diagnostic::warning(
                    Origin::file(&t.path),
                    format!("empty section heading (article {})", a.id),
                )
                .in_article(&a.id),
            );
        }
        let text = SectionText {
            topic,
            pair,
            markdown: body,
            defects,
            blocks,
        };
        Ok(Some((
            SectionView {
                heading,
                topic: t.name.clone(),
                html,
            },
            text,
        )))
    }

    /// Renders an article's lead, teaser and sections.
    fn article_content(&self, a: &PlannedArticle) -> Result<ArticleContent, Diagnostic> {
        self.article_content_with(a, &mut PairCache::default())
    }

    /// [`Self::article_content`], taking section bodies from (and adding them to) `cache`.
    fn article_content_with(
        &self,
        a: &PlannedArticle,
        cache: &mut PairCache,
    ) -> Result<ArticleContent, Diagnostic> {
        let topic = &self.input.topics[a.topic];
        let ctx = &cache.get(a.pair, || self.content_context(a.pair)).ctx;
        let mut warnings = Vec::new();
        let lead = self
            .render_content(&names::lead(&topic.slug), ctx, a)?
            .trim()
            .to_string();
        let teaser = self
            .render_content(&names::teaser(&topic.slug, a.teaser_variant), ctx, a)?
            .trim()
            .to_string();
        let mut sections = Vec::new();
        let mut texts = Vec::new();
        for &t in std::iter::once(&a.topic).chain(&a.extras) {
            if let Some((s, text)) = self.section(a, t, cache, &mut warnings)? {
                sections.push(s);
                texts.push(text);
            }
        }
        Ok(ArticleContent {
            lead,
            teaser,
            sections,
            texts,
            warnings,
        })
    }

    fn article(&self, i: usize, cache: &mut PairCache) -> Result<Rendered, Diagnostic> {
        let a = &self.plan.articles[i];
        let topic = &self.input.topics[a.topic];
        let city = &self.input.cities[a.city];
        let content = self.article_content_with(a, cache)?;
        let record = self.record(a, &self.titles[i], &content);
        let modified = modified::modified_at(Some(&record), a.publish_at);
        let related = self
            .links
            .list(self.plan.lists.related(i, self.input.site.related_count));
        let city_more = self.links.list(
            self.plan.by_city[a.city]
                .iter()
                .copied()
                .filter(|&j| j != i),
        );
        let view = ArticleView {
            title: &self.titles[i],
            url: self.url(&a.path),
            canonical: self.absolute(&a.path),
            published: a.publish_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            iso: self.links.iso(i).to_string(),
            meta: self.article_meta(i, &content.lead, modified),
            lead: content.lead,
            teaser: content.teaser,
            category: &self.plan.categories[a.category],
            city: NamedLink {
                name: city.name.clone(),
                url: self.url(&urls::city_path(&city.slug.value)),
            },
            topic: NamedLink {
                name: topic.name.clone(),
                url: self.url(&urls::topic_path(&topic.slug, 1)),
            },
            sections: content.sections,
        };
        let page = with_lists(&view, [("related", related), ("city_more", city_more)]);
        let mut rendered = self.layout("article.html", &a.path, page)?;
        rendered.warnings = content.warnings;
        rendered.sections = content.texts;
        rendered.record = Some((i, record));
        Ok(rendered)
    }
}

fn site_view(input: &SiteInput) -> SiteView<'_> {
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

/// A sort key spelling Chinese characters in toneless pinyin (other characters as they are).
fn pinyin_key(text: &str) -> String {
    use pinyin::ToPinyin;
    text.chars()
        .map(|c| {
            c.to_pinyin()
                .map_or_else(|| c.to_string(), |p| p.plain().to_string())
        })
        .collect::<Vec<_>>()
        .join(" ")
}
