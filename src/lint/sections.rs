//! Checks of an article's rendered sections: empty headings and list items, leftover
//! template syntax, a paragraph said twice, and text that belongs to another topic.

use super::blocks::{Kind, excerpt, normalise};
use super::ownership::TopicTexts;
use crate::content::{Defect, SectionText};
use crate::diag::{Diagnostic, Origin};
use crate::merge::MergedPair;
use crate::model::ids::{IdVec, PairId, TopicId};
use crate::model::{SiteInput, Value, leaves};
use crate::plan::PlannedArticle;
use std::collections::BTreeMap;

/// Paragraphs shorter than this may repeat (“无。”, “详见上文。”).
const MIN_REPEAT_CHARS: usize = 8;

/// What the section checks need about the whole site.
pub(crate) struct SectionLint<'a> {
    pub(crate) input: &'a SiteInput,
    pub(crate) pairs: &'a IdVec<PairId, MergedPair>,
    pub(crate) topics: &'a TopicTexts,
}

/// A problem of one section, the same in every article that shows the section; the
/// article is named when it is reported.
struct Finding {
    origin: Origin,
    message: String,
    hint: String,
}

impl Finding {
    fn report(&self, a: &PlannedArticle) -> Diagnostic {
        Diagnostic::warning(
            self.origin.clone(),
            format!("{} (article {})", self.message, a.id),
        )
        .with_hint(self.hint.clone())
        .in_article(&a.id)
    }
}

/// A block of a section that matters to the per-article checks.
struct SectionBlock {
    text: String,
    /// A paragraph long enough that saying it twice in one article is reported.
    repeatable: bool,
    foreign: Option<Finding>,
}

/// What the lint found in one (city, topic) section, worked out once however many
/// articles show it.
pub(crate) struct SectionFindings {
    defects: Vec<Finding>,
    blocks: Vec<SectionBlock>,
}

/// Each section's findings by pair, shared by the articles linted with it (the articles
/// of one city show the same sections).
#[derive(Default)]
pub(crate) struct LintCache {
    pairs: BTreeMap<PairId, SectionFindings>,
}

