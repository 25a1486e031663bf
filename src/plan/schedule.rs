//! Publish datetimes: fixed dates, then `schedule.lock`, then new cadence slots.
//!
//! Articles already in the lock never move, so adding or removing a city or topic changes
//! no published date. A lock entry whose article is gone is kept as retired, so adding the
//! article back restores its date. New articles are interleaved so that neighbours differ
//! in city and topic, and take the first free cadence slots at or after the build's "now":
//! nothing added to a site is dated before the build that scheduled it. (The first build of
//! a site, with no lock yet, starts at `schedule.start`.)
//!
//! Times in a daylight-saving gap or fold follow `load::local_time`: a fixed date in the
//! gap is refused, a cadence slot there is skipped, and a lock date there is read as the
//! time the clock showed after the jump (and so recorded from then on).

use crate::diag::Diagnostic;
use crate::load::last_lockable;
use crate::load::local_time;
use crate::model::ids::{CityId, TopicId};
use crate::model::{Cadence, LockedSlot, Sourced, VariantPins};
use chrono::{NaiveDateTime, TimeDelta};
use chrono_tz::Tz;
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// What the scheduler needs to know about one article.
#[derive(Debug, Clone)]
pub(crate) struct Slotting<'a> {
    pub(crate) id: &'a str,
    pub(crate) city: CityId,
    pub(crate) topic: TopicId,
    /// A fixed `publish_at`, with where it is written.
    pub(crate) fixed: Option<&'a Sourced<NaiveDateTime>>,
}

/// Where an article's publish datetime comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PublishFrom {
    /// Its city file's `publish_at`.
    Fixed,
    /// Its entry in `schedule.lock`, read from this line.
    Lock { line: u32 },
    /// The next free slot of the cadence (a build records it in the lock).
    Slot,
}

/// The schedule of every article (same order as the `articles` given to [`schedule`]).
#[derive(Debug, Default)]
pub(crate) struct Scheduled {
    pub(crate) dates: Vec<NaiveDateTime>,
    pub(crate) from: Vec<PublishFrom>,
    /// The variants each article was published with, from its lock entry (empty for an
    /// article new to the lock).
    pub(crate) pins: Vec<VariantPins>,
    /// Lock entries of articles that no longer exist, marked retired.
    pub(crate) retired: Vec<LockedSlot>,
    /// Slots that a lock line could not hold (past the year 9999), fixed dates the clock
    /// skips.
    pub(crate) problems: Vec<Diagnostic>,
}

