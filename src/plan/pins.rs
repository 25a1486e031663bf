//! Published is permanent: the variants an article was published with (title, teaser,
//! section headings, date-suffix format) are read back from its `schedule.lock` line
//! before any is chosen afresh, so editing a list never re-titles published articles.
//!
//! A pinned variant is found again by the hash of its text wherever it moved in its list;
//! when no variant has that text any more, the one at its old place is taken (its wording
//! was edited: the article changes on purpose), else a fresh choice.

use crate::model::{Sourced, VariantPin};
use xxhash_rust::xxh3::xxh3_64;

/// The hash a pin records of a variant's text.
pub(crate) fn text_hash(text: &str) -> u32 {
    (xxh3_64(text.as_bytes()) & 0xffff_ffff) as u32
}

/// The variant of `list` to use, given the article's pin and the fresh choice, and the pin
/// to record for it.
pub(crate) fn keep(
    pin: Option<&VariantPin>,
    list: &[Sourced<String>],
    fresh: usize,
) -> (usize, VariantPin) {
    let hash = |i: usize| list.get(i).map_or(0, |t| text_hash(&t.value));
    let index = match pin {
        Some(p) if p.index < list.len() && hash(p.index) == p.text_hash => p.index,
        Some(p) => (0..list.len())
            .find(|&i| hash(i) == p.text_hash)
            .unwrap_or(if p.index < list.len() { p.index } else { fresh }),
        None => fresh,
    };
    let index = index.min(list.len().saturating_sub(1));
    (
        index,
        VariantPin {
            index,
            text_hash: hash(index),
        },
    )
}

/// Does a title template carry its own ending instead of the date suffix: a bracketed
/// suffix such as `(以{{ city.name }}为例)`, or the marker `{# no date #}`?
pub(crate) fn has_own_suffix(template: &str) -> bool {
    let t = template.trim_end();
    t.contains("{# no date #}") || t.ends_with(')') || t.ends_with(')')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Origin;

    fn list(items: &[&str]) -> Vec<Sourced<String>> {
        items
            .iter()
            .map(|s| Sourced::new(s.to_string(), Origin::default()))
            .collect()
    }

    #[test]
    fn a_pin_follows_its_text_through_inserts_and_reorders() {
        let (i, pin) = keep(None, &list(&["a", "b", "c"]), 1);
        assert_eq!(i, 1);
        assert_eq!(keep(Some(&pin), &list(&["new", "a", "b", "c"]), 0).0, 2);
        assert_eq!(keep(Some(&pin), &list(&["c", "b"]), 0).0, 1);
        // Reworded in place: the same place, the new text.
        let (i, again) = keep(Some(&pin), &list(&["a", "b!", "c"]), 0);
        assert_eq!(i, 1);
        assert_eq!(again.text_hash, text_hash("b!"));
        // Gone, and the list shorter: a fresh choice.
        assert_eq!(keep(Some(&pin), &list(&["a"]), 0).0, 0);
    }

    #[test]
    fn own_suffixes() {
        assert!(has_own_suffix(
            "{{ city.name }}怎么办?(以{{ city.name }}为例)"
        ));
        assert!(has_own_suffix("医保怎么办?{# no date #}"));
        assert!(!has_own_suffix("{{ city.name }}怎么办?"));
    }
}