impl SectionLint<'_> {
    /// Every problem in the sections of article `a`; each section is read once per
    /// `cache`, only the repeated-paragraph check runs per article.
    pub(crate) fn check(
        &self,
        a: &PlannedArticle,
        sections: &[SectionText],
        cache: &mut LintCache,
    ) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let mut seen: BTreeMap<&str, TopicId> = BTreeMap::new();
        for s in sections {
            cache
                .pairs
                .entry(s.pair)
                .or_insert_with(|| self.findings(s));
        }
        for s in sections {
            let found = &cache.pairs[&s.pair];
            out.extend(found.defects.iter().map(|f| f.report(a)));
            for b in &found.blocks {
                if let Some(f) = &b.foreign {
                    out.push(f.report(a));
                }
                if !b.repeatable {
                    continue;
                }
                match seen.get(b.text.as_str()) {
                    Some(&first) => out.push(self.repeated(a, s, first, &b.text)),
                    None => {
                        seen.insert(&b.text, s.topic);
                    }
                }
            }
        }
        out
    }

    /// The problems of section `s` that do not depend on the article showing it.
    fn findings(&self, s: &SectionText) -> SectionFindings {
        let defects = s.defects.iter().filter_map(|d| self.defect(s, d)).collect();
        let blocks = s
            .blocks
            .iter()
            .filter_map(|b| {
                let foreign = self.foreign(s, b.kind, &b.text);
                let repeatable =
                    b.kind == Kind::Paragraph && b.text.chars().count() >= MIN_REPEAT_CHARS;
                (foreign.is_some() || repeatable).then(|| SectionBlock {
                    text: b.text.clone(),
                    repeatable,
                    foreign,
                })
            })
            .collect();
        SectionFindings { defects, blocks }
    }

    fn topic_path(&self, s: &SectionText) -> &std::path::Path {
        &self.input.topics[s.topic].path
    }

    /// Where `text` in section `s` comes from: the topic line that claims it, else the
    /// value holding it, else the start of the topic's body.
    fn locate(&self, s: &SectionText, kind: Kind, text: &str) -> Origin {
        let topic = &self.input.topics[s.topic];
        if let Some(p) = self.topics.claim(s.topic, kind, text) {
            return Origin::new(&topic.path, p.line, 1);
        }
        match value_holding(&self.pairs[s.pair], text) {
            Some((_, origin)) => origin.clone(),
            None => Origin::new(&topic.path, topic.body_line, 1),
        }
    }

    /// The finding for a structural defect; none when an input check already reports it
    /// at its value (an empty entry of a city's list).
    fn defect(&self, s: &SectionText, d: &Defect) -> Option<Finding> {
        let (origin, message, hint) = match d {
            Defect::EmptyHeading(h) => (
                self.locate(s, Kind::Heading, &normalise(h)),
                format!("heading `{h}` has no text before the next heading"),
                "every sub-heading needs its own text; check the values this section uses",
            ),
            Defect::EmptyListItem => (
                self.empty_item_origin(s)?,
                "empty list item".to_string(),
                "a list value has an empty entry, or the list template prints nothing",
            ),
            // The value holding the leftover syntax is what the editor must change, even
            // when a topic line prints it.
            Defect::TemplateSyntax(t) => (
                value_with_syntax(&self.pairs[s.pair])
                    .unwrap_or_else(|| self.locate(s, Kind::Paragraph, &normalise(t))),
                format!("template syntax left in the output: `{}`", t.trim()),
                "values are printed as they are: write the text itself, not `{{ … }}`",
            ),
            Defect::UnsafeUrl(url) => (
                self.locate(s, Kind::Paragraph, &normalise(url)),
                format!(
                    "link or image to `{}` left out: only http(s), mailto, tel and relative addresses are published",
                    url.escape_debug()
                ),
                "link to an https:// address; script URLs are never published",
            ),
        };
        Some(Finding {
            origin,
            message,
            hint: hint.to_string(),
        })
    }

    /// Where an empty list item comes from: none for a value with an empty entry (the
    /// input check reports it there, once), else the topic's list template.
    fn empty_item_origin(&self, s: &SectionText) -> Option<Origin> {
        let pair = &self.pairs[s.pair];
        let empty_entry = pair.values.values().find(|v| {
            matches!(&v.value, Value::Array(items)
                if items.iter().any(|i| i.is_null() || i.as_str().is_some_and(|t| t.trim().is_empty())))
        });
        match empty_entry {
            Some(v) if v.origin.file.starts_with("cities") => None,
            Some(v) => Some(v.origin.clone()),
            None => {
                let topic = &self.input.topics[s.topic];
                let line = topic
                    .body
                    .lines()
                    .position(|l| l.trim_start().starts_with("- {{"))
                    .map_or(topic.body_line, |i| topic.body_line + i as u32);
                Some(Origin::new(&topic.path, line, 1))
            }
        }
    }

    /// Text in `s` that another topic's file claims and `s`'s own topic does not.
    fn foreign(&self, s: &SectionText, kind: Kind, text: &str) -> Option<Finding> {
        if self.topics.claim(s.topic, kind, text).is_some() {
            return None;
        }
        let (owner, pattern) = self.topics.claim_elsewhere(s.topic, kind, text)?;
        let owner = &self.input.topics[owner];
        let here = &self.input.topics[s.topic];
        let what = match kind {
            Kind::Heading => format!("sub-heading `{text}`"),
            Kind::Paragraph => format!("paragraph “{}”", excerpt(text, 24)),
        };
        let source = match value_holding(&self.pairs[s.pair], text) {
            Some((key, _)) => {
                format!("it comes from the value `{key}`: give this topic its own text there")
            }
            None => format!(
                "move it to {} or write this topic's own text",
                owner.path.display()
            ),
        };
        Some(Finding {
            origin: self.locate(s, kind, text),
            message: format!(
                "{what} in the section on {} belongs to topic `{}` ({}:{})",
                here.name,
                owner.slug,
                owner.path.display(),
                pattern.line,
            ),
            hint: format!("a section holds only its own topic's text; {source}"),
        })
    }

    fn repeated(
        &self,
        a: &PlannedArticle,
        s: &SectionText,
        first: TopicId,
        text: &str,
    ) -> Diagnostic {
        let where_first = if first == s.topic {
            "earlier in the same section".to_string()
        } else {
            format!(
                "already in the section on {}",
                self.input.topics[first].name
            )
        };
        // The second telling usually comes from a value; point there when it does.
        let origin = match value_holding(&self.pairs[s.pair], text) {
            Some((_, origin)) => origin.clone(),
            None => self.locate(s, Kind::Paragraph, text),
        };
        Diagnostic::warning(
            origin,
            format!(
                "paragraph “{}” is repeated: {where_first} (article {})",
                excerpt(text, 24),
                a.id
            ),
        )
        .with_hint(format!(
            "say it once; {} and the topics it shares an article with should not hold the same paragraph",
            self.topic_path(s).display()
        ))
        .in_article(&a.id)
    }
}

/// The first value (by name) with template syntax (`{{`, `{%`) in its text.
fn value_with_syntax(pair: &MergedPair) -> Option<Origin> {
    pair.values
        .values()
        .find(|v| leaves(&v.value, false).any(|s| s.contains("{{") || s.contains("{%")))
        .map(|v| v.origin.clone())
}

/// The first value (by name) whose text holds `text` or is held in it.
fn value_holding<'p>(pair: &'p MergedPair, text: &str) -> Option<(&'p str, &'p Origin)> {
    pair.values
        .iter()
        .find(|(_, v)| leaves(&v.value, false).any(|s| holds(&normalise(&s), text)))
        .map(|(k, v)| (k, &v.origin))
}

fn holds(value: &str, text: &str) -> bool {
    !value.is_empty()
        && (value.contains(text) || (value.chars().count() >= 6 && text.contains(value)))
}
