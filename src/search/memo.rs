//! What earlier indexes segmented: the words of each text (a title, a value, a topic's
//! name or one of its texts), kept under a hash of exactly that text and of the
//! segmenter's site names (which change how text is cut). A text is segmented once per
//! build however many articles share it (a city's values are in each of its articles),
//! and an index built again (`serve`, after an edit) segments only texts it has not seen.

use super::segment::Segmenter;
use crate::keyed_text::{self, KeyedText};
// FxHash: the keys are already hashes.
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;
use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

/// Bumped when what a memo entry holds, or how its text is segmented, changes.
const FORMAT: u64 = 2;

/// The distinct search words of one text, in no particular order.
pub(crate) type Words = Arc<[Box<str>]>;

/// Text key → the words it gave.
#[derive(Default)]
pub(crate) struct WordMemo {
    entries: HashMap<u64, Words>,
}

/// What one index build took from its memo and what it segmented, in distinct texts.
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

/// The word memo's file name inside an output folder, beside the page memo: a build takes
/// the words of texts an earlier build segmented from there.
pub(crate) const FILE: &str = ".sitegen-words";

/// The first line: the format and the code that wrote it (other code may cut text otherwise).
fn header() -> String {
    format!("sitegen-words 1 {}", env!("SITEGEN_CODE_ID"))
}

impl WordMemo {
    /// The memo as text: the header, one line per text (its key, then its words, split by
    /// tabs) in key order, and a last line with the count, so a file cut short reads as no
    /// memo. A text with a word holding a tab or a line break is left out (segmented again).
    pub(crate) fn to_text(&self) -> String {
        let mut keys: Vec<u64> = self.entries.keys().copied().collect();
        keys.sort_unstable();
        let mut text = KeyedText::new(&header(), 0);
        for key in keys {
            let words = &self.entries[&key];
            if words.iter().any(|w| w.contains(['\t', '\n', '\r'])) {
                continue;
            }
            text.line(key, |line| {
                for word in words.iter() {
                    line.push('\t');
                    line.push_str(word);
                }
            });
        }
        text.finish()
    }

    /// The memo kept in the output folder `dir`; empty when it is missing or unreadable,
    /// or as [`WordMemo::parse`] reads it.
    pub(crate) fn read(dir: &std::path::Path) -> WordMemo {
        std::fs::read_to_string(dir.join(FILE))
            .map_or_else(|_| WordMemo::default(), |t| Self::parse(&t))
    }

    /// The memo [`WordMemo::to_text`] wrote; empty when `text` is damaged, cut short or
    /// written by other code (then every text is segmented).
    pub(crate) fn parse(text: &str) -> WordMemo {
        Self::try_parse(text).unwrap_or_default()
    }

    fn try_parse(text: &str) -> Option<WordMemo> {
        let (lines, count) = keyed_text::entries(text, &header())?;
        let mut entries = HashMap::default();
        entries.reserve(count);
        for (key, words) in lines {
            let words = words.split('\t').filter(|_| !words.is_empty());
            entries.insert(key, words.map(Box::from).collect());
        }
        (entries.len() == count).then_some(WordMemo { entries })
    }
}

/// What every text key of one segmenter starts from: the format and the segmenter's names.
#[derive(Clone, Copy)]
pub(crate) struct KeySeed(u64);

impl KeySeed {
    pub(crate) fn of(seg: &Segmenter) -> KeySeed {
        let mut bytes = [0; 16];
        bytes[..8].copy_from_slice(&FORMAT.to_le_bytes());
        bytes[8..].copy_from_slice(&seg.digest().to_le_bytes());
        KeySeed(xxh3_64(&bytes))
    }

    /// The key of `text`'s words.
    pub(crate) fn key(self, text: &str) -> u64 {
        xxh3_64_with_seed(text.as_bytes(), self.0)
    }
}

