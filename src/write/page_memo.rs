//! `.sitegen-pages`: what the last builds rendered, under each page's fingerprint, so a
//! build renders only the pages whose inputs changed. The feeds and the search index's
//! files have lines too, under keys of what they are made from (`pipeline/kept_files.rs`,
//! `search::file_fingerprint`).
//!
//! A fingerprint is a hash of everything a page is made from (`pipeline/fingerprint.rs`), so
//! a memo line is a fact that stays true: "these inputs give this file, with these
//! warnings and this `modified.lock` record". A page is taken from the memo only when the
//! live output folder still lists its file with the remembered hash (see
//! [`super::Staging::keep`]); otherwise it is rendered. The memo is written into the new
//! site before the swap ([`super::Staging::commit`]), so it always describes the site it
//! sits in. The first line names the binary's
//! code: a sitegen built from other code ignores the memo, since it may render the same
//! inputs differently.

use super::manifest::Entry;
use crate::diag::Diagnostic;
use crate::model::ModifiedEntry;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::sync::Arc;

/// The memo's file name inside an output folder.
pub(crate) const FILE: &str = ".sitegen-pages";

/// The first line: the format and the code that wrote it.
fn header() -> String {
    format!("sitegen-pages 1 {}", env!("SITEGEN_CODE_ID"))
}

/// What one page's inputs gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct MemoPage {
    #[serde(rename = "f", with = "hex64")]
    pub(crate) fingerprint: u64,
    #[serde(rename = "p")]
    pub(crate) path: String,
    #[serde(rename = "h", with = "hex128")]
    pub(crate) hash: u128,
    #[serde(rename = "l")]
    pub(crate) len: u64,
    /// Render and content-lint warnings.
    #[serde(rename = "w", default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) warnings: Vec<Diagnostic>,
    /// An article's `modified.lock` record.
    #[serde(rename = "r", default, skip_serializing_if = "Option::is_none")]
    pub(crate) record: Option<ModifiedEntry>,
    /// The page's bytes, in a memo kept in memory (`serve`); never written.
    #[serde(skip)]
    pub(crate) bytes: Option<Arc<[u8]>>,
}

impl MemoPage {
    /// The manifest entry of the page's file.
    pub(crate) fn entry(&self) -> Entry {
        Entry {
            hash: self.hash,
            len: self.len,
        }
    }
}

/// Fingerprint → what it gave.
pub(crate) type PageMemo = HashMap<u64, MemoPage>;

/// Reads the memo kept in `dir`; empty when it is missing, unreadable, damaged or written
/// by other code (then every page is rendered).
pub(crate) fn read(dir: &Path) -> PageMemo {
    let Ok(text) = fs::read_to_string(dir.join(FILE)) else {
        return PageMemo::new();
    };
    let mut lines = text.lines();
    if lines.next() != Some(header().as_str()) {
        return PageMemo::new();
    }
    // One line per page (124,000 at 100,000 articles): parsed on every core.
    let lines: Vec<&str> = lines.collect();
    let pages: Result<Vec<MemoPage>, _> = lines
        .par_iter()
        .with_min_len(PER_TASK)
        .map(|line| serde_json::from_str::<MemoPage>(line))
        .collect();
    let Ok(pages) = pages else {
        return PageMemo::new();
    };
    let mut memo = PageMemo::with_capacity(pages.len());
    for page in pages {
        memo.insert(page.fingerprint, page);
    }
    memo
}

/// Memo lines per parallel task.
const PER_TASK: usize = 512;

