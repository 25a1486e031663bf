//! What templates see: serialisable views borrowed from the plan. The model never renders
//! itself; the layouts' variables are documented in README.md.

use super::seo::{Crumb, PageMeta};
use serde::Serialize;

/// Site-wide values, the same on every page (`site.*` in layouts).
#[derive(Serialize, Clone)]
pub struct SiteView<'a> {
    pub name: &'a str,
    pub lang: &'a str,
    pub base_url: &'a str,
    pub base_path: &'a str,
    pub category: &'a str,
    pub editor: &'a str,
    pub disclaimer: &'a str,
    pub statement: &'a str,
    pub complaint_url: &'a str,
    pub complaint_label: &'a str,
    pub icp: &'a str,
    /// 公安联网备案号 and the filing site's page for it.
    pub public_security_filing: &'a str,
    pub public_security_url: String,
    /// Approval number for internet health-information services.
    pub health_info_approval: &'a str,
    /// `og:locale`, e.g. `zh_CN`.
    pub og_locale: String,
    pub home_url: String,
    pub cities_url: String,
    pub css_url: String,
    pub feed_url: String,
    pub topics: Vec<NamedLink>,
    pub about_url: String,
    pub search_url: String,
    /// The site image's absolute URL (`og:image`), empty when site.yaml sets none.
    pub image_url: String,
}

/// A name and the URL it links to.
#[derive(Serialize, Clone)]
pub struct NamedLink {
    pub name: String,
    pub url: String,
}

/// An article in a list or related block. Built once per article (see `links.rs`) and
/// added to views as `page.related`, `page.city_more` (articles) and `page.items` (lists).
#[derive(Serialize, Clone)]
pub struct ArticleLink<'a> {
    pub title: &'a str,
    /// The title as HTML without its date suffix (cards and lists show `datetime` once):
    /// escaped, the city name kept on one line (`<span class="nw">`).
    pub title_html: String,
    pub url: String,
    /// `YYYY-MM-DD HH:MM`
    pub datetime: String,
    /// ISO 8601 with offset, for `<time datetime>`.
    pub iso: String,
    pub category: &'a str,
    pub city: &'a str,
    pub topic: &'a str,
}

/// One question section of an article.
#[derive(Serialize)]
pub struct SectionView {
    /// The section's anchor (its topic's slug), for the 目录.
    pub id: String,
    pub heading: String,
    pub topic: String,
    pub html: String,
}

/// `article.html`; the renderer adds `related` and `city_more`, lists of [`ArticleLink`].
#[derive(Serialize)]
pub struct ArticleView<'a> {
    pub title: &'a str,
    pub url: String,
    pub canonical: String,
    /// Byline datetime `YYYY-MM-DD HH:MM:SS`.
    pub published: String,
    pub iso: String,
    /// Description, Open Graph values and JSON-LD.
    pub meta: PageMeta,
    pub lead: String,
    pub teaser: String,
    pub category: &'a str,
    pub city: NamedLink,
    pub topic: NamedLink,
    pub sections: Vec<SectionView>,
    /// The title as HTML with its date suffix, the city name and the suffix each kept on
    /// one line.
    pub title_html: String,
    /// `YYYY-MM-DD HH:MM` of the publish and last-change datetimes, and the latter in ISO.
    pub published_short: String,
    pub modified_short: String,
    pub modified_iso: String,
    /// Whether the text changed after publication.
    pub was_modified: bool,
    /// The visible breadcrumb (the JSON-LD `BreadcrumbList` is made from the same list).
    pub breadcrumb: Vec<Crumb>,
    /// Where the city facts shown come from, with the day each was checked.
    pub sources: Vec<SourceView>,
}

/// One entry of an article's sources block.
#[derive(Serialize)]
pub struct SourceView {
    /// What the fact is: the source's `label`, else the topic's name.
    pub label: String,
    pub url: Option<String>,
    pub note: Option<String>,
    /// `YYYY-MM-DD`, when the city file gives it.
    pub verified: Option<String>,
}

/// Page numbers and neighbour links for paginated lists.
#[derive(Serialize)]
pub struct Pagination {
    pub current: usize,
    pub total: usize,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
}

/// `index.html`, `city.html`, `topic.html`: a titled list of articles; the renderer adds
/// `items`, a list of [`ArticleLink`].
#[derive(Serialize)]
pub struct ListView<'a> {
    pub heading: String,
    pub url: String,
    pub canonical: String,
    pub description: String,
    pub meta: PageMeta,
    pub pagination: Pagination,
    pub city: Option<NamedLink>,
    pub province: Option<&'a str>,
    pub topic: Option<NamedLink>,
    /// The visible breadcrumb, also the page's JSON-LD `BreadcrumbList` (city pages).
    pub breadcrumb: Vec<Crumb>,
}

/// `cities.html` groups: one per province.
#[derive(Serialize)]
pub struct ProvinceView {
    pub province: String,
    /// The group's anchor on the cities page (`p-` + the province's pinyin).
    pub id: String,
    pub cities: Vec<NamedLink>,
}