/// `text`'s distinct search words, ready for the memo.
pub(crate) fn words_of(seg: &Segmenter, text: &str) -> Words {
    let mut words = seg.words(text);
    words.sort_unstable();
    words.dedup();
    words.into_iter().map(String::into_boxed_str).collect()
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
        // Two titles, two values, the topic's name and its text.
        assert_eq!(first.used, MemoUse { kept: 0, made: 6 });
        assert_eq!(first.memo.len(), 6);
        let again = index::build(&source(CITIES, VALUES), &first.memo);
        assert_eq!(again.used, MemoUse { kept: 6, made: 0 });
        assert_eq!(again.files, first.files);

        let changed = [VALUES[0], "金华市社保卡服务窗口"];
        let edited = index::build(&source(CITIES, changed), &first.memo);
        assert_eq!(edited.used, MemoUse { kept: 5, made: 1 });
        let fresh = index::build(&source(CITIES, changed), &WordMemo::default());
        assert_eq!(edited.files, fresh.files, "the memo gives the same index");
        assert_ne!(edited.files, first.files);
        assert_eq!(edited.memo.len(), 6, "the old text's words are let go");
    }

    #[test]
    fn a_changed_site_name_segments_everything_again() {
        let first = index::build(&source(CITIES, VALUES), &WordMemo::default());
        // A new place name can change how every text is cut.
        let renamed = ["岳阳", "金华市民"];
        let again = index::build(&source(renamed, VALUES), &first.memo);
        assert_eq!(again.used, MemoUse { kept: 0, made: 6 });
        let fresh = index::build(&source(renamed, VALUES), &WordMemo::default());
        assert_eq!(again.files, fresh.files);
    }

    #[test]
    fn a_text_shared_by_articles_is_segmented_once() {
        let first = index::build(
            &source(CITIES, [VALUES[0], VALUES[0]]),
            &WordMemo::default(),
        );
        assert_eq!(first.used, MemoUse { kept: 0, made: 5 });
    }

    #[test]
    fn a_memo_read_back_from_its_text_gives_the_same_index() {
        let first = index::build(&source(CITIES, VALUES), &WordMemo::default());
        let text = first.memo.to_text();
        assert_eq!(text, WordMemo::parse(&text).to_text(), "the text is stable");
        let again = index::build(&source(CITIES, VALUES), &WordMemo::parse(&text));
        assert_eq!(again.used, MemoUse { kept: 6, made: 0 });
        assert_eq!(again.files, first.files);
    }

    #[test]
    fn a_damaged_or_foreign_memo_text_reads_as_none() {
        let first = index::build(&source(CITIES, VALUES), &WordMemo::default());
        let text = first.memo.to_text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 8, "header, six texts, count:\n{text}");
        // Cut short anywhere, even mid-line: no memo, never half of one.
        for cut in 1..text.len() {
            if text.is_char_boundary(cut) {
                assert_eq!(WordMemo::parse(&text[..cut]).len(), 0, "cut at {cut}");
            }
        }
        let other_code = text.replacen("sitegen-words 1 ", "sitegen-words 1 x", 1);
        assert_eq!(WordMemo::parse(&other_code).len(), 0);
        let bad_key = text.replacen(&lines[1][..16], "zz", 1);
        assert_eq!(WordMemo::parse(&bad_key).len(), 0);
        // A line lost from the middle: the count no longer holds.
        let lost = text.replacen(&format!("{}\n", lines[3]), "", 1);
        assert_eq!(WordMemo::parse(&lost).len(), 0);
        assert_eq!(WordMemo::parse(&WordMemo::default().to_text()).len(), 0);
    }

    #[test]
    fn words_that_would_break_a_line_are_left_out_of_the_text() {
        let memo = WordMemo::of([
            (1, Words::from(vec![Box::from("医保"), Box::from("a\tb")])),
            (2, Words::from(vec![Box::from("岳阳")])),
            (3, Words::from(Vec::<Box<str>>::new())),
        ]);
        let back = WordMemo::parse(&memo.to_text());
        assert_eq!(back.len(), 2);
        assert!(back.get(1).is_none());
        assert_eq!(
            back.get(2).map(|w| w.to_vec()),
            Some(vec![Box::from("岳阳")])
        );
        assert_eq!(back.get(3).map(|w| w.len()), Some(0));
    }

    #[test]
    fn keys_tell_texts_and_site_names_apart() {
        let seg = KeySeed::of(&Segmenter::new(["岳阳"], ["医保卡激活"]));
        let other = KeySeed::of(&Segmenter::new(["岳阳", "金华"], ["医保卡激活"]));
        assert_eq!(seg.key("岳阳市医疗保障局"), seg.key("岳阳市医疗保障局"));
        assert_ne!(seg.key("岳阳市医疗保障局"), seg.key("岳阳市医疗保障"));
        assert_ne!(seg.key("岳阳市医疗保障局"), other.key("岳阳市医疗保障局"));
    }
}
