//! The `<head>` metadata of articles and city pages: description, Open Graph values,
//! JSON-LD and the city feed link, from the plan and the rendered lead.

use super::Renderer;
use super::seo::{self, PageMeta};
use crate::plan::urls;
use chrono::NaiveDateTime;

impl Renderer<'_> {
    /// Description, Open Graph values and JSON-LD of article `i`.
    pub(super) fn article_meta(&self, i: usize, lead: &str, modified: NaiveDateTime) -> PageMeta {
        let a = &self.plan.articles[i];
        let site = &self.input.site;
        let city = &self.input.cities[a.city];
        let description = seo::description_from(lead);
        let (url, city_url) = (
            self.absolute(&a.path),
            self.absolute(&urls::city_path(&city.slug.value)),
        );
        let (published, modified) = (self.iso(a.publish_at), self.iso(modified));
        let section = &self.plan.categories[a.category];
        let json_ld = seo::article_json_ld(&seo::ArticleFacts {
            headline: &self.titles[i],
            description: &description,
            url: &url,
            published: &published,
            modified: &modified,
            section,
            language: &site.language,
            site_name: &site.name,
            site_url: &site.base_url,
            city_name: &city.name,
            city_url: &city_url,
        });
        let (feed_url, feed_title) = self.city_feed(a.city);
        PageMeta {
            title: self.titles[i].clone(),
            description,
            og_type: "article",
            published: Some(published),
            modified: Some(modified),
            section: Some(section.clone()),
            json_ld: Some(json_ld),
            feed_url: Some(feed_url),
            feed_title: Some(feed_title),
            noindex: false,
        }
    }

    /// Metadata of city `c`'s list page: its breadcrumbs and its feed.
    pub(super) fn city_meta(&self, c: usize, heading: &str, description: &str) -> PageMeta {
        let city = &self.input.cities[c];
        let (feed_url, feed_title) = self.city_feed(c);
        PageMeta {
            json_ld: Some(seo::city_json_ld(
                &self.input.site.base_url,
                &city.name,
                &self.absolute(&urls::city_path(&city.slug.value)),
            )),
            feed_url: Some(feed_url),
            feed_title: Some(feed_title),
            ..PageMeta::website(heading, description)
        }
    }

    /// City `c`'s feed URL (under the base path) and title.
    fn city_feed(&self, c: usize) -> (String, String) {
        let city = &self.input.cities[c];
        (
            self.url(&urls::city_feed_path(&city.slug.value)),
            format!("{} - {}", city.name, self.input.site.name),
        )
    }
}
