//! The keys of a merged map, each with the level, file and line that set it: maps merge
//! key by key (README, “Values”), so one map may hold a topic default, a city's own key
//! and a site-wide one; `explain` shows each.
//!
//! The cascade keeps the place of each top-level value; a nested key's line is found in
//! the text of the file that set its map (YAML block maps by indentation, flow maps on
//! the line of their `{`).

use crate::diag::Origin;
use crate::merge::Layer;
use crate::model::ids::{CityId, TopicId};
use crate::model::{SiteInput, Sourced, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// One leaf of a merged map: its dotted path below the value, and who set it.
pub(super) struct KeySource {
    pub(super) path: String,
    pub(super) value: Value,
    pub(super) layer: Layer,
    pub(super) origin: Origin,
}

/// The leaves of value `name` of the (city, topic) pair, when it is a map after the
/// cascade; in key order. `text_of` gives a file's text (by the path shown in origins).
pub(super) fn key_sources(
    input: &SiteInput,
    city: CityId,
    topic: TopicId,
    name: &str,
    text_of: &mut impl FnMut(&Path) -> Option<String>,
) -> Vec<KeySource> {
    let c = &input.cities[city];
    let t = &input.topics[topic];
    let layers = [
        (Layer::Site, input.site.defaults.get(name)),
        (Layer::Topic, t.defaults.get(name)),
        (Layer::City, c.values.get(name)),
        (
            Layer::CityTopic,
            input
                .city_topic(city, topic)
                .and_then(|ct| ct.values.get(name)),
        ),
    ];
    let mut leaves: BTreeMap<Vec<String>, KeySource> = BTreeMap::new();
    let mut is_map = false;
    for (layer, set) in layers {
        let Some(Sourced { value, origin }) = set else {
            continue;
        };
        let Value::Object(map) = value else {
            // A scalar or list replaces the whole value.
            leaves.clear();
            is_map = false;
            continue;
        };
        if !is_map {
            leaves.clear();
        }
        is_map = true;
        let text = text_of(&origin.file);
        let at = Start::at(origin);
        apply(&mut leaves, &[], map, layer, origin, text.as_deref(), at);
    }
    if !is_map {
        return Vec::new();
    }
    leaves.into_values().collect()
}

/// Where a map's text starts: a flow map's `{`, or a block map's first key (1-based).
#[derive(Clone, Copy)]
struct Start {
    line: usize,
    column: usize,
}

impl Start {
    fn at(origin: &Origin) -> Option<Start> {
        (origin.line > 0).then_some(Start {
            line: origin.line as usize,
            column: origin.column.max(1) as usize,
        })
    }
}

/// Lays `map` (found at `at` in `text`) over `leaves` at `prefix`, as the cascade merges
/// maps: a nested map merges key by key, anything else replaces.
fn apply(
    leaves: &mut BTreeMap<Vec<String>, KeySource>,
    prefix: &[String],
    map: &serde_json::Map<String, Value>,
    layer: Layer,
    top: &Origin,
    text: Option<&str>,
    at: Option<Start>,
) {
    for (key, value) in map {
        let mut path = prefix.to_vec();
        path.push(key.clone());
        let found = text.zip(at).and_then(|(text, at)| find_key(text, at, key));
        match value {
            Value::Object(inner) => {
                leaves.remove(&path);
                let inner_at = text.zip(found).and_then(|(text, f)| value_start(text, f));
                apply(leaves, &path, inner, layer, top, text, inner_at);
            }
            _ => {
                leaves.retain(|p, _| !(p.len() > path.len() && p.starts_with(&path)));
                let origin = match found {
                    Some(f) => Origin::new(&top.file, f.line as u32, f.column as u32),
                    None => top.clone(),
                };
                leaves.insert(
                    path.clone(),
                    KeySource {
                        path: path.join("."),
                        value: value.clone(),
                        layer,
                        origin,
                    },
                );
            }
        }
    }
}

/// The place of `key` in the map that starts at `at`.
fn find_key(text: &str, at: Start, key: &str) -> Option<Start> {
    let lines: Vec<&str> = text.lines().collect();
    let first = lines.get(at.line - 1)?;
    let flow = first.chars().nth(at.column - 1) == Some('{');
    if flow {
        // The key on the `{` line or the lines after it, after the `{`.
        for (i, line) in lines.iter().enumerate().skip(at.line - 1) {
            let from = if i == at.line - 1 { at.column } else { 0 };
            let chars: Vec<char> = line.chars().collect();
            for c in from..chars.len() {
                let rest: String = chars[c..].iter().collect();
                let before = if c == 0 { ' ' } else { chars[c - 1] };
                if matches!(before, '{' | ',' | ' ' | '"' | '\'') && key_at(&rest, key) {
                    let column = if matches!(before, '"' | '\'') {
                        c
                    } else {
                        c + 1
                    };
                    return Some(Start {
                        line: i + 1,
                        column,
                    });
                }
            }
        }
        return None;
    }
    let base = at.column - 1;
    for (i, line) in lines.iter().enumerate().skip(at.line - 1) {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if indent < base {
            break;
        }
        if indent == base && key_at(trimmed, key) {
            return Some(Start {
                line: i + 1,
                column: base + 1,
            });
        }
    }
    None
}

/// Whether `text` starts with `key:` (the key plain or quoted).
fn key_at(text: &str, key: &str) -> bool {
    let (quote, rest) = match text.chars().next() {
        Some(q @ ('"' | '\'')) => (Some(q), &text[1..]),
        _ => (None, text),
    };
    let Some(rest) = rest.strip_prefix(key) else {
        return false;
    };
    let rest = match quote {
        Some(q) => match rest.strip_prefix(q) {
            Some(r) => r,
            None => return false,
        },
        None => rest,
    };
    rest.strip_prefix(':')
        .is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t']))
}

/// Where the value of the key found at `at` starts: a `{` after it on its line, or the
/// next line indented deeper (a block map).
fn value_start(text: &str, at: Start) -> Option<Start> {
    let lines: Vec<&str> = text.lines().collect();
    let line = lines.get(at.line - 1)?;
    let chars: Vec<char> = line.chars().collect();
    let after: String = chars.get(at.column - 1..)?.iter().collect();
    let colon = after.find(':')?;
    let rest = &after[colon + 1..];
    let value = rest.trim_start();
    if value.starts_with('{') {
        let skipped = rest.len() - value.len();
        let column =
            at.column + after[..colon + 1].chars().count() + rest[..skipped].chars().count();
        return Some(Start {
            line: at.line,
            column,
        });
    }
    if !(value.is_empty() || value.starts_with('#')) {
        return None;
    }
    let base = at.column - 1;
    for (i, next) in lines.iter().enumerate().skip(at.line) {
        let trimmed = next.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = next.len() - trimmed.len();
        return (indent > base).then_some(Start {
            line: i + 1,
            column: indent + 1,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: usize, column: usize) -> Start {
        Start { line, column }
    }

    #[test]
    fn keys_are_found_in_block_and_flow_maps() {
        let text = "values:\n  hours:\n    weekday: 9-17\n    # a comment\n    weekend:\n      sunday: \"10-12\"\n  other: {a: 1, \"b\": {c: 2}}\n";
        let weekday = find_key(text, at(3, 5), "weekday").unwrap();
        assert_eq!((weekday.line, weekday.column), (3, 5));
        let weekend = find_key(text, at(3, 5), "weekend").unwrap();
        let inner = value_start(text, weekend).unwrap();
        assert_eq!((inner.line, inner.column), (6, 7));
        let sunday = find_key(text, inner, "sunday").unwrap();
        assert_eq!((sunday.line, sunday.column), (6, 7));
        // A flow map: at its `{` (line 7, column 10).
        let b = find_key(text, at(7, 10), "b").unwrap();
        assert_eq!((b.line, b.column), (7, 17));
        let inner = value_start(text, b).unwrap();
        assert_eq!((inner.line, inner.column), (7, 22));
        let c = find_key(text, inner, "c").unwrap();
        assert_eq!((c.line, c.column), (7, 23));
        assert!(find_key(text, at(3, 5), "missing").is_none());
    }
}
