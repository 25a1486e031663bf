//! Plain data shared by every stage: the site, its topics and cities as loaded and checked.
//!
//! Nothing here reads files or renders; values carry the [`Origin`] they came from so later
//! stages can say "this list was set in cities/yueyang.yaml line 12".

pub mod ids;

use crate::diag::Origin;
use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use ids::{CityId, IdVec, TopicId};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Adds `s` to hash `h` with its length first, so `("ab", "c")` and `("a", "bc")` hash
/// differently.
pub(crate) fn hash_str(h: &mut xxhash_rust::xxh3::Xxh3, s: &str) {
    h.update(&(s.len() as u64).to_le_bytes());
    h.update(s.as_bytes());
}

/// A value of any shape from YAML (string, number, list, map).
pub(crate) type Value = serde_json::Value;

/// Every string inside a value (lists and maps included), in order; numbers too, written
/// out, if `numbers`.
pub(crate) fn leaves(v: &Value, numbers: bool) -> Box<dyn Iterator<Item = Cow<'_, str>> + '_> {
    match v {
        Value::String(s) => Box::new(std::iter::once(Cow::Borrowed(s.as_str()))),
        Value::Array(items) => Box::new(items.iter().flat_map(move |v| leaves(v, numbers))),
        Value::Object(map) => Box::new(map.values().flat_map(move |v| leaves(v, numbers))),
        Value::Number(n) if numbers => Box::new(std::iter::once(Cow::Owned(n.to_string()))),
        _ => Box::new(std::iter::empty()),
    }
}

/// A value together with the place it was written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sourced<T> {
    pub(crate) value: T,
    pub(crate) origin: Origin,
}

impl<T> Sourced<T> {
    pub(crate) fn new(value: T, origin: Origin) -> Self {
        Sourced { value, origin }
    }
}

/// Named values (materials lists, time limits, …) at one cascade level.
pub(crate) type ValueMap = BTreeMap<String, Sourced<Value>>;

/// Publishing cadence: article k of the schedule is published at `start + k × interval`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cadence {
    pub(crate) start: NaiveDateTime,
    pub(crate) interval_minutes: i64,
    /// Where `schedule.start` is written, for problems with the slots it gives.
    pub(crate) origin: Origin,
}

/// `site.yaml`, checked.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub(crate) name: String,
    /// Absolute base URL, always ending in `/`.
    pub(crate) base_url: String,
    pub(crate) language: String,
    pub timezone: Tz,
    pub(crate) category: String,
    pub(crate) editor: String,
    pub(crate) disclaimer: String,
    pub(crate) statement: String,
    pub(crate) complaint_url: String,
    pub(crate) complaint_label: String,
    pub(crate) icp: String,
    /// 公安联网备案号 in the footer (linked to the filing site), shown only when set.
    pub(crate) public_security_filing: String,
    /// Approval number for internet health-information services, shown only when set.
    pub(crate) health_info_approval: String,
    pub(crate) related_count: usize,
    pub(crate) home_page_size: usize,
    pub(crate) extra_sections: usize,
    pub(crate) cadence: Cadence,
    pub(crate) title_date_formats: Vec<String>,
    pub(crate) feed_size: usize,
    /// Markdown bodies may hold HTML, sanitised (`allow_html: true` in site.yaml).
    pub(crate) allow_html: bool,
    /// Input files above this size are refused (`max_input_bytes`, default 8 MiB).
    pub(crate) max_input_bytes: u64,
    pub(crate) defaults: ValueMap,
    /// Limits of the content lint (`lint:` in site.yaml).
    pub(crate) lint: LintSettings,
    /// The site image (logo) below the output root, e.g. `static/logo.png`: `og:image` and
    /// the JSON-LD `image` / publisher logo (`image:` in site.yaml; empty when not set).
    pub(crate) image: String,
    /// The paragraphs of the about page 关于本站 (`about:` in site.yaml).
    pub(crate) about: Vec<String>,
}

/// Limits the content lint checks against (`lint:` in site.yaml; all optional).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LintSettings {
    /// A city fact whose `verified` date is older than this many days is reported.
    pub(crate) fact_max_age_days: i64,
    /// A full title (date suffix included) longer than this many characters is reported.
    pub(crate) title_max_chars: usize,
    /// An article with a smaller local share (`sitegen coverage`) is reported.
    pub(crate) min_local_share: Option<f64>,
    /// An article more similar than this to its nearest twin is reported.
    pub(crate) max_twin_similarity: Option<f64>,
}

