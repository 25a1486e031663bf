//! Which topic a heading or paragraph belongs to, read from the topics' own markdown.
//!
//! Every heading and paragraph written in `topics/<slug>.md` belongs to that topic. A line
//! with `{{ value }}` parts becomes a pattern: its literal pieces must appear in order. A
//! rendered section is then checked block by block: text that matches another topic's
//! pattern and none of its own topic's was put in the wrong place (the sample pages'
//! defect: a retirees paragraph under a payment-record sub-heading).

use super::blocks::{self, Block, Kind};
use crate::model::Topic;
use crate::model::ids::{IdVec, TopicId};
use memchr::memmem::Finder;
use std::collections::HashMap;

/// Paragraph patterns with fewer literal characters than this are too vague to claim text.
const MIN_LITERAL_CHARS: usize = 6;

/// A heading or paragraph as written in a topic file.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    pub(crate) kind: Kind,
    /// Literal pieces between `{{ … }}` parts (one piece when there are none), each with
    /// its substring searcher, built once.
    pieces: Vec<(String, Finder<'static>)>,
    starts_with_value: bool,
    ends_with_value: bool,
    literal_chars: usize,
    /// File line where it is written.
    pub(crate) line: u32,
}

impl Pattern {
    fn new(block: &Block, line: u32) -> Pattern {
        let mut pieces = Vec::new();
        let mut rest = block.text.as_str();
        let starts_with_value = rest.starts_with("{{");
        let mut ends_with_value = false;
        while let Some(open) = rest.find("{{") {
            pieces.push(rest[..open].to_string());
            match rest[open..].find("}}") {
                Some(close) => rest = &rest[open + close + 2..],
                None => rest = "",
            }
            ends_with_value = rest.is_empty();
        }
        pieces.push(rest.to_string());
        pieces.retain(|p| !p.is_empty());
        let literal_chars = pieces.iter().map(|p| p.chars().count()).sum();
        Pattern {
            kind: block.kind,
            pieces: pieces
                .into_iter()
                .map(|p| {
                    let finder = Finder::new(p.as_bytes()).into_owned();
                    (p, finder)
                })
                .collect(),
            starts_with_value,
            ends_with_value,
            literal_chars,
            line,
        }
    }

    /// Without any `{{ … }}` part.
    pub(crate) fn is_literal(&self) -> bool {
        !self.starts_with_value && !self.ends_with_value && self.pieces.len() <= 1
    }

    /// The text, when the pattern has no `{{ … }}` part.
    pub(crate) fn literal_text(&self) -> Option<&str> {
        self.is_literal()
            .then(|| self.pieces.first().map(|(p, _)| p.as_str()))
            .flatten()
    }

    /// The literal text a claimed text must start with, when there is one.
    fn anchor(&self) -> Option<&str> {
        (!self.starts_with_value)
            .then(|| self.pieces.first().map(|(p, _)| p.as_str()))
            .flatten()
    }

    /// Does this pattern claim `text`? Patterns made almost only of values claim nothing.
    pub(crate) fn claims(&self, kind: Kind, text: &str) -> bool {
        if kind != self.kind {
            return false;
        }
        if self.is_literal() {
            return self.pieces.first().is_some_and(|(p, _)| p == text);
        }
        if self.literal_chars < MIN_LITERAL_CHARS {
            return false;
        }
        let mut rest = text.as_bytes();
        for (i, (piece, finder)) in self.pieces.iter().enumerate() {
            let at = if i == 0 && !self.starts_with_value {
                if !rest.starts_with(piece.as_bytes()) {
                    return false;
                }
                0
            } else {
                match finder.find(rest) {
                    Some(at) => at,
                    None => return false,
                }
            };
            rest = &rest[at + piece.len()..];
        }
        self.ends_with_value || rest.is_empty()
    }
}

/// Which pattern of which topic (by position) claims a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct PatternId {
    topic: TopicId,
    index: usize,
}

/// Every topic's patterns, indexed so that a text is compared only with the patterns that
/// could claim it: literal lines by their whole text, anchored patterns by their first
/// character; only patterns that start with a value are tried on every text.
#[derive(Debug, Clone)]
pub(crate) struct TopicTexts {
    topics: IdVec<TopicId, TopicText>,
    literal: HashMap<Kind, HashMap<String, Vec<PatternId>>>,
    anchored: HashMap<(Kind, char), Vec<PatternId>>,
    floating: Vec<PatternId>,
}

