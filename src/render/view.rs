//! What templates see: serialisable views borrowed from the plan. The model never renders
//! itself; the layouts' variables are documented in README.md.

use super::seo::{Crumb, PageMeta};
use serde::Serialize;

/// Site-wide values, the same on every page (`site.*` in layouts).
#[derive(Serialize, Clone)]
pub(crate) struct SiteView<'a> {
    pub(crate) name: &'a str,
    pub(crate) lang: &'a str,
    pub(crate) base_url: &'a str,
    pub(crate) base_path: &'a str,
    pub(crate) category: &'a str,
    pub(crate) editor: &'a str,
    pub(crate) disclaimer: &'a str,
    pub(crate) statement: &'a str,
    pub(crate) complaint_url: &'a str,
    pub(crate) complaint_label: &'a str,
    pub(crate) icp: &'a str,
    /// 公安联网备案号 and the filing site's page for it.
    pub(crate) public_security_filing: &'a str,
    pub(crate) public_security_url: String,
    /// Approval number for internet health-information services.
    pub(crate) health_info_approval: &'a str,
    /// `og:locale`, e.g. `zh_CN`.
    pub(crate) og_locale: String,
    pub(crate) home_url: String,
    pub(crate) cities_url: String,
    pub(crate) css_url: String,
    pub(crate) feed_url: String,
    pub(crate) topics: Vec<NamedLink>,
    pub(crate) about_url: String,
    pub(crate) search_url: String,
    /// The site image's absolute URL (`og:image`), empty when site.yaml sets none.
    pub(crate) image_url: String,
}

/// A name and the URL it links to.
#[derive(Serialize, Clone)]
pub(crate) struct NamedLink {
    pub(crate) name: String,
    pub(crate) url: String,
}

/// An article in a list or related block. Built once per article (see `links.rs`) and
/// added to views as `page.related`, `page.city_more` (articles) and `page.items` (lists).
#[derive(Serialize, Clone)]
pub(crate) struct ArticleLink<'a> {
    pub(crate) title: &'a str,
    /// The title as HTML without its date suffix (cards and lists show `datetime` once):
    /// escaped, the city name kept on one line (`<span class="nw">`).
    pub(crate) title_html: String,
    pub(crate) url: String,
    /// `YYYY-MM-DD HH:MM`
    pub(crate) datetime: String,
    /// ISO 8601 with offset, for `<time datetime>`.
    pub(crate) iso: String,
    pub(crate) category: &'a str,
    pub(crate) city: &'a str,
    pub(crate) topic: &'a str,
}

/// One question section of an article.
#[derive(Serialize)]
pub(crate) struct SectionView {
    /// The section's anchor (its topic's slug), for the 目录.
    pub(crate) id: String,
    pub(crate) heading: String,
    pub(crate) topic: String,
    pub(crate) html: String,
}

/// `article.html`; the renderer adds `related` and `city_more`, lists of [`ArticleLink`].
#[derive(Serialize)]
pub(crate) struct ArticleView<'a> {
    pub(crate) title: &'a str,
    pub(crate) url: String,
    pub(crate) canonical: String,
    /// Byline datetime `YYYY-MM-DD HH:MM:SS`.
    pub(crate) published: String,
    pub(crate) iso: String,
    /// Description, Open Graph values and JSON-LD.
    pub(crate) meta: PageMeta,
    pub(crate) lead: String,
    pub(crate) teaser: String,
    pub(crate) category: &'a str,
    pub(crate) city: NamedLink,
    pub(crate) topic: NamedLink,
    pub(crate) sections: Vec<SectionView>,
    /// The title as HTML with its date suffix, the city name and the suffix each kept on
    /// one line.
    pub(crate) title_html: String,
    /// `YYYY-MM-DD HH:MM` of the publish and last-change datetimes, and the latter in ISO.
    pub(crate) published_short: String,
    pub(crate) modified_short: String,
    pub(crate) modified_iso: String,
    /// Whether the text changed after publication.
    pub(crate) was_modified: bool,
    /// The visible breadcrumb (the JSON-LD `BreadcrumbList` is made from the same list).
    pub(crate) breadcrumb: Vec<Crumb>,
    /// Where the city facts shown come from, with the day each was checked.
    pub(crate) sources: Vec<SourceView>,
}

/// One entry of an article's sources block.
#[derive(Serialize)]
pub(crate) struct SourceView {
    /// What the fact is: the source's `label`, else the topic's name.
    pub(crate) label: String,
    pub(crate) url: Option<String>,
    pub(crate) note: Option<String>,
    /// `YYYY-MM-DD`, when the city file gives it.
    pub(crate) verified: Option<String>,
}

/// Page numbers and neighbour links for paginated lists.
#[derive(Serialize)]
pub(crate) struct Pagination {
    pub(crate) current: usize,
    pub(crate) total: usize,
    pub(crate) prev_url: Option<String>,
    pub(crate) next_url: Option<String>,
}

/// `index.html`, `city.html`, `topic.html`: a titled list of articles; the renderer adds
/// `items`, a list of [`ArticleLink`].
#[derive(Serialize)]
pub(crate) struct ListView<'a> {
    pub(crate) heading: String,
    pub(crate) url: String,
    pub(crate) canonical: String,
    pub(crate) description: String,
    pub(crate) meta: PageMeta,
    pub(crate) pagination: Pagination,
    pub(crate) city: Option<NamedLink>,
    pub(crate) province: Option<&'a str>,
    pub(crate) topic: Option<NamedLink>,
    /// The visible breadcrumb, also the page's JSON-LD `BreadcrumbList` (city pages).
    pub(crate) breadcrumb: Vec<Crumb>,
}

/// `cities.html` groups: one per province.
#[derive(Serialize)]
pub(crate) struct ProvinceView {
    pub(crate) province: String,
    /// The group's anchor on the cities page (`p-` + the province's pinyin).
    pub(crate) id: String,
    pub(crate) cities: Vec<NamedLink>,
}
