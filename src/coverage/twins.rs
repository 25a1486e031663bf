//! Nearest twins without comparing every article with every other: MinHash signatures,
//! LSH banding to find candidates, exact Jaccard only for the best candidates.
//!
//! - **Signature** (one-permutation MinHash): a shingle's hash picks one of [`BINS`] bins
//!   by its top 7 bits and each bin keeps the smallest hash it gets. Empty bins (short
//!   texts) borrow from the next non-empty bin to the right, shifted by the distance, so
//!   equal sets still give equal signatures. The share of equal bins of two signatures
//!   estimates the Jaccard similarity of the two sets.
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

use super::shingles::{ShingleSet, jaccard};
use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Bins of a signature.
pub const BINS: usize = 128;
/// Bands of the LSH index.
pub const BANDS: usize = 32;
/// Bins per band.
pub const ROWS: usize = BINS / BANDS;
/// Neighbours looked at on each side within a band bucket.
pub const WINDOW: usize = 4;
/// Candidates compared exactly per article.
pub const EXACT: usize = 3;

/// A MinHash signature.
pub type Signature = [u64; BINS];

/// The signature of a shingle set.
pub fn signature(set: &[u32]) -> Signature {
    let mut sig = [u64::MAX; BINS];
    for &h in set {
        let h = spread(h);
        let bin = (h >> 57) as usize;
        let value = h & ((1 << 57) - 1);
        if value < sig[bin] {
            sig[bin] = value;
        }
    }
    if set.is_empty() {
        return sig;
    }
    let filled = sig;
    for (j, bin) in sig.iter_mut().enumerate() {
        if *bin != u64::MAX {
            continue;
        }
        let (d, donor) = (1..BINS)
            .map(|d| (d, filled[(j + d) % BINS]))
            .find(|&(_, v)| v != u64::MAX)
            .expect("a non-empty set fills a bin");
        *bin = donor.wrapping_add((d as u64) << 57);
    }
    sig
}

/// The nearest other article of each article and its exact Jaccard similarity (`None`
/// for an article no other one resembles at all).
pub fn nearest(sets: &[ShingleSet]) -> Vec<Option<(usize, f64)>> {
    let sigs: Vec<Signature> = sets.par_iter().map(|s| signature(s)).collect();
    let n = sets.len();
    // Per band: (bucket hash, article), sorted; and each article's place in it.
    let bands: Vec<Band> = (0..BANDS)
        .into_par_iter()
        .map(|b| {
            let mut entries: Vec<(u64, u32)> = sigs
                .iter()
                .enumerate()
                .filter(|(i, _)| !sets[*i].is_empty())
                .map(|(i, sig)| (band_hash(sig, b), i as u32))
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
            let mut candidates: Vec<u32> = Vec::new();
            for (entries, place) in &bands {
                let p = place[i];
                if p == u32::MAX {
                    continue;
                }
                let (p, key) = (p as usize, entries[p as usize].0);
                let lo = p.saturating_sub(WINDOW);
                let hi = (p + WINDOW + 1).min(entries.len());
                candidates.extend(
                    entries[lo..hi]
                        .iter()
                        .filter(|&&(k, j)| k == key && j as usize != i)
                        .map(|&(_, j)| j),
                );
            }
            candidates.sort_unstable();
            candidates.dedup();
            let mut scored: Vec<(usize, u32)> = candidates
                .iter()
                .map(|&j| (agreement(&sigs[i], &sigs[j as usize]), j))
                .collect();
            scored.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            scored
                .iter()
                .take(EXACT)
                .map(|&(_, j)| (j as usize, jaccard(&sets[i], &sets[j as usize])))
                .fold(None, |best: Option<(usize, f64)>, (j, s)| match best {
                    Some((bj, bs)) if bs > s || (bs == s && bj < j) => best,
                    _ => Some((j, s)),
                })
        })
        .collect()
}

/// A shingle hash spread over 64 bits (splitmix64's finaliser), for bin and value.
fn spread(h: u32) -> u64 {
    let mut z = u64::from(h).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One band of the index: (bucket hash, article) sorted, and each article's place in it
/// (`u32::MAX` for an empty article).
type Band = (Vec<(u64, u32)>, Vec<u32>);

/// How many bins two signatures agree in.
fn agreement(a: &Signature, b: &Signature) -> usize {
    a.iter().zip(b).filter(|(x, y)| x == y).count()
}

fn band_hash(sig: &Signature, band: usize) -> u64 {
    let mut bytes = [0u8; ROWS * 8];
    for (k, v) in sig[band * ROWS..(band + 1) * ROWS].iter().enumerate() {
        bytes[k * 8..k * 8 + 8].copy_from_slice(&v.to_le_bytes());
    }
    xxh3_64_with_seed(&bytes, band as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use xxhash_rust::xxh3::xxh3_64;

    fn set(range: std::ops::Range<u64>) -> ShingleSet {
        let mut s: Vec<u32> = range.map(|k| xxh3_64(&k.to_le_bytes()) as u32).collect();
        s.sort_unstable();
        s.dedup();
        s
    }

    #[test]
    fn equal_sets_have_equal_signatures_and_short_sets_are_filled() {
        assert_eq!(signature(&set(0..3000)), signature(&set(0..3000)));
        let short = signature(&set(0..3));
        assert!(short.iter().all(|&v| v != u64::MAX));
    }

    #[test]
    fn signature_agreement_estimates_jaccard() {
        // 2000 shared of 3000 distinct: Jaccard 2/3.
        let (a, b) = (signature(&set(0..2500)), signature(&set(500..3000)));
        let est = agreement(&a, &b) as f64 / BINS as f64;
        assert!((est - 2.0 / 3.0).abs() < 0.15, "estimate {est}");
    }

    #[test]
    fn finds_the_planted_copy_among_unrelated_texts() {
        let mut sets: Vec<ShingleSet> =
            (0..50).map(|k| set(k * 10_000..k * 10_000 + 800)).collect();
        // Article 50: article 7 with a tenth changed.
        sets.push(set(70_000 + 80..70_000 + 880));
        let twins = nearest(&sets);
        let (j, s) = twins[50].expect("a twin");
        assert_eq!(j, 7);
        assert!((s - 720.0 / 880.0).abs() < 1e-9);
        assert_eq!(twins[7].map(|t| t.0), Some(50));
        assert_eq!(twins[3], None);
    }
}
