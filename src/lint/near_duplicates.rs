//! Near-duplicate paragraphs in topic bodies: the same paragraph written twice with a word
//! changed, within one topic or across topics.
//!
//! Each paragraph is read as its set of character trigrams (shingles). MinHash signatures
//! ([`similarity::signature`]) put paragraphs that share most shingles into a common
//! bucket with high probability, so
//! only paragraphs meeting in a bucket are compared, each with the first paragraph of that
//! bucket: linear in the number of paragraphs, never all pairs. A candidate pair is
//! reported when the Jaccard similarity of the shingle sets is at least [`MIN_SIMILARITY`].
//! Exact copies across topics are reported by the shared-paragraph check instead.

use super::chunks::{self, ChunkKind};
use crate::content::similarity::{self, BINS, ShingleSet, band_hash, jaccard};
use crate::diag::{Diagnostic, Origin};
use crate::model::SiteInput;
use crate::model::ids::TopicId;
use std::collections::{BTreeSet, HashMap};

/// Paragraphs shorter than this (in characters) are not compared.
const MIN_CHARS: usize = 20;
/// Shingle-set similarity from which two paragraphs count as one said twice.
const MIN_SIMILARITY: f64 = 0.6;
/// Characters per shingle.
const WIDTH: usize = 3;
/// Bins per band of the signature: two paragraphs of similarity s meet in some bucket with
/// probability 1 − (1 − s²)⁶⁴ (above 0.9999 at s = 0.5).
const ROWS: usize = 2;

/// One paragraph of a topic body.
struct Paragraph {
    topic: TopicId,
    line: u32,
    text: String,
    shingles: ShingleSet,
}

/// Every paragraph that nearly repeats an earlier one, reported at the later one.
pub(crate) fn check(input: &SiteInput) -> Vec<Diagnostic> {
    let paragraphs: Vec<Paragraph> = input
        .topics
        .iter_ids()
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
                shingles: similarity::shingles(&text, WIDTH),
                text,
            })
        })
        .collect();
    let mut first_in_bucket: HashMap<(usize, u64), usize> = HashMap::new();
    let mut out = Vec::new();
    for (i, p) in paragraphs.iter().enumerate() {
        let signature = similarity::signature(&p.shingles);
        let mut candidates = BTreeSet::new();
        for band in 0..BINS / ROWS {
            let key = (band, band_hash(&signature, band, ROWS));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_word_changed_is_still_alike() {
        let shingles = |t: &str| similarity::shingles(t, WIDTH);
        let a = shingles("下载当地医保局的App,或者关注它的微信公众号,注册并登录后即可查看。");
        let b = shingles("下载当地医保局的App,或者关注它的微信服务号,注册并登录后即可查看。");
        let c = shingles("带上身份证和医保卡,到医保中心窗口请工作人员帮忙查询打印。");
        assert!(jaccard(&a, &b) >= MIN_SIMILARITY, "{}", jaccard(&a, &b));
        assert!(jaccard(&a, &c) < 0.2);
    }
}
