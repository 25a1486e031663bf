//! The search index of a run: taken from the page memo when its inputs did not change and
//! the sink still holds it (no segmentation, nothing written), else built and put into
//! the sink (where a build still does not rewrite unchanged files). Built, it takes the
//! words of texts segmented before from the word memo (which `serve` keeps across
//! rebuilds), and leaves there this index's.

use super::pages::{Memo, Sink};
use crate::merge::Merged;
use crate::model::SiteInput;
use crate::plan::Plan;
use crate::render::{OutputFile, Renderer};
use crate::search;
use crate::search::memo::{MemoUse, WordMemo};
use crate::write::WriteError;
use crate::write::page_memo::MemoPage;

/// Puts the index into `sink`; gives its files' memo lines, and, when it was built, what
/// it took from `words` and what it segmented.
pub(crate) fn put_index(
    renderer: &Renderer<'_>,
    input: &SiteInput,
    merged: &Merged,
    plan: &Plan,
    memo: &Memo<'_, '_>,
    words: &mut WordMemo,
    sink: &Sink<'_>,
) -> Result<(Vec<MemoPage>, Option<MemoUse>), WriteError> {
    let key = search::key(plan, memo.fingerprints.stamps, |i| {
        renderer.article_title(i)
    });
    let paths = search::paths(input, plan);
    let known: Vec<Option<&MemoPage>> = paths
        .iter()
        .map(|p| {
            let line = memo.pages.get(&search::file_fingerprint(key, p));
            line.filter(|m| m.path == *p && sink.holds(m))
        })
        .collect();
    if known.iter().all(Option::is_some) {
        return Ok((known.into_iter().flatten().cloned().collect(), None));
    }
    let built = search::build(
        input,
        merged,
        plan,
        |i| renderer.article_title(i),
        |i| renderer.date_suffix(i),
        words,
    );
    let files = built.files;
    let old = std::mem::replace(words, built.memo);
    // Freeing the old memo takes a while on a large site; nothing waits for it.
    std::thread::spawn(move || drop(old));
    let mut lines = Vec::with_capacity(files.len());
    // Files come in `paths` order; a file the sink still holds has the bytes it would get.
    for ((path, bytes), known) in files.into_iter().zip(known) {
        let line = match known {
            Some(m) => Some(m.clone()),
            None => sink.put(OutputFile { path, bytes })?,
        };
        lines.extend(line.map(|line| MemoPage {
            fingerprint: search::file_fingerprint(key, &line.path),
            ..line
        }));
    }
    Ok((lines, Some(built.used)))
}
