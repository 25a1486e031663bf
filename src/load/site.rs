//! `site.yaml`: the site's name, URLs, texts, cadence and site-wide defaults.

use super::yaml::{self, error_at, origin_of};
use crate::diag::Diagnostic;
use crate::model::{Cadence, LintSettings, SiteConfig, Value};
use chrono::NaiveDateTime;
use chrono::format::{Item, StrftimeItems};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    name: String,
    base_url: Spanned<String>,
    #[serde(default = "default_language")]
    language: String,
    #[serde(default = "default_timezone")]
    timezone: Spanned<String>,
    category: String,
    editor: String,
    disclaimer: String,
    statement: String,
    complaint_url: Spanned<String>,
    #[serde(default = "default_complaint_label")]
    complaint_label: String,
    #[serde(default)]
    icp: String,
    #[serde(default)]
    public_security_filing: String,
    #[serde(default)]
    health_info_approval: String,
    #[serde(default = "default_related_count")]
    related_count: usize,
    #[serde(default = "default_home_page_size")]
    home_page_size: Spanned<usize>,
    #[serde(default = "default_extra_sections")]
    extra_sections: usize,
    schedule: RawSchedule,
    title_date_formats: Spanned<Vec<Spanned<String>>>,
    #[serde(default = "default_feed_size")]
    feed_size: usize,
    #[serde(default)]
    allow_html: bool,
    #[serde(default)]
    max_input_bytes: Option<Spanned<u64>>,
    #[serde(default)]
    defaults: BTreeMap<String, Spanned<Value>>,
    #[serde(default)]
    lint: RawLint,
    #[serde(default)]
    image: Option<Spanned<String>>,
    #[serde(default)]
    about: Vec<String>,
}

/// `lint:` limits; each one is optional.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawLint {
    fact_max_age_days: Option<u32>,
    title_max_chars: Option<usize>,
    /// `sitegen coverage` thresholds, shares from 0 to 1.
    min_local_share: Option<Spanned<f64>>,
    max_twin_similarity: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchedule {
    start: Spanned<String>,
    interval_minutes: Spanned<i64>,
}

fn default_language() -> String {
    "zh-CN".into()
}
fn default_timezone() -> Spanned<String> {
    Spanned::new(
        "Asia/Shanghai".into(),
        serde_saphyr::Location::UNKNOWN,
        serde_saphyr::Location::UNKNOWN,
    )
}
fn default_complaint_label() -> String {
    "投诉".into()
}
fn default_related_count() -> usize {
    23
}
fn default_home_page_size() -> Spanned<usize> {
    Spanned::new(
        30,
        serde_saphyr::Location::UNKNOWN,
        serde_saphyr::Location::UNKNOWN,
    )
}
fn default_extra_sections() -> usize {
    2
}
fn default_feed_size() -> usize {
    20
}

