//! Incremental rebuilds (for `serve`): the same stages as [`super::build`], re-run after a
//! change with everything kept that the change cannot affect.
//!
//! A [`Session`] keeps the input file by file ([`Parts`]), the titles and the rendered pages
//! of the last good build. A rebuild re-reads only the changed files, merges and plans the
//! whole site again (both are cheap and pure), renders titles only for articles whose inputs
//! changed, and renders only the pages whose fingerprint changed. Nothing is written to
//! disk: the result is the site's files in memory, byte-identical to what `build` writes.

use super::memo::Kept;
use super::pages::Sink;
use super::run::{Mode, run};
use super::{BuildOptions, apply_overrides, problems_of};
use crate::diag::{Diagnostic, Diagnostics};
use crate::load::{ChangeKind, Parts};
use crate::write::page_memo::MemoPage;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

/// A built site in memory: each file's path below the output folder and its bytes.
pub type SiteFiles = HashMap<String, Arc<[u8]>>;

/// The input and the last good build's results, for rebuilding after changes.
pub struct Session {
    opts: BuildOptions,
    parts: Parts,
    /// What the last good build made: pages and feeds (with their bytes), merge, titles,
    /// sitemap.
    kept: Kept,
}

/// What a successful rebuild produced.
pub struct Rebuilt {
    pub files: SiteFiles,
    /// Published articles.
    pub articles: usize,
    /// Pages rendered by this rebuild.
    pub rendered: usize,
    /// Pages taken unchanged from the previous build.
    pub reused: usize,
    /// Every warning of the site as it is now (kept pages' included).
    pub warnings: Vec<Diagnostic>,
}

impl Session {
    /// Reads every input file; nothing is built yet.
    pub(crate) fn new(opts: BuildOptions) -> Session {
        Session {
            parts: Parts::read(&opts.root),
            opts,
            kept: Kept::across_runs(),
        }
    }

    /// Re-reads the files named by `changes`.
    pub(crate) fn apply(&mut self, changes: &[ChangeKind]) {
        for change in changes {
            self.parts.reload(change);
        }
    }

    /// Runs the stages on the current input, into memory. On failure the kept pages stay
    /// as they were, so the next rebuild still reuses the last good build.
    pub(crate) fn rebuild(&mut self) -> Result<Rebuilt, Diagnostics> {
        let (input, now) = apply_overrides(self.parts.input()?, &self.opts)?;
        let (lines, done) = run(
            &input,
            now,
            &self.opts,
            &mut self.kept,
            Mode::Render(Sink::Memory),
            |ran| {
                let Some(site) = ran.site else {
                    unreachable!("serve renders its pages");
                };
                let mut files: SiteFiles = (site.rendered.memo.iter())
                    .filter_map(|p| Some((p.path.clone(), p.bytes.clone()?)))
                    .collect();
                files.extend(site.files);
                files.extend(
                    (site.memo_files.iter())
                        .filter_map(|p| Some((p.path.clone(), p.bytes.clone()?))),
                );
                // Kept lines are moved out of the last memo below, fresh ones taken as they are.
                let lines: Vec<Result<MemoPage, u64>> = (site.rendered.memo.into_iter())
                    .map(|line| match line {
                        Cow::Owned(fresh) => Ok(fresh),
                        Cow::Borrowed(kept) => Err(kept.fingerprint),
                    })
                    .chain(site.memo_files.into_iter().map(Ok))
                    .collect();
                let mut warnings = site.rendered.warnings;
                // Time passing is never a content error, not even with --strict (as in `build`).
                warnings.extend(crate::lint::facts::aged(ran.input, ran.plan.now.date()));
                let rendered = site.rendered.rendered;
                let done = Rebuilt {
                    files,
                    articles: ran.plan.articles.iter().filter(|a| a.published).count(),
                    rendered,
                    reused: site.rendered.pages - rendered,
                    warnings,
                };
                Ok((lines, done))
            },
        )
        .map_err(|s| problems_of(s.into()))?;
        let mut old = std::mem::take(&mut self.kept.pages);
        self.kept.pages = (lines.into_iter())
            .filter_map(|line| line.or_else(|f| old.remove(&f).ok_or(())).ok())
            .map(|line| (line.fingerprint, line))
            .collect();
        // Freeing the last build's pages and this build's input takes tens of milliseconds
        // at 10,000 articles; the result does not wait for it.
        std::thread::spawn(move || drop((old, input)));
        Ok(done)
    }
}

#[cfg(test)]
mod tests;
