//! The index itself: which words each article is found by, with what weight, and the
//! files they are cut into so that a query loads only what it needs.
//!
//! An article's text is mostly its topic's text with the city's values filled in, so
//! words are recorded where they belong: the topic's own vocabulary (its name, lead,
//! headings, body and default values) once per topic, with the lists of the topic's
//! articles (as main topic and as extra section); per article only what is its own: the
//! title's words, the city and province, and the values the city sets itself. The client
//! takes, per word and article, the highest weight any of these give. Each text's words
//! (a title, a value, a topic's name or text) come from the word memo when the text was
//! segmented before (`memo`), else are segmented here, each distinct text once (a city's
//! values are in all its articles), on every core; postings are then gathered in article
//! order, so the files are the same either way.
//!
//! Files below `search/index/` (all JSON, all deterministic):
//! - `meta.json`: counts, shard counts, the topic and city names;
//! - `t/<k>.json`: the words whose hash falls in shard `k`:
//!   `{"word": [[article deltas], [weights] or one weight for all, [[topic, main weight,
//!   extra weight], …]]}`;
//! - `c/<k>.json`: for each character in shard `k`, the index words (two characters or
//!   more) containing it, to split a query into words and to read a non-word (`保地`);
//! - `p/<topic>.json`: `[[main article deltas], [extra-section article deltas]]`;
//! - `d/<k>.json`: articles `k × DOCS_PER_FILE …`: `[title, path, city, topic, date]`.

use super::memo::{self, KeySeed, MemoUse, WordMemo, Words};
use super::segment::Segmenter;
use crate::model::ids::{CityId, Id, TopicId};
// FxHash for the word maps: the keys are the site's own words (no outside input chooses
// them), and no output depends on these maps' order: postings are pushed in article and
// topic order, and the shards below are ordered maps.
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// Weights (per word and article, the highest applies).
pub(crate) mod weight {
    pub(crate) const CITY: u8 = 20;
    pub(crate) const TOPIC_NAME: u8 = 12;
    pub(crate) const TITLE: u8 = 10;
    pub(crate) const PROVINCE: u8 = 8;
    pub(crate) const EXTRA_TOPIC_NAME: u8 = 4;
    pub(crate) const TOPIC_TEXT: u8 = 3;
    pub(crate) const CITY_VALUE: u8 = 3;
    pub(crate) const EXTRA_TOPIC_TEXT: u8 = 1;
}

/// Articles per `d/<k>.json` file.
pub(crate) const DOCS_PER_FILE: usize = 32;

/// One article as the index sees it.
pub(crate) struct Doc<'a> {
    pub(crate) title: &'a str,
    /// The title without its date suffix: what is segmented.
    pub(crate) title_words: &'a str,
    pub(crate) path: &'a str,
    pub(crate) city: CityId,
    pub(crate) topic: TopicId,
    pub(crate) extras: &'a [TopicId],
    /// `YYYY-MM-DD`
    pub(crate) date: String,
    /// Text of the values the city sets itself for this article.
    pub(crate) city_values: Vec<Cow<'a, str>>,
}

/// One topic's text.
pub(crate) struct TopicText<'a> {
    pub(crate) name: &'a str,
    /// Lead, headings, body (template tags removed) and default values.
    pub(crate) texts: Vec<String>,
}

/// One city.
pub(crate) struct CityName<'a> {
    pub(crate) name: &'a str,
    pub(crate) province: Option<&'a str>,
}

/// Everything the index is made from, in article order (oldest first).
pub(crate) struct IndexSource<'a> {
    pub(crate) docs: Vec<Doc<'a>>,
    pub(crate) topics: Vec<TopicText<'a>>,
    pub(crate) cities: Vec<CityName<'a>>,
}

/// How many shards of words and of characters an index of `docs` articles has: about
/// 40 articles' words per word shard and 200 per character shard, in powers of two, and
/// at least 8 and 16 (the topics' own vocabulary is there whatever the site's size).
pub(crate) fn shard_counts(docs: usize) -> (usize, usize) {
    let pow2 = |n: usize, min: usize| n.max(min).next_power_of_two();
    (pow2(docs / 40, 8), pow2(docs / 200, 16))
}