/// Parses and checks `site.yaml` text.
pub(crate) fn parse_site(text: &str, shown: &Path) -> Result<SiteConfig, Vec<Diagnostic>> {
    let raw: RawSite = yaml::parse(text, shown, 0).map_err(|d| vec![d])?;
    let mut problems = Vec::new();

    let base_url = normalise_base_url(&raw.base_url.value).unwrap_or_else(|| {
        problems.push(error_at(
            origin_of(&raw.base_url, shown, 0),
            "base_url is not an absolute http(s) URL",
            "write it like `https://yibao.example.org/`",
            text,
        ));
        String::new()
    });
    let timezone = raw
        .timezone
        .value
        .parse::<chrono_tz::Tz>()
        .unwrap_or_else(|_| {
            problems.push(error_at(
                origin_of(&raw.timezone, shown, 0),
                format!("unknown time zone `{}`", raw.timezone.value),
                "use an IANA name such as `Asia/Shanghai`",
                text,
            ));
            chrono_tz::Asia::Shanghai
        });
    let start = parse_datetime(&raw.schedule.start.value).unwrap_or_else(|| {
        problems.push(datetime_problem(&raw.schedule.start, shown, 0, text));
        NaiveDateTime::default()
    });
    if let Some((message, hint)) = super::local_time::gap_problem(timezone, start) {
        problems.push(error_at(
            origin_of(&raw.schedule.start, shown, 0),
            format!("schedule.start: {message}"),
            hint,
            text,
        ));
    }
    if !(1..=MAX_INTERVAL_MINUTES).contains(&raw.schedule.interval_minutes.value) {
        problems.push(error_at(
            origin_of(&raw.schedule.interval_minutes, shown, 0),
            format!(
                "interval_minutes must be between 1 and {MAX_INTERVAL_MINUTES} (one year), not {}",
                raw.schedule.interval_minutes.value
            ),
            "the cadence is the number of minutes between two articles, e.g. 20",
            text,
        ));
    }
    if let Some(limit) = &raw.max_input_bytes
        && limit.value == 0
    {
        problems.push(error_at(
            origin_of(limit, shown, 0),
            "max_input_bytes must be at least 1",
            format!(
                "leave it out for the default of {} bytes",
                super::files::MAX_INPUT_BYTES
            ),
            text,
        ));
    }
    if raw.home_page_size.value == 0 {
        problems.push(
            Diagnostic::error(
                origin_of(&raw.home_page_size, shown, 0),
                "home_page_size must be at least 1",
            )
            .with_source(text),
        );
    }
    if raw.title_date_formats.value.is_empty() {
        problems.push(
            Diagnostic::error(
                origin_of(&raw.title_date_formats, shown, 0),
                "title_date_formats is empty",
            )
            .with_hint("list at least one format, e.g. `(%Y年%-m月%-d日)`")
            .with_source(text),
        );
    }
    for f in &raw.title_date_formats.value {
        if is_valid_strftime(&f.value) && !names_the_day(&f.value) {
            problems.push(error_at(
                origin_of(f, shown, 0),
                format!("`{}` gives titles no date suffix of their own day", f.value),
                "include the day and month, e.g. `(%Y年%-m月%-d日)` or `(%m/%d)`",
                text,
            ));
        }
        if !is_valid_strftime(&f.value) {
            problems.push(
                Diagnostic::error(origin_of(f, shown, 0), format!("`{}` is not a valid date format", f.value))
                    .with_hint("use chrono strftime fields: %Y year, %y two-digit year, %m month, %-m month without zero, %d day, %-d day without zero")
                    .with_source(text),
            );
        }
    }
    if !crate::model::is_safe_url(&raw.complaint_url.value) {
        problems.push(error_at(
            origin_of(&raw.complaint_url, shown, 0),
            "complaint_url must be an http(s), mailto or tel address",
            "e.g. `mailto:tousu@example.org` or `https://example.org/tousu`",
            text,
        ));
    }
    for (key, share) in [
        ("min_local_share", &raw.lint.min_local_share),
        ("max_twin_similarity", &raw.lint.max_twin_similarity),
    ] {
        if let Some(v) = share
            && !(0.0..=1.0).contains(&v.value)
        {
            problems.push(error_at(
                origin_of(v, shown, 0),
                format!("lint.{key} is {}, not a share from 0 to 1", v.value),
                "write a share such as `0.1` for 10 %",
                text,
            ));
        }
    }
    let defaults = yaml::value_map(raw.defaults, shown, 0, text, &mut problems);
    let image = match raw.image {
        Some(img) if !is_site_file(&img.value) => {
            problems.push(error_at(
                origin_of(&img, shown, 0),
                format!(
                    "`image` must name a file below static/, not `{}`",
                    img.value
                ),
                "put the logo in static/ and write e.g. `image: static/logo.png`",
                text,
            ));
            String::new()
        }
        Some(img) => img.value,
        None => String::new(),
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(SiteConfig {
        name: raw.name,
        base_url,
        language: raw.language,
        timezone,
        category: raw.category,
        editor: raw.editor,
        disclaimer: raw.disclaimer,
        statement: raw.statement,
        complaint_url: raw.complaint_url.value,
        complaint_label: raw.complaint_label,
        icp: raw.icp,
        public_security_filing: raw.public_security_filing,
        health_info_approval: raw.health_info_approval,
        related_count: raw.related_count,
        home_page_size: raw.home_page_size.value,
        extra_sections: raw.extra_sections,
        cadence: Cadence {
            start,
            interval_minutes: raw.schedule.interval_minutes.value,
            origin: origin_of(&raw.schedule.start, shown, 0),
        },
        title_date_formats: raw
            .title_date_formats
            .value
            .into_iter()
            .map(|f| f.value)
            .collect(),
        feed_size: raw.feed_size,
        allow_html: raw.allow_html,
        max_input_bytes: raw
            .max_input_bytes
            .map_or(super::files::MAX_INPUT_BYTES, |l| l.value),
        defaults,
        lint: {
            let d = LintSettings::default();
            LintSettings {
                fact_max_age_days: raw
                    .lint
                    .fact_max_age_days
                    .map_or(d.fact_max_age_days, i64::from),
                title_max_chars: raw.lint.title_max_chars.unwrap_or(d.title_max_chars),
                min_local_share: raw.lint.min_local_share.map(|v| v.value),
                max_twin_similarity: raw.lint.max_twin_similarity.map(|v| v.value),
            }
        },
        image,
        about: raw.about,
    })
}

/// Whether `path` names a file below `static/` (relative, `/`-separated, no `..`).
fn is_site_file(path: &str) -> bool {
    path.strip_prefix("static/").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .split('/')
                .all(|part| !part.is_empty() && part != ".." && part != "." && !part.contains('\\'))
    })
}

