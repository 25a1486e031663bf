//! Every datetime a build writes is valid RFC 3339, also in a time zone with daylight saving
//! time: each `YYYY-MM-DDT…` token in the pages (`<time datetime>`, JSON-LD, meta tags),
//! the Atom feeds, the sitemaps and the report folder is read with chrono's strict
//! `DateTime::parse_from_rfc3339`; every `<time datetime>` is such a datetime or a plain
//! date; and every time in `schedule.lock` and `modified.lock` is a wall-clock time that
//! exists in the site's zone, whose RFC 3339 form parses too.

use crate::support::{Site, assert_has};
use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use std::fs;
use std::path::Path;

/// The datetime tokens of `text`: from each `DDDD-DD-DDT` on, the characters a datetime
/// may hold (and the `-`/`+` of an offset).
fn datetime_tokens(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 11 <= bytes.len() {
        let w = &bytes[i..i + 11];
        let shape = w.iter().enumerate().all(|(k, b)| match k {
            4 | 7 => *b == b'-',
            10 => *b == b'T',
            _ => b.is_ascii_digit(),
        });
        if shape && (i == 0 || !bytes[i - 1].is_ascii_digit()) {
            let end = (i..bytes.len())
                .find(|&j| {
                    !matches!(
                        bytes[j],
                        b'0'..=b'9' | b'T' | b':' | b'-' | b'+' | b'Z' | b'.'
                    )
                })
                .unwrap_or(bytes.len());
            out.push(&text[i..end]);
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// The values of every `datetime="…"` attribute.
fn time_attributes(html: &str) -> Vec<&str> {
    html.match_indices("datetime=\"")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            &rest[..rest.find('"').unwrap_or(rest.len())]
        })
        .collect()
}

/// Checks every text file of a built folder; returns how many datetimes were read.
pub(crate) fn check_output(dir: &Path, problems: &mut Vec<String>) -> usize {
    let mut seen = 0;
    for entry in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        let path = entry.path();
        let textual = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("html" | "xml" | "json" | "txt" | "js")
        );
        if !entry.file_type().is_file() || !textual {
            continue;
        }
        let Ok(text) = fs::read_to_string(path) else {
            continue;
        };
        let shown = path.strip_prefix(dir).unwrap_or(path).display().to_string();
        for token in datetime_tokens(&text) {
            seen += 1;
            if let Err(e) = DateTime::parse_from_rfc3339(token) {
                problems.push(format!("{shown}: `{token}` is not RFC 3339 ({e})"));
            }
        }
        for value in time_attributes(&text) {
            let date = NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok() && value.len() == 10;
            if !date && DateTime::parse_from_rfc3339(value).is_err() {
                problems.push(format!("{shown}: <time datetime=\"{value}\">"));
            }
        }
    }
    seen
}

/// Checks the wall-clock times of `schedule.lock` and `modified.lock` in `tz`.
fn check_locks(site: &Site, tz: Tz, problems: &mut Vec<String>) -> usize {
    let mut seen = 0;
    for (file, column) in [("schedule.lock", 0), ("modified.lock", 1)] {
        let text = site.read(file);
        for (n, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split(' ').collect();
            let written = match column {
                0 => format!("{} {}", fields[0], fields[1]),
                _ if fields[1] == "-" => continue,
                _ => format!("{} {}", fields[1], fields[2]),
            };
            seen += 1;
            let place = format!("{file}:{}: `{written}`", n + 1);
            let Ok(t) = NaiveDateTime::parse_from_str(&written, "%Y-%m-%d %H:%M:%S") else {
                problems.push(format!("{place} is not a date and time"));
                continue;
            };
            let offset = match tz.from_local_datetime(&t) {
                LocalResult::Single(i) | LocalResult::Ambiguous(i, _) => i.format("%:z"),
                LocalResult::None => {
                    problems.push(format!("{place} does not exist in {tz}"));
                    continue;
                }
            };
            let rfc = format!("{}{offset}", t.format("%Y-%m-%dT%H:%M:%S"));
            if DateTime::parse_from_rfc3339(&rfc).is_err() {
                problems.push(format!("{place}: `{rfc}` is not RFC 3339"));
            }
        }
    }
    seen
}

fn check_site(site: &Site, tz: Tz) {
    let mut problems = Vec::new();
    let pages = check_output(&site.path("public"), &mut problems);
    check_output(&site.path("public-report"), &mut problems);
    let locks = check_locks(site, tz, &mut problems);
    assert!(pages > 100, "only {pages} datetimes in the output");
    assert!(locks > 10, "only {locks} datetimes in the locks");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn tokens_are_found_where_they_are() {
    let html = r#"<time datetime="2026-03-08T03:30:00-04:00">x</time> "datePublished":"2026-03-08T02:30:00" 12026-01-01T"#;
    assert_eq!(
        datetime_tokens(html),
        ["2026-03-08T03:30:00-04:00", "2026-03-08T02:30:00"]
    );
    assert!(DateTime::parse_from_rfc3339("2026-03-08T02:30:00").is_err());
    assert_eq!(time_attributes(html), ["2026-03-08T03:30:00-04:00"]);
}

#[test]
fn every_datetime_of_the_real_site_is_rfc3339() {
    let site = Site::real();
    site.build_at("2026-11-24 00:00:00");
    check_site(&site, chrono_tz::Asia::Shanghai);
}

/// A site in America/New_York whose cadence runs through the spring gap, with a fixed date in
/// the autumn fold, a lock line in the gap (an older sitegen wrote such lines), and a text
/// edited during the fold's second pass (`SOURCE_DATE_EPOCH`).
#[test]
fn every_datetime_of_a_site_with_daylight_saving_time_is_rfc3339() {
    let site = Site::fixture("basic");
    site.edit("site.yaml", "Asia/Shanghai", "America/New_York");
    site.edit("site.yaml", "2026-01-05 08:00:00", "2026-03-08 01:00:00");
    site.edit(
        "cities/aaa.yaml",
        "    values:\n      materials:",
        "    publish_at: \"2026-11-01 01:30:00\"\n    values:\n      materials:",
    );
    site.build_at("2026-03-08 01:30:00");
    let lock = site.read("schedule.lock");
    assert!(
        !lock.contains("2026-03-08 02:"),
        "a slot in the gap:\n{lock}"
    );
    assert_has(&lock, "2026-03-08 03:00:00");
    // A lock line in the gap, as an older sitegen wrote them: read as the time after the jump.
    let (first, rest) = lock.split_once("2026-03-08 03:00:00").unwrap();
    site.write(
        "schedule.lock",
        &format!("{first}2026-03-08 02:10:00{rest}"),
    );
    site.build_at("2026-11-01 01:45:00");
    let lock = site.read("schedule.lock");
    assert_has(&lock, "2026-03-08 03:10:00");
    assert!(!lock.contains("2026-03-08 02:"), "{lock}");
    // 2026-11-01 06:30 UTC is 01:30 EST, the fold's second pass.
    site.edit("topics/alpha.md", "办理。", "办理,请带齐材料。");
    site.run_env(&["build"], &[("SOURCE_DATE_EPOCH", "1793514600")])
        .ok();
    let modified = site.read("modified.lock");
    assert_has(&modified, "2026-11-01 01:59:59");
    check_site(&site, chrono_tz::America::New_York);
    let page = site.read("public/aaa/alpha/index.html");
    assert!(
        page.contains("2026-11-01T01:30:00-04:00"),
        "the fold's earlier instant"
    );
}