/// Dates every article: its fixed date, else its lock entry (active or retired), else the
/// next free cadence slot at or after `now` (at or after `schedule.start` while the lock
/// is empty).
pub(crate) fn schedule(
    articles: &[Slotting<'_>],
    lock: &[LockedSlot],
    cadence: &Cadence,
    tz: Tz,
    now: NaiveDateTime,
) -> Scheduled {
    let mut problems = Vec::new();
    for fixed in articles.iter().filter_map(|a| a.fixed) {
        if let Some((message, hint)) = local_time::gap_problem(tz, fixed.value) {
            problems.push(
                Diagnostic::error(fixed.origin.clone(), format!("publish_at: {message}"))
                    .with_hint(hint),
            );
        }
    }
    // A lock date the clock skips (recorded under another zone, or before this rule) is
    // the instant after the jump; written that way from now on, it names the same moment.
    let skipped: Vec<Option<NaiveDateTime>> = (lock.iter())
        .map(|s| local_time::skipped(tz, s.publish_at))
        .collect();
    // Copied only when a date moves.
    let lock: Cow<'_, [LockedSlot]> = if skipped.iter().any(Option::is_some) {
        let moved = (lock.iter().zip(&skipped))
            .map(|(s, after)| LockedSlot {
                publish_at: after.unwrap_or(s.publish_at),
                ..s.clone()
            })
            .collect();
        Cow::Owned(moved)
    } else {
        Cow::Borrowed(lock)
    };
    let lock = &*lock;
    let locked: HashMap<&str, &LockedSlot> = lock.iter().map(|s| (s.article.as_str(), s)).collect();
    // Each article's lock line, looked up once, on every core.
    let found: Vec<Option<&LockedSlot>> = (articles.par_iter())
        .with_min_len(1024)
        .map(|a| locked.get(a.id).copied())
        .collect();
    let publish_from = (articles.iter().zip(&found))
        .map(|(a, s)| match (a.fixed, s) {
            (Some(_), _) => PublishFrom::Fixed,
            (None, Some(s)) => PublishFrom::Lock { line: s.line },
            (None, None) => PublishFrom::Slot,
        })
        .collect();
    let mut dates: Vec<Option<NaiveDateTime>> = (articles.iter().zip(&found))
        .map(|(a, s)| a.fixed.map(|f| f.value).or(s.map(|s| s.publish_at)))
        .collect();
    let pins = (found.par_iter())
        .with_min_len(1024)
        .map(|s| s.map(|s| s.pins.clone()).unwrap_or_default())
        .collect();
    let current: HashSet<&str> = articles.iter().map(|a| a.id).collect();
    let retired = lock
        .iter()
        .filter(|s| !current.contains(s.article.as_str()))
        .map(|s| LockedSlot {
            retired: true,
            ..s.clone()
        })
        .collect();
    let fresh: Vec<usize> = (0..articles.len())
        .filter(|&i| dates[i].is_none())
        .collect();
    let mut taken: HashSet<NaiveDateTime> = lock.iter().map(|s| s.publish_at).collect();
    taken.extend(articles.iter().filter_map(|a| a.fixed).map(|f| f.value));
    // A site's first build (no lock yet) starts at `schedule.start`, which may lie in the
    // past to publish an initial set at once; every later addition starts at "now".
    let from = if lock.is_empty() { cadence.start } else { now };
    let mut slots = FreeSlots::new(cadence, from, taken);
    let mut past_9999 = false;
    for i in interleave(articles, &fresh) {
        let slot = slots.next(tz);
        if slot > last_lockable() && !past_9999 {
            past_9999 = true;
            problems.push(
                Diagnostic::error(
                    cadence.origin.clone(),
                    format!(
                        "article {} would be dated after the year 9999, which schedule.lock cannot record",
                        articles[i].id
                    ),
                )
                .with_hint("move `schedule.start` (and --now) to a date that leaves room for every article at the cadence"),
            );
        }
        dates[i] = Some(slot.min(last_lockable()));
    }
    Scheduled {
        dates: dates
            .into_iter()
            .map(|d| d.unwrap_or(cadence.start))
            .collect(),
        from: publish_from,
        pins,
        retired,
        problems,
    }
}

/// The cadence slots `start + k × interval` at or after "now" that no lock entry or fixed
/// date takes, in order.
struct FreeSlots {
    next: NaiveDateTime,
    step: TimeDelta,
    taken: HashSet<NaiveDateTime>,
}

impl FreeSlots {
    fn new(cadence: &Cadence, now: NaiveDateTime, taken: HashSet<NaiveDateTime>) -> Self {
        let minutes = cadence.interval_minutes.max(1);
        let step = TimeDelta::try_minutes(minutes).unwrap_or(TimeDelta::MAX);
        let behind = (now - cadence.start).num_seconds();
        let k = if behind > 0 {
            (behind + minutes * 60 - 1) / (minutes * 60)
        } else {
            0
        };
        let next = k
            .checked_mul(minutes)
            .and_then(TimeDelta::try_minutes)
            .and_then(|d| cadence.start.checked_add_signed(d))
            .unwrap_or(NaiveDateTime::MAX);
        FreeSlots { next, step, taken }
    }

    /// The next free slot; one the clocks of `tz` skip (a daylight-saving gap) is no slot.
    fn next(&mut self, tz: Tz) -> NaiveDateTime {
        while self.taken.contains(&self.next)
            || (self.next < last_lockable() && local_time::skipped(tz, self.next).is_some())
        {
            self.next = later(self.next, self.step);
        }
        let slot = self.next;
        self.next = later(self.next, self.step);
        slot
    }
}

/// `t + step`, saturating at the end of the calendar instead of overflowing.
fn later(t: NaiveDateTime, step: TimeDelta) -> NaiveDateTime {
    t.checked_add_signed(step).unwrap_or(NaiveDateTime::MAX)
}

