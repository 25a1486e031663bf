//! How alike two texts are: character shingles (overlapping windows of a few characters,
//! hashed) as sorted sets, their Jaccard similarity, and one-permutation MinHash
//! signatures that let callers find similar texts without comparing every pair.
//!
//! Used by the coverage view (articles against each other, 5-character windows) and by the
//! near-duplicate lint (paragraphs of topic files, 3-character windows).

use xxhash_rust::xxh3::xxh3_64;

/// A sorted set of shingle hashes (32 bits: two unrelated 3,000-shingle texts share a
/// hash by chance about once in 500 comparisons, far below any similarity shown).
pub type ShingleSet = Vec<u32>;

/// Adds to `out` the hash of every `width`-character window of `text` (a non-empty text
/// shorter than `width` is one shingle). `bounds` is scratch space, kept by the caller to
/// save allocations.
pub(crate) fn push_windows(text: &str, width: usize, out: &mut Vec<u32>, bounds: &mut Vec<usize>) {
    bounds.clear();
    bounds.extend(text.char_indices().map(|(i, _)| i));
    bounds.push(text.len());
    let chars = bounds.len() - 1;
    if chars > 0 && chars < width {
        out.push(xxh3_64(text.as_bytes()) as u32);
    }
    for w in bounds.windows(width + 1) {
        out.push(xxh3_64(&text.as_bytes()[w[0]..w[width]]) as u32);
    }
}

/// The shingle set of one text.
pub(crate) fn shingles(text: &str, width: usize) -> ShingleSet {
    let mut set = Vec::new();
    push_windows(text, width, &mut set, &mut Vec::new());
    set.sort_unstable();
    set.dedup();
    set
}

/// |a ∩ b| of two sorted sets.
pub(crate) fn intersection(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Jaccard similarity |a ∩ b| / |a ∪ b| of two sorted sets (0 when both are empty).
pub(crate) fn jaccard(a: &[u32], b: &[u32]) -> f64 {
    jaccard_of(intersection(a, b), a.len(), b.len())
}

/// Jaccard similarity of two sets of `a` and `b` elements with `common` in common (0 when
/// both are empty): what [`jaccard`] gives from the counts alone.
pub(crate) fn jaccard_of(common: usize, a: usize, b: usize) -> f64 {
    let union = a + b - common;
    if union == 0 {
        0.0
    } else {
        common as f64 / union as f64
    }
}

/// Bins of a signature.
pub(crate) const BINS: usize = 128;

/// A one-permutation MinHash signature: a shingle's hash picks one of [`BINS`] bins by its
/// top 7 bits and each bin keeps the smallest hash it gets. Empty bins (short texts)
/// borrow from the next non-empty bin to the right, shifted by the distance, so equal sets
/// still give equal signatures. The share of equal bins of two signatures estimates the
/// Jaccard similarity of the two sets.
pub(crate) type Signature = [u64; BINS];

/// The signature of a shingle set.
pub(crate) fn signature(set: &[u32]) -> Signature {
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

/// How many bins two signatures agree in.
pub(crate) fn agreement(a: &Signature, b: &Signature) -> usize {
    // Summed as numbers rather than counted through a filter: the compiler vectorises it.
    a.iter().zip(b).map(|(x, y)| usize::from(x == y)).sum()
}

/// The hash of band `band` of `rows` bins: two signatures that agree in all its bins have
/// the same band hash.
pub(crate) fn band_hash(sig: &Signature, band: usize, rows: usize) -> u64 {
    let seed = band as u64;
    let bins = &sig[band * rows..(band + 1) * rows];
    // Bands are short: their bytes fit a small buffer (hashing in one piece is much
    // cheaper than streaming); a longer band is streamed, to the same hash.
    let mut bytes = [0u8; 16 * 8];
    if rows > 16 {
        let mut h = xxhash_rust::xxh3::Xxh3::with_seed(seed);
        bins.iter().for_each(|v| h.update(&v.to_le_bytes()));
        return h.digest();
    }
    for (k, v) in bins.iter().enumerate() {
        bytes[k * 8..k * 8 + 8].copy_from_slice(&v.to_le_bytes());
    }
    xxhash_rust::xxh3::xxh3_64_with_seed(&bytes[..rows * 8], seed)
}

/// A shingle hash spread over 64 bits (splitmix64's finaliser), for bin and value.
fn spread(h: u32) -> u64 {
    let mut z = u64::from(h).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// For tests: a set of distinct shingles, one per number of `range` (overlapping ranges
/// share shingles).
#[cfg(test)]
pub(crate) fn test_set(range: std::ops::Range<u64>) -> ShingleSet {
    let mut s: Vec<u32> = range.map(|k| xxh3_64(&k.to_le_bytes()) as u32).collect();
    s.sort_unstable();
    s.dedup();
    s
}

#[cfg(test)]
mod tests {
    use super::test_set as set;
    use super::*;

    #[test]
    fn a_text_of_n_characters_has_n_minus_width_plus_one_shingles() {
        assert_eq!(shingles("一二三四五六七", 5).len(), 3);
        assert_eq!(shingles("一二三四五六七", 3).len(), 5);
        assert_eq!(shingles("一二", 3).len(), 1);
        assert_eq!(shingles("", 3).len(), 0);
        assert_eq!(shingles("啊啊啊啊啊啊啊", 5).len(), 1);
    }

    #[test]
    fn jaccard_of_sorted_sets() {
        assert_eq!(jaccard(&[1, 2, 3, 4], &[3, 4, 5, 6]), 2.0 / 6.0);
        assert_eq!(jaccard(&[], &[]), 0.0);
        assert_eq!(jaccard(&[7], &[7]), 1.0);
    }

    #[test]
    fn equal_sets_have_equal_signatures_and_short_sets_are_filled() {
        assert_eq!(signature(&set(0..3000)), signature(&set(0..3000)));
        let short = signature(&set(0..3));
        assert!(short.iter().all(|&v| v != u64::MAX));
    }

    #[test]
    fn a_band_hash_is_the_hash_of_the_bands_bytes() {
        let sig = signature(&set(0..500));
        for (band, rows) in [(0, 4), (31, 4), (7, 2), (1, 32)] {
            let bytes: Vec<u8> = sig[band * rows..(band + 1) * rows]
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect();
            let want = xxhash_rust::xxh3::xxh3_64_with_seed(&bytes, band as u64);
            assert_eq!(band_hash(&sig, band, rows), want);
        }
    }

    #[test]
    fn signature_agreement_estimates_jaccard() {
        // 2000 shared of 3000 distinct: Jaccard 2/3.
        let (a, b) = (signature(&set(0..2500)), signature(&set(500..3000)));
        let est = agreement(&a, &b) as f64 / BINS as f64;
        assert!((est - 2.0 / 3.0).abs() < 0.15, "estimate {est}");
    }
}
