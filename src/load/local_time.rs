//! Wall-clock times of the site's time zone and the instants they name: the one rule for
//! the hour a daylight-saving change skips (the gap) and the hour it repeats (the fold).
//!
//! sitegen keeps every datetime as a wall-clock time of `site.yaml`'s `timezone` (what the
//! editors write and what `schedule.lock` records). The rule:
//!
//! - **gap** (`2026-03-08 02:30` in America/New_York does not exist): a time a person
//!   writes (`schedule.start`, `publish_at`, `--now`) is refused with the time to write
//!   instead; a cadence slot there is skipped; a time sitegen recorded earlier
//!   (`schedule.lock`, `modified.lock`, written before this rule or under another zone) is
//!   read as the instant the clock reached after the jump (02:30 → 03:30 EDT);
//! - **fold** (`2026-11-01 01:30` happens twice): the earlier instant (01:30 EDT);
//! - "now" from the clock or `SOURCE_DATE_EPOCH` during the fold's second pass counts as
//!   the fold's last second, so nothing published in the repeated hour is withdrawn and
//!   nothing is published early.
//!
//! So every datetime written out has one offset and is valid RFC 3339.

use chrono::{DateTime, LocalResult, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

/// The instant a wall-clock time names by the rule above (never fails).
pub(crate) fn instant(tz: Tz, t: NaiveDateTime) -> DateTime<Tz> {
    match tz.from_local_datetime(&t) {
        LocalResult::Single(i) => i,
        LocalResult::Ambiguous(earlier, _) => earlier,
        // In the gap: the offset in force before the jump, which puts the instant as far
        // after the jump as `t` is after its start.
        LocalResult::None => {
            let before = t.checked_sub_signed(TimeDelta::days(1)).unwrap_or(t);
            let offset = tz.offset_from_utc_datetime(&before).fix();
            let utc = t
                .checked_sub_signed(TimeDelta::seconds(i64::from(offset.local_minus_utc())))
                .unwrap_or(t);
            tz.from_utc_datetime(&utc)
        }
    }
}

/// `None` when `t` exists in `tz`; for a time in the gap, the wall-clock time the clock
/// shows at the instant [`instant`] gives it (02:30 → 03:30), to suggest instead.
pub fn skipped(tz: Tz, t: NaiveDateTime) -> Option<NaiveDateTime> {
    matches!(tz.from_local_datetime(&t), LocalResult::None).then(|| instant(tz, t).naive_local())
}

/// The message and hint for a written time that falls in the gap, or `None`.
pub(crate) fn gap_problem(tz: Tz, t: NaiveDateTime) -> Option<(String, String)> {
    let after = skipped(tz, t)?;
    Some((
        format!(
            "{} does not exist in {}: the clocks skip it when daylight saving time starts",
            t.format("%Y-%m-%d %H:%M:%S"),
            tz.name()
        ),
        format!(
            "write a time the clock shows, e.g. `{}` (the same instant, after the jump)",
            after.format("%Y-%m-%d %H:%M:%S")
        ),
    ))
}

/// "Now" as a wall-clock time: the instant's local time, except during the fold's second
/// pass, where it is the fold's last second (every time of the fold names its earlier
/// instant, which has then passed; the first time after the fold has not).
pub(crate) fn wall_clock_now(tz: Tz, now: DateTime<Utc>) -> NaiveDateTime {
    let local = now.with_timezone(&tz);
    let n = local.naive_local();
    let LocalResult::Ambiguous(earlier, _) = tz.from_local_datetime(&n) else {
        return n;
    };
    if earlier == local {
        return n;
    }
    // The fold ends at most the offsets' difference after `n`: find its last second.
    let span = i64::from(earlier.offset().fix().local_minus_utc())
        - i64::from(local.offset().fix().local_minus_utc());
    let in_fold = |s: i64| {
        n.checked_add_signed(TimeDelta::seconds(s))
            .is_some_and(|t| matches!(tz.from_local_datetime(&t), LocalResult::Ambiguous(..)))
    };
    let (mut lo, mut hi) = (0, span.max(0));
    while lo < hi {
        let mid = lo + (hi - lo + 1) / 2;
        if in_fold(mid) { lo = mid } else { hi = mid - 1 }
    }
    n + TimeDelta::seconds(lo)
}

/// RFC 3339 with the site's offset, e.g. `2026-02-03T06:39:37+08:00`.
pub(crate) fn rfc3339(tz: Tz, t: NaiveDateTime) -> String {
    instant(tz, t).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America::New_York, Asia::Shanghai, Europe::Berlin};

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        at(s).and_utc()
    }

    #[test]
    fn a_time_in_the_gap_is_the_instant_after_the_jump() {
        assert_eq!(
            rfc3339(New_York, at("2026-03-08 02:30:00")),
            "2026-03-08T03:30:00-04:00"
        );
        assert_eq!(
            rfc3339(New_York, at("2026-03-08 02:00:00")),
            "2026-03-08T03:00:00-04:00"
        );
        assert_eq!(
            rfc3339(Berlin, at("2026-03-29 02:59:59")),
            "2026-03-29T03:59:59+02:00"
        );
        assert_eq!(
            skipped(New_York, at("2026-03-08 02:30:00")),
            Some(at("2026-03-08 03:30:00"))
        );
        assert_eq!(skipped(New_York, at("2026-03-08 03:00:00")), None);
        assert_eq!(skipped(New_York, at("2026-03-08 01:59:59")), None);
        assert_eq!(skipped(Shanghai, at("2026-03-08 02:30:00")), None);
        let (message, hint) = gap_problem(Berlin, at("2026-03-29 02:15:00")).unwrap();
        assert!(
            message.contains("does not exist in Europe/Berlin"),
            "{message}"
        );
        assert!(hint.contains("2026-03-29 03:15:00"), "{hint}");
    }

    #[test]
    fn a_time_in_the_fold_is_the_earlier_instant() {
        assert_eq!(
            rfc3339(New_York, at("2026-11-01 01:30:00")),
            "2026-11-01T01:30:00-04:00"
        );
        assert_eq!(
            rfc3339(Berlin, at("2026-10-25 02:30:00")),
            "2026-10-25T02:30:00+02:00"
        );
        assert_eq!(
            rfc3339(New_York, at("2026-11-01 02:00:00")),
            "2026-11-01T02:00:00-05:00"
        );
        assert_eq!(
            rfc3339(Shanghai, at("2026-02-03 06:39:37")),
            "2026-02-03T06:39:37+08:00"
        );
    }

    #[test]
    fn now_in_the_folds_second_pass_is_the_folds_last_second() {
        // 05:30Z is 01:30 EDT (first pass), 06:30Z is 01:30 EST (second pass).
        assert_eq!(
            wall_clock_now(New_York, utc("2026-11-01 05:30:00")),
            at("2026-11-01 01:30:00")
        );
        assert_eq!(
            wall_clock_now(New_York, utc("2026-11-01 06:30:00")),
            at("2026-11-01 01:59:59")
        );
        assert_eq!(
            wall_clock_now(New_York, utc("2026-11-01 06:00:00")),
            at("2026-11-01 01:59:59")
        );
        assert_eq!(
            wall_clock_now(New_York, utc("2026-11-01 07:00:00")),
            at("2026-11-01 02:00:00")
        );
        assert_eq!(
            wall_clock_now(Berlin, utc("2026-10-25 01:10:00")),
            at("2026-10-25 02:59:59")
        );
        assert_eq!(
            wall_clock_now(Shanghai, utc("2026-02-02 22:39:37")),
            at("2026-02-03 06:39:37")
        );
        // Never earlier than an earlier reading: time does not run back.
        let mut last = NaiveDateTime::MIN;
        for minute in 0..240 {
            let t = wall_clock_now(
                New_York,
                utc("2026-11-01 04:00:00") + TimeDelta::minutes(minute),
            );
            assert!(t >= last, "{t} after {last}");
            last = t;
        }
    }
}
