//! `cities/<slug>.yaml`: a city's name, province, slug and its overrides.

use super::site::{datetime_problem, parse_datetime};
use super::sources::{RawFactSource, source_map};
use super::yaml::{self, error_at, key_line, sourced};
use crate::diag::{Diagnostic, Origin};
use crate::model::{City, CityTopic, Sourced, Value, is_valid_slug};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCity {
    name: String,
    #[serde(default)]
    province: Option<String>,
    slug: Spanned<String>,
    #[serde(default)]
    values: BTreeMap<String, Spanned<Value>>,
    #[serde(default)]
    topics: BTreeMap<String, RawCityTopic>,
    #[serde(default)]
    skip: Vec<Spanned<String>>,
    #[serde(default)]
    extras: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    sources: BTreeMap<String, Spanned<RawFactSource>>,
    #[serde(default)]
    former_slugs: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawCityTopic {
    heading: Option<Spanned<String>>,
    title: Option<Spanned<String>>,
    date_format: Option<Spanned<String>>,
    values: BTreeMap<String, Spanned<Value>>,
    publish_at: Option<Spanned<String>>,
    extras: Option<Vec<Spanned<String>>>,
    sources: BTreeMap<String, Spanned<RawFactSource>>,
}

/// Parses one city file.
pub(crate) fn parse_city(text: &str, shown: &Path) -> Result<City, Vec<Diagnostic>> {
    let raw: RawCity = yaml::parse(text, shown, 0).map_err(|d| vec![d])?;
    let mut problems = Vec::new();
    if !is_valid_slug(&raw.slug.value) {
        problems.push(error_at(
            yaml::origin_of(&raw.slug, shown, 0),
            format!(
                "slug `{}` may only use lowercase letters a–z, digits and `-`",
                raw.slug.value.escape_debug()
            ),
            "write the city's pinyin, e.g. `yueyang` for 岳阳, `chongqing` for 重庆",
            text,
        ));
    }
    if raw.name.trim().is_empty() {
        problems.push(
            Diagnostic::error(
                Origin::new(shown, key_line_top(text, "name"), 1),
                "the city's name is empty",
            )
            .with_source(text),
        );
    }
    let values = yaml::value_map(raw.values, shown, 0, text, &mut problems);
    let sources = source_map(raw.sources, shown, text, &mut problems);
    let mut topics = BTreeMap::new();
    for (slug, t) in raw.topics {
        let publish_at = t.publish_at.and_then(|p| match parse_datetime(&p.value) {
            Some(dt) => Some(Sourced::new(dt, yaml::origin_of(&p, shown, 0))),
            None => {
                problems.push(datetime_problem(&p, shown, 0, text));
                None
            }
        });
        let city_topic = CityTopic {
            heading: t.heading.map(|h| sourced(h, shown, 0)),
            title: t.title.map(|h| sourced(h, shown, 0)),
            date_format: t.date_format.and_then(|f| {
                if super::site::is_valid_strftime(&f.value) {
                    Some(sourced(f, shown, 0))
                } else {
                    problems.push(error_at(
                        yaml::origin_of(&f, shown, 0),
                        format!("`{}` is not a valid date format", f.value),
                        "use chrono strftime fields, e.g. `(%Y年%-m月%-d日)`, or `\"\"` for a title without a date suffix",
                        text,
                    ));
                    None
                }
            }),
            values: yaml::value_map(t.values, shown, 0, text, &mut problems),
            publish_at,
            extras: t
                .extras
                .map(|l| l.into_iter().map(|s| sourced(s, shown, 0)).collect()),
            sources: source_map(t.sources, shown, text, &mut problems),
        };
        topics.insert(slug, city_topic);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(City {
        slug: sourced(raw.slug, shown, 0),
        path: shown.to_path_buf(),
        name: raw.name,
        province: raw.province,
        values,
        topics,
        skip: raw.skip.into_iter().map(|s| sourced(s, shown, 0)).collect(),
        extras: raw
            .extras
            .map(|l| l.into_iter().map(|s| sourced(s, shown, 0)).collect()),
        sources,
        former_slugs: raw
            .former_slugs
            .into_iter()
            .map(|s| sourced(s, shown, 0))
            .collect(),
        stamp: super::stamp(shown, text),
    })
}

/// The origin of a key under `topics:` in a city file.
pub(crate) fn topic_key_origin(city: &City, source: &str, topic: &str) -> Origin {
    Origin::new(&city.path, key_line(source, "topics", topic), 3)
}

fn key_line_top(source: &str, key: &str) -> u32 {
    source
        .lines()
        .position(|l| l.starts_with(&format!("{key}:")))
        .map_or(0, |i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CITY: &str = "name: 岳阳\nprovince: 湖南\nslug: yueyang\nvalues:\n  hotline: \"12333\"\ntopics:\n  canbaodi-biangeng:\n    heading: 岳阳如何办?\n    values:\n      materials: [身份证, 医保卡]\n    publish_at: \"2026-02-03 06:39:37\"\n";

    #[test]
    fn parses_city_with_topic_overrides() {
        let c = parse_city(CITY, Path::new("cities/yueyang.yaml")).unwrap();
        assert_eq!(c.slug.value, "yueyang");
        let t = &c.topics["canbaodi-biangeng"];
        assert_eq!(t.values["materials"].origin.line, 10);
        assert_eq!(
            t.publish_at.as_ref().unwrap().value.to_string(),
            "2026-02-03 06:39:37"
        );
        assert_eq!(topic_key_origin(&c, CITY, "canbaodi-biangeng").line, 7);
    }

    #[test]
    fn bad_slug_and_date_are_both_reported() {
        let bad = CITY
            .replace("slug: yueyang", "slug: ../up")
            .replace("2026-02-03", "2026-02-30");
        let err = parse_city(&bad, Path::new("cities/x.yaml")).unwrap_err();
        assert_eq!(err.len(), 2);
        assert_eq!(err[0].origin.line, 3);
        assert_eq!(err[1].origin.line, 11);
    }
}
