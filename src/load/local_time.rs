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
/// Written digit by digit: chrono's `format` parses its format string on every call and
/// `format!` pads each number through `Formatter`, and every page carries several of
/// these datetimes. Years outside 0–9999, leap seconds and offsets with seconds (which
/// chrono writes its own way) go through chrono.
pub(crate) fn rfc3339(tz: Tz, t: NaiveDateTime) -> String {
    let at = instant(tz, t);
    let local = at.naive_local();
    let offset = at.offset().fix().local_minus_utc();
    if !plain_digits(local) || offset % 60 != 0 {
        return at.format("%Y-%m-%dT%H:%M:%S%:z").to_string();
    }
    let mut out = String::with_capacity(25);
    push_date(&mut out, local.date());
    out.push('T');
    push_time(&mut out, local);
    out.push(if offset < 0 { '-' } else { '+' });
    let minutes = offset.unsigned_abs() / 60;
    push_two(&mut out, minutes / 60);
    out.push(':');
    push_two(&mut out, minutes % 60);
    out
}

/// Whether `t` is written with chrono's plain digits: a year in 0–9999 and no leap second.
pub(crate) fn plain_digits(t: NaiveDateTime) -> bool {
    use chrono::{Datelike, Timelike};
    (0..=9999).contains(&t.year()) && t.nanosecond() < 1_000_000_000
}

/// Appends `YYYY-MM-DD` (a year in 0–9999).
pub(crate) fn push_date(out: &mut String, d: chrono::NaiveDate) {
    use chrono::Datelike;
    let year = d.year().unsigned_abs();
    push_two(out, year / 100);
    push_two(out, year % 100);
    out.push('-');
    push_two(out, d.month());
    out.push('-');
    push_two(out, d.day());
}

/// Appends `HH:MM:SS` (no leap second).
pub(crate) fn push_time(out: &mut String, t: NaiveDateTime) {
    use chrono::Timelike;
    push_two(out, t.hour());
    out.push(':');
    push_two(out, t.minute());
    out.push(':');
    push_two(out, t.second());
}