/// The memo text for `pages`, in the order given (plan order: deterministic). A line
/// made this run (`read` false) is read back before it is kept: one that would not give
/// the same page (or not parse, which makes [`read`] drop the whole memo) is left out, so
/// that page alone is rendered again next time. A build never writes a memo the next
/// build cannot read. A line [`read`] gave (`read` true) needs no such check: what parsed
/// from JSON writes back as the same JSON, which parses to it again.
pub(crate) fn format<'a>(pages: impl IntoIterator<Item = (&'a MemoPage, bool)>) -> String {
    let pages: Vec<(&MemoPage, bool)> = pages.into_iter().collect();
    let chunks: Vec<String> = pages
        .par_chunks(PER_TASK)
        .map(|chunk| {
            let mut text = String::new();
            for &(page, read) in chunk {
                let Ok(line) = serde_json::to_string(page) else {
                    continue;
                };
                if read || serde_json::from_str::<MemoPage>(&line).is_ok_and(|back| back == *page) {
                    text.push_str(&line);
                    text.push('\n');
                }
            }
            text
        })
        .collect();
    let mut text = header();
    text.push('\n');
    text.reserve(chunks.iter().map(String::len).sum());
    chunks.iter().for_each(|c| text.push_str(c));
    text
}

/// A `u64` as 16 hex digits.
mod hex64 {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(crate) fn serialize<S: Serializer>(n: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{n:016x}"))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let text = <&str>::deserialize(d)?;
        u64::from_str_radix(text, 16).map_err(D::Error::custom)
    }
}

/// A `u128` as 32 hex digits.
mod hex128 {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(crate) fn serialize<S: Serializer>(n: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{n:032x}"))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let text = <&str>::deserialize(d)?;
        u128::from_str_radix(text, 16).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Origin;

    fn page(fingerprint: u64) -> MemoPage {
        MemoPage {
            fingerprint,
            path: "yueyang/canbaodi-biangeng/index.html".into(),
            hash: u128::MAX - 7,
            len: 12_345,
            warnings: vec![
                Diagnostic::warning(Origin::new("cities/yueyang.yaml", 3, 5), "「引号」\n")
                    .with_hint("hint"),
            ],
            record: Some(ModifiedEntry {
                article: "yueyang/canbaodi-biangeng".into(),
                hash: 42,
                changed_at: crate::load::parse_datetime("2026-02-03 04:05:06"),
            }),
            bytes: None,
        }
    }

    #[test]
    fn reads_back_what_it_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let pages = [page(1), page(u64::MAX)];
        fs::write(
            dir.path().join(FILE),
            format(pages.iter().map(|p| (p, false))),
        )
        .unwrap();
        let memo = read(dir.path());
        assert_eq!(memo.len(), 2);
        assert_eq!(memo[&u64::MAX], pages[1]);
    }

    #[test]
    fn lines_read_from_a_memo_are_written_as_they_were_read() {
        let dir = tempfile::tempdir().unwrap();
        let mut other = page(2);
        other.warnings.clear();
        other.record = None;
        let pages = [page(1), other];
        let text = format(pages.iter().map(|p| (p, false)));
        fs::write(dir.path().join(FILE), &text).unwrap();
        let memo = read(dir.path());
        let again = format([(&memo[&1], true), (&memo[&2], true)]);
        assert_eq!(again, text);
    }

    #[test]
    fn a_page_that_would_not_read_back_is_left_out_not_the_whole_memo() {
        use std::os::unix::ffi::OsStrExt;
        let mut odd = page(2);
        let name = std::ffi::OsStr::from_bytes(b"cities/\xff.yaml");
        odd.warnings = vec![Diagnostic::warning(Origin::new(name, 1, 1), "x")];
        let dir = tempfile::tempdir().unwrap();
        let pages = [page(1), odd, page(3)];
        fs::write(
            dir.path().join(FILE),
            format(pages.iter().map(|p| (p, false))),
        )
        .unwrap();
        let memo = read(dir.path());
        assert_eq!(memo.len(), 2, "the other pages are kept");
        assert!(memo.contains_key(&1) && memo.contains_key(&3));
    }

    #[test]
    fn other_code_or_damage_gives_an_empty_memo() {
        let dir = tempfile::tempdir().unwrap();
        let text = format([(&page(1), false)]);
        let other = text.replacen(env!("SITEGEN_CODE_ID"), "0000000000000000", 1);
        fs::write(dir.path().join(FILE), other).unwrap();
        assert!(read(dir.path()).is_empty());
        fs::write(dir.path().join(FILE), &text[..text.len() - 9]).unwrap();
        assert!(read(dir.path()).is_empty());
        assert!(read(&dir.path().join("missing")).is_empty());
    }
}