/// The paths (below the index folder) of an index of `docs` articles and `topics` topics.
pub(crate) fn paths(docs: usize, topics: usize) -> Vec<String> {
    let (t, c) = shard_counts(docs);
    let mut out = vec!["meta.json".to_string()];
    out.extend((0..t).map(|k| format!("t/{k}.json")));
    out.extend((0..c).map(|k| format!("c/{k}.json")));
    out.extend((0..topics).map(|k| format!("p/{k}.json")));
    out.extend((0..docs.div_ceil(DOCS_PER_FILE)).map(|k| format!("d/{k}.json")));
    out
}

/// FNV-1a (32 bit) of the UTF-8 bytes: the shard hash, the same in `static/search.js`.
pub(crate) fn fnv1a(text: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Per word: articles with their own weight, and topics with their main / extra weight.
#[derive(Default)]
struct Postings {
    docs: Vec<(usize, u8)>,
    topics: Vec<(usize, u8, u8)>,
}

/// Raises each of `words` in `map` to at least weight `w`.
fn raise<'w>(map: &mut HashMap<&'w str, u8>, words: impl IntoIterator<Item = &'w str>, w: u8) {
    for word in words {
        let e = map.entry(word).or_insert(0);
        *e = (*e).max(w);
    }
}

/// The texts segmented for a topic: its name, then its texts.
fn topic_texts<'t>(topic: &'t TopicText<'_>) -> impl Iterator<Item = &'t str> {
    std::iter::once(topic.name).chain(topic.texts.iter().map(String::as_str))
}

/// The texts segmented for an article: its title's words, then its city values.
fn doc_texts<'t>(doc: &'t Doc<'_>) -> impl Iterator<Item = &'t str> {
    std::iter::once(doc.title_words).chain(doc.city_values.iter().map(|v| v.as_ref()))
}

/// Every text's words: from `memo` when an earlier build segmented the same text with the
/// same site names, else segmented here, each distinct text once, on every core. Gives
/// the memo of this build's texts (what the next build may keep) and how many distinct
/// texts were kept and made.
fn all_words(src: &IndexSource<'_>, seg: &Segmenter, memo: &WordMemo) -> (WordMemo, MemoUse) {
    let seed = KeySeed::of(seg);
    let topic_keys: Vec<Vec<(u64, &str)>> = (src.topics.iter())
        .map(|t| topic_texts(t).map(|x| (seed.key(x), x)).collect())
        .collect();
    let doc_keys: Vec<Vec<(u64, &str)>> = (src.docs.par_iter().with_min_len(64))
        .map(|d| doc_texts(d).map(|x| (seed.key(x), x)).collect())
        .collect();
    let mut distinct: HashMap<u64, &str> = HashMap::default();
    for &(key, text) in topic_keys.iter().chain(&doc_keys).flatten() {
        distinct.entry(key).or_insert(text);
    }
    let mut kept = Vec::new();
    let mut missing = Vec::new();
    for (key, text) in distinct {
        match memo.get(key) {
            Some(words) => kept.push((key, words.clone())),
            None => missing.push((key, text)),
        }
    }
    let made: Vec<(u64, Words)> = (missing.par_iter())
        .map(|&(key, text)| (key, memo::words_of(seg, text)))
        .collect();
    let used = MemoUse {
        kept: kept.len(),
        made: made.len(),
    };
    (WordMemo::of(kept.into_iter().chain(made)), used)
}

/// The words of `text` in `memo`, which [`all_words`] filled with every text's.
fn words_in<'m>(memo: &'m WordMemo, seed: KeySeed, text: &str) -> impl Iterator<Item = &'m str> {
    let words = memo.get(seed.key(text)).map(|w| &w[..]).unwrap_or_default();
    words.iter().map(|w| &**w)
}

/// The index of [`build`]: its files, and the memo of the words it segmented or kept.
pub(crate) struct Built {
    /// `(path below the index folder, bytes)`, in [`paths`] order.
    pub(crate) files: Vec<(String, Vec<u8>)>,
    pub(crate) memo: WordMemo,
    pub(crate) used: MemoUse,
}

