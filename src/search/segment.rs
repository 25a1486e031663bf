//! Chinese word segmentation for the search index: jieba (its general dictionary plus the
//! domain words in `src/content/words.txt`), with the site's own place and topic names matched first,
//! so that `齐齐哈尔`, `呼和浩特` or `医保卡激活` are always one word whatever jieba's
//! dictionary says.

use crate::content::words::JIEBA;
use crate::model::hash_str;
use xxhash_rust::xxh3::Xxh3;
// FxHash rather than SipHash: the keys are the site's own names and texts, looked up for
// every page, and no outside input can choose them to flood a map.
use rustc_hash::FxHashMap as HashMap;

/// Words that carry no meaning for search (particles, pronouns, question words).
const STOP: &[&str] = &[
    "的", "了", "吗", "呢", "吧", "啊", "在", "和", "与", "及", "或", "是", "把", "到", "有", "等",
    "也", "都", "就", "要", "可", "能", "会", "被", "让", "给", "对", "从", "由", "为", "以", "其",
    "这", "那", "哪", "之", "而", "并", "还", "又", "即", "如", "若", "则", "个", "些", "着", "过",
    "我", "你", "他", "她", "它", "们", "什么", "怎么", "怎样", "如何", "哪些", "哪里", "可以",
    "一个", "一下", "一起", "一般", "这些", "那些", "就是", "需要", "进行", "以及", "还是",
];

/// A segmenter for one site: jieba plus the site's names, longest first.
pub(crate) struct Segmenter {
    /// Site words by their first character, longest first; `true` for a topic name,
    /// whose parts are words too (`参保地变更` → also `参保地`, `变更`).
    names: HashMap<char, Vec<(String, bool)>>,
    /// A hash of the names, in the order given: what the words of a text depend on
    /// besides the text (see `memo`).
    digest: u64,
}

impl Segmenter {
    /// A segmenter that keeps each of `places` (city and province names) whole, and each
    /// of `topics` whole while also giving its parts.
    pub(crate) fn new<'a>(
        places: impl IntoIterator<Item = &'a str>,
        topics: impl IntoIterator<Item = &'a str>,
    ) -> Segmenter {
        let mut by_first: HashMap<char, Vec<(String, bool)>> = HashMap::default();
        let mut digest = Xxh3::new();
        let all = places
            .into_iter()
            .map(|p| (p, false))
            .chain(topics.into_iter().map(|t| (t, true)));
        for (n, split) in all {
            let n = n.trim();
            if n.chars().count() < 2 {
                continue;
            }
            digest.update(&[u8::from(split)]);
            hash_str(&mut digest, n);
            if let Some(c) = n.chars().next() {
                let list = by_first.entry(c).or_default();
                if !list.iter().any(|(w, _)| w == n) {
                    list.push((n.to_string(), split));
                }
            }
        }
        for list in by_first.values_mut() {
            list.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.cmp(b)));
        }
        Segmenter {
            names: by_first,
            digest: digest.digest(),
        }
    }

    /// A hash of the site names this segmenter keeps whole.
    pub(crate) fn digest(&self) -> u64 {
        self.digest
    }

    /// The search words of `text`, in order, with repeats: site names whole, the rest
    /// through jieba's search mode (which gives `参保` and `参保地` both); punctuation,
    /// spaces and stop words left out; Latin letters lower-cased.
    pub(crate) fn words(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest_start = 0;
        let mut i = 0;
        while i < text.len() {
            let c = text[i..].chars().next().unwrap_or(' ');
            let hit = self
                .names
                .get(&c)
                .and_then(|list| list.iter().find(|(w, _)| text[i..].starts_with(w.as_str())));
            match hit {
                Some((w, split)) => {
                    self.jieba_words(&text[rest_start..i], &mut out);
                    out.push(w.to_lowercase());
                    if *split {
                        self.jieba_words(w, &mut out);
                    }
                    i += w.len();
                    rest_start = i;
                }
                None => i += c.len_utf8(),
            }
        }
        self.jieba_words(&text[rest_start..], &mut out);
        out
    }

    fn jieba_words(&self, text: &str, out: &mut Vec<String>) {
        if text.trim().is_empty() {
            return;
        }
        for t in JIEBA.cut_for_search(text, true) {
            if let Some(w) = normalise(t.word) {
                out.push(w);
            }
        }
    }
}

/// A token as an index word: lower-cased, or `None` for punctuation, spaces, pure numbers
/// and stop words.
fn normalise(token: &str) -> Option<String> {
    let token = token.trim();
    if token.is_empty() || !token.chars().any(char::is_alphanumeric) {
        return None;
    }
    if token.chars().all(|c| c.is_ascii_digit()) || STOP.contains(&token) {
        return None;
    }
    Some(token.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_names_stay_whole_and_domain_words_are_words() {
        let s = Segmenter::new(["齐齐哈尔", "黑龙江"], ["医保卡激活"]);
        let w = s.words("齐齐哈尔医保卡激活要带什么?");
        assert_eq!(w[0], "齐齐哈尔");
        assert_eq!(w[1], "医保卡激活");
        assert!(w.contains(&"医保卡".to_string()) && w.contains(&"激活".to_string()));
        assert!(!w.contains(&"哈尔".to_string()), "{w:?}");
        let w = s.words("医疗保险怎么把参保地改了呢");
        assert!(w.contains(&"参保地".to_string()), "{w:?}");
        assert!(!w.contains(&"的".to_string()) && !w.contains(&"怎么".to_string()));
    }

    #[test]
    fn punctuation_numbers_and_stop_words_are_left_out() {
        let s = Segmenter::new([], []);
        let w = s.words("(2026/02/03) 的、App");
        assert_eq!(w, vec!["app".to_string()]);
    }
}
