//! YAML parsing with serde-saphyr, turning its errors into editor-facing diagnostics.

use crate::diag::{Diagnostic, Origin, did_you_mean};
use crate::model::{Sourced, Value, ValueMap};
use serde::de::DeserializeOwned;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::Path;

/// Names that values may not use: templates see these as the article's context.
pub(crate) const RESERVED_VALUE_KEYS: [&str; 4] = ["city", "site", "topic", "article"];

/// At most this many YAML nodes may be copied in by aliases (`*name`) in one file: real
/// input uses a handful, a "billion laughs" bomb needs millions.
pub(crate) const MAX_ALIAS_EVENTS: usize = 10_000;

/// Parses `text` (which starts at file line `line_offset + 1`) as `T`.
pub(crate) fn parse<T: DeserializeOwned>(
    text: &str,
    shown: &Path,
    line_offset: u32,
) -> Result<T, Diagnostic> {
    let only_comments = text.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#')
    });
    if only_comments {
        return Err(
            Diagnostic::error(Origin::new(shown, line_offset + 1, 1), "the YAML is empty")
                .with_hint("see README.md for the keys this file needs"),
        );
    }
    let options = serde_saphyr::options! {
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: MAX_ALIAS_EVENTS,
        },
    };
    serde_saphyr::from_str_with_options::<T>(text, options)
        .map_err(|e| to_diagnostic(&e, text, shown, line_offset))
}

fn to_diagnostic(
    e: &serde_saphyr::Error,
    text: &str,
    shown: &Path,
    line_offset: u32,
) -> Diagnostic {
    let (line, column) = e
        .location()
        .map(|l| (l.line() as u32, l.column() as u32))
        .unwrap_or((0, 0));
    let raw = e.without_snippet().to_string();
    let message = strip_location_suffix(&raw).to_string();
    let source_line = (line > 0)
        .then(|| text.lines().nth(line as usize - 1).map(str::to_string))
        .flatten();
    let rest = source_line.as_deref().map(|l| {
        let skip = column.saturating_sub(1) as usize;
        l.char_indices().nth(skip).map_or("", |(i, _)| &l[i..])
    });
    // A tab is reported where it stands, not after it; a quoted string left open is
    // reported where it opens, not where the parser gave up on a later line.
    let (line, column, message) = match (
        tab_column(source_line.as_deref()),
        unclosed_quote(text, line),
    ) {
        (Some(tab), _) if message.contains("tab") => (line, tab, message),
        (_, Some((open_line, open_column)))
            if message.starts_with("invalid trailing content after") =>
        {
            (
                open_line,
                open_column,
                format!(
                    "unclosed quote: the string opened here runs on to line {}",
                    line + line_offset
                ),
            )
        }
        _ => (line, column, message),
    };
    let source_line = (line > 0)
        .then(|| text.lines().nth(line as usize - 1).map(str::to_string))
        .flatten();
    let (message, hint) = match super::types::describe(&message, rest) {
        Some((m, h)) => (m, Some(h)),
        None => {
            let hint = hint_for(&message, source_line.as_deref());
            (plain_words(&message), hint)
        }
    };
    let mut d = Diagnostic::error(
        Origin::new(shown, if line > 0 { line + line_offset } else { 0 }, column),
        message,
    );
    d.source_line = source_line;
    if let Some(hint) = hint {
        d = d.with_hint(hint);
    }
    d
}

/// The 1-based column of the first tab in a line's indentation.
fn tab_column(line: Option<&str>) -> Option<u32> {
    let line = line?;
    let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
    line[..indent].find('\t').map(|i| i as u32 + 1)
}

/// The line and column of the quote that opens a string left unclosed before `line`:
/// the nearest earlier line with an odd number of that quote mark (`\"` and `''` are
/// escapes, not quotes).
fn unclosed_quote(text: &str, line: u32) -> Option<(u32, u32)> {
    let lines: Vec<&str> = text.lines().collect();
    let last = (line as usize).min(lines.len());
    (0..last.saturating_sub(1)).rev().find_map(|i| {
        let l = lines[i];
        if l.trim_start().starts_with('#') {
            return None;
        }
        let doubles: Vec<usize> = l
            .char_indices()
            .filter(|&(at, c)| c == '"' && !l[..at].ends_with('\\'))
            .map(|(at, _)| at)
            .collect();
        (doubles.len() % 2 == 1).then(|| {
            let at = doubles[doubles.len() - 1];
            (i as u32 + 1, l[..at].chars().count() as u32 + 1)
        })
    })
}

/// serde-saphyr appends " at line N, column M"; the diagnostic carries that separately.
fn strip_location_suffix(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    }
}

fn plain_words(message: &str) -> String {
    if message.starts_with("alias replay") || message.starts_with("alias expansion") {
        return format!(
            "the YAML's aliases (`*name`) copy in more than {MAX_ALIAS_EVENTS} values; \
             such a file is refused (an alias bomb?)"
        );
    }
    if let Some(breach) = message.strip_prefix("budget breached: ") {
        return format!("the YAML is too large or too deeply nested ({breach})");
    }
    message
        .replace(", set DuplicateKeyPolicy in Options if acceptable", "")
        .replace("unknown field", "unknown key")
        .replace("missing field", "missing key")
}

