//! The search index in a build: taken from the page memo when its inputs did not change
//! (no segmentation, nothing written), else built and put into the staging folder, where
//! unchanged files are still not rewritten.

use super::BuildError;
use crate::load::Stamps;
use crate::merge::Merged;
use crate::model::SiteInput;
use crate::plan::Plan;
use crate::render::Renderer;
use crate::search;
use crate::write::Staging;
use crate::write::page_memo::{MemoPage, PageMemo};

/// Puts the index into `staging`; gives its memo lines and how many files it has.
pub fn put_index(
    renderer: &Renderer<'_>,
    input: &SiteInput,
    merged: &Merged,
    plan: &Plan,
    stamps: &Stamps,
    memo: &PageMemo,
    staging: &Staging,
) -> Result<(Vec<MemoPage>, usize), BuildError> {
    let key = search::key(plan, stamps, |i| renderer.article_title(i));
    let paths = search::paths(input, plan);
    let known: Vec<Option<&MemoPage>> = paths
        .iter()
        .map(|p| {
            memo.get(&search::file_fingerprint(key, p))
                .filter(|m| m.path == *p)
        })
        .collect();
    let mut kept = vec![false; paths.len()];
    if known.iter().all(Option::is_some) {
        for (k, m) in kept.iter_mut().zip(&known) {
            *k = m.is_some_and(|m| staging.keep(&m.path, m.entry()));
        }
        if kept.iter().all(|k| *k) {
            return Ok((known.into_iter().flatten().cloned().collect(), paths.len()));
        }
    }
    let files = search::build(
        input,
        merged,
        plan,
        |i| renderer.article_title(i),
        |i| renderer.date_suffix(i),
    );
    let mut lines = Vec::with_capacity(files.len());
    // Files come in `paths` order; a file kept above has the bytes it would be given.
    for (((path, bytes), was_kept), known) in files.iter().zip(kept).zip(&known) {
        let entry = match known.filter(|_| was_kept) {
            Some(m) => m.entry(),
            None => staging.put(path, bytes).map_err(BuildError::Write)?,
        };
        lines.push(MemoPage {
            fingerprint: search::file_fingerprint(key, path),
            path: path.clone(),
            hash: entry.hash,
            len: entry.len,
            warnings: Vec::new(),
            record: None,
            bytes: None,
        });
    }
    Ok((lines, files.len()))
}
