//! `schedule.lock`: the publish datetime of every article and the variants it was
//! published with, fixed once assigned.
//!
//! One line per article, sorted by datetime:
//!
//! ```text
//! 2026-01-05 08:00:00 yueyang/canbaodi-biangeng title=0:1a2b3c4d teaser=1:… heading.canbaodi-biangeng=0:… date=(%Y年%-m月%-d日)
//! 2026-01-05 08:20:00 binzhou/jiaofei-jilu retired title=…
//! ```
//!
//! `retired` marks an article whose city or topic is gone (kept so that adding it back
//! restores it); `date=` takes the rest of the line. The build keeps existing lines and
//! adds new ones; commit the file with the site. Every line the build writes reads back.

use super::local_time;
use super::site::parse_datetime;
use crate::diag::{Diagnostic, Origin};
use crate::model::{LockedSlot, VariantPin};
use chrono::{Datelike, NaiveDateTime};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;

/// The lock file's name in the site folder.
pub(crate) const LOCK_FILE: &str = "schedule.lock";

/// The last datetime a lock line can hold (`%Y` of a later year does not read back).
pub(crate) fn last_lockable() -> NaiveDateTime {
    NaiveDateTime::parse_from_str("9999-12-31 23:59:59", "%Y-%m-%d %H:%M:%S")
        .unwrap_or(NaiveDateTime::MAX)
}

/// The lock's lines with their numbers, but for blank lines and comments; sized first, so
/// a large lock's list is made in one allocation.
fn numbered_lines(text: &str) -> Vec<(u32, &str)> {
    let mut lines = Vec::with_capacity(memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1);
    lines.extend(
        (text.lines().enumerate())
            .map(|(i, line)| (i as u32 + 1, line))
            .filter(|(_, line)| !line.trim().is_empty() && !line.trim_start().starts_with('#')),
    );
    lines
}

