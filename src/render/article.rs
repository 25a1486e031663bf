//! The article page and its content: lead, teaser, section headings and bodies.

use super::cache::{Body, PairCache};
use super::links::with_lists;
use super::templates::names;
use super::view::{ArticleView, NamedLink, SectionView};
use super::{Rendered, Renderer, markdown};
use crate::content::SectionText;
use crate::content::blocks::BlockReader;
use crate::diag::{Diagnostic, Origin};
use crate::model::ModifiedEntry;
use crate::model::ids::{ArticleId, TopicId};
use crate::plan::modified::{self, content_hash, next_entry};
use crate::plan::variants::TemplateRef;
use crate::plan::{PlannedArticle, urls};

/// How many related links show before 更多相关文章.
pub(crate) const RELATED_FIRST: usize = 4;

/// An article's own text (everything its content hash covers besides the title).
pub(super) struct ArticleContent {
    pub(super) lead: String,
    pub(super) teaser: String,
    pub(super) sections: Vec<SectionView>,
    pub(super) texts: Vec<SectionText>,
    pub(super) warnings: Vec<Diagnostic>,
}

impl Renderer<'_> {
    /// `topic`'s section heading in article `i`, rendered.
    pub(crate) fn section_heading(
        &self,
        i: ArticleId,
        topic: TopicId,
    ) -> Result<String, Diagnostic> {
        let a = &self.plan.articles[i];
        let pair = self.merged.pair_index(a.city, topic).unwrap_or(a.pair);
        let name = a
            .chosen
            .heading(topic)
            .map_or_else(String::new, |h| h.name(self.input));
        self.render_text(&name, &self.content_context(pair), a)
    }

    /// The section of article `a` headed by `heading`, or nothing when the article's city
    /// has no such topic; its body comes from (and goes to) `cache`.
    fn section(
        &self,
        a: &PlannedArticle,
        heading: TemplateRef,
        cache: &mut PairCache,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<Option<(SectionView, SectionText)>, Diagnostic> {
        let topic = heading.topic();
        let Some(pair) = self.merged.pair_index(a.city, topic) else {
            return Ok(None);
        };
        let t = &self.input.topics[topic];
        let parts = cache.get(pair, || self.content_context(pair));
        let ctx = &parts.ctx;
        let heading = self.render_text(&heading.name(self.input), ctx, a)?;
        if parts.body.is_none() {
            let body = self
                .templates
                .render_content(&names::body(&t.slug), ctx, &a.id)?;
            let mut blocks = BlockReader::default();
            let (html, defects) =
                markdown::to_html_reading(&body, self.input.site.allow_html, &mut blocks);
            parts.body = Some(Body {
                html,
                defects,
                blocks: blocks.finish().into(),
            });
        }
        let Body {
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
            defects,
            blocks,
        };
        Ok(Some((
            SectionView {
                id: t.slug.clone(),
                heading,
                topic: t.name.clone(),
                html,
            },
            text,
        )))
    }

    /// Renders an article's lead, teaser and sections, taking section bodies from (and
    /// adding them to) `cache`.
    pub(super) fn article_content_with(
        &self,
        a: &PlannedArticle,
        cache: &mut PairCache,
    ) -> Result<ArticleContent, Diagnostic> {
        let topic = &self.input.topics[a.topic];
        let ctx = &cache.get(a.pair, || self.content_context(a.pair)).ctx;
        let mut warnings = Vec::new();
        let lead = self.render_text(&names::lead(&topic.slug), ctx, a)?;
        let teaser = self.render_text(&a.chosen.teaser.name(self.input), ctx, a)?;
        let mut sections = Vec::new();
        let mut texts = Vec::new();
        for &heading in &a.chosen.headings {
            if let Some((s, text)) = self.section(a, heading, cache, &mut warnings)? {
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

    /// Article `i`'s lead, rendered and trimmed (empty when it does not render): its feed
    /// entry's summary.
    pub(crate) fn article_lead(&self, i: ArticleId) -> String {
        let a = &self.plan.articles[i];
        let name = names::lead(&self.input.topics[a.topic].slug);
        let lead = self.render_text(&name, &self.content_context(a.pair), a);
        lead.unwrap_or_default()
    }

    /// The sections of article `i` that render, each on its own, with their warnings:
    /// what the content lint still reads when another part of the article fails, so that
    /// an undefined variable in one section hides no problem of the others.
    pub(crate) fn sections_that_render(&self, i: ArticleId) -> (Vec<SectionText>, Vec<Diagnostic>) {
        let a = &self.plan.articles[i];
        let mut cache = PairCache::default();
        let mut warnings = Vec::new();
        let texts = a
            .chosen
            .headings
            .iter()
            .filter_map(|&heading| {
                let section = self.section(a, heading, &mut cache, &mut warnings);
                section.ok().flatten().map(|(_, text)| text)
            })
            .collect();
        (texts, warnings)
    }

    /// Renders article `i`'s page, with its section texts and `modified.lock` record.
    pub(super) fn article(
        &self,
        i: ArticleId,
        cache: &mut PairCache,
    ) -> Result<Rendered, Diagnostic> {
        let a = &self.plan.articles[i];
        let topic = &self.input.topics[a.topic];
        let city = &self.input.cities[a.city];
        let content = self.article_content_with(a, cache)?;
        let record = self.record(a, &self.titles[i], &content);
        let modified = modified::modified_at(Some(&record), a.publish_at);
        let breadcrumb = self.article_breadcrumb(a);
        let related: Vec<ArticleId> = self
            .plan
            .lists
            .related(i, self.input.site.related_count)
            .collect();
        // Phones get a short list first and the rest behind 更多 (a plain <details>).
        let (first, more) = related.split_at(related.len().min(RELATED_FIRST));
        let (related, related_more) = (
            self.links_of(first.iter().copied()),
            self.links_of(more.iter().copied()),
        );
        let city_more = self.links_of(
            self.plan.by_city[a.city]
                .iter()
                .copied()
                .filter(|&j| j != i),
        );
        let view = ArticleView {
            title: &self.titles[i],
            url: self.url(&a.path),
            canonical: self.absolute(&a.path),
            published: {
                let mut s = String::new();
                let _ = crate::load::write_datetime(&mut s, a.publish_at);
                s
            },
            iso: self.link_iso(i),
            meta: self.article_meta(i, &content.lead, modified, &breadcrumb),
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
            title_html: super::trust::title_html(
                &self.titles[i],
                &city.name,
                &a.date_suffix(),
                None,
            ),
            published_short: super::links::minutes(a.publish_at),
            modified_short: super::links::minutes(modified),
            modified_iso: self.iso(modified),
            was_modified: modified > a.publish_at,
            breadcrumb,
            sources: self.article_sources(a),
        };
        let other_cities = self.links_of(self.other_cities(i).into_iter());
        let page = with_lists(
            &view,
            [
                ("related", related),
                ("related_more", related_more),
                ("city_more", city_more),
                ("other_cities", other_cities),
            ],
        );
        let mut rendered = self.layout("article.html", &a.path, page)?;
        rendered.warnings = content.warnings;
        rendered.sections = content.texts;
        rendered.record = Some((i, record));
        Ok(rendered)
    }
}

impl Renderer<'_> {
    /// The `modified.lock` record for an article with this title and content.
    fn record(&self, a: &PlannedArticle, title: &str, c: &ArticleContent) -> ModifiedEntry {
        let parts = [title, &c.lead, &c.teaser].into_iter().chain(
            c.sections
                .iter()
                .flat_map(|s| [s.heading.as_str(), s.html.as_str()]),
        );
        next_entry(
            self.recorded(a),
            &a.id,
            content_hash(parts),
            a.publish_at,
            self.plan.now,
        )
    }

    /// Article `a`'s record in `modified.lock` as loaded.
    pub(crate) fn recorded(&self, a: &PlannedArticle) -> Option<&ModifiedEntry> {
        self.old_modified.get(a.id.as_str()).copied()
    }

    /// The `modified.lock` record of an article that is not published in this build, so
    /// that the lock does not depend on "now"; `None` if its text cannot be rendered (its
    /// problems are reported once it is published).
    pub(crate) fn unpublished_record(&self, i: ArticleId) -> Option<ModifiedEntry> {
        let a = &self.plan.articles[i];
        let title = self.title(a).ok()?;
        let content = self
            .article_content_with(a, &mut PairCache::default())
            .ok()?;
        Some(self.record(a, &title, &content))
    }
}