fn hint_for(message: &str, source_line: Option<&str>) -> Option<String> {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`')?;
        let expected = expected
            .trim_start_matches(", expected one of ")
            .trim_start_matches(", expected ");
        let names: Vec<&str> = expected
            .split(", ")
            .map(|s| s.trim_matches('`'))
            .filter(|s| !s.is_empty())
            .collect();
        return Some(
            did_you_mean(field, names.iter().copied())
                .unwrap_or_else(|| format!("the keys allowed here are: {}", names.join(", "))),
        );
    }
    if message.contains("recursion limit") || message.contains("too deeply nested") {
        return Some("lists and maps in input files are only a few levels deep".into());
    }
    if message.contains("aliases (`*name`)") {
        return Some(
            "write the values out instead of repeating anchors; input files are small".into(),
        );
    }
    if message.starts_with("duplicate mapping key") {
        return Some(
            "each key may appear once in a mapping; remove or merge the repeated one".into(),
        );
    }
    if message.starts_with("missing field") {
        return Some("add the key; see README.md for this file's layout".into());
    }
    if message.contains("unclosed quote") {
        if message.contains("runs on to line") {
            return Some("close the string on this line with the quote mark it opened with (`\"`); a quoted string may run over lines, so YAML only noticed later".into());
        }
        return Some("close the quoted string with the same quote mark it opened with".into());
    }
    if source_line
        .is_some_and(|l| l.starts_with('\t') || l.trim_start_matches(' ').starts_with('\t'))
    {
        return Some("YAML indents with spaces only; replace the tab with spaces".into());
    }
    if message.contains("expected") && message.contains("found") || message.contains("invalid type")
    {
        return Some("check the value's type: lists are written `- item` lines or `[a, b]`".into());
    }
    None
}

/// Parses with `parse`, and when a top-level key is wrong (unknown, or a value of the
/// wrong shape) reports it and parses again without that key, so the key falls back to
/// its default and the rest of the file still counts. Lines are blanked, not removed:
/// later diagnostics keep their file lines. A key that cannot be left out (a required
/// one) ends the retries; only its first diagnostic is kept.
pub(crate) fn parse_recovering<T>(
    text: &str,
    parse: impl Fn(&str) -> Result<T, Vec<Diagnostic>>,
) -> (Option<T>, Vec<Diagnostic>) {
    let mut current = text.to_string();
    let mut reported: Vec<Diagnostic> = Vec::new();
    for _ in 0..32 {
        let problems = match parse(&current) {
            Ok(value) => return (Some(value), reported),
            Err(problems) => problems,
        };
        let first = &problems[0];
        let left_out_needed =
            first.message.starts_with("missing key") || first.message == "the YAML is empty";
        if left_out_needed && !reported.is_empty() {
            // The key left out was a required one: its own diagnostic says what to fix.
            return (None, reported);
        }
        let retry = problems.len() == 1
            && ["unknown key", "expected", "invalid"]
                .iter()
                .any(|p| first.message.starts_with(p));
        match retry
            .then(|| blank_top_level_key(&current, first.origin.line))
            .flatten()
        {
            Some(next) => {
                reported.extend(problems);
                current = next;
            }
            None => {
                reported.extend(problems);
                return (None, reported);
            }
        }
    }
    (None, reported)
}

/// `text` with the top-level key holding `line` (and its indented lines) blanked.
fn blank_top_level_key(text: &str, line: u32) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let at = (line as usize)
        .checked_sub(1)
        .filter(|&i| i < lines.len())?;
    let top = |l: &str| !l.is_empty() && !l.starts_with([' ', '\t', '#', '-']);
    let start = (0..=at).rev().find(|&i| top(lines[i]))?;
    let end = (start + 1..lines.len())
        .find(|&i| top(lines[i]))
        .unwrap_or(lines.len());
    let mut out: Vec<&str> = lines.clone();
    for l in &mut out[start..end] {
        *l = "";
    }
    Some(out.join("\n") + "\n")
}

/// Converts a parsed span to a file origin.
pub(crate) fn origin_of<T>(s: &Spanned<T>, shown: &Path, line_offset: u32) -> Origin {
    Origin::new(
        shown,
        s.referenced.line() as u32 + line_offset,
        s.referenced.column() as u32,
    )
}

/// An error at `origin` with `hint`, quoting its line from `text`.
pub(crate) fn error_at(
    origin: Origin,
    message: impl Into<String>,
    hint: impl Into<String>,
    text: &str,
) -> Diagnostic {
    Diagnostic::error(origin, message)
        .with_hint(hint)
        .with_source(text)
}

/// Converts a parsed span to a [`Sourced`] value.
pub(crate) fn sourced<T>(s: Spanned<T>, shown: &Path, line_offset: u32) -> Sourced<T> {
    let origin = origin_of(&s, shown, line_offset);
    Sourced::new(s.value, origin)
}

