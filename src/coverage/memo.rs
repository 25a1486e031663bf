//! `.sitegen-coverage`: what `sitegen coverage` computed from each article's words, kept in
//! the report folder beside `coverage.html`, so that the next run renders only the words
//! of articles whose inputs changed.
//!
//! Per article, under its words key ([`crate::render::Renderer::words_keys`]: a hash of
//! everything its words and the defaults rendering of its topics are made from), the memo
//! keeps its shingle count, its local shingle count and its MinHash signature; per twin
//! candidate pair, under both articles' keys, the number of shingles they share (the exact
//! Jaccard similarity follows from the three counts). Each line of the memo is a fact that
//! stays true, so a run takes what its keys find and computes the rest; its figures are
//! the same as without a memo.
//!
//! The file starts with a line naming the format and the binary's code (a sitegen built
//! from other code, which may shingle differently, ignores the memo) and ends with a hash
//! of everything before it. A memo that is missing, truncated, damaged, inconsistent or
//! another code's reads as empty: every article is computed again. It is replaced
//! atomically, and only after a successful run.

use crate::content::similarity::{BINS, Signature};
use crate::write::durable::write_atomic;
use std::collections::HashMap;
use std::path::Path;
use xxhash_rust::xxh3::xxh3_64;

/// The memo's file name in the report folder.
pub(crate) const FILE: &str = ".sitegen-coverage";

/// What coverage keeps of one article's words.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Figures {
    /// Distinct shingles of its visible text.
    pub(crate) shingles: u32,
    /// Those not in the defaults rendering of its topics.
    pub(crate) local: u32,
    pub(crate) signature: Signature,
}

/// Words key → figures, and (lower key, higher key) → shared shingles of a twin pair.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct CoverageMemo {
    pub(crate) articles: HashMap<u64, Figures>,
    pub(crate) pairs: HashMap<(u64, u64), u32>,
}

/// The first line: the format and the code that wrote it.
fn header() -> String {
    format!("sitegen-coverage 1 {}\n", env!("SITEGEN_CODE_ID"))
}

const ARTICLE_BYTES: usize = 8 + 4 + 4 + BINS * 8;
const PAIR_BYTES: usize = 8 + 8 + 4;

impl CoverageMemo {
    /// The memo kept in `dir`; empty when it is missing or unusable (see the module).
    pub(crate) fn read(dir: &Path) -> CoverageMemo {
        std::fs::read(dir.join(FILE))
            .ok()
            .and_then(|bytes| CoverageMemo::parse(&bytes))
            .unwrap_or_default()
    }

    /// Writes the memo into `dir`, through a temporary file and a rename.
    pub(crate) fn write(&self, dir: &Path) -> std::io::Result<()> {
        write_atomic(&dir.join(FILE), &self.to_bytes(), dir, "coverage-memo")
    }

