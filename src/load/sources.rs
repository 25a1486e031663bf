//! `sources:` in city files: where each city fact comes from and when it was last checked.
//!
//! ```yaml
//! sources:
//!   hotline: {url: "https://ybj.example.gov.cn/…", verified: 2026-01-15}
//!   materials: {note: 医保局窗口电话确认, verified: 2026-01-20}
//! ```

use super::yaml::{error_at, origin_of};
use crate::diag::Diagnostic;
use crate::model::{FactSource, SourceMap, Sourced};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::Path;

/// One entry of `sources:` as written.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct RawFactSource {
    url: Option<String>,
    note: Option<String>,
    verified: Option<Spanned<String>>,
    /// What the fact is, as readers see it in the article's sources block (`办理材料`).
    label: Option<String>,
}

/// Checks the entries; an entry with neither `url` nor `note`, or a date that does not
/// exist, is an error.
pub(crate) fn source_map(
    raw: BTreeMap<String, Spanned<RawFactSource>>,
    shown: &Path,
    text: &str,
    problems: &mut Vec<Diagnostic>,
) -> SourceMap {
    let mut map = SourceMap::new();
    for (key, entry) in raw {
        let origin = origin_of(&entry, shown, 0);
        let raw = entry.value;
        if raw.url.as_deref().is_none_or(|u| u.trim().is_empty())
            && raw.note.as_deref().is_none_or(|n| n.trim().is_empty())
        {
            problems.push(error_at(
                origin.clone(),
                format!("the source of `{key}` names neither `url` nor `note`"),
                "give the web page (`url: https://…`) or say how it was checked (`note: 医保局窗口电话确认`)",
                text,
            ));
        }
        let verified = raw.verified.and_then(|v| {
            match NaiveDate::parse_from_str(v.value.trim(), "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    problems.push(error_at(
                        origin_of(&v, shown, 0),
                        format!("`{}` is not a valid date", v.value),
                        "write the day the fact was checked as `YYYY-MM-DD`, e.g. `2026-01-15`",
                        text,
                    ));
                    None
                }
            }
        });
        let source = FactSource {
            url: raw.url,
            note: raw.note,
            verified,
            label: raw.label.filter(|l| !l.trim().is_empty()),
        };
        map.insert(key, Sourced::new(source, origin));
    }
    map
}