/// Orders `fresh` articles diagonally over cities × topics, then repairs any neighbours that
/// still share a city or topic by swapping with a nearby later article. O(n).
fn interleave(articles: &[Slotting<'_>], fresh: &[usize]) -> Vec<usize> {
    let mut by_city: Vec<(CityId, Vec<usize>)> = Vec::new();
    for &i in fresh {
        match by_city.last_mut() {
            Some((city, list)) if *city == articles[i].city => list.push(i),
            _ => by_city.push((articles[i].city, vec![i])),
        }
    }
    let rounds = by_city.iter().map(|(_, l)| l.len()).max().unwrap_or(0);
    let mut order = Vec::with_capacity(fresh.len());
    for r in 0..rounds {
        for (c, (_, list)) in by_city.iter().enumerate() {
            if r < list.len() {
                order.push(list[(c + r) % list.len()]);
            }
        }
    }
    const WINDOW: usize = 16;
    let clash = |a: usize, b: usize| {
        articles[a].city == articles[b].city || articles[a].topic == articles[b].topic
    };
    for k in 1..order.len() {
        if !clash(order[k - 1], order[k]) {
            continue;
        }
        let end = (k + WINDOW).min(order.len());
        if let Some(j) = (k + 1..end).find(|&j| !clash(order[k - 1], order[j])) {
            order.swap(k, j);
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Origin;
    use crate::model::ids::Id;
    use chrono_tz::America::New_York;
    use chrono_tz::Asia::Shanghai;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn cadence() -> Cadence {
        Cadence {
            start: at("2026-01-05 08:00:00"),
            interval_minutes: 20,
            origin: Origin::new("site.yaml", 18, 10),
        }
    }

    fn grid(cities: usize, topics: usize) -> Vec<String> {
        (0..cities)
            .flat_map(|c| (0..topics).map(move |t| format!("c{c}/t{t}")))
            .collect()
    }

    fn slots(ids: &[String], topics: usize) -> Vec<Slotting<'_>> {
        ids.iter()
            .enumerate()
            .map(|(i, id)| Slotting {
                id,
                city: Id::new(i / topics),
                topic: Id::new(i % topics),
                fixed: None,
            })
            .collect()
    }

    /// The lock a plan would save: every article, then the retired entries.
    fn lock_of(arts: &[Slotting<'_>], s: &Scheduled) -> Vec<LockedSlot> {
        let mut lock: Vec<LockedSlot> = arts
            .iter()
            .zip(&s.dates)
            .map(|(a, &publish_at)| LockedSlot::new(a.id, publish_at))
            .collect();
        lock.extend(s.retired.iter().cloned());
        lock
    }

    const EARLY: &str = "2026-01-01 00:00:00";

    /// [`schedule`] with the test cadence in Shanghai, at `now`.
    fn in_shanghai(arts: &[Slotting<'_>], lock: &[LockedSlot], now: &str) -> Scheduled {
        schedule(arts, lock, &cadence(), Shanghai, at(now))
    }

    #[test]
    fn neighbours_differ_in_city_and_topic() {
        let ids = grid(7, 5);
        let arts = slots(&ids, 5);
        let dates = in_shanghai(&arts, &[], EARLY).dates;
        let mut order: Vec<usize> = (0..arts.len()).collect();
        order.sort_by_key(|&i| dates[i]);
        for w in order.windows(2) {
            assert_ne!(arts[w[0]].city, arts[w[1]].city);
            assert_ne!(arts[w[0]].topic, arts[w[1]].topic);
        }
        let mut unique = dates.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), dates.len(), "every article has its own slot");
        assert_eq!(*unique.first().unwrap(), cadence().start);
    }

    #[test]
    fn adding_a_city_later_moves_no_date_and_dates_the_new_one_forward() {
        let ids = grid(4, 3);
        let arts = slots(&ids, 3);
        let first = in_shanghai(&arts, &[], EARLY);
        let lock = lock_of(&arts, &first);
        let more = grid(5, 3);
        let now = at("2026-06-01 12:05:00");
        let after = schedule(&slots(&more, 3), &lock, &cadence(), Shanghai, now).dates;
        assert_eq!(&after[..first.dates.len()], &first.dates[..]);
        let new = &after[first.dates.len()..];
        assert!(new.iter().all(|d| *d >= now), "{new:?}");
        assert_eq!(*new.iter().min().unwrap(), at("2026-06-01 12:20:00"));
    }

    #[test]
    fn a_backlog_drips_after_the_taken_slots() {
        let ids = grid(2, 2);
        let arts = slots(&ids, 2);
        let first = in_shanghai(&arts[..2], &[], EARLY);
        let lock = lock_of(&arts[..2], &first);
        let now = at("2026-01-05 08:10:00");
        let dates = schedule(&arts, &lock, &cadence(), Shanghai, now).dates;
        assert!(dates[2..].iter().all(|d| *d > now));
        let mut sorted = dates.clone();
        sorted.sort();
        assert_eq!(sorted[0], cadence().start);
        for w in sorted.windows(2) {
            assert_eq!(w[1] - w[0], TimeDelta::try_minutes(20).unwrap());
        }
    }

    #[test]
    fn a_removed_article_is_retired_and_comes_back_with_its_date() {
        let ids = grid(3, 2);
        let arts = slots(&ids, 2);
        let first = in_shanghai(&arts, &[], EARLY);
        let lock = lock_of(&arts, &first);
        let fewer = in_shanghai(&arts[..4], &lock, "2026-05-01 00:00:00");
        assert_eq!(fewer.retired.len(), 2);
        assert!(fewer.retired.iter().all(|s| s.retired));
        let lock = lock_of(&arts[..4], &fewer);
        let back = in_shanghai(&arts, &lock, "2026-09-01 00:00:00");
        assert_eq!(back.dates, first.dates);
        assert!(back.retired.is_empty());
    }

    #[test]
    fn fixed_dates_win() {
        let ids = grid(2, 2);
        let mut arts = slots(&ids, 2);
        let fixed = Sourced::new(
            at("2026-02-03 06:39:37"),
            Origin::new("cities/c1.yaml", 9, 17),
        );
        arts[1].fixed = Some(&fixed);
        let s = in_shanghai(&arts, &[], EARLY);
        assert_eq!(s.dates[1], fixed.value);
        assert!(s.problems.is_empty());
        // Where each date comes from is recorded: a fixed date beats the lock's.
        let mut lock = lock_of(&arts, &s);
        lock[1].line = 3;
        lock[2].line = 4;
        lock.remove(3);
        let s = in_shanghai(&arts, &lock, EARLY);
        let lock_line = |line| PublishFrom::Lock { line };
        let from = [
            lock_line(0),
            PublishFrom::Fixed,
            lock_line(4),
            PublishFrom::Slot,
        ];
        assert_eq!(s.from, from);
    }

    #[test]
    fn a_fixed_date_the_clock_skips_is_refused_at_its_line() {
        let ids = grid(2, 2);
        let mut arts = slots(&ids, 2);
        let fixed = Sourced::new(
            at("2026-03-08 02:30:00"),
            Origin::new("cities/c1.yaml", 9, 17),
        );
        arts[1].fixed = Some(&fixed);
        let s = schedule(&arts, &[], &cadence(), New_York, at(EARLY));
        assert_eq!(s.problems.len(), 1);
        assert_eq!(s.problems[0].origin.line, 9);
        assert!(
            s.problems[0]
                .message
                .contains("does not exist in America/New_York")
        );
        assert!(in_shanghai(&arts, &[], EARLY).problems.is_empty());
    }

    #[test]
    fn cadence_slots_in_the_gap_are_skipped_and_lock_dates_there_read_after_the_jump() {
        let c = Cadence {
            start: at("2026-03-08 01:00:00"),
            interval_minutes: 30,
            ..cadence()
        };
        let ids = grid(2, 3);
        let arts = slots(&ids, 3);
        let mut dates = schedule(&arts, &[], &c, New_York, at(EARLY)).dates;
        dates.sort();
        let shown: Vec<String> = dates
            .iter()
            .map(|d| d.format("%H:%M").to_string())
            .collect();
        assert_eq!(
            shown,
            ["01:00", "01:30", "03:00", "03:30", "04:00", "04:30"]
        );
        let lock = vec![LockedSlot::new(&ids[0], at("2026-03-08 02:15:00"))];
        let s = schedule(&arts[..1], &lock, &c, New_York, at(EARLY));
        assert_eq!(s.dates, [at("2026-03-08 03:15:00")]);
        assert!(s.problems.is_empty());
    }

    #[test]
    fn slots_past_9999_are_refused_at_schedule_start() {
        let ids = grid(2, 2);
        let arts = slots(&ids, 2);
        let c = Cadence {
            start: at("9999-12-31 23:00:00"),
            ..cadence()
        };
        let s = schedule(&arts, &[], &c, Shanghai, at(EARLY));
        assert_eq!(s.problems.len(), 1);
        assert_eq!(s.problems[0].origin.line, 18);
        assert!(s.dates.iter().all(|d| *d <= last_lockable()));
    }
}