    /// The file's bytes: entries sorted by key, so equal memos give equal files.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut articles: Vec<(&u64, &Figures)> = self.articles.iter().collect();
        articles.sort_unstable_by_key(|(k, _)| **k);
        let mut pairs: Vec<(&(u64, u64), &u32)> = self.pairs.iter().collect();
        pairs.sort_unstable_by_key(|(k, _)| **k);
        let mut out = header().into_bytes();
        out.reserve(16 + articles.len() * ARTICLE_BYTES + pairs.len() * PAIR_BYTES + 8);
        out.extend((articles.len() as u64).to_le_bytes());
        out.extend((pairs.len() as u64).to_le_bytes());
        for (key, f) in articles {
            out.extend(key.to_le_bytes());
            out.extend(f.shingles.to_le_bytes());
            out.extend(f.local.to_le_bytes());
            for bin in &f.signature {
                out.extend(bin.to_le_bytes());
            }
        }
        for ((a, b), common) in pairs {
            out.extend(a.to_le_bytes());
            out.extend(b.to_le_bytes());
            out.extend(common.to_le_bytes());
        }
        let sum = xxh3_64(&out);
        out.extend(sum.to_le_bytes());
        out
    }

    /// Reads [`CoverageMemo::to_bytes`]'s output back; `None` for anything else, including
    /// entries that no run could have written (a local count above the shingle count, a
    /// pair sharing more shingles than one of its articles has).
    pub(crate) fn parse(bytes: &[u8]) -> Option<CoverageMemo> {
        let body = bytes.strip_prefix(header().as_bytes())?;
        let (body, sum) = body.split_at_checked(body.len().checked_sub(8)?)?;
        if xxh3_64(&bytes[..bytes.len() - 8]) != u64::from_le_bytes(sum.try_into().ok()?) {
            return None;
        }
        let mut r = Reader(body);
        let (n, p) = (r.u64()? as usize, r.u64()? as usize);
        let size = n
            .checked_mul(ARTICLE_BYTES)?
            .checked_add(p.checked_mul(PAIR_BYTES)?)?;
        if r.0.len() != size {
            return None;
        }
        let mut memo = CoverageMemo::default();
        memo.articles.reserve(n);
        for _ in 0..n {
            let key = r.u64()?;
            let (shingles, local) = (r.u32()?, r.u32()?);
            let mut signature = [0u64; BINS];
            for bin in &mut signature {
                *bin = r.u64()?;
            }
            let f = Figures {
                shingles,
                local,
                signature,
            };
            if local > shingles || memo.articles.insert(key, f).is_some() {
                return None;
            }
        }
        memo.pairs.reserve(p);
        for _ in 0..p {
            let (a, b, common) = (r.u64()?, r.u64()?, r.u32()?);
            let size = |k| memo.articles.get(&k).map(|f| f.shingles);
            let smaller = size(a)?.min(size(b)?);
            if a >= b || common > smaller || memo.pairs.insert((a, b), common).is_some() {
                return None;
            }
        }
        Some(memo)
    }
}

/// Little-endian numbers from the front of a byte slice.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }

    fn u64(&mut self) -> Option<u64> {
        self.take().map(u64::from_le_bytes)
    }

    fn u32(&mut self) -> Option<u32> {
        self.take().map(u32::from_le_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memo() -> CoverageMemo {
        let mut m = CoverageMemo::default();
        for k in [3u64, 1, u64::MAX] {
            let mut signature = [k.wrapping_mul(7); BINS];
            signature[5] = 11;
            m.articles.insert(
                k,
                Figures {
                    shingles: 100 + k as u32 % 50,
                    local: 7,
                    signature,
                },
            );
        }
        m.pairs.insert((1, 3), 90);
        m.pairs.insert((3, u64::MAX), 0);
        m
    }

    #[test]
    fn reads_back_what_it_wrote_and_writes_the_same_bytes_for_the_same_memo() {
        let m = memo();
        let bytes = m.to_bytes();
        assert_eq!(CoverageMemo::parse(&bytes), Some(m.clone()));
        assert_eq!(m.clone().to_bytes(), bytes);
        let dir = tempfile::tempdir().unwrap();
        m.write(dir.path()).unwrap();
        assert_eq!(CoverageMemo::read(dir.path()), m);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn damage_truncation_other_code_and_nonsense_read_as_empty() {
        let bytes = memo().to_bytes();
        let empty = |b: &[u8]| CoverageMemo::parse(b).is_none();
        for cut in [0, 10, bytes.len() / 2, bytes.len() - 1] {
            assert!(empty(&bytes[..cut]), "cut at {cut}");
        }
        let mut flipped = bytes.clone();
        let at = flipped.len() / 2;
        flipped[at] ^= 1;
        assert!(empty(&flipped));
        let other = String::from_utf8_lossy(&bytes)
            .replacen(env!("SITEGEN_CODE_ID"), "0000000000000000", 1)
            .into_bytes();
        assert!(empty(&other));
        assert!(empty(b"sitegen-pages 1 x\n{}"));
        // Consistent-looking entries no run writes: a local count above the shingle count,
        // a pair of unknown articles.
        let mut m = memo();
        m.articles.get_mut(&1).unwrap().local = 1000;
        assert!(empty(&m.to_bytes()));
        let mut m = memo();
        m.pairs.insert((1, 2), 5);
        assert!(empty(&m.to_bytes()));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), &flipped).unwrap();
        assert_eq!(CoverageMemo::read(dir.path()), CoverageMemo::default());
        assert_eq!(
            CoverageMemo::read(&dir.path().join("missing")),
            CoverageMemo::default()
        );
    }
}