impl Default for LintSettings {
    fn default() -> Self {
        LintSettings {
            fact_max_age_days: 365,
            title_max_chars: 40,
            min_local_share: None,
            max_twin_similarity: None,
        }
    }
}

/// Where a city fact comes from (`sources:` in a city file): a web page or a note such as
/// "医保局窗口电话确认", and the day someone last checked it.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct FactSource {
    pub(crate) url: Option<String>,
    pub(crate) note: Option<String>,
    pub(crate) verified: Option<NaiveDate>,
    /// What the fact is, for readers (`label:`); the topic's name when not set.
    pub(crate) label: Option<String>,
}

/// Sources of a city's values, by value name.
pub(crate) type SourceMap = BTreeMap<String, Sourced<FactSource>>;

impl SiteConfig {
    /// The path part of the base URL (`/` or `/preview/123/`), for internal links.
    pub(crate) fn base_path(&self) -> &str {
        let after_scheme = self.base_url.find("://").map(|i| i + 3).unwrap_or(0);
        match self.base_url[after_scheme..].find('/') {
            Some(i) => &self.base_url[after_scheme + i..],
            None => "/",
        }
    }
}

/// A topic: `topics/<slug>.md`.
#[derive(Debug, Clone)]
pub(crate) struct Topic {
    pub(crate) slug: String,
    pub(crate) path: PathBuf,
    pub(crate) name: String,
    pub(crate) category: Option<String>,
    pub(crate) titles: Vec<Sourced<String>>,
    pub(crate) headings: Vec<Sourced<String>>,
    pub(crate) lead: Sourced<String>,
    pub(crate) teasers: Vec<Sourced<String>>,
    pub(crate) defaults: ValueMap,
    /// Slugs this topic had before (`former_slugs:`): their URLs redirect here.
    pub(crate) former_slugs: Vec<Sourced<String>>,
    /// The markdown body (a Tera template).
    pub(crate) body: String,
    /// 1-based line in the file where the body starts.
    pub(crate) body_line: u32,
    /// Content stamp of the file ([`crate::load::stamp`]).
    pub(crate) stamp: u64,
}

/// Per city × topic settings in a city file.
#[derive(Debug, Clone, Default)]
pub(crate) struct CityTopic {
    pub(crate) heading: Option<Sourced<String>>,
    pub(crate) title: Option<Sourced<String>>,
    /// A fixed date-suffix format for this article's title (`""`: none).
    pub(crate) date_format: Option<Sourced<String>>,
    pub(crate) values: ValueMap,
    pub(crate) publish_at: Option<Sourced<NaiveDateTime>>,
    pub(crate) extras: Option<Vec<Sourced<String>>>,
    /// Sources of `values`.
    pub(crate) sources: SourceMap,
}

/// A city: `cities/<slug>.yaml`.
#[derive(Debug, Clone)]
pub struct City {
    pub(crate) slug: Sourced<String>,
    pub(crate) path: PathBuf,
    pub(crate) name: String,
    pub(crate) province: Option<String>,
    pub(crate) values: ValueMap,
    pub(crate) topics: BTreeMap<String, CityTopic>,
    pub(crate) skip: Vec<Sourced<String>>,
    pub(crate) extras: Option<Vec<Sourced<String>>>,
    /// Sources of `values`.
    pub(crate) sources: SourceMap,
    /// Slugs this city had before (`former_slugs:`): their URLs redirect here.
    pub(crate) former_slugs: Vec<Sourced<String>>,
    /// Content stamp of the file ([`crate::load::stamp`]).
    pub(crate) stamp: u64,
}

/// A layout template from `templates/`.
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// Name used in `{% extends %}` / `{% include %}`: the path below `templates/`.
    pub name: String,
    pub path: PathBuf,
    pub source: String,
}

/// A file from `static/`, copied as it is.
#[derive(Debug, Clone)]
pub(crate) struct StaticFile {
    /// Path below `static/`, with `/` separators.
    pub(crate) rel: String,
    pub(crate) bytes: Vec<u8>,
}

