//! What earlier indexes segmented: each article's own words and each topic's vocabulary,
//! kept under a hash of exactly the text they are made from and of the segmenter's site
//! names (which change how text is cut), so that an index built again (`serve`, after an
//! edit) segments only the articles and topics whose text changed.

use super::segment::Segmenter;
use crate::model::hash_str;
// FxHash: the keys are already hashes.
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;
use xxhash_rust::xxh3::Xxh3;

/// Bumped when what a memo entry holds, or how its text is segmented, changes.
const FORMAT: u64 = 1;

/// Words with the highest weight each has, in no particular order, each word once.
pub(crate) type Words = Arc<[(Box<str>, u8)]>;

/// Text hash → the words it gave.
#[derive(Default)]
pub(crate) struct WordMemo {
    entries: HashMap<u64, Words>,
}

/// What one index build took from its memo and what it segmented.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct MemoUse {
    pub(crate) kept: usize,
    pub(crate) made: usize,
}

impl WordMemo {
    /// The words under `key`, if an earlier build made them.
    pub(crate) fn get(&self, key: u64) -> Option<&Words> {
        self.entries.get(&key)
    }

    /// A memo of `entries` (a later entry under the same key replaces an earlier one).
    pub(crate) fn of(entries: impl IntoIterator<Item = (u64, Words)>) -> WordMemo {
        WordMemo {
            entries: entries.into_iter().collect(),
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

/// The start of every key: the format, what kind of text (`kind`) and the segmenter.
fn hasher(kind: &[u8], seg: &Segmenter) -> Xxh3 {
    let mut h = Xxh3::new();
    h.update(&FORMAT.to_le_bytes());
    h.update(kind);
    h.update(&seg.digest().to_le_bytes());
    h
}

/// The key of an article's own words: its title words, the values its city sets, and the
/// city's name and province.
pub(crate) fn article_key<'t>(
    seg: &Segmenter,
    title_words: &str,
    city_values: impl IntoIterator<Item = &'t str>,
    city: &str,
    province: Option<&str>,
) -> u64 {
    let mut h = hasher(b"article", seg);
    hash_str(&mut h, title_words);
    hash_str(&mut h, city);
    match province {
        Some(p) => {
            h.update(&[1]);
            hash_str(&mut h, p);
        }
        None => h.update(&[0]),
    }
    for v in city_values {
        hash_str(&mut h, v);
    }
    h.digest()
}

/// The key of a topic's vocabulary: its name and texts.
pub(crate) fn topic_key<'t>(
    seg: &Segmenter,
    name: &str,
    texts: impl IntoIterator<Item = &'t str>,
) -> u64 {
    let mut h = hasher(b"topic", seg);
    hash_str(&mut h, name);
    for t in texts {
        hash_str(&mut h, t);
    }
    h.digest()
}

#[cfg(test)]
mod tests {
    use super::super::index::{self, CityName, Doc, IndexSource, TopicText};
    use super::*;
    use crate::model::ids::{CityId, Id, TopicId};
    use std::borrow::Cow;

    fn source<'a>(cities: [&'a str; 2], values: [&'a str; 2]) -> IndexSource<'a> {
        let doc = |k: usize| Doc {
            title: [
                "岳阳医保卡激活要带什么?(5月1日)",
                "金华医保卡激活要带什么?(5月2日)",
            ][k],
            title_words: ["岳阳医保卡激活要带什么?", "金华医保卡激活要带什么?"][k],
            path: ["yueyang/a/", "jinhua/a/"][k],
            city: CityId::new(k),
            topic: TopicId::new(0),
            extras: &[],
            date: "2026-05-01".into(),
            city_values: vec![Cow::Borrowed(values[k])],
        };
        IndexSource {
            docs: vec![doc(0), doc(1)],
            topics: vec![TopicText {
                name: "医保卡激活",
                texts: vec!["激活以后，在医院看病可以直接用卡结算。".into()],
            }],
            cities: cities
                .iter()
                .map(|name| CityName {
                    name,
                    province: Some("湖南"),
                })
                .collect(),
        }
    }

    const CITIES: [&str; 2] = ["岳阳", "金华"];
    const VALUES: [&str; 2] = ["岳阳市医疗保障局服务大厅", "金华市民卡服务网点"];

    #[test]
    fn an_unchanged_article_is_taken_from_the_memo_a_changed_one_segmented() {
        let first = index::build(&source(CITIES, VALUES), &WordMemo::default());
        assert_eq!(first.used, MemoUse { kept: 0, made: 3 });
        assert_eq!(first.memo.len(), 3);
        let again = index::build(&source(CITIES, VALUES), &first.memo);
        assert_eq!(again.used, MemoUse { kept: 3, made: 0 });
        assert_eq!(again.files, first.files);

        let changed = [VALUES[0], "金华市社保卡服务窗口"];
        let edited = index::build(&source(CITIES, changed), &first.memo);
        assert_eq!(edited.used, MemoUse { kept: 2, made: 1 });
        let fresh = index::build(&source(CITIES, changed), &WordMemo::default());
        assert_eq!(edited.files, fresh.files, "the memo gives the same index");
        assert_ne!(edited.files, first.files);
        assert_eq!(edited.memo.len(), 3, "the old text's words are let go");
    }

    #[test]
    fn a_changed_site_name_segments_everything_again() {
        let first = index::build(&source(CITIES, VALUES), &WordMemo::default());
        // A new place name can change how every text is cut.
        let renamed = ["岳阳", "金华市民"];
        let again = index::build(&source(renamed, VALUES), &first.memo);
        assert_eq!(again.used, MemoUse { kept: 0, made: 3 });
        let fresh = index::build(&source(renamed, VALUES), &WordMemo::default());
        assert_eq!(again.files, fresh.files);
    }

    #[test]
    fn keys_tell_texts_apart() {
        let seg = Segmenter::new(["岳阳"], ["医保卡激活"]);
        let other = Segmenter::new(["岳阳", "金华"], ["医保卡激活"]);
        let key = |seg: &Segmenter, values: &[&str], province| {
            article_key(seg, "标题", values.iter().copied(), "岳阳", province)
        };
        let base = key(&seg, &["ab", "c"], Some("湖南"));
        assert_eq!(base, key(&seg, &["ab", "c"], Some("湖南")));
        assert_ne!(base, key(&seg, &["a", "bc"], Some("湖南")));
        assert_ne!(base, key(&seg, &["ab", "c"], None));
        assert_ne!(base, key(&other, &["ab", "c"], Some("湖南")));
        assert_ne!(
            topic_key(&seg, "医保卡激活", ["正文"]),
            topic_key(&other, "医保卡激活", ["正文"])
        );
    }
}
