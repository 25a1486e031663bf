//! The site search: an index built at build time with Chinese word segmentation
//! (`segment`), cut into small files (`index`) that `static/search.js` loads as a query
//! needs them. The index is a pure function of the published articles' titles, paths and
//! dates and of the city and topic files, so a build whose inputs did not change gives
//! byte-identical files (and `build` takes them from the page memo without segmenting).

pub(crate) mod index;
pub(crate) mod memo;
pub(crate) mod segment;

use crate::load::Stamps;
use crate::merge::{Layer, Merged};
use crate::model::ids::ArticleId;
use crate::model::{SiteInput, hash_str, leaves};
use crate::plan::{Plan, urls};
use index::{Built, CityName, Doc, IndexSource, TopicText};
use memo::WordMemo;
use rayon::prelude::*;
use std::borrow::Cow;
use xxhash_rust::xxh3::Xxh3;

/// Bumped when the index format or what it reads changes.
const FORMAT: u64 = 1;

/// Published articles in index order: oldest first, so that a new article is appended and
/// the files of older ones stay as they were.
pub(crate) fn doc_order(plan: &Plan) -> impl Iterator<Item = ArticleId> + '_ {
    plan.newest_first.iter().rev().copied()
}

/// The index files' paths below the output folder.
pub(crate) fn paths(input: &SiteInput, plan: &Plan) -> Vec<String> {
    index::paths(plan.newest_first.len(), input.topics.len())
        .into_iter()
        .map(|p| format!("{}{p}", urls::SEARCH_INDEX_DIR))
        .collect()
}

/// A hash of everything the index is made from: `title(i)` is article `i`'s full title.
pub(crate) fn key<'t>(plan: &Plan, stamps: &Stamps, title: impl Fn(ArticleId) -> &'t str) -> u64 {
    let mut h = Xxh3::new();
    h.update(&FORMAT.to_le_bytes());
    for s in stamps.cities.iter().chain(&stamps.topics) {
        h.update(&s.to_le_bytes());
    }
    for i in doc_order(plan) {
        let a = &plan.articles[i];
        for part in [title(i), a.path.as_str()] {
            hash_str(&mut h, part);
        }
        h.update(&a.publish_at.and_utc().timestamp().to_le_bytes());
    }
    h.digest()
}

/// The memo fingerprint of index file `path` for index `key`.
pub(crate) fn file_fingerprint(key: u64, path: &str) -> u64 {
    let mut h = Xxh3::new();
    h.update(b"search-index");
    h.update(&key.to_le_bytes());
    h.update(path.as_bytes());
    h.digest()
}

/// Builds the index: its files (`(path below the output folder, bytes)`, in [`paths`]
/// order) and the memo of its words, taking from `memo` the words of text segmented
/// before. `title(i)` is article `i`'s full title and `suffix(i)` its date suffix.
pub(crate) fn build<'t>(
    input: &SiteInput,
    merged: &Merged,
    plan: &Plan,
    title: impl Fn(ArticleId) -> &'t str + Sync,
    suffix: impl Fn(ArticleId) -> String + Sync,
    memo: &WordMemo,
) -> Built {
    // In `doc_order`, on every core.
    let docs = (plan.newest_first.par_iter().rev().copied())
        .map(|i| {
            let a = &plan.articles[i];
            let full = title(i);
            let own = suffix(i);
            let title_words = full.strip_suffix(own.as_str()).unwrap_or(full);
            let city_values = merged.pairs[a.pair]
                .values
                .values()
                .filter(|v| matches!(v.layer, Layer::City | Layer::CityTopic))
                .flat_map(|v| leaves(&v.value, true))
                .collect();
            Doc {
                title: full,
                title_words,
                path: &a.path,
                city: a.city,
                topic: a.topic,
                extras: &a.chosen.extras,
                date: a.publish_at.format("%Y-%m-%d").to_string(),
                city_values,
            }
        })
        .collect();
    let topics = input
        .topics
        .iter()
        .map(|t| {
            let mut texts = vec![template_text(&t.lead.value)];
            texts.extend(t.headings.iter().map(|h| template_text(&h.value)));
            texts.push(template_text(&t.body));
            texts.extend(
                t.defaults
                    .values()
                    .flat_map(|v| leaves(&v.value, true).map(Cow::into_owned)),
            );
            TopicText {
                name: &t.name,
                texts,
            }
        })
        .collect();
    let cities = input
        .cities
        .iter()
        .map(|c| CityName {
            name: &c.name,
            province: c.province.as_deref(),
        })
        .collect();
    let source = IndexSource {
        docs,
        topics,
        cities,
    };
    let mut built = index::build(&source, memo);
    for (p, _) in &mut built.files {
        p.insert_str(0, urls::SEARCH_INDEX_DIR);
    }
    built
}

/// The plain text of a topic template: Tera tags and markdown markup left out.
pub(crate) fn template_text(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find(['{']) {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let close = match after.get(..2) {
            Some("{{") => "}}",
            Some("{%") => "%}",
            Some("{#") => "#}",
            _ => {
                out.push('{');
                rest = &after[1..];
                continue;
            }
        };
        match after.find(close) {
            Some(end) => {
                out.push(' ');
                rest = &after[end + 2..];
            }
            None => rest = "",
        }
    }
    out.push_str(rest);
    out.chars()
        .map(|c| if "#*_`>|[]()-".contains(c) { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_text_drops_tags_and_markup() {
        let text = template_text(
            "### {{ city.name }}线上办理：\n{% for m in x %}- **{{ m }}**{% endfor %}",
        );
        assert_eq!(
            text.split_whitespace().collect::<Vec<_>>(),
            vec!["线上办理："]
        );
    }
}
