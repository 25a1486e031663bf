//! Where an article's values come from, and the sources and ages of its city facts.

use crate::diag::Origin;
use crate::merge::{Layer, Merged};
use crate::model::{City, SiteInput, Sourced};
use crate::plan::PlannedArticle;
use chrono::{Days, NaiveDate};
use serde::Serialize;

/// One value (or own heading or title) of an article and the level that set it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ValueLevel {
    pub(crate) name: String,
    /// `site`, `topic`, `city` or `city×topic`.
    pub(crate) level: &'static str,
    pub(crate) file: String,
    pub(crate) line: u32,
}

/// A city fact the article shows: a value set at the city or city × topic level.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Fact {
    pub(crate) name: String,
    pub(crate) level: &'static str,
    /// The source's `url`, else its `note`; `None` when the fact has no source.
    pub(crate) source: Option<String>,
    pub(crate) verified: Option<NaiveDate>,
    /// Days since `verified`, on the day of the run.
    pub(crate) age_days: Option<i64>,
    /// The last day the fact counts as checked (`verified` + `lint.fact_max_age_days`).
    pub(crate) due: Option<NaiveDate>,
    /// Past `due`: `sitegen check` warns about it.
    pub(crate) overdue: bool,
}

/// An article's values split by level: its own (city, city × topic, own heading and
/// title) and the ones it takes from the topic or site defaults.
pub(crate) struct Levels {
    pub(crate) own: Vec<ValueLevel>,
    pub(crate) defaults: Vec<ValueLevel>,
}

/// The level names editors read.
pub(crate) fn level_name(layer: Layer) -> &'static str {
    match layer {
        Layer::Site => "site",
        Layer::Topic => "topic",
        Layer::City => "city",
        Layer::CityTopic => "city×topic",
    }
}

fn row(name: &str, level: &'static str, origin: &Origin) -> ValueLevel {
    ValueLevel {
        name: name.to_string(),
        level,
        file: origin.file.display().to_string(),
        line: origin.line,
    }
}

/// The levels of article `a`'s values.
pub(crate) fn levels(input: &SiteInput, merged: &Merged, a: &PlannedArticle) -> Levels {
    let mut own = Vec::new();
    let mut defaults = Vec::new();
    for (name, v) in &merged.pairs[a.pair].values {
        let r = row(name, level_name(v.layer), &v.origin);
        match v.layer {
            Layer::City | Layer::CityTopic => own.push(r),
            Layer::Site | Layer::Topic => defaults.push(r),
        }
    }
    if let Some(ct) = input.city_topic(a.city, a.topic) {
        let texts = [("heading", &ct.heading), ("title", &ct.title)];
        for (name, text) in texts {
            if let Some(t) = text {
                own.push(row(name, "city×topic", &t.origin));
            }
        }
    }
    Levels { own, defaults }
}

/// The facts among `own` (values, not headings or titles), with their sources and ages.
pub(crate) fn facts(
    input: &SiteInput,
    a: &PlannedArticle,
    own: &[ValueLevel],
    today: NaiveDate,
) -> Vec<Fact> {
    let city = &input.cities[a.city];
    let max_age = input.site.lint.fact_max_age_days;
    let topic = input.city_topic(a.city, a.topic);
    own.iter()
        .filter(|v| v.level == "city" || topic.is_some_and(|t| t.values.contains_key(&v.name)))
        .map(|v| {
            // A city × topic value may be documented at its level or city-wide.
            let source = topic
                .filter(|_| v.level == "city×topic")
                .and_then(|t| t.sources.get(&v.name))
                .or_else(|| city.sources.get(&v.name));
            fact(&v.name, v.level, source, today, max_age)
        })
        .collect()
}

fn fact(
    name: &str,
    level: &'static str,
    source: Option<&Sourced<crate::model::FactSource>>,
    today: NaiveDate,
    max_age: i64,
) -> Fact {
    let s = source.map(|s| &s.value);
    let verified = s.and_then(|s| s.verified);
    let due = verified.and_then(|v| v.checked_add_days(Days::new(max_age.max(0) as u64)));
    Fact {
        name: name.to_string(),
        level,
        source: s.and_then(|s| s.url.clone().or_else(|| s.note.clone())),
        verified,
        age_days: verified.map(|v| (today - v).num_days()),
        due,
        overdue: due.is_some_and(|d| today > d),
    }
}

/// The line of the city file to edit for article `a`: its `topics:` entry for the topic
/// when it has one, else the first city-wide value, else the file's first line.
pub(crate) fn edit_place(city: &City, topic_slug: &str) -> Origin {
    let first = |lines: &mut dyn Iterator<Item = u32>| lines.filter(|&l| l > 0).min();
    let in_topic = city.topics.get(topic_slug).and_then(|t| {
        let mut lines = t
            .values
            .values()
            .map(|v| v.origin.line)
            .chain(t.heading.iter().map(|h| h.origin.line))
            .chain(t.title.iter().map(|h| h.origin.line))
            .chain(t.publish_at.iter().map(|h| h.origin.line))
            .chain(t.extras.iter().flatten().map(|h| h.origin.line));
        first(&mut lines)
    });
    let city_wide = || first(&mut city.values.values().map(|v| v.origin.line));
    Origin::new(&city.path, in_topic.or_else(city_wide).unwrap_or(1), 0)
}
