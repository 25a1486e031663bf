//! The defect rule: a paragraph, list or value that its section's own topic cannot account
//! for (the sample pages' retirement paragraph under the payment-record sub-heading
//! 社保大厅或便民服务点).
//!
//! A topic file says what its sections are about: its name, titles, headings, lead and
//! teasers, its defaults and its body. Text that belongs in a section shares its words with
//! the rest of its topic; text pasted in from another subject brings words the topic uses
//! nowhere else. So each piece of text is measured by the characters that distinguish it —
//! its Chinese characters, less those every topic of the site uses (医, 保, 的 …) — and the
//! share of them that appear *elsewhere* in its topic's file:
//!
//! - a paragraph or list of a topic body, against the rest of that topic file;
//! - a city value and a city × topic value, against each topic that uses it (the topic's
//!   default it replaces included); a city-wide value is accounted for by the best of them.
//!
//! Under a third ([`MIN_SHARE`]) is reported, for text with at least [`MIN_DISTINCT`]
//! distinguishing characters (short values, numbers and names are not judged), in topics
//! with enough text to judge by ([`MIN_TOPIC_CHARS`]). A value written word for word in another
//! topic's body is left to the ownership check, which names that topic. Nothing is
//! listed anywhere: the topic files themselves are the declaration, so the rule needs no
//! upkeep when topics are added.

use super::chunks::{self, ChunkKind};
use crate::diag::{Diagnostic, Origin};
use crate::model::ids::{IdVec, TopicId};
use crate::model::{City, SiteInput, Topic, ValueMap};
use std::collections::{BTreeSet, HashMap, HashSet};

/// The share of distinguishing characters that must appear elsewhere in the topic.
const MIN_SHARE: f64 = 1.0 / 3.0;
/// Text with fewer distinguishing characters than this is not judged.
const MIN_DISTINCT: usize = 8;
/// A topic file using fewer distinguishing characters than this says too little about its
/// subject to judge what stands in its sections (the real topics use 220–260).
const MIN_TOPIC_CHARS: usize = 100;

/// The characters of one topic file, each with the number of its chunks that hold it.
struct TopicChars {
    counts: HashMap<char, u32>,
}

/// How much of a text its topic accounts for.
struct Share {
    known: usize,
    distinct: usize,
    /// A few characters the topic does not use, for the message.
    unknown: String,
}

impl Share {
    fn is_low(&self) -> bool {
        self.distinct >= MIN_DISTINCT && (self.known as f64) < MIN_SHARE * self.distinct as f64
    }
}

/// Everything the rule reports.
pub(crate) fn check(input: &SiteInput) -> Vec<Diagnostic> {
    let generic = generic_chars(&input.topics);
    let chars: IdVec<TopicId, TopicChars> = input
        .topics
        .iter()
        .map(|t| TopicChars::of(t, &generic))
        .collect();
    let rule = Rule {
        input,
        generic,
        chars,
        uses: input.topics.iter().map(|t| Uses::of(t)).collect(),
    };
    let mut out = Vec::new();
    for (t, topic) in input.topics.iter_ids() {
        out.extend(rule.topic_body(t, topic));
    }
    for city in &input.cities {
        out.extend(rule.city(city));
    }
    out
}

/// Characters every topic of the site uses (only with three topics or more: with fewer,
/// sharing says nothing about the site's common words).
fn generic_chars(topics: &IdVec<TopicId, std::sync::Arc<Topic>>) -> BTreeSet<char> {
    if topics.len() < 3 {
        return BTreeSet::new();
    }
    let mut sets = topics.iter().map(|t| {
        chunks::of_topic(t)
            .iter()
            .flat_map(|c| cjk(&c.text))
            .collect::<BTreeSet<char>>()
    });
    let first = sets.next().unwrap_or_default();
    sets.fold(first, |acc, s| acc.intersection(&s).copied().collect())
}

/// The distinct Chinese characters of `text`.
fn cjk(text: &str) -> BTreeSet<char> {
    text.chars()
        .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
        .collect()
}

impl TopicChars {
    fn can_judge(&self) -> bool {
        self.counts.len() >= MIN_TOPIC_CHARS
    }

    fn of(topic: &Topic, generic: &BTreeSet<char>) -> TopicChars {
        let mut counts = HashMap::new();
        for chunk in chunks::of_topic(topic) {
            for c in cjk(&chunk.text).difference(generic) {
                *counts.entry(*c).or_insert(0) += 1;
            }
        }
        TopicChars { counts }
    }

    /// The share of `text` found in this topic; `own` when `text` is one of its chunks
    /// (then its own occurrence does not count).
    fn share(&self, text: &str, generic: &BTreeSet<char>, own: bool) -> Share {
        let distinct: Vec<char> = cjk(text).difference(generic).copied().collect();
        let floor = u32::from(own);
        let (known, unknown): (Vec<char>, Vec<char>) = distinct
            .iter()
            .partition(|c| self.counts.get(c).copied().unwrap_or(0) > floor);
        Share {
            known: known.len(),
            distinct: distinct.len(),
            unknown: unknown.iter().take(6).collect(),
        }
    }
}