/// Builds every index file, taking from `memo` the words of text segmented before.
pub(crate) fn build(src: &IndexSource<'_>, memo: &WordMemo) -> Built {
    let places = src
        .cities
        .iter()
        .flat_map(|c| std::iter::once(c.name).chain(c.province));
    let seg = Segmenter::new(places, src.topics.iter().map(|t| t.name));
    let (memo, used) = all_words(src, &seg, memo);
    let seed = KeySeed::of(&seg);
    // Topic vocabulary, once per topic: per word its main and extra-section weight.
    let topic_words: Vec<HashMap<&str, (u8, u8)>> = (src.topics.iter())
        .map(|t| {
            let mut main = HashMap::default();
            raise(&mut main, words_in(&memo, seed, t.name), weight::TOPIC_NAME);
            for text in &t.texts {
                raise(&mut main, words_in(&memo, seed, text), weight::TOPIC_TEXT);
            }
            (main.into_iter())
                .map(|(word, w)| {
                    let extra = if w >= weight::TOPIC_NAME {
                        weight::EXTRA_TOPIC_NAME
                    } else {
                        weight::EXTRA_TOPIC_TEXT
                    };
                    (word, (w, extra))
                })
                .collect()
        })
        .collect();
    let (t_count, c_count) = shard_counts(src.docs.len());
    let shard_of = |word: &str| fnv1a(word) as usize % t_count;

    // An article's own words: its title's, its city values', its city and province; only
    // those its topics do not already give as much, each with its shard.
    let places: Vec<(String, Option<String>)> = (src.cities.iter())
        .map(|c| {
            let province = c.province.filter(|p| *p != c.name);
            (c.name.to_lowercase(), province.map(str::to_lowercase))
        })
        .collect();
    let doc_words: Vec<Vec<(usize, &str, u8)>> = (src.docs.par_iter().with_min_len(64))
        .map(|d| {
            let mut own = HashMap::default();
            raise(
                &mut own,
                words_in(&memo, seed, d.title_words),
                weight::TITLE,
            );
            for v in &d.city_values {
                raise(&mut own, words_in(&memo, seed, v), weight::CITY_VALUE);
            }
            let (city, province) = &places[d.city.index()];
            raise(&mut own, [city.as_str()], weight::CITY);
            raise(&mut own, province.as_deref(), weight::PROVINCE);
            let from_topics = |word: &str| {
                let main = topic_words[d.topic.index()].get(word).map(|x| x.0);
                let extras =
                    (d.extras.iter()).map(|&e| topic_words[e.index()].get(word).map(|x| x.1));
                std::iter::once(main)
                    .chain(extras)
                    .flatten()
                    .max()
                    .unwrap_or(0)
            };
            (own.into_iter())
                .filter(|&(word, w)| w > from_topics(word))
                .map(|(word, w)| (shard_of(word), word, w))
                .collect()
        })
        .collect();

    // Each word's postings gathered in its shard: topics in topic order, articles in
    // article order; then each shard made on its own core.
    let mut topic_parts: Vec<Vec<(&str, usize, u8, u8)>> = vec![Vec::new(); t_count];
    for (t, both) in topic_words.iter().enumerate() {
        for (&word, &(w, extra)) in both {
            topic_parts[shard_of(word)].push((word, t, w, extra));
        }
    }
    // Sized first: a large site's lists are not grown (and copied) step by step.
    let mut sizes = vec![0usize; t_count];
    for &(k, ..) in doc_words.iter().flatten() {
        sizes[k] += 1;
    }
    let mut doc_parts: Vec<Vec<(&str, usize, u8)>> =
        sizes.into_iter().map(Vec::with_capacity).collect();
    for (d, own) in doc_words.iter().enumerate() {
        for &(k, word, w) in own {
            doc_parts[k].push((word, d, w));
        }
    }
    drop(doc_words);
    let shards: Vec<BTreeMap<&str, Postings>> = (topic_parts.par_iter().zip(&doc_parts))
        .map(|(topics, docs)| {
            let mut shard: BTreeMap<&str, Postings> = BTreeMap::new();
            for &(word, t, w, extra) in topics {
                shard.entry(word).or_default().topics.push((t, w, extra));
            }
            for &(word, d, w) in docs {
                shard.entry(word).or_default().docs.push((d, w));
            }
            shard
        })
        .collect();
    drop((topic_parts, doc_parts));

    let mut files = vec![meta(src, t_count, c_count)];
    let mut c_shards: Vec<BTreeMap<char, BTreeSet<&str>>> = vec![BTreeMap::new(); c_count];
    for &word in shards.iter().flat_map(BTreeMap::keys) {
        if word.chars().count() >= 2 {
            for c in word.chars().collect::<BTreeSet<_>>() {
                let k = fnv1a(c.encode_utf8(&mut [0; 4])) as usize % c_count;
                c_shards[k].entry(c).or_default().insert(word);
            }
        }
    }
    let t_files: Vec<Vec<u8>> = shards.par_iter().map(term_shard).collect();
    files.extend(t_files);
    files.extend(c_shards.par_iter().map(to_bytes).collect::<Vec<_>>());
    let mut main = vec![Vec::new(); src.topics.len()];
    let mut extra: Vec<Vec<usize>> = vec![Vec::new(); src.topics.len()];
    for (d, doc) in src.docs.iter().enumerate() {
        main[doc.topic.index()].push(d);
        for e in doc.extras {
            let list = &mut extra[e.index()];
            if list.last() != Some(&d) {
                list.push(d);
            }
        }
    }
    files.extend(
        main.iter()
            .zip(&extra)
            .map(|(m, e)| to_bytes(&(deltas(m), deltas(e)))),
    );
    let rows = |chunk: &[Doc<'_>]| {
        let rows: Vec<_> = chunk
            .iter()
            .map(|d| (d.title, d.path, d.city, d.topic, &d.date))
            .collect();
        to_bytes(&rows)
    };
    files.extend(
        src.docs
            .par_chunks(DOCS_PER_FILE)
            .map(rows)
            .collect::<Vec<_>>(),
    );
    // The same files in the same order as `paths` names them.
    let files = paths(src.docs.len(), src.topics.len())
        .into_iter()
        .zip(files)
        .collect();
    Built { files, memo, used }
}

