//! Work shared by the articles of one city: each (city, topic) pair's Tera context, built
//! once, and its section body (template + markdown), rendered once. An article shows its own
//! topic and the extra topics of the same city, so each body appears in about three
//! articles; rendering a city's articles together keeps the saving without holding the
//! whole site's sections in memory.

use crate::content::Defect;
use crate::content::blocks::Block;
use crate::model::ids::PairId;
use std::collections::HashMap;
use std::sync::Arc;

/// A section body: the HTML made from its markdown as rendered from the topic, and the
/// structural defects found on the way.
#[derive(Clone, Default)]
pub(crate) struct Body {
    pub(crate) html: String,
    pub(crate) defects: Vec<Defect>,
    /// Its headings and paragraphs, read in the same parse, for the content lint.
    pub(crate) blocks: Arc<[Block]>,
}

/// One pair's shared parts.
pub(crate) struct PairParts {
    pub(crate) ctx: tera::Context,
    /// Filled on first use; a failed render is not kept, so every article that shows the
    /// section reports the error under its own name, as without the cache.
    pub(crate) body: Option<Body>,
}

/// The parts of the pairs used so far by a group of pages.
#[derive(Default)]
pub(crate) struct PairCache {
    pairs: HashMap<PairId, PairParts>,
}

impl PairCache {
    /// The parts of `pair`, building its context with `ctx` the first time.
    pub(crate) fn get(
        &mut self,
        pair: PairId,
        ctx: impl FnOnce() -> tera::Context,
    ) -> &mut PairParts {
        self.pairs.entry(pair).or_insert_with(|| PairParts {
            ctx: ctx(),
            body: None,
        })
    }
}
