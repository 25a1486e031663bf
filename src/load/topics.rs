//! `topics/<slug>.md`: front matter (titles, headings, lead, teasers, defaults) and body.

use super::frontmatter;
use super::yaml::{self, sourced};
use crate::diag::{Diagnostic, Origin};
use crate::model::{Topic, Value, is_valid_slug};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopic {
    name: String,
    #[serde(default)]
    category: Option<String>,
    titles: Spanned<Vec<Spanned<String>>>,
    headings: Spanned<Vec<Spanned<String>>>,
    lead: Spanned<String>,
    teasers: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    defaults: BTreeMap<String, Spanned<Value>>,
    #[serde(default)]
    former_slugs: Vec<Spanned<String>>,
}

/// Parses one topic file; `slug` comes from the file name.
pub(crate) fn parse_topic(text: &str, slug: &str, shown: &Path) -> Result<Topic, Vec<Diagnostic>> {
    if !is_valid_slug(slug) {
        return Err(vec![
            Diagnostic::error(
                Origin::file(shown),
                format!("topic file name `{slug}` is not a valid slug"),
            )
            .with_hint(
                "name topic files in lowercase pinyin with `-`, e.g. `canbaodi-biangeng.md`",
            ),
        ]);
    }
    let split =
        match frontmatter::split(text) {
            Ok(Some(s)) => s,
            Ok(None) => {
                return Err(vec![Diagnostic::error(
                Origin::new(shown, 1, 1),
                "topic file does not start with YAML front matter",
            )
            .with_hint("begin the file with a `---` line, the topic's YAML, and another `---` line")
            .with_source(text)]);
            }
            Err(last) => {
                return Err(vec![
                    Diagnostic::error(
                        Origin::new(shown, last, 0),
                        "the front matter is not closed",
                    )
                    .with_hint(
                        "add a line with only `---` after the YAML, before the markdown body",
                    ),
                ]);
            }
        };
    let off = split.yaml_line_offset;
    let raw: RawTopic = yaml::parse(split.yaml, shown, off).map_err(|d| vec![d])?;
    let mut problems = Vec::new();
    for (field, list) in [
        ("titles", &raw.titles),
        ("headings", &raw.headings),
        ("teasers", &raw.teasers),
    ] {
        if list.value.is_empty() {
            problems.push(
                Diagnostic::error(
                    yaml::origin_of(list, shown, off),
                    format!("`{field}` needs at least one entry"),
                )
                .with_source(text),
            );
        }
    }
    let defaults = yaml::value_map(raw.defaults, shown, off, text, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    let list = |l: Spanned<Vec<Spanned<String>>>| {
        l.value
            .into_iter()
            .map(|s| sourced(s, shown, off))
            .collect()
    };
    Ok(Topic {
        slug: slug.to_string(),
        path: shown.to_path_buf(),
        name: raw.name,
        category: raw.category,
        titles: list(raw.titles),
        headings: list(raw.headings),
        lead: sourced(raw.lead, shown, off),
        teasers: list(raw.teasers),
        defaults,
        former_slugs: raw
            .former_slugs
            .into_iter()
            .map(|s| sourced(s, shown, off))
            .collect(),
        body: split.body.to_string(),
        body_line: split.body_line,
        stamp: super::stamp(shown, text),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOPIC: &str = "---\nname: 参保地变更\ntitles: [\"{{ city.name }}怎么办?\"]\nheadings: [\"{{ city.name }}如何办?\"]\nlead: 导语\nteasers: [跟着小编看]\ndefaults:\n  materials: [身份证]\n---\n### 材料:\n\n正文\n";

    #[test]
    fn parses_a_topic_with_origins() {
        let t = parse_topic(
            TOPIC,
            "canbaodi-biangeng",
            Path::new("topics/canbaodi-biangeng.md"),
        )
        .unwrap();
        assert_eq!(t.name, "参保地变更");
        assert_eq!(t.body_line, 10);
        assert_eq!(t.defaults["materials"].origin.line, 8);
        assert_eq!(t.titles[0].origin.line, 3);
    }

    #[test]
    fn yaml_errors_use_file_lines() {
        let bad = TOPIC.replace("lead: 导语", "lead: [导语");
        let err = parse_topic(&bad, "x", Path::new("topics/x.md")).unwrap_err();
        assert!(err[0].origin.line >= 5, "{:?}", err[0]);
    }

    #[test]
    fn reserved_value_keys_are_refused() {
        let bad = TOPIC.replace("  materials: [身份证]", "  city: x");
        let err = parse_topic(&bad, "x", Path::new("topics/x.md")).unwrap_err();
        assert!(err[0].message.contains("reserved"));
        assert_eq!(err[0].origin.line, 8);
    }
}
