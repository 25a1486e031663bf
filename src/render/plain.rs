//! The words of an article as a reader sees them — its title without the date, lead,
//! teaser, and each section's heading and body — and the words a topic gives a city that
//! sets nothing of its own: what `sitegen coverage` compares.

use super::cache::PairCache;
use super::templates::names;
use super::{Renderer, markdown};
use crate::diag::Diagnostic;
use crate::merge;
use crate::model::hash_str;
use crate::model::ids::{ArticleId, TopicId};
use rayon::prelude::*;
use xxhash_rust::xxh3::Xxh3;

/// One article's visible words, piece by piece (bodies as HTML).
pub(crate) struct ArticleWords {
    pub(crate) title: String,
    pub(crate) lead: String,
    pub(crate) teaser: String,
    pub(crate) sections: Vec<SectionWords>,
}

/// One section of an article.
pub(crate) struct SectionWords {
    pub(crate) heading: String,
    pub(crate) html: String,
}

/// A topic's words for a city that sets nothing: see [`Renderer::default_words`].
#[derive(Default)]
pub(crate) struct DefaultWords {
    /// Titles, headings, lead and teasers.
    pub(crate) texts: Vec<String>,
    /// The body as HTML.
    pub(crate) body: Option<String>,
    pub(crate) problems: Vec<Diagnostic>,
}

impl Renderer<'_> {
    /// Article `i`'s words, rendered as its page renders them; section bodies come from
    /// (and go to) `cache`, so pass the articles of one city with one cache.
    pub(crate) fn article_words(
        &self,
        i: ArticleId,
        cache: &mut PairCache,
    ) -> Result<ArticleWords, Diagnostic> {
        let a = &self.plan.articles[i];
        let title = self.title_base(a)?;
        let content = self.article_content_with(a, cache)?;
        let sections = (content.sections.into_iter())
            .map(|view| SectionWords {
                heading: view.heading,
                html: view.html,
            })
            .collect();
        Ok(ArticleWords {
            title,
            lead: content.lead,
            teaser: content.teaser,
            sections,
        })
    }

    /// Per article, a hash of everything its words ([`Renderer::article_words`]) and the
    /// defaults rendering of its topics ([`Renderer::default_words`]) are made from: the
    /// site settings and the site view, the article's id, its city file (values, own
    /// templates, name and province), the files of its sections' topics (values, templates)
    /// and the templates chosen for it. Content templates see nothing else (see
    /// `content_context`), so equal keys mean equal words: `sitegen coverage` keeps what it
    /// computed from an article's words under this key.
    pub(crate) fn words_keys(&self) -> Vec<u64> {
        let input = self.input;
        let mut site = Xxh3::new();
        site.update(format!("{:?}", input.site).as_bytes());
        site.update(&serde_json::to_vec(&self.site_value).unwrap_or_default());
        let site = site.digest();
        self.plan
            .articles
            .par_iter()
            .map(|a| {
                let mut h = Xxh3::new();
                h.update(&site.to_le_bytes());
                hash_str(&mut h, &a.id);
                h.update(&input.cities[a.city].stamp.to_le_bytes());
                let c = &a.chosen;
                for t in [c.title, c.teaser]
                    .into_iter()
                    .chain(c.headings.iter().copied())
                {
                    hash_str(&mut h, &t.name(input));
                }
                let topics = std::iter::once(a.topic)
                    .chain(c.extras.iter().copied())
                    .chain(c.sections());
                for t in topics {
                    let topic = &input.topics[t];
                    hash_str(&mut h, &topic.slug);
                    h.update(&topic.stamp.to_le_bytes());
                }
                h.digest()
            })
            .collect()
    }

    /// Every text template of `topic` — each title, each heading, the lead, each teaser
    /// and the body (as HTML) — rendered with the site's and the topic's defaults only, for
    /// a city named `city` (also given as its province). A template that cannot render
    /// without a city's own values is left out; its error is in `problems`.
    pub(crate) fn default_words(&self, topic: TopicId, city: &str) -> DefaultWords {
        let t = &self.input.topics[topic];
        let city_value = serde_json::json!({ "name": city, "province": city, "slug": "" });
        let defaults = merge::defaults_of(self.input, topic);
        let ctx = self.context_of(city_value, city.len(), t, &defaults);
        let body = names::body(&t.slug);
        let what = format!("{} with defaults only", t.slug);
        let mut words = DefaultWords::default();
        for (name, _, _) in names::of_topic(t) {
            match self.templates.render_content(&name, &ctx, &what) {
                Ok(text) if name == body => {
                    words.body = Some(markdown::to_html(&text, self.input.site.allow_html).0);
                }
                Ok(text) => words.texts.push(text.trim().to_string()),
                Err(d) => words.problems.push(d),
            }
        }
        words
    }
}
