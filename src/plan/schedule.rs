//! Publish datetimes: fixed dates, then `schedule.lock`, then new cadence slots.
//!
//! Articles already in the lock never move, so adding or removing a city or topic changes
//! no published date. New articles are interleaved so that neighbours differ in city and
//! topic, and take the cadence slots after the last locked one.

use crate::model::{Cadence, LockedSlot};
use chrono::{NaiveDateTime, TimeDelta};
use std::collections::HashMap;

/// What the scheduler needs to know about one article.
#[derive(Debug, Clone)]
pub struct Slotting<'a> {
    pub id: &'a str,
    pub city: usize,
    pub topic: usize,
    pub fixed: Option<NaiveDateTime>,
}

/// The publish datetime of each article (same order as `articles`) and the new lock.
pub fn schedule(
    articles: &[Slotting<'_>],
    lock: &[LockedSlot],
    cadence: &Cadence,
) -> (Vec<NaiveDateTime>, Vec<LockedSlot>) {
    let locked: HashMap<&str, NaiveDateTime> = lock
        .iter()
        .map(|s| (s.article.as_str(), s.publish_at))
        .collect();
    let mut dates: Vec<Option<NaiveDateTime>> = articles
        .iter()
        .map(|a| a.fixed.or_else(|| locked.get(a.id).copied()))
        .collect();
    let fresh: Vec<usize> = (0..articles.len())
        .filter(|&i| dates[i].is_none())
        .collect();
    let step = TimeDelta::try_minutes(cadence.interval_minutes.max(1)).unwrap_or(TimeDelta::MAX);
    let mut next = match lock.iter().map(|s| s.publish_at).max() {
        Some(last) => later(last, step).max(cadence.start),
        None => cadence.start,
    };
    for i in interleave(articles, &fresh) {
        dates[i] = Some(next);
        next = later(next, step);
    }
    let dates: Vec<NaiveDateTime> = dates
        .into_iter()
        .map(|d| d.unwrap_or(cadence.start))
        .collect();
    let new_lock = articles
        .iter()
        .zip(&dates)
        .filter(|(a, _)| a.fixed.is_none())
        .map(|(a, &publish_at)| LockedSlot {
            publish_at,
            article: a.id.to_string(),
        })
        .collect();
    (dates, new_lock)
}

/// `t + step`, saturating at the end of the calendar instead of overflowing.
fn later(t: NaiveDateTime, step: TimeDelta) -> NaiveDateTime {
    t.checked_add_signed(step).unwrap_or(NaiveDateTime::MAX)
}

/// Orders `fresh` articles diagonally over cities × topics, then repairs any neighbours that
/// still share a city or topic by swapping with a nearby later article. O(n).
fn interleave(articles: &[Slotting<'_>], fresh: &[usize]) -> Vec<usize> {
    let mut by_city: Vec<(usize, Vec<usize>)> = Vec::new();
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

    fn cadence() -> Cadence {
        Cadence {
            start: NaiveDateTime::parse_from_str("2026-01-05 08:00:00", "%Y-%m-%d %H:%M:%S")
                .unwrap(),
            interval_minutes: 20,
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
                city: i / topics,
                topic: i % topics,
                fixed: None,
            })
            .collect()
    }

    #[test]
    fn neighbours_differ_in_city_and_topic() {
        let ids = grid(7, 5);
        let arts = slots(&ids, 5);
        let (dates, _) = schedule(&arts, &[], &cadence());
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
    }

    #[test]
    fn adding_a_city_moves_no_existing_date() {
        let ids = grid(4, 3);
        let (before, lock) = schedule(&slots(&ids, 3), &[], &cadence());
        let more = grid(5, 3);
        let (after, _) = schedule(&slots(&more, 3), &lock, &cadence());
        assert_eq!(&after[..before.len()], &before[..]);
        let last = *before.iter().max().unwrap();
        assert!(after[before.len()..].iter().all(|d| *d > last));
    }

    #[test]
    fn fixed_dates_win() {
        let ids = grid(2, 2);
        let mut arts = slots(&ids, 2);
        let fixed =
            NaiveDateTime::parse_from_str("2026-02-03 06:39:37", "%Y-%m-%d %H:%M:%S").unwrap();
        arts[1].fixed = Some(fixed);
        let (dates, lock) = schedule(&arts, &[], &cadence());
        assert_eq!(dates[1], fixed);
        assert_eq!(lock.len(), 3);
    }
}