/// Appends `n` (below 100) as two digits.
fn push_two(out: &mut String, n: u32) {
    out.push(char::from(b'0' + (n / 10 % 10) as u8));
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// `t` in the strftime `format` (a site's date format, which `site.yaml` checks), as
/// `t.format(format)` writes it, but with the format parsed once per thread: titles and
/// date suffixes format every article's date with one of a few formats.
pub(crate) fn format_in(t: NaiveDateTime, format: &str) -> String {
    use chrono::format::{Item, StrftimeItems};
    use std::cell::RefCell;
    /// More formats than this are formatted without keeping their items.
    const KEPT: usize = 16;
    thread_local! {
        static PARSED: RefCell<Vec<(String, Vec<Item<'static>>)>> = const { RefCell::new(Vec::new()) };
    }
    PARSED.with(|parsed| {
        let mut parsed = parsed.borrow_mut();
        let k = match parsed.iter().position(|(f, _)| f == format) {
            Some(k) => k,
            None => match StrftimeItems::new(format).parse_to_owned() {
                Ok(items) if parsed.len() < KEPT => {
                    parsed.push((format.to_string(), items));
                    parsed.len() - 1
                }
                _ => return t.format(format).to_string(),
            },
        };
        t.format_with_items(parsed[k].1.iter()).to_string()
    })
}

/// `YYYY-MM-DD`, as chrono's `%Y-%m-%d` writes it, without parsing a format string.
pub(crate) fn day(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    if !(0..=9999).contains(&d.year()) {
        return d.format("%Y-%m-%d").to_string();
    }
    let mut out = String::with_capacity(10);
    push_date(&mut out, d);
    out
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

    /// Each wall-clock time in its zone is written as the RFC 3339 time given.
    fn offsets(cases: &[(Tz, &str, &str)]) {
        for &(tz, wall, want) in cases {
            assert_eq!(rfc3339(tz, at(wall)), want, "{wall} in {tz}");
        }
    }

    #[test]
    fn a_time_in_the_gap_is_the_instant_after_the_jump() {
        offsets(&[
            (New_York, "2026-03-08 02:30:00", "2026-03-08T03:30:00-04:00"),
            (New_York, "2026-03-08 02:00:00", "2026-03-08T03:00:00-04:00"),
            (Berlin, "2026-03-29 02:59:59", "2026-03-29T03:59:59+02:00"),
        ]);
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
        offsets(&[
            (New_York, "2026-11-01 01:30:00", "2026-11-01T01:30:00-04:00"),
            (Berlin, "2026-10-25 02:30:00", "2026-10-25T02:30:00+02:00"),
            (New_York, "2026-11-01 02:00:00", "2026-11-01T02:00:00-05:00"),
            (Shanghai, "2026-02-03 06:39:37", "2026-02-03T06:39:37+08:00"),
        ]);
    }

    #[test]
    fn now_in_the_folds_second_pass_is_the_folds_last_second() {
        // 05:30Z is 01:30 EDT (first pass), 06:30Z is 01:30 EST (second pass).
        for (tz, now, wall) in [
            (New_York, "2026-11-01 05:30:00", "2026-11-01 01:30:00"),
            (New_York, "2026-11-01 06:30:00", "2026-11-01 01:59:59"),
            (New_York, "2026-11-01 06:00:00", "2026-11-01 01:59:59"),
            (New_York, "2026-11-01 07:00:00", "2026-11-01 02:00:00"),
            (Berlin, "2026-10-25 01:10:00", "2026-10-25 02:59:59"),
            (Shanghai, "2026-02-02 22:39:37", "2026-02-03 06:39:37"),
        ] {
            assert_eq!(wall_clock_now(tz, utc(now)), at(wall), "{now}Z in {tz}");
        }
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
    #[test]
    fn rfc3339_is_written_as_chrono_writes_it() {
        let base = at("1850-01-01 00:00:00");
        let mut times: Vec<NaiveDateTime> = (0..3000)
            .map(|k| base + TimeDelta::seconds(k * 2_100_017))
            .collect();
        times.extend([at("0999-12-31 23:59:59"), at("9999-12-31 23:59:59")]);
        times.push(at("2016-12-31 23:59:59") + TimeDelta::nanoseconds(1_500_000_000));
        times.extend(
            chrono::NaiveDate::from_ymd_opt(10_000, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)),
        );
        for tz in [
            Shanghai,
            New_York,
            Berlin,
            chrono_tz::Asia::Kolkata,
            chrono_tz::UTC,
        ] {
            for &t in &times {
                let chrono = instant(tz, t).format("%Y-%m-%dT%H:%M:%S%:z").to_string();
                assert_eq!(rfc3339(tz, t), chrono, "{t} in {tz}");
            }
        }
    }
    #[test]
    fn dates_are_formatted_as_chrono_formats_them() {
        let base = at("0001-01-01 00:00:00");
        let times: Vec<NaiveDateTime> = (0..2000)
            .map(|k| base + TimeDelta::seconds(k * 157_000_013))
            .collect();
        let formats = [
            "%Y年%-m月%-d日",
            "（%Y-%m-%d）",
            "%m/%d %H:%M",
            "%Y",
            "%%%e",
            "%Y-%m-%d %H:%M:%S",
        ];
        for _ in 0..2 {
            for t in &times {
                for f in formats {
                    assert_eq!(format_in(*t, f), t.format(f).to_string(), "{t} in {f}");
                }
                assert_eq!(day(t.date()), t.format("%Y-%m-%d").to_string());
            }
        }
        let far = chrono::NaiveDate::from_ymd_opt(12_345, 6, 7).unwrap();
        assert_eq!(day(far), far.format("%Y-%m-%d").to_string());
    }
}