struct Rule<'a> {
    input: &'a SiteInput,
    generic: BTreeSet<char>,
    chars: IdVec<TopicId, TopicChars>,
    uses: IdVec<TopicId, Uses<'a>>,
}

impl Rule<'_> {
    fn topic_body(&self, t: TopicId, topic: &Topic) -> Vec<Diagnostic> {
        if !self.chars[t].can_judge() {
            return Vec::new();
        }
        chunks::body_chunks(&topic.body, topic.body_line)
            .into_iter()
            .filter(|c| c.kind == ChunkKind::Text)
            .filter_map(|c| {
                let share = self.chars[t].share(&c.text, &self.generic, true);
                share.is_low().then(|| {
                    Diagnostic::warning(
                        Origin::new(&topic.path, c.line, 1),
                        format!(
                            "“{}” is not about {}: {}",
                            super::blocks::excerpt(c.text.trim(), 20),
                            topic.name,
                            self.measured(&share, topic)
                        ),
                    )
                    .with_hint(
                        "a section holds its own topic's text; if this belongs to another subject, move it to that topic (or drop it); if it belongs here, say so in the topic's own words (lead, headings)",
                    )
                })
            })
            .collect()
    }

    /// Is `text` written in the body of a topic that does not show it?
    fn accounted_elsewhere(&self, text: &str, users: &[TopicId]) -> bool {
        let text = text.trim();
        (self.input.topics.iter_ids())
            .any(|(t, topic)| !users.contains(&t) && topic.body.contains(text))
    }

    fn measured(&self, share: &Share, topic: &Topic) -> String {
        format!(
            "only {} of its {} distinguishing characters appear elsewhere in {} (not: {}…)",
            share.known,
            share.distinct,
            topic.path.display(),
            share.unknown
        )
    }

    fn city(&self, city: &City) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let all: Vec<TopicId> = self.input.topics.ids().collect();
        out.extend(self.values(city, &city.values, &all));
        for (slug, ct) in &city.topics {
            if let Some(t) = self.input.topics.position(|t| &t.slug == slug) {
                out.extend(self.values(city, &ct.values, &[t]));
            }
        }
        out
    }

    /// Values of `city` shown in the sections of `topics` (those that use each name).
    fn values(&self, city: &City, values: &ValueMap, topics: &[TopicId]) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for (name, v) in values {
            let text = chunks::value_text(&v.value);
            let users: Vec<TopicId> = topics
                .iter()
                .copied()
                .filter(|&t| self.uses[t].name(name) && self.chars[t].can_judge())
                .collect();
            let best = users
                .iter()
                .map(|&t| (t, self.chars[t].share(&text, &self.generic, false)))
                .max_by_key(|(_, s)| (s.known * 1000) / s.distinct.max(1));
            let Some((t, share)) = best else { continue };
            // Text another topic accounts for is reported where it is shown, as belonging
            // to that topic (the ownership check); one mistake, one report.
            if !share.is_low() || self.accounted_elsewhere(&text, &users) {
                continue;
            }
            let topic = &self.input.topics[t];
            let replaces = match topic.defaults.get(name) {
                Some(d) => format!(
                    "it replaces the default at {}:{} (“{}”)",
                    topic.path.display(),
                    d.origin.line,
                    super::blocks::excerpt(&chunks::value_text(&d.value), 16)
                ),
                None => format!("{} has no default for it", topic.path.display()),
            };
            out.push(
                Diagnostic::warning(
                    v.origin.clone(),
                    format!(
                        "{} value `{name}` is not about {}: {}",
                        city.name,
                        topic.name,
                        self.measured(&share, topic)
                    ),
                )
                .with_hint(format!(
                    "{replaces}; a value fills one slot of its topic's text: write what this topic says there for {}, and put text about another subject in that topic",
                    city.name
                )),
            );
        }
        out
    }
}

/// The value names a topic shows: its defaults and the variables of its texts (body,
/// title, heading and teaser variants, lead), read once per run.
pub(crate) struct Uses<'a> {
    topic: &'a Topic,
    names: HashSet<&'a str>,
}

impl<'a> Uses<'a> {
    pub(crate) fn of(topic: &'a Topic) -> Uses<'a> {
        let names = texts(topic).flat_map(chunks::identifiers).collect();
        Uses { topic, names }
    }

    /// Does the topic show the value `name`?
    pub(crate) fn name(&self, name: &str) -> bool {
        self.topic.defaults.contains_key(name)
            || if chunks::is_identifier(name) {
                self.names.contains(name)
            } else {
                texts(self.topic).any(|t| chunks::uses_name(t, name))
            }
    }
}

/// The texts of a topic that can print a value.
fn texts(topic: &Topic) -> impl Iterator<Item = &str> {
    std::iter::once(topic.body.as_str()).chain(
        topic
            .titles
            .iter()
            .chain(&topic.headings)
            .chain(&topic.teasers)
            .chain(std::iter::once(&topic.lead))
            .map(|s| s.value.as_str()),
    )
}
