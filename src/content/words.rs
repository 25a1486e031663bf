//! Chinese words: jieba with the domain words of `words.txt`, shared by the search index
//! (which finds words in articles) and render (which lets card titles break only between
//! words). A leaf, like the rest of `content`.

use jieba_rs::Jieba;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

/// jieba with the domain words, built on first use (about 0.2 s: a build that finds its
/// index unchanged never pays it).
pub(crate) static JIEBA: LazyLock<Jieba> = LazyLock::new(|| {
    let mut j = Jieba::new();
    for line in include_str!("words.txt").lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        if let Some(word) = parts.next() {
            let freq = parts.next().and_then(|f| f.parse().ok());
            j.add_word(word, freq, None);
        }
    }
    j
});

/// Where a line may break in `text` so that no word is cut: the byte offset of each
/// word start after the first (jieba's accurate mode, no overlapping pieces, with the
/// domain words), except
/// - between two one-character words (`改|到`, `看|完`, `新|领|的`): jieba cuts a verb
///   from its complement or particle there, which readers take as one word, so such a
///   run stays together;
/// - where the break would begin a line with closing punctuation (`?`, `)`, `、` …) or
///   end one with opening punctuation (`(`, `《` …);
/// - inside runs of Latin letters and digits (`12333`, `App`), which break at spaces.
pub(crate) fn word_breaks(text: &str) -> Vec<usize> {
    let tokens = JIEBA.cut(text, false);
    let single = |w: &str| {
        let mut chars = w.chars();
        chars.next().is_some_and(char::is_alphabetic) && chars.next().is_none()
    };
    tokens
        .windows(2)
        .filter(|pair| !(single(pair[0].word) && single(pair[1].word)))
        .map(|pair| pair[1].byte_start)
        .filter(|&at| may_break(text, at))
        .collect()
}

/// [`word_breaks`] of texts met before: the parts of card titles around the city name
/// recur in every city's articles on a topic, so each is segmented once per build.
#[derive(Default)]
pub(crate) struct BreakMemo {
    known: RwLock<HashMap<Box<str>, Arc<[usize]>>>,
}

impl BreakMemo {
    /// `word_breaks(text)`, segmented only the first time `text` is asked for.
    pub(crate) fn word_breaks(&self, text: &str) -> Arc<[usize]> {
        if let Some(known) = self.known.read().ok().and_then(|k| k.get(text).cloned()) {
            return known;
        }
        let breaks: Arc<[usize]> = word_breaks(text).into();
        if let Ok(mut known) = self.known.write() {
            known.entry(text.into()).or_insert_with(|| breaks.clone());
        }
        breaks
    }
}

/// Whether a line may break at byte `at` of `text` as far as punctuation, spaces and
/// Latin runs go (see [`word_breaks`]); never at either end.
pub(crate) fn may_break(text: &str, at: usize) -> bool {
    let before = text.get(..at).and_then(|t| t.chars().next_back());
    let after = text.get(at..).and_then(|t| t.chars().next());
    let (Some(before), Some(after)) = (before, after) else {
        return false;
    };
    let latin = |c: char| c.is_ascii_alphanumeric();
    !(OPENING.contains(before)
        || CLOSING.contains(after)
        || before.is_whitespace()
        || after.is_whitespace()
        || (latin(before) && latin(after)))
}

/// Punctuation that must not end a line.
const OPENING: &str = "([{（［｛〔【《〈「『“‘";
/// Punctuation that must not begin a line.
const CLOSING: &str = ")]}）］｝〕】》〉」』”’?？!！,，.。、;；:：…·-—~～%％";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_break_between_words_only() {
        fn pieces(text: &str) -> Vec<&str> {
            let mut out = Vec::new();
            let mut from = 0;
            for at in word_breaks(text) {
                out.push(&text[from..at]);
                from = at;
            }
            out.push(&text[from..]);
            out
        }
        assert_eq!(
            pieces("医保缴费记录可以在手机上查吗?"),
            ["医保", "缴费记录", "可以", "在", "手机", "上查吗?"]
        );
        assert_eq!(
            pieces("在怎样把医保参保地改到别的地方?看完就明白了"),
            [
                "在",
                "怎样",
                "把",
                "医保",
                "参保地",
                "改到",
                "别的",
                "地方?",
                "看完就",
                "明白",
                "了"
            ]
        );
        // Punctuation stays with its word; Latin runs and spaces are left to the browser.
        assert_eq!(
            pieces("揭阳补牙、拔牙可以走医保吗?(12333 App)"),
            [
                "揭阳",
                "补牙、",
                "拔牙",
                "可以",
                "走",
                "医保",
                "吗?",
                "(12333 App)"
            ]
        );
    }
}