/// Adds a trailing `/` and checks the scheme; `None` when it is not an absolute URL.
pub(crate) fn normalise_base_url(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty()
        || url.contains(char::is_whitespace)
        || url.contains(['?', '#', '"', '<', '>'])
    {
        return None;
    }
    Some(if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    })
}

/// The longest cadence accepted: one (non-leap) year in minutes.
pub(crate) const MAX_INTERVAL_MINUTES: i64 = 365 * 24 * 60;

/// Parses `2026-02-03 06:39:37`, `2026-02-03T06:39:37` or `2026-02-03 06:39`, in the years
/// 1970–9999: dates outside cannot be written in sitemaps and feeds (four-digit years), and
/// keeping far from chrono's limits means adding cadence slots never overflows.
pub fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    // Four digits and a `-` first: chrono's `%Y` also takes `+2026` or `02026`.
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return None;
    }
    if let Some(dt) = plain_datetime(b) {
        return Some(dt);
    }
    [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .filter(|dt| (1970..=9999).contains(&chrono::Datelike::year(dt)))
}

/// `YYYY-MM-DD HH:MM:SS` read digit by digit (`schedule.lock` has 100,000 of them at
/// 100,000 articles); `None` for anything else, which chrono then reads as before.
fn plain_datetime(b: &[u8]) -> Option<NaiveDateTime> {
    if b.len() != 19 || b[7] != b'-' || b[10] != b' ' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |at: usize, len: usize| -> Option<u32> {
        (b[at..at + len].iter()).try_fold(0, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1970..=9999).contains(&year) || second > 59 {
        return None;
    }
    chrono::NaiveDate::from_ymd_opt(year as i32, month, day)?.and_hms_opt(hour, minute, second)
}

/// A diagnostic for a datetime string that does not parse or does not exist.
pub(crate) fn datetime_problem(
    s: &Spanned<String>,
    shown: &Path,
    line_offset: u32,
    text: &str,
) -> Diagnostic {
    Diagnostic::error(
        origin_of(s, shown, line_offset),
        format!("`{}` is not a valid date and time", s.value),
    )
    .with_hint(
        "write `YYYY-MM-DD HH:MM:SS` with a real date, e.g. `2026-02-03 06:39:37` (hours 00–23, years 1970–9999, no time zone)",
    )
    .with_source(text)
}

/// Does the format tell apart two days of the year (so a title's suffix is its own date)?
fn names_the_day(f: &str) -> bool {
    let day = |m, d| {
        chrono::NaiveDate::from_ymd_opt(2026, m, d)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.format(f).to_string())
    };
    day(1, 1) != day(1, 2) && day(1, 1) != day(2, 1)
}