/// One line of `schedule.lock`: an article's publish datetime and the variants its title
/// and text were given, fixed once assigned. Compared and sorted by what it says, not by
/// the line it was read from.
#[derive(Debug, Clone)]
pub struct LockedSlot {
    pub publish_at: NaiveDateTime,
    pub article: String,
    /// The article's city or topic is gone; the entry is kept so that adding it back
    /// restores its date, title and URL.
    pub(crate) retired: bool,
    /// The city's and the topic's names when the line was written (spaces removed), so a
    /// slug that changes without `former_slugs` can be told from a removal.
    pub(crate) names: Option<(String, String)>,
    pub(crate) pins: VariantPins,
    /// The line of `schedule.lock` it was read from (0 for one this build makes).
    pub(crate) line: u32,
}

impl LockedSlot {
    /// An entry dating `article` at `publish_at`, live, with no names, pins or line yet.
    pub(crate) fn new(article: impl Into<String>, publish_at: NaiveDateTime) -> Self {
        LockedSlot {
            publish_at,
            article: article.into(),
            retired: false,
            names: None,
            pins: VariantPins::default(),
            line: 0,
        }
    }
}

impl PartialEq for LockedSlot {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for LockedSlot {}

impl PartialOrd for LockedSlot {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for LockedSlot {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let (s, o) = (self, other);
        (s.publish_at, &s.article, s.retired, &s.names, &s.pins).cmp(&(
            o.publish_at,
            &o.article,
            o.retired,
            &o.names,
            &o.pins,
        ))
    }
}

/// The variants an article was published with (see `plan::variants`).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct VariantPins {
    pub(crate) title: Option<VariantPin>,
    pub(crate) teaser: Option<VariantPin>,
    /// Section headings by topic slug (the article's own topic and its extras).
    pub(crate) headings: Vec<(String, VariantPin)>,
    /// The date-suffix format, as written in `title_date_formats` (`""`: no suffix).
    pub(crate) date: Option<String>,
}

/// One chosen variant: its place in the list and a hash of its text when chosen, so the
/// choice survives the list being reordered or growing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct VariantPin {
    pub(crate) index: usize,
    pub(crate) text_hash: u32,
}

/// One line of `modified.lock`: an article's content hash and when that content last
/// changed after publication (`None`: unchanged since it was published).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct ModifiedEntry {
    pub(crate) article: String,
    pub(crate) hash: u64,
    pub(crate) changed_at: Option<NaiveDateTime>,
}

/// Everything `load` read, checked for shape and sorted by slug.
#[derive(Debug, Clone)]
pub struct SiteInput {
    pub(crate) root: PathBuf,
    pub site: SiteConfig,
    pub(crate) topics: IdVec<TopicId, Arc<Topic>>,
    pub(crate) cities: IdVec<CityId, Arc<City>>,
    pub(crate) templates: Vec<TemplateFile>,
    pub(crate) statics: Vec<StaticFile>,
    pub(crate) schedule_lock: Vec<LockedSlot>,
    /// `modified.lock`, sorted by article.
    pub modified_lock: Vec<ModifiedEntry>,
}

impl SiteInput {
    /// The settings `city` has for `topic` in its file (`topics:`), if any.
    pub(crate) fn city_topic(&self, city: CityId, topic: TopicId) -> Option<&CityTopic> {
        self.cities[city].topics.get(&self.topics[topic].slug)
    }
}

/// Does `slug` only use `[a-z0-9-]`, start with a letter or digit, and not end with `-`?
pub(crate) fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 64
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
}

/// Whether `url` may be a link or image address on a page: relative URLs and the schemes http, https,
/// mailto and tel. Browsers ignore whitespace and control characters inside a scheme
/// (`java\tscript:`), so those are removed before looking.
pub fn is_safe_url(url: &str) -> bool {
    let squeezed: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    let scheme_end = squeezed.find(':');
    let path_start = squeezed.find(['/', '?', '#']);
    match scheme_end {
        None => true,
        Some(colon) if path_start.is_some_and(|p| p < colon) => true,
        Some(colon) => matches!(&squeezed[..colon], "http" | "https" | "mailto" | "tel"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_ascii_words() {
        assert!(is_valid_slug("yueyang"));
        assert!(is_valid_slug("canbaodi-biangeng"));
        assert!(!is_valid_slug("YueYang"));
        assert!(!is_valid_slug("../etc"));
        assert!(!is_valid_slug("岳阳"));
        assert!(!is_valid_slug(""));
        assert!(!is_valid_slug("a\0b"));
        assert!(!is_valid_slug("-a"));
    }
}
