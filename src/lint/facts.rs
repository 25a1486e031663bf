//! City facts: every value a city file sets should say where it comes from (`sources:`)
//! and when it was last checked; a list value should have no empty entries.

use crate::diag::{Diagnostic, did_you_mean};
use crate::model::{City, SiteInput, SourceMap, Value, ValueMap};
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// Problems with the facts of every city, as warnings. Facts that are merely old are
/// reported by [`aged`]: time passing is not a mistake in the content.
pub(crate) fn check(input: &SiteInput) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for city in &input.cities {
        let empty = SourceMap::new();
        // A city-wide source may document a value set for one topic only.
        let mut known: BTreeSet<&str> = city.values.keys().map(String::as_str).collect();
        known.extend(
            city.topics
                .values()
                .flat_map(|t| t.values.keys().map(String::as_str)),
        );
        check_level(
            city,
            &city.values,
            (&city.sources, &empty),
            &known,
            "",
            &mut out,
        );
        for (slug, t) in &city.topics {
            let place = format!(" for topic `{slug}`");
            let known = t.values.keys().map(String::as_str).collect();
            let sources = (&t.sources, &city.sources);
            check_level(city, &t.values, sources, &known, &place, &mut out);
        }
        let all = std::iter::once(&city.sources).chain(city.topics.values().map(|t| &t.sources));
        for (key, source) in all.flatten() {
            if source.value.verified.is_none() {
                out.push(
                    Diagnostic::warning(
                        source.origin.clone(),
                        format!("the source of `{key}` has no `verified` date"),
                    )
                    .with_hint("add `verified: YYYY-MM-DD`, the day someone last checked the fact"),
                );
            }
        }
    }
    out
}

/// City facts last verified more than `lint.fact_max_age_days` before `today`, as
/// warnings. They never fail a build, `--strict` or not (see README, "Time does not stop
/// publishing"); the build lists them in `aged-facts.txt` of the report folder.
pub(crate) fn aged(input: &SiteInput, today: NaiveDate) -> Vec<Diagnostic> {
    let max_age = input.site.lint.fact_max_age_days;
    let mut out = Vec::new();
    for city in &input.cities {
        let all = std::iter::once(&city.sources).chain(city.topics.values().map(|t| &t.sources));
        for (key, source) in all.flatten() {
            let Some(verified) = source.value.verified else {
                continue;
            };
            let age = (today - verified).num_days();
            if age > max_age {
                out.push(
                    Diagnostic::warning(
                        source.origin.clone(),
                        format!(
                            "`{key}` was last verified on {verified}, {age} days ago (the limit is {max_age} days)"
                        ),
                    )
                    .with_hint("check the fact again and update `verified`, or raise `lint.fact_max_age_days` in site.yaml; this does not fail the build"),
                );
            }
        }
    }
    out
}

/// Values without a source (in the level's own `sources:`, then the fallback), sources of
/// values not in `known`, and list values with empty entries.
fn check_level(
    city: &City,
    values: &ValueMap,
    (sources, fallback): (&SourceMap, &SourceMap),
    known: &BTreeSet<&str>,
    place: &str,
    out: &mut Vec<Diagnostic>,
) {
    for (key, v) in values {
        if !sources.contains_key(key) && !fallback.contains_key(key) {
            out.push(
                Diagnostic::warning(
                    v.origin.clone(),
                    format!("{} value `{key}`{place} has no source", city.name),
                )
                .with_hint(format!(
                    "say where the fact comes from: under `sources:` add `{key}: {{url: \"https://…\", verified: YYYY-MM-DD}}` (or `note:` instead of `url:`)"
                )),
            );
        }
        if let Value::Array(items) = &v.value
            && let Some(at) = items
                .iter()
                .position(|i| i.is_null() || i.as_str().is_some_and(|s| s.trim().is_empty()))
        {
            out.push(
                Diagnostic::warning(
                    v.origin.clone(),
                    format!("list `{key}` has an empty entry (item {})", at + 1),
                )
                .with_hint("remove the empty `-` line, or write the missing text"),
            );
        }
    }
    for (key, s) in sources {
        if !known.contains(key.as_str()) {
            let hint = did_you_mean(key, known.iter().copied())
                .unwrap_or_else(|| "a source belongs next to a value of the same name".into());
            out.push(
                Diagnostic::warning(
                    s.origin.clone(),
                    format!("source for `{key}`, which is not a value set here{place}"),
                )
                .with_hint(hint),
            );
        }
    }
}
