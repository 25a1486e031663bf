//! The `<head>` metadata of articles and city pages: description, Open Graph values,
//! JSON-LD and the city feed link, from the plan and the rendered lead.

use super::Renderer;
use super::seo::Crumb;
use super::seo::{self, PageMeta};
use crate::model::ids::{ArticleId, CityId};
use crate::plan::urls;
use chrono::NaiveDateTime;

impl Renderer<'_> {
    /// Description, Open Graph values and JSON-LD of article `i`.
    pub(super) fn article_meta(
        &self,
        i: ArticleId,
        lead: &str,
        modified: NaiveDateTime,
        breadcrumb: &[Crumb],
    ) -> PageMeta {
        let a = &self.plan.articles[i];
        let site = &self.input.site;
        let description = seo::description_from(lead);
        let url = self.absolute(&a.path);
        let image = self.image_url();
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
            image: image.as_deref(),
            breadcrumb,
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
            image,
        }
    }

    /// Metadata of city `c`'s list page: its breadcrumbs and its feed.
    pub(super) fn city_meta(
        &self,
        c: CityId,
        heading: &str,
        description: &str,
        breadcrumb: &[Crumb],
    ) -> PageMeta {
        let (feed_url, feed_title) = self.city_feed(c);
        PageMeta {
            json_ld: Some(seo::breadcrumb_json_ld(breadcrumb)),
            feed_url: Some(feed_url),
            feed_title: Some(feed_title),
            ..PageMeta::website(heading, description)
        }
    }

    /// The site image's absolute URL, when site.yaml names one.
    pub(super) fn image_url(&self) -> Option<String> {
        let image = &self.input.site.image;
        (!image.is_empty()).then(|| self.absolute(image))
    }

    /// City `c`'s feed URL (under the base path) and title.
    fn city_feed(&self, c: CityId) -> (String, String) {
        let city = &self.input.cities[c];
        (
            self.url(&urls::city_feed_path(&city.slug.value)),
            format!("{} - {}", city.name, self.input.site.name),
        )
    }
}