/// A word's weights: one for all its articles (the usual case) is written once.
#[derive(Serialize)]
#[serde(untagged)]
enum Weights {
    One(u8),
    Each(Vec<u8>),
}

/// A `t/<k>.json` file: per word (in order), `[article deltas, weights, topics]`.
fn term_shard(words: &BTreeMap<&str, Postings>) -> Vec<u8> {
    let shard: BTreeMap<&str, _> = words
        .iter()
        .map(|(&word, p)| {
            let ids: Vec<usize> = p.docs.iter().map(|x| x.0).collect();
            let weights = match p.docs.split_first() {
                Some((first, rest)) if rest.iter().all(|w| w.1 == first.1) => Weights::One(first.1),
                _ => Weights::Each(p.docs.iter().map(|x| x.1).collect()),
            };
            let topics: Vec<[usize; 3]> = p
                .topics
                .iter()
                .map(|&(t, m, e)| [t, usize::from(m), usize::from(e)])
                .collect();
            (word, (deltas(&ids), weights, topics))
        })
        .collect();
    to_bytes(&shard)
}

fn meta(src: &IndexSource<'_>, terms: usize, chars: usize) -> Vec<u8> {
    to_bytes(&serde_json::json!({
        "v": 1,
        "n": src.docs.len(),
        "docs_per_file": DOCS_PER_FILE,
        "terms": terms,
        "chars": chars,
        "topics": src.topics.iter().map(|t| t.name).collect::<Vec<_>>(),
        "cities": src.cities.iter().map(|c| c.name).collect::<Vec<_>>(),
    }))
}

/// Ascending ids as differences (`[3, 5, 9]` → `[3, 2, 4]`): shorter JSON.
fn deltas(ids: &[usize]) -> Vec<usize> {
    let mut prev = 0;
    ids.iter()
        .map(|&i| {
            let d = i - prev;
            prev = i;
            d
        })
        .collect()
}

fn to_bytes(value: &impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_shards_are_written_as_the_client_reads_them() {
        let one = Postings {
            docs: vec![(1, 10), (4, 10)],
            topics: vec![(0, 3, 1)],
        };
        let each = Postings {
            docs: vec![(2, 10), (3, 20)],
            topics: vec![],
        };
        let none = Postings::default();
        let text = term_shard(&BTreeMap::from([("医保", one), ("a", each), ("b", none)]));
        assert_eq!(
            String::from_utf8(text).unwrap(),
            r#"{"a":[[2,1],[10,20],[]],"b":[[],[],[]],"医保":[[1,3],10,[[0,3,1]]]}"#
        );
    }
}
