//! Content lint: problems a page can be built with but an editor must fix — empty
//! headings, leftover template syntax, a paragraph said twice, text that belongs to another
//! topic, city facts without a source, titles without their date or too long.
//!
//! Part of `check` and `build`: warnings, or errors with `--strict`. Every message names
//! the file and line to change and, for rendered text, the article.

pub(crate) use crate::content::blocks;
mod chunks;
pub(crate) mod facts;
mod names;
mod near_duplicates;
mod ownership;
mod sections;
mod subject;
pub(crate) mod titles;

use crate::content::SectionText;
use crate::diag::{Diagnostic, Origin};
use crate::merge::Merged;
use crate::model::SiteInput;
use crate::model::ids::TopicId;
use crate::plan::PlannedArticle;
use blocks::{Kind, excerpt};
use ownership::TopicTexts;
pub(crate) use sections::LintCache;
use std::collections::BTreeMap;

/// Literal paragraphs shorter than this may appear in two topics (“详见上文。”).
const MIN_SHARED_CHARS: usize = 12;

/// The lint, set up once per run and shared by the render threads.
pub(crate) struct Linter<'a> {
    input: &'a SiteInput,
    merged: &'a Merged,
    topics: TopicTexts,
}

impl<'a> Linter<'a> {
    pub(crate) fn new(input: &'a SiteInput, merged: &'a Merged) -> Self {
        Linter {
            input,
            merged,
            topics: TopicTexts::of(&input.topics),
        }
    }

    /// Problems in the input files themselves: city facts and text two topics share.
    pub(crate) fn input(&self) -> Vec<Diagnostic> {
        let mut out = facts::check(self.input);
        out.extend(self.shared_paragraphs());
        out.extend(subject::check(self.input));
        out.extend(near_duplicates::check(self.input));
        out.extend(names::check(self.input));
        out
    }

    /// Problems in one rendered article: its title and its sections, reading each
    /// section once per `cache` (lint the articles of one city with one cache, as they
    /// share their sections).
    pub(crate) fn article_with(
        &self,
        a: &PlannedArticle,
        title: &str,
        sections: &[SectionText],
        cache: &mut LintCache,
    ) -> Vec<Diagnostic> {
        let mut out = titles::check(self.input, a, title);
        let lint = sections::SectionLint {
            input: self.input,
            pairs: &self.merged.pairs,
            topics: &self.topics,
        };
        out.extend(lint.check(a, sections, cache));
        out
    }

    /// A paragraph written in two topic files belongs to neither for sure; reported at
    /// the later file.
    fn shared_paragraphs(&self) -> Vec<Diagnostic> {
        let mut first: BTreeMap<&str, (TopicId, u32)> = BTreeMap::new();
        let mut out = Vec::new();
        for (t, text) in self.topics.iter() {
            for p in text.patterns.iter().filter(|p| p.kind == Kind::Paragraph) {
                let Some(literal) = p.literal_text() else {
                    continue;
                };
                if literal.chars().count() < MIN_SHARED_CHARS {
                    continue;
                }
                match first.get(literal) {
                    Some(&(ft, line)) if ft != t => {
                        let other = &self.input.topics[ft];
                        out.push(
                            Diagnostic::warning(
                                Origin::new(&self.input.topics[t].path, p.line, 1),
                                format!(
                                    "paragraph “{}” is also in {}:{line}",
                                    excerpt(literal, 24),
                                    other.path.display()
                                ),
                            )
                            .with_hint("a paragraph belongs to one topic: keep it in one file, or put shared text in site.yaml"),
                        );
                    }
                    Some(_) => {}
                    None => {
                        first.insert(literal, (t, p.line));
                    }
                }
            }
        }
        out
    }
}
