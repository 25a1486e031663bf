//! Near-duplicate paragraphs in topic bodies: the same paragraph written twice with a word
//! changed, within one topic or across topics.
//!
//! Each paragraph is read as its set of character trigrams (shingles). MinHash signatures
//! put paragraphs that share most shingles into a common bucket with high probability, so
//! only paragraphs meeting in a bucket are compared, each with the first paragraph of that
//! bucket: linear in the number of paragraphs, never all pairs. A candidate pair is
//! reported when the Jaccard similarity of the shingle sets is at least [`MIN_SIMILARITY`].
//! Exact copies across topics are reported by the shared-paragraph check instead.

use super::chunks::{self, ChunkKind};
use crate::diag::{Diagnostic, Origin};
use crate::model::SiteInput;
use std::collections::{BTreeSet, HashMap};

/// Paragraphs shorter than this (in characters) are not compared.
const MIN_CHARS: usize = 20;
/// Shingle-set similarity from which two paragraphs count as one said twice.
const MIN_SIMILARITY: f64 = 0.6;
/// Bands × rows of the MinHash signature: two paragraphs of similarity s meet in some
/// bucket with probability 1 − (1 − s²)¹²  (0.9999 at s = 0.75, 0.97 at s = 0.5).
const BANDS: usize = 12;
const ROWS: usize = 2;

/// One paragraph of a topic body.
struct Paragraph {
    topic: usize,
    line: u32,
    text: String,
    shingles: BTreeSet<u64>,
}

/// Every paragraph that nearly repeats an earlier one, reported at the later one.
pub(crate) fn check(input: &SiteInput) -> Vec<Diagnostic> {
    let paragraphs: Vec<Paragraph> = input
        .topics
        .iter()
        .enumerate()
        .flat_map(|(t, topic)| {
            chunks::body_chunks(&topic.body, topic.body_line)
                .into_iter()
                .filter(|c| c.kind == ChunkKind::Text)
                .map(move |c| (t, c))
        })
        .filter_map(|(topic, c)| {
            let text: String = c.text.split_whitespace().collect::<Vec<_>>().join(" ");
            (text.chars().count() >= MIN_CHARS).then(|| Paragraph {
                topic,
                line: c.line,
                shingles: shingles(&text),
                text,
            })
        })
        .collect();
    let mut first_in_bucket: HashMap<(usize, u64), usize> = HashMap::new();
    let mut out = Vec::new();
    for (i, p) in paragraphs.iter().enumerate() {
        let signature = minhash(&p.shingles);
        let mut candidates = BTreeSet::new();
        for (band, rows) in signature.chunks(ROWS).enumerate() {
            let key = (band, xxhash_rust::xxh3::xxh3_64(&bytes_of(rows)));
            let first = *first_in_bucket.entry(key).or_insert(i);
            if first != i {
                candidates.insert(first);
            }
        }
        let best = candidates
            .into_iter()
            .map(|j| (j, jaccard(&paragraphs[j].shingles, &p.shingles)))
            .filter(|&(j, s)| {
                let q = &paragraphs[j];
                let exact_across = q.text == p.text && q.topic != p.topic;
                s >= MIN_SIMILARITY && !exact_across
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        if let Some((j, similarity)) = best {
            out.push(report(input, p, &paragraphs[j], similarity));
        }
    }
    out
}

fn report(input: &SiteInput, p: &Paragraph, first: &Paragraph, similarity: f64) -> Diagnostic {
    let here = &input.topics[p.topic];
    let there = &input.topics[first.topic];
    let same = if p.text == first.text {
        "the same as".to_string()
    } else {
        format!("{:.0}% the same as", similarity * 100.0)
    };
    Diagnostic::warning(
        Origin::new(&here.path, p.line, 1),
        format!(
            "paragraph “{}” is {same} {}:{}",
            super::blocks::excerpt(&p.text, 20),
            there.path.display(),
            first.line
        ),
    )
    .with_hint(if p.topic == first.topic {
        "say it once in the topic, or make each paragraph say its own thing"
    } else {
        "a paragraph belongs to one topic: write this topic's own text, or keep the paragraph in one file"
    })
}

/// Hashed character trigrams of `text`.
fn shingles(text: &str) -> BTreeSet<u64> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .windows(3)
        .map(|w| {
            let s: String = w.iter().collect();
            xxhash_rust::xxh3::xxh3_64(s.as_bytes())
        })
        .collect()
}

/// The MinHash signature: for each of `BANDS × ROWS` seeded hashes, the least over the set.
fn minhash(shingles: &BTreeSet<u64>) -> Vec<u64> {
    (0..(BANDS * ROWS) as u64)
        .map(|seed| {
            shingles
                .iter()
                .map(|s| xxhash_rust::xxh3::xxh3_64_with_seed(&s.to_le_bytes(), seed))
                .min()
                .unwrap_or(0)
        })
        .collect()
}

fn bytes_of(rows: &[u64]) -> Vec<u8> {
    rows.iter().flat_map(|r| r.to_le_bytes()).collect()
}

fn jaccard(a: &BTreeSet<u64>, b: &BTreeSet<u64>) -> f64 {
    let both = a.intersection(b).count();
    let either = a.len() + b.len() - both;
    if either == 0 {
        0.0
    } else {
        both as f64 / either as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_word_changed_is_still_alike() {
        let a = shingles("下载当地医保局的App,或者关注它的微信公众号,注册并登录后即可查看。");
        let b = shingles("下载当地医保局的App,或者关注它的微信服务号,注册并登录后即可查看。");
        let c = shingles("带上身份证和医保卡,到医保中心窗口请工作人员帮忙查询打印。");
        assert!(jaccard(&a, &b) >= MIN_SIMILARITY, "{}", jaccard(&a, &b));
        assert!(jaccard(&a, &c) < 0.2);
    }
}
