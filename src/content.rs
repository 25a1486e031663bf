//! Content types shared by render and lint: a rendered section's text, the structural
//! defects found while converting its markdown, and its blocks (headings and paragraphs).
//! A leaf: render produces these, lint reads them, and neither imports the other.

pub(crate) mod blocks;
pub(crate) mod similarity;
pub(crate) mod words;

use crate::model::ids::{PairId, TopicId};
use blocks::Block;
use std::sync::Arc;

/// A structural problem found in a rendered section (the sample pages' defects).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Defect {
    /// A heading with nothing after it before the next heading or the end of the section.
    EmptyHeading(String),
    /// A list item with no text.
    EmptyListItem,
    /// Template syntax left in the output.
    TemplateSyntax(String),
    /// A link or image whose URL could run script (`javascript:` …); it was left out.
    UnsafeUrl(String),
}

/// One section of an article as converted from markdown: what the content lint reads.
pub(crate) struct SectionText {
    pub(crate) topic: TopicId,
    /// The (city, topic) pair whose values filled it (index into `Merged::pairs`).
    pub(crate) pair: PairId,
    /// Structural problems found while converting it to HTML.
    pub(crate) defects: Vec<Defect>,
    /// Its headings and top-level paragraphs, read while converting it.
    pub(crate) blocks: Arc<[Block]>,
}
