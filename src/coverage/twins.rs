//! Nearest twins without comparing every article with every other: MinHash signatures,
//! LSH banding to find candidates, exact Jaccard only for the best candidates.
//!
//! - **Signature**: each article's one-permutation MinHash ([`Signature`]); the share of
//!   equal bins of two signatures estimates the Jaccard similarity of the two sets.
//! - **Banding**: the signature is cut into [`BANDS`] bands of [`ROWS`] bins; articles
//!   whose band hashes agree in some band are candidates. Two articles with similarity `s`
//!   become candidates with probability `1 − (1 − s⁴)³²`: 0.9 at s = 0.5, above 0.999 at
//!   s = 0.7.
//! - **Bounded work**: within one band bucket (articles sorted by index), an article looks
//!   at its [`WINDOW`] neighbours on each side only, so a bucket of a thousand near-copies
//!   costs a thousand times a constant, not a million. Of all candidates, the [`EXACT`]
//!   with the most equal bins get an exact Jaccard; the best of those is the twin (ties:
//!   the lower article index). In a bucket larger than 2 × [`WINDOW`] + 1 the twin found
//!   may be slightly less similar than the best one, never more.
//!
//! The work is O(articles × (shingles + bands × window)), and deterministic.

use crate::content::similarity::{BINS, Signature, agreement, band_hash};
use rayon::prelude::*;

/// Bands of the LSH index.
pub(crate) const BANDS: usize = 32;
/// Bins per band.
pub(crate) const ROWS: usize = BINS / BANDS;
/// Neighbours looked at on each side within a band bucket.
pub(crate) const WINDOW: usize = 4;
/// Candidates compared exactly per article.
pub(crate) const EXACT: usize = 3;

/// Each article's candidates for an exact comparison, best first: the at most [`EXACT`]
/// other articles found by banding whose signatures agree in the most bins (ties: the
/// lower index). An empty article (`empty[i]`) has none and is nobody's candidate.
pub(crate) fn candidates(sigs: &[Signature], empty: &[bool]) -> Vec<Vec<u32>> {
    let n = sigs.len();
    // Per band: (bucket hash, article), sorted; and each article's place in it.
    let bands: Vec<Band> = (0..BANDS)
        .into_par_iter()
        .map(|b| {
            let mut entries: Vec<(u64, u32)> = sigs
                .iter()
                .enumerate()
                .filter(|(i, _)| !empty[*i])
                .map(|(i, sig)| (band_hash(sig, b, ROWS), i as u32))
                .collect();
            entries.sort_unstable();
            let mut place = vec![u32::MAX; n];
            for (p, &(_, i)) in entries.iter().enumerate() {
                place[i as usize] = p as u32;
            }
            (entries, place)
        })
        .collect();
    (0..n)
        .into_par_iter()
        .map(|i| {
            let mut found: Vec<u32> = Vec::new();
            for (entries, place) in &bands {
                let p = place[i];
                if p == u32::MAX {
                    continue;
                }
                let (p, key) = (p as usize, entries[p as usize].0);
                let lo = p.saturating_sub(WINDOW);
                let hi = (p + WINDOW + 1).min(entries.len());
                // Near-copies meet in most bands: a short list checked as it grows is
                // cheaper than sorting every band's finds.
                for &(k, j) in &entries[lo..hi] {
                    if k == key && j as usize != i && !found.contains(&j) {
                        found.push(j);
                    }
                }
            }
            let mut scored: Vec<(usize, u32)> = found
                .iter()
                .map(|&j| (agreement(&sigs[i], &sigs[j as usize]), j))
                .collect();
            scored.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            scored.iter().take(EXACT).map(|&(_, j)| j).collect()
        })
        .collect()
}

/// Each article's nearest twin among its `candidates` by `similarity` (the exact
/// Jaccard similarity of articles `i` and `j`) and that similarity; ties go to the lower
/// index; `None` for an article without candidates.
pub(crate) fn nearest(
    candidates: &[Vec<u32>],
    similarity: impl Fn(usize, usize) -> f64 + Sync,
) -> Vec<Option<(usize, f64)>> {
    candidates
        .par_iter()
        .enumerate()
        .map(|(i, found)| {
            found
                .iter()
                .map(|&j| (j as usize, similarity(i, j as usize)))
                .fold(None, |best: Option<(usize, f64)>, (j, s)| match best {
                    Some((bj, bs)) if bs > s || (bs == s && bj < j) => best,
                    _ => Some((j, s)),
                })
        })
        .collect()
}

/// One band of the index: (bucket hash, article) sorted, and each article's place in it
/// (`u32::MAX` for an empty article).
type Band = (Vec<(u64, u32)>, Vec<u32>);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::similarity::{ShingleSet, jaccard, signature, test_set as set};

    #[test]
    fn finds_the_planted_copy_among_unrelated_texts() {
        let mut sets: Vec<ShingleSet> =
            (0..50).map(|k| set(k * 10_000..k * 10_000 + 800)).collect();
        // Article 50: article 7 with a tenth changed.
        sets.push(set(70_000 + 80..70_000 + 880));
        let sigs: Vec<Signature> = sets.iter().map(|s| signature(s)).collect();
        let empty: Vec<bool> = sets.iter().map(|s| s.is_empty()).collect();
        let found = candidates(&sigs, &empty);
        assert!(found.iter().all(|c| c.len() <= EXACT));
        let twins = nearest(&found, |i, j| jaccard(&sets[i], &sets[j]));
        let (j, s) = twins[50].expect("a twin");
        assert_eq!(j, 7);
        assert!((s - 720.0 / 880.0).abs() < 1e-9);
        assert_eq!(twins[7].map(|t| t.0), Some(50));
        assert_eq!(twins[3], None);
    }
}