impl TopicTexts {
    pub(crate) fn of(topics: &IdVec<TopicId, std::sync::Arc<Topic>>) -> TopicTexts {
        let topics = topics.map(|t| TopicText::of(t));
        let mut literal: HashMap<Kind, HashMap<String, Vec<_>>> = HashMap::new();
        let mut anchored: HashMap<_, Vec<_>> = HashMap::new();
        let mut floating = Vec::new();
        for (topic, text) in topics.iter_ids() {
            for (index, p) in text.patterns.iter().enumerate() {
                let id = PatternId { topic, index };
                if let Some(text) = p.literal_text() {
                    let by_text = literal.entry(p.kind).or_default();
                    by_text.entry(text.to_string()).or_default().push(id);
                } else if p.literal_chars < MIN_LITERAL_CHARS {
                    // Claims nothing.
                } else if let Some(first) = p.anchor().and_then(|a| a.chars().next()) {
                    anchored.entry((p.kind, first)).or_default().push(id);
                } else {
                    floating.push(id);
                }
            }
        }
        TopicTexts {
            topics,
            literal,
            anchored,
            floating,
        }
    }

    /// The topics' patterns, by topic position.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (TopicId, &TopicText)> {
        self.topics.iter_ids()
    }

    /// The first pattern (in topic order, then line order) that claims `text`, among the
    /// topics `include` accepts.
    fn first_claim(
        &self,
        kind: Kind,
        text: &str,
        include: impl Fn(TopicId) -> bool,
    ) -> Option<(TopicId, &Pattern)> {
        let literal = self.literal.get(&kind).and_then(|m| m.get(text));
        let anchored = text
            .chars()
            .next()
            .and_then(|c| self.anchored.get(&(kind, c)));
        literal
            .into_iter()
            .flatten()
            .chain(anchored.into_iter().flatten())
            .chain(&self.floating)
            .filter(|id| include(id.topic))
            .filter(|id| self.pattern(**id).claims(kind, text))
            .min()
            .map(|id| (id.topic, self.pattern(*id)))
    }

    fn pattern(&self, id: PatternId) -> &Pattern {
        &self.topics[id.topic].patterns[id.index]
    }

    /// The line of `topic` that claims `text`, if any.
    pub(crate) fn claim(&self, topic: TopicId, kind: Kind, text: &str) -> Option<&Pattern> {
        self.first_claim(kind, text, |t| t == topic).map(|(_, p)| p)
    }

    /// The first other topic (and its line) that claims `text`.
    pub(crate) fn claim_elsewhere(
        &self,
        topic: TopicId,
        kind: Kind,
        text: &str,
    ) -> Option<(TopicId, &Pattern)> {
        self.first_claim(kind, text, |t| t != topic)
    }
}

/// The patterns of one topic.
#[derive(Debug, Clone)]
pub(crate) struct TopicText {
    pub(crate) patterns: Vec<Pattern>,
}

impl TopicText {
    /// Reads a topic's body; block tags (`{% … %}`) are not text and are skipped.
    pub(crate) fn of(topic: &Topic) -> TopicText {
        let patterns = blocks::blocks(&topic.body)
            .into_iter()
            .filter(|b| !b.text.contains("{%"))
            .map(|b| {
                let line = blocks::line_at(&topic.body, b.offset, topic.body_line);
                Pattern::new(&b, line)
            })
            .collect();
        TopicText { patterns }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(text: &str) -> Pattern {
        let b = Block {
            kind: Kind::Paragraph,
            text: text.into(),
            offset: 0,
        };
        Pattern::new(&b, 1)
    }

    #[test]
    fn literal_paragraphs_claim_only_themselves() {
        let p = pattern("退休人员的医保待遇按规定享受。");
        assert!(p.is_literal());
        assert!(p.claims(Kind::Paragraph, "退休人员的医保待遇按规定享受。"));
        assert!(!p.claims(Kind::Paragraph, "退休人员的医保待遇按规定享受。另"));
        assert!(!p.claims(Kind::Heading, "退休人员的医保待遇按规定享受。"));
    }

    #[test]
    fn patterns_with_values_match_their_literal_pieces_in_order() {
        let p = pattern("办理时限为{{ time_limit }},咨询电话 {{ hotline }}。");
        assert!(p.claims(Kind::Paragraph, "办理时限为15个工作日,咨询电话 12345。"));
        assert!(!p.claims(Kind::Paragraph, "时限为15个工作日,咨询电话 12345。"));
        assert!(!p.claims(Kind::Paragraph, "办理时限为15个工作日,咨询电话 12345。多"));
        let q = pattern("{{ city.name }}的退休人员按当地规定享受待遇");
        assert!(q.claims(Kind::Paragraph, "岳阳的退休人员按当地规定享受待遇"));
    }

    #[test]
    fn value_only_patterns_claim_nothing() {
        assert!(!pattern("{{ hall_text }}").claims(Kind::Paragraph, "任何文字都可以"));
        assert!(!pattern("见{{ x }}。").claims(Kind::Paragraph, "见附件。"));
    }
}