/// Parses the lock text; every malformed line, and every article listed twice with
/// different contents, is reported.
pub fn parse_lock(text: &str, shown: &Path) -> Result<Vec<LockedSlot>, Vec<Diagnostic>> {
    // Lines are independent: parsed on every core (100,000 articles make a 24 MB lock read
    // by every build), then gone through in order.
    let mut lines = numbered_lines(text);
    for (_, line) in &mut lines {
        *line = line.trim();
    }
    let parsed: Vec<(u32, Result<LockedSlot, String>)> = lines
        .par_iter()
        .with_min_len(PER_TASK)
        .map(|&(n, line)| (n, parse_line(line)))
        .collect();
    let mut records: Vec<(u32, LockedSlot)> = Vec::with_capacity(parsed.len());
    let mut problems = Vec::new();
    for (n, parsed) in parsed {
        match parsed {
            Ok(slot) => records.push((n, LockedSlot { line: n, ..slot })),
            Err(what) => problems.push(
                Diagnostic::error(Origin::new(shown, n, 1), format!("malformed schedule line: {what}"))
                    .with_hint(
                        "each line is `YYYY-MM-DD HH:MM:SS city/topic`, optionally followed by `retired` and `key=value` fields written by sitegen; if unsure, restore the file from version control",
                    )
                    .with_source(text),
            ),
        }
    }
    let mut first: HashMap<&str, (u32, &LockedSlot)> = HashMap::with_capacity(records.len());
    let mut keep = vec![true; records.len()];
    for (k, (n, slot)) in records.iter().enumerate() {
        match first.get(slot.article.as_str()) {
            None => {
                first.insert(&slot.article, (*n, slot));
            }
            Some((_, earlier)) if *earlier == slot => keep[k] = false,
            Some((m, earlier)) => problems.push(
                Diagnostic::error(
                    Origin::new(shown, *n, 1),
                    format!(
                        "`{}` is listed twice: line {m} says {}, line {n} says {}",
                        slot.article,
                        earlier.publish_at.format("%Y-%m-%d %H:%M:%S"),
                        slot.publish_at.format("%Y-%m-%d %H:%M:%S"),
                    ),
                )
                .with_hint(format!(
                    "keep the line with the date the article was really published (line {m} or {n}) and delete the other; `git log -p schedule.lock` shows which one is older"
                ))
                .with_source(text),
            ),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut slots: Vec<LockedSlot> = records
        .into_iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|((_, s), _)| s)
        .collect();
    slots.par_sort();
    Ok(slots)
}

/// Whether `text`, made by [`format_lock`], reads back as itself: every line parses and
/// formats back to itself, and no article is listed twice. Checked line by line on every
/// core, so that a large lock is not made a second time (nor its slots) to compare it.
/// `Err` holds what [`parse_lock`] would report.
pub(crate) fn reads_back(text: &str, shown: &Path) -> Result<bool, Vec<Diagnostic>> {
    let lines = numbered_lines(text);
    let checked: Vec<Result<Option<&str>, Diagnostic>> = lines
        .par_iter()
        .with_min_len(PER_TASK)
        .map(|&(n, line)| match parse_line(line.trim()) {
            Ok(slot) => {
                let mut again = String::with_capacity(line.len() + 1);
                format_line(&mut again, &slot);
                let same = again.strip_suffix('\n') == Some(line);
                Ok(same.then(|| article_of(line)))
            }
            Err(what) => Err(Diagnostic::error(
                Origin::new(shown, n, 1),
                format!("malformed schedule line: {what}"),
            )),
        })
        .collect();
    let mut seen = std::collections::HashSet::with_capacity(checked.len());
    let mut all_same = true;
    let mut problems = Vec::new();
    for c in checked {
        match c {
            Ok(Some(article)) => all_same &= seen.insert(article),
            Ok(None) => all_same = false,
            Err(d) => problems.push(d),
        }
    }
    if problems.is_empty() {
        Ok(all_same)
    } else {
        Err(problems)
    }
}

/// The `city/topic` field of a lock line.
fn article_of(line: &str) -> &str {
    line.split(' ').nth(2).unwrap_or("")
}

/// One lock line, or what is wrong with it.
fn parse_line(line: &str) -> Result<LockedSlot, String> {
    let whole = line;
    let (date, line) = line.split_once(' ').ok_or("no article")?;
    let (time, rest) = line.split_once(' ').ok_or("no article")?;
    // `date time`, as the line has it.
    let when = &whole[..date.len() + 1 + time.len()];
    let publish_at = parse_datetime(when)
        .ok_or_else(|| format!("`{when}` is not a date and time between 1970 and 9999"))?;
    let (article, mut rest) = rest.split_once(' ').unwrap_or((rest, ""));
    if !article
        .split_once('/')
        .is_some_and(|(c, t)| !c.is_empty() && !t.is_empty())
    {
        return Err(format!("`{article}` is not `city/topic`"));
    }
    let mut slot = LockedSlot::new(article, publish_at);
    let (mut city, mut topic) = (None, None);
    while !rest.is_empty() {
        if let Some(format) = rest.strip_prefix("date=") {
            slot.pins.date = Some(format.to_string());
            break;
        }
        let (field, tail) = rest.split_once(' ').unwrap_or((rest, ""));
        rest = tail.trim_start();
        if field == "retired" {
            slot.retired = true;
            continue;
        }
        let (key, value) = field
            .split_once('=')
            .ok_or_else(|| format!("unknown field `{field}`"))?;
        match key {
            "city" => {
                city = Some(value.to_string());
                continue;
            }
            "topic" => {
                topic = Some(value.to_string());
                continue;
            }
            _ => {}
        }
        let pin = parse_pin(value).ok_or_else(|| format!("`{field}` is not `{key}=N:hash`"))?;
        match key {
            "title" => slot.pins.title = Some(pin),
            "teaser" => slot.pins.teaser = Some(pin),
            _ => match key.strip_prefix("heading.") {
                Some(topic) if !topic.is_empty() => {
                    slot.pins.headings.push((topic.to_string(), pin))
                }
                _ => return Err(format!("unknown field `{key}`")),
            },
        }
    }
    slot.pins.headings.sort();
    slot.names = city.zip(topic);
    Ok(slot)
}

fn parse_pin(value: &str) -> Option<VariantPin> {
    let (index, hash) = value.split_once(':')?;
    Some(VariantPin {
        index: index.parse().ok()?,
        text_hash: u32::from_str_radix(hash, 16).ok()?,
    })
}

/// Parses a generated one-record-per-line file (`#` comments, blank lines allowed) and
/// sorts the records; every line `parse` refuses is reported with `message` and `hint`.
pub(crate) fn parse_lines<T: Ord>(
    text: &str,
    shown: &Path,
    message: &str,
    hint: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Vec<T>, Vec<Diagnostic>> {
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match parse(line) {
            Some(r) => records.push(r),
            None => problems.push(
                Diagnostic::error(Origin::new(shown, i as u32 + 1, 1), message)
                    .with_hint(hint)
                    .with_source(text),
            ),
        }
    }
    if problems.is_empty() {
        records.sort();
        Ok(records)
    } else {
        Err(problems)
    }
}

/// The lock file's text for `slots` (sorted by datetime, then article). Every slot must
/// be at most [`last_lockable`]; the planner refuses later ones.
pub fn format_lock(slots: &[LockedSlot]) -> String {
    let mut sorted: Vec<&LockedSlot> = slots.iter().collect();
    sorted.par_sort();
    let mut out = String::from(
        "# sitegen publishing schedule: one article per line, never moved once assigned.\n\
         # Generated by `sitegen build`; commit it with the site.\n",
    );
    // Formatted in chunks on every core, joined in order.
    let chunks: Vec<String> = sorted
        .par_chunks(PER_TASK)
        .map(|chunk| {
            let mut text = String::with_capacity(chunk.len() * 256);
            for s in chunk {
                format_line(&mut text, s);
            }
            text
        })
        .collect();
    out.reserve(chunks.iter().map(String::len).sum());
    chunks.iter().for_each(|c| out.push_str(c));
    out
}

/// Whether `planned` (in any order) are the entries `read` lists, in its order — the sorted
/// order [`format_lock`] and `format_modified` write entries in: a lock formatted from
/// `read` is then the one formatted from `planned`.
pub(crate) fn lists_the_same<T: Ord + Sync>(planned: &[T], read: &[T]) -> bool {
    if planned.len() != read.len() {
        return false;
    }
    let mut sorted: Vec<&T> = planned.iter().collect();
    sorted.par_sort();
    sorted.into_iter().zip(read).all(|(p, r)| p == r)
}

/// Lines per parallel task when parsing or formatting the lock.
const PER_TASK: usize = 2048;

/// One slot's line, with its newline, appended to `out`.
fn format_line(out: &mut String, s: &LockedSlot) {
    use std::fmt::Write;
    debug_assert!(s.publish_at.year() <= 9999);
    // Writing into a String cannot fail.
    let _ = write_datetime(out, s.publish_at);
    out.push(' ');
    out.push_str(&s.article);
    if s.retired {
        out.push_str(" retired");
    }
    if let Some((city, topic)) = &s.names {
        let _ = write!(out, " city={city} topic={topic}");
    }
    let p = &s.pins;
    let pin = |out: &mut String, key: &str, v: &VariantPin| {
        let _ = write!(out, " {key}={}:{:08x}", v.index, v.text_hash);
    };
    if let Some(v) = &p.title {
        pin(out, "title", v);
    }
    if let Some(v) = &p.teaser {
        pin(out, "teaser", v);
    }
    for (topic, v) in &p.headings {
        let _ = write!(out, " heading.{topic}={}:{:08x}", v.index, v.text_hash);
    }
    if let Some(d) = &p.date {
        out.push_str(" date=");
        out.push_str(d);
    }
    out.push('\n');
}

/// `%Y-%m-%d %H:%M:%S` digit by digit, for every line (and every page); chrono's own
/// formatting for what the digits cannot say (a year outside 0–9999, a leap second).
pub(crate) fn write_datetime(out: &mut String, t: NaiveDateTime) -> std::fmt::Result {
    use std::fmt::Write;
    if !local_time::plain_digits(t) {
        return write!(out, "{}", t.format("%Y-%m-%d %H:%M:%S"));
    }
    local_time::push_date(out, t.date());
    out.push(' ');
    local_time::push_time(out, t);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_entries_in_any_order_list_the_same_and_nothing_else_does() {
        let at = |s: &str| parse_datetime(s).unwrap();
        let a = LockedSlot::new("yueyang/a", at("2026-01-01 08:00:00"));
        let b = LockedSlot::new("jinhua/a", at("2026-01-01 08:20:00"));
        let read = parse_lock(&format_lock(&[b.clone(), a.clone()]), Path::new("l")).unwrap();
        assert!(lists_the_same(&[b.clone(), a.clone()], &read));
        assert!(lists_the_same(&[a.clone(), b.clone()], &read));
        assert!(!lists_the_same(std::slice::from_ref(&a), &read));
        let retired = LockedSlot {
            retired: true,
            ..b.clone()
        };
        assert!(!lists_the_same(&[a.clone(), retired], &read));
        let moved = LockedSlot::new("jinhua/a", at("2026-01-01 08:21:00"));
        assert!(!lists_the_same(&[a, moved], &read));
    }

    #[test]
    fn datetimes_are_written_as_chrono_writes_them() {
        let base = parse_datetime("1970-01-01 00:00:00").unwrap();
        let mut times: Vec<NaiveDateTime> = (0..2000)
            .map(|k| base + chrono::Duration::seconds(k * 126_000_017))
            .collect();
        times.push(last_lockable());
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_milli_opt(23, 59, 59, 1_000));
        times.extend(leap);
        for t in times {
            let mut ours = String::new();
            write_datetime(&mut ours, t).unwrap();
            assert_eq!(ours, t.format("%Y-%m-%d %H:%M:%S").to_string());
        }
    }

    #[test]
    fn round_trips() {
        let text = "# c\n2026-01-05 08:20:00 jinhua/a\n2026-01-05 08:00:00 yueyang/a\n";
        let slots = parse_lock(text, Path::new("schedule.lock")).unwrap();
        assert_eq!(slots[0].article, "yueyang/a");
        let again = parse_lock(&format_lock(&slots), Path::new("schedule.lock")).unwrap();
        assert_eq!(slots, again);
    }

    #[test]
    fn fields_round_trip() {
        let text = "2026-01-05 08:00:00 a/b retired city=岳阳 topic=参保地变更 title=2:0000beef teaser=0:00000001 \
                    heading.b=1:abcdef01 heading.c=0:00000000 date=(%Y年%-m月%-d日)\n\
                    2026-01-05 08:20:00 a/c date=\n";
        let slots = parse_lock(text, Path::new("schedule.lock")).unwrap();
        assert!(slots[0].retired);
        assert_eq!(slots[0].names, Some(("岳阳".into(), "参保地变更".into())));
        assert_eq!(slots[0].pins.title.unwrap().text_hash, 0xbeef);
        assert_eq!(slots[0].pins.headings.len(), 2);
        assert_eq!(slots[0].pins.date.as_deref(), Some("(%Y年%-m月%-d日)"));
        assert_eq!(slots[1].pins.date.as_deref(), Some(""));
        let again = parse_lock(&format_lock(&slots), Path::new("schedule.lock")).unwrap();
        assert_eq!(slots, again);
    }

    #[test]
    fn a_formatted_lock_reads_back_and_a_broken_one_does_not() {
        let shown = Path::new("schedule.lock");
        let text = "2026-01-05 08:00:00 a/b retired city=岳阳 topic=参保地变更 title=2:0000beef\n\
                    2026-01-05 08:20:00 a/c date=(%Y年%-m月%-d日)\n";
        let lock = format_lock(&parse_lock(text, shown).unwrap());
        assert_eq!(reads_back(&lock, shown), Ok(true));
        // A name with a space would be read as two fields.
        let mut slots = parse_lock(text, shown).unwrap();
        slots[0].names = Some(("岳 阳".into(), "参保地变更".into()));
        let spaced = reads_back(&format_lock(&slots), shown).unwrap_err();
        assert_eq!(spaced[0].origin.line, 3);
        // The same article twice, and a line that does not parse.
        let twice = format!("{lock}2026-01-05 08:40:00 a/c\n");
        assert_eq!(reads_back(&twice, shown), Ok(false));
        let broken = format!("{lock}10000-01-01 00:00:00 a/d\n");
        assert_eq!(reads_back(&broken, shown).unwrap_err()[0].origin.line, 5);
    }

    #[test]
    fn reports_bad_lines() {
        let err = parse_lock(
            "2026-01-05 08:00:00 a/b\nnonsense\n2026-01-05 08:00:00 a/c colour=red\n",
            Path::new("schedule.lock"),
        )
        .unwrap_err();
        assert_eq!(err[0].origin.line, 2);
        assert_eq!(err[1].origin.line, 3);
        assert!(err[1].message.contains("colour"), "{}", err[1].message);
    }

    #[test]
    fn a_duplicate_with_another_date_names_both_lines() {
        let err = parse_lock(
            "2026-01-05 08:00:00 a/b\n2026-01-05 08:20:00 a/c\n2027-01-05 08:00:00 a/b\n",
            Path::new("schedule.lock"),
        )
        .unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].origin.line, 3);
        assert!(err[0].message.contains("line 1"), "{}", err[0].message);
        assert!(err[0].message.contains("line 3"), "{}", err[0].message);
        let same = parse_lock(
            "2026-01-05 08:00:00 a/b\n2026-01-05 08:00:00 a/b\n",
            Path::new("schedule.lock"),
        )
        .unwrap();
        assert_eq!(same.len(), 1);
    }
}
