//! Totals per city, per topic and for the site, from the articles' coverage.

use super::{ArticleCoverage, percent};
use crate::model::SiteInput;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// One city's totals.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CityTotals {
    pub(crate) city: String,
    pub(crate) name: String,
    pub(crate) file: String,
    pub(crate) articles: usize,
    /// Names of the values, headings and titles the city sets itself (any topic).
    pub(crate) own: Vec<String>,
    /// Articles with at least one value, heading or title of the city's own.
    pub(crate) articles_with_own: usize,
    /// No article of the city has anything of its own.
    pub(crate) default_only: bool,
    pub(crate) facts: usize,
    pub(crate) sourced: usize,
    pub(crate) overdue: usize,
    pub(crate) oldest_verified: Option<NaiveDate>,
    pub(crate) median_local_share: f64,
    pub(crate) min_local_share: f64,
}

/// One topic's totals.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TopicTotals {
    pub(crate) topic: String,
    pub(crate) name: String,
    pub(crate) articles: usize,
    /// Cities whose article of this topic has something of its own.
    pub(crate) cities_with_own: usize,
    pub(crate) median_local_share: f64,
    /// The highest twin similarity of the topic's articles.
    pub(crate) max_twin_similarity: f64,
}

/// The site's totals.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SiteTotals {
    pub(crate) cities: usize,
    pub(crate) default_only_cities: usize,
    pub(crate) articles: usize,
    pub(crate) articles_with_own: usize,
    pub(crate) median_local_share: f64,
    pub(crate) median_twin_similarity: f64,
    pub(crate) facts: usize,
    pub(crate) sourced: usize,
    pub(crate) overdue: usize,
    /// "29 of 31 cities use only defaults; median local share 3 %".
    pub(crate) summary: String,
}

/// The median (0 for none).
pub(crate) fn median(mut xs: Vec<f64>) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// Totals per city (in input order), per topic and for the site.
pub(crate) fn totals(
    input: &SiteInput,
    articles: &[ArticleCoverage],
) -> (Vec<CityTotals>, Vec<TopicTotals>, SiteTotals) {
    // Grouped in one pass: a filter over every article per city is quadratic.
    let mut by_city: HashMap<&str, Vec<&ArticleCoverage>> = HashMap::new();
    let mut by_topic: HashMap<&str, Vec<&ArticleCoverage>> = HashMap::new();
    for a in articles {
        by_city.entry(&a.city).or_default().push(a);
        by_topic.entry(&a.topic).or_default().push(a);
    }
    let cities: Vec<CityTotals> = input
        .cities
        .iter()
        .map(|c| {
            let of = by_city.remove(c.slug.value.as_str()).unwrap_or_default();
            city_totals(
                c.slug.value.clone(),
                c.name.clone(),
                c.path.display().to_string(),
                &of,
            )
        })
        .collect();
    let topics = input
        .topics
        .iter()
        .map(|t| {
            let of = by_topic.remove(t.slug.as_str()).unwrap_or_default();
            TopicTotals {
                topic: t.slug.clone(),
                name: t.name.clone(),
                articles: of.len(),
                cities_with_own: of.iter().filter(|a| !a.own.is_empty()).count(),
                median_local_share: median(of.iter().map(|a| a.local_share).collect()),
                max_twin_similarity: of
                    .iter()
                    .filter_map(|a| a.twin.as_ref().map(|t| t.similarity))
                    .fold(0.0, f64::max),
            }
        })
        .collect();
    let default_only = cities.iter().filter(|c| c.default_only).count();
    let median_local = median(articles.iter().map(|a| a.local_share).collect());
    let site = SiteTotals {
        cities: cities.len(),
        default_only_cities: default_only,
        articles: articles.len(),
        articles_with_own: articles.iter().filter(|a| !a.own.is_empty()).count(),
        median_local_share: median_local,
        median_twin_similarity: median(
            articles
                .iter()
                .map(|a| a.twin.as_ref().map_or(0.0, |t| t.similarity))
                .collect(),
        ),
        facts: cities.iter().map(|c| c.facts).sum(),
        sourced: cities.iter().map(|c| c.sourced).sum(),
        overdue: cities.iter().map(|c| c.overdue).sum(),
        summary: format!(
            "{default_only} of {} cities use only defaults; median local share {}",
            cities.len(),
            percent(median_local)
        ),
    };
    (cities, topics, site)
}

/// A fact as counted once per city: name, level, source, verified, overdue.
type FactKey<'a> = (&'a str, &'a str, Option<&'a str>, Option<NaiveDate>, bool);

fn city_totals(city: String, name: String, file: String, of: &[&ArticleCoverage]) -> CityTotals {
    let own: BTreeSet<&str> = of
        .iter()
        .flat_map(|a| a.own.iter().map(|v| v.name.as_str()))
        .collect();
    // A city-wide fact shows in every article; count each fact once.
    let facts: BTreeSet<FactKey<'_>> = of
        .iter()
        .flat_map(|a| &a.facts)
        .map(|f| {
            (
                f.name.as_str(),
                f.level,
                f.source.as_deref(),
                f.verified,
                f.overdue,
            )
        })
        .collect();
    CityTotals {
        articles: of.len(),
        articles_with_own: of.iter().filter(|a| !a.own.is_empty()).count(),
        default_only: own.is_empty(),
        own: own.into_iter().map(String::from).collect(),
        facts: facts.len(),
        sourced: facts.iter().filter(|f| f.2.is_some()).count(),
        overdue: facts.iter().filter(|f| f.4).count(),
        oldest_verified: facts.iter().filter_map(|f| f.3).min(),
        median_local_share: median(of.iter().map(|a| a.local_share).collect()),
        min_local_share: of
            .iter()
            .map(|a| a.local_share)
            .reduce(f64::min)
            .unwrap_or(0.0),
        city,
        name,
        file,
    }
}