pub(crate) fn is_valid_strftime(f: &str) -> bool {
    !StrftimeItems::new(f).any(|i| matches!(i, Item::Error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_datetimes_read_as_chrono_reads_them() {
        for text in [
            "2026-02-03 04:05:06",
            "1970-01-01 00:00:00",
            "9999-12-31 23:59:59",
            "2024-02-29 12:00:00",
            "2025-02-29 12:00:00",
            "2026-13-01 00:00:00",
            "2026-01-01 24:00:00",
            "2026-01-01 23:60:00",
            "2016-12-31 23:59:60",
            "1969-12-31 23:59:59",
            "2026-1-01 00:00:000",
            "2026-01-01T00:00:00",
        ] {
            let chrono = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
                .ok()
                .filter(|dt| (1970..=9999).contains(&chrono::Datelike::year(dt)));
            let plain = plain_datetime(text.as_bytes());
            assert!(plain.is_none() || plain == chrono, "{text}");
            assert_eq!(
                parse_datetime(text).filter(|_| !text.contains('T')),
                chrono,
                "{text}"
            );
        }
    }

    #[test]
    fn an_empty_title_date_formats_is_shown_at_its_line() {
        // The real site's settings, with an empty list of formats.
        let mut text = String::new();
        let mut in_list = false;
        for l in include_str!("../../site.yaml").lines() {
            if l == "title_date_formats:" {
                in_list = true;
                text.push_str("title_date_formats: []\n");
            } else if !(in_list && l.starts_with("  - ")) {
                in_list = false;
                text.push_str(l);
                text.push('\n');
            }
        }
        let text = &text;
        let line = text
            .lines()
            .position(|l| l == "title_date_formats: []")
            .unwrap()
            + 1;
        let problems = parse_site(text, Path::new("site.yaml")).unwrap_err();
        let empty = problems
            .iter()
            .find(|d| d.message == "title_date_formats is empty")
            .unwrap_or_else(|| panic!("{problems:?}"));
        assert_eq!(empty.origin.line as usize, line);
        assert_eq!(empty.source_line.as_deref(), Some("title_date_formats: []"));
    }

    #[test]
    fn base_url_gets_a_trailing_slash() {
        assert_eq!(
            normalise_base_url("https://a.org").as_deref(),
            Some("https://a.org/")
        );
        assert_eq!(
            normalise_base_url("https://a.org/sub/").as_deref(),
            Some("https://a.org/sub/")
        );
        assert_eq!(normalise_base_url("a.org"), None);
        assert_eq!(normalise_base_url("https:///x"), None);
    }

    #[test]
    fn datetimes_must_exist() {
        assert!(parse_datetime("2026-02-03 06:39:37").is_some());
        assert!(parse_datetime("2026-02-30 06:39:37").is_none());
        assert!(parse_datetime("2026-02-03 24:00:00").is_none());
        assert!(parse_datetime("10000-01-01 00:00:00").is_none());
        assert!(parse_datetime("1969-12-31 23:59:59").is_none());
        assert!(parse_datetime("+2026-02-03 06:39:37").is_none());
        assert!(parse_datetime("02026-02-03 06:39:37").is_none());
        assert!(parse_datetime(" 2026-02-03 06:39 ").is_some());
    }

    #[test]
    fn strftime_formats_are_checked() {
        assert!(is_valid_strftime("(%Y年%-m月%-d日)"));
        assert!(!is_valid_strftime("(%Q)"));
        assert!(names_the_day("(%m/%d)"));
        assert!(!names_the_day("(%Y年)"));
        assert!(!names_the_day("(%d日)"));
    }
}
