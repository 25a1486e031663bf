//! `dateModified`: an article's content hash decides whether its text changed since the
//! last build recorded in `modified.lock`; only then does its modified datetime move, to
//! the build's "now". Pure: the same lock, content and "now" give the same result.

use crate::model::ModifiedEntry;
use crate::model::ids::{ArticleId, IdVec};
use crate::plan::Plan;
use chrono::{NaiveDateTime, Timelike};
use std::collections::HashMap;
use xxhash_rust::xxh3::Xxh3;

/// Hashes an article's own content: title, lead, teaser and every section's heading and
/// HTML. Navigation blocks (related, more for this city) are left out: they change
/// whenever another article is published, which is not a change of this article.
pub(crate) fn content_hash<'a>(parts: impl IntoIterator<Item = &'a str>) -> u64 {
    let mut h = Xxh3::new();
    for p in parts {
        h.update(p.as_bytes());
        // A separator that cannot occur in text, so moving words between parts counts.
        h.update(&[0xff]);
    }
    h.digest()
}

/// The record for an article whose content now hashes to `hash`.
///
/// Same hash as recorded: the record stays. A new article, or one changed before it was
/// published: no change datetime (its content is as first published). Changed after
/// publication: changed now.
pub(crate) fn next_entry(
    old: Option<&ModifiedEntry>,
    article: &str,
    hash: u64,
    publish_at: NaiveDateTime,
    now: NaiveDateTime,
) -> ModifiedEntry {
    let now = now.with_nanosecond(0).unwrap_or(now);
    let changed_at = match old {
        Some(o) if o.hash == hash => o.changed_at,
        Some(_) if now > publish_at => Some(now),
        _ => None,
    };
    ModifiedEntry {
        article: article.to_string(),
        hash,
        changed_at,
    }
}

/// The `dateModified` an entry gives: its change datetime, never before publication.
pub(crate) fn modified_at(
    entry: Option<&ModifiedEntry>,
    publish_at: NaiveDateTime,
) -> NaiveDateTime {
    entry
        .and_then(|e| e.changed_at)
        .map_or(publish_at, |c| c.max(publish_at))
}

/// The records of this build, indexed by article.
pub struct ModifiedTable {
    /// The new `modified.lock`, sorted by article.
    pub(crate) entries: Vec<ModifiedEntry>,
    /// Each article's `dateModified` (its publish datetime when it has no record).
    pub modified: IdVec<ArticleId, NaiveDateTime>,
}

/// Combines the records made while rendering; an article without one (an unpublished
/// article whose text could not be rendered) keeps its old record.
pub fn table(
    plan: &Plan,
    old: &[ModifiedEntry],
    records: Vec<(ArticleId, ModifiedEntry)>,
) -> ModifiedTable {
    let mut by_article = plan.articles.map(|_| None);
    for (i, e) in records {
        if let Some(slot) = by_article.get_mut(i) {
            *slot = Some(e);
        }
    }
    let old: HashMap<&str, &ModifiedEntry> = old.iter().map(|e| (e.article.as_str(), e)).collect();
    let mut entries = Vec::with_capacity(plan.articles.len());
    let mut modified = IdVec::default();
    for (a, record) in plan.articles.iter().zip(by_article) {
        let entry = record.or_else(|| old.get(a.id.as_str()).map(|e| (*e).clone()));
        modified.push(modified_at(entry.as_ref(), a.publish_at));
        entries.extend(entry);
    }
    entries.sort();
    ModifiedTable { entries, modified }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse_datetime;

    fn dt(s: &str) -> NaiveDateTime {
        parse_datetime(s).unwrap()
    }

    fn entry(hash: u64, changed: Option<&str>) -> ModifiedEntry {
        ModifiedEntry {
            article: "a/b".into(),
            hash,
            changed_at: changed.map(dt),
        }
    }

    #[test]
    fn hash_separates_parts() {
        assert_ne!(content_hash(["ab", "c"]), content_hash(["a", "bc"]));
        assert_eq!(content_hash(["ab", "c"]), content_hash(["ab", "c"]));
    }

    #[test]
    fn modified_moves_only_when_published_content_changes() {
        let publish = dt("2026-01-05 08:00:00");
        let later = dt("2026-02-01 10:00:00");
        let earlier = dt("2026-01-01 10:00:00");
        // new article
        let e = next_entry(None, "a/b", 1, publish, later);
        assert_eq!(e.changed_at, None);
        assert_eq!(modified_at(Some(&e), publish), publish);
        // unchanged: the old record stays
        let old = entry(1, Some("2026-01-20 00:00:00"));
        assert_eq!(next_entry(Some(&old), "a/b", 1, publish, later), old);
        // changed after publication
        let e = next_entry(Some(&old), "a/b", 2, publish, later);
        assert_eq!(e.changed_at, Some(later));
        assert_eq!(modified_at(Some(&e), publish), later);
        // changed before publication: not a modification
        let e = next_entry(Some(&entry(1, None)), "a/b", 2, publish, earlier);
        assert_eq!(e.changed_at, None);
    }

    #[test]
    fn now_is_recorded_to_the_second() {
        let now = dt("2026-02-01 10:00:00") + chrono::TimeDelta::milliseconds(750);
        let e = next_entry(
            Some(&entry(1, None)),
            "a/b",
            2,
            dt("2026-01-01 00:00:00"),
            now,
        );
        assert_eq!(e.changed_at, Some(dt("2026-02-01 10:00:00")));
    }
}