/// Converts a map of parsed values, refusing reserved names.
pub(crate) fn value_map(
    raw: BTreeMap<String, Spanned<Value>>,
    shown: &Path,
    line_offset: u32,
    source: &str,
    problems: &mut Vec<Diagnostic>,
) -> ValueMap {
    let mut map = ValueMap::new();
    for (key, v) in raw {
        let value = sourced(v, shown, line_offset);
        if RESERVED_VALUE_KEYS.contains(&key.as_str()) {
            let origin = Origin::new(shown, value.origin.line, 0);
            problems.push(error_at(
                origin,
                format!("`{key}` is a reserved name and cannot be a value key"),
                format!("templates already use `{key}`; rename the value, e.g. `{key}_info`"),
                source,
            ));
            continue;
        }
        map.insert(key, value);
    }
    map
}

/// The file line of `key:` below `parent:` (a best effort for map keys, which carry no span).
pub(crate) fn key_line(source: &str, parent: &str, key: &str) -> u32 {
    let mut in_parent = false;
    for (i, line) in source.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if indent == 0 {
            in_parent = trimmed.starts_with(&format!("{parent}:"));
            continue;
        }
        let unquoted = trimmed.trim_start_matches(['"', '\'']);
        if in_parent && unquoted.starts_with(key) {
            let rest = unquoted[key.len()..].trim_start_matches(['"', '\'']);
            if rest.starts_with(':') {
                return i as u32 + 1;
            }
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        materials: Vec<String>,
        province: Option<String>,
    }

    #[test]
    fn unknown_key_gets_line_and_suggestion() {
        let err =
            parse::<Doc>("materials: [a]\nmaterals: [b]\n", Path::new("c.yaml"), 0).unwrap_err();
        assert_eq!(err.origin.line, 2);
        assert!(
            err.message.contains("unknown key `materals`"),
            "{}",
            err.message
        );
        assert_eq!(err.hint.as_deref(), Some("did you mean `materials`?"));
    }

    #[test]
    fn line_offset_shifts_to_file_lines() {
        let err = parse::<Doc>("materials: a: b\n", Path::new("t.md"), 1).unwrap_err();
        assert_eq!(err.origin.line, 2);
    }

    #[test]
    fn wrong_type_is_reported_with_location() {
        let err = parse::<Doc>("materials: 3\n", Path::new("c.yaml"), 0).unwrap_err();
        assert_eq!(err.origin.line, 1);
        assert_eq!(err.message, "expected a list of strings, found a number");
        let err = parse::<Doc>(
            "materials: []\nprovince:\n  - 湖南\n",
            Path::new("c.yaml"),
            0,
        )
        .unwrap_err();
        assert_eq!((err.origin.line, err.origin.column), (3, 3));
        assert_eq!(err.message, "expected a string, found a list");
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err =
            parse::<Doc>("materials: [a]\nmaterials: [b]\n", Path::new("c.yaml"), 0).unwrap_err();
        assert!(err.message.contains("duplicate"), "{}", err.message);
        assert_eq!(err.origin.line, 2);
    }

    #[test]
    fn a_tab_is_reported_at_its_own_column() {
        let err =
            parse::<Doc>("materials: []\nprovince:\n\t- x\n", Path::new("c.yaml"), 0).unwrap_err();
        assert_eq!((err.origin.line, err.origin.column), (3, 1), "{err:?}");
    }

    #[test]
    fn an_unclosed_quote_is_reported_where_it_opens() {
        let text = "materials: []\nprovince: \"湖南\n# note\nname: \"x\"\n";
        let err = parse::<Doc>(text, Path::new("c.yaml"), 0).unwrap_err();
        assert_eq!((err.origin.line, err.origin.column), (2, 11), "{err:?}");
        assert!(err.message.starts_with("unclosed quote"), "{}", err.message);
        assert!(err.hint.is_some());
    }

    #[test]
    fn a_wrong_key_is_left_out_and_the_rest_parsed() {
        let text = "materials: [a]\nprovnce: 湖南\nextra:\n  - 1\n";
        let (doc, problems) = parse_recovering(text, |t| {
            parse::<Doc>(t, Path::new("c.yaml"), 0).map_err(|d| vec![d])
        });
        assert_eq!(doc.map(|d| d.materials), Some(vec!["a".to_string()]));
        let lines: Vec<u32> = problems.iter().map(|d| d.origin.line).collect();
        assert_eq!(lines, [2, 3]);
        let (doc, problems) = parse_recovering("materials: 3\n", |t| {
            parse::<Doc>(t, Path::new("c.yaml"), 0).map_err(|d| vec![d])
        });
        assert!(doc.is_none());
        assert_eq!(problems.len(), 1, "{problems:?}");
    }

    #[test]
    fn finds_key_lines_below_a_parent() {
        let src = "name: a\ntopics:\n  foo:\n    x: 1\n  bar:\n    y: 2\n";
        assert_eq!(key_line(src, "topics", "bar"), 5);
        assert_eq!(key_line(src, "topics", "baz"), 0);
    }
}
