//! The pieces of text a topic file is made of, as the input-level lint rules read them:
//! front-matter texts, default values, and the body's blank-line separated chunks
//! (a paragraph, a list, a heading), each with the file line where it starts.

use crate::model::{Topic, Value, leaves};

/// One piece of a topic's text.
#[derive(Debug, Clone)]
pub(crate) struct Chunk {
    /// The text with `{{ … }}` and `{% … %}` parts removed.
    pub(crate) text: String,
    pub(crate) line: u32,
    pub(crate) kind: ChunkKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChunkKind {
    /// Name, titles, headings, lead, teasers: what the topic says it is about.
    Declaration,
    /// One default value (all its strings).
    Default,
    /// A `#` heading of the body.
    Heading,
    /// A paragraph or a list of the body.
    Text,
}

/// Every chunk of `topic`, in file order within each kind.
pub(crate) fn of_topic(topic: &Topic) -> Vec<Chunk> {
    let mut out = Vec::new();
    let declared = std::iter::once((topic.name.as_str(), 0))
        .chain(
            topic
                .titles
                .iter()
                .chain(&topic.headings)
                .chain(std::iter::once(&topic.lead))
                .chain(&topic.teasers)
                .map(|s| (s.value.as_str(), s.origin.line)),
        )
        .map(|(text, line)| Chunk {
            text: without_tags(text),
            line,
            kind: ChunkKind::Declaration,
        });
    out.extend(declared);
    out.extend(topic.defaults.values().map(|v| Chunk {
        text: value_text(&v.value),
        line: v.origin.line,
        kind: ChunkKind::Default,
    }));
    out.extend(body_chunks(&topic.body, topic.body_line));
    out
}

/// The body's chunks: runs of non-blank lines.
pub(crate) fn body_chunks(body: &str, body_line: u32) -> Vec<Chunk> {
    let mut out = Vec::new();
    let mut start = None;
    let mut lines: Vec<&str> = Vec::new();
    let mut flush = |start: Option<u32>, lines: &mut Vec<&str>| {
        if let Some(line) = start {
            let raw = lines.join("\n");
            let text = without_tags(&raw).trim().to_string();
            if !text.is_empty() {
                let kind = if raw.trim_start().starts_with('#') {
                    ChunkKind::Heading
                } else {
                    ChunkKind::Text
                };
                out.push(Chunk { text, line, kind });
            }
        }
        lines.clear();
    };
    for (i, line) in body.lines().enumerate() {
        if line.trim().is_empty() {
            flush(start.take(), &mut lines);
        } else {
            start.get_or_insert(body_line + i as u32);
            lines.push(line);
        }
    }
    flush(start, &mut lines);
    out
}

/// `text` without its `{{ … }}` and `{% … %}` parts (an unclosed one runs to the end).
pub(crate) fn without_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(['{']) {
        let after = &rest[open + 1..];
        let close = match after.chars().next() {
            Some('{') => "}}",
            Some('%') => "%}",
            _ => {
                out.push_str(&rest[..open + 1]);
                rest = after;
                continue;
            }
        };
        out.push_str(&rest[..open]);
        out.push(' ');
        rest = after.find(close).map_or("", |at| &after[at + 2..]);
    }
    out.push_str(rest);
    out
}

/// All strings of a value (lists and maps included), one per line.
pub(crate) fn value_text(v: &Value) -> String {
    leaves(v, false).collect::<Vec<_>>().join("\n")
}

/// Does the text of a template use the value `name` (`{{ name }}`, `{{ name | … }}`,
/// `{% for x in name %}`, `name.key`)?
pub(crate) fn uses_name(template: &str, name: &str) -> bool {
    let bytes = template.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    template.match_indices(name).any(|(at, _)| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + name.len()).copied();
        // `city.name` is not the value `name`; `name.key` is.
        before.is_none_or(|b| !is_ident(b) && b != b'.') && after.is_none_or(|b| !is_ident(b))
    })
}

/// The names `template` uses in the sense of [`uses_name`]: every maximal run of ASCII
/// letters, digits and `_` not preceded by a `.`.
pub(crate) fn identifiers(template: &str) -> impl Iterator<Item = &str> {
    let bytes = template.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut at = 0;
    std::iter::from_fn(move || {
        loop {
            while at < bytes.len() && !is_ident(bytes[at]) {
                at += 1;
            }
            if at == bytes.len() {
                return None;
            }
            let start = at;
            while at < bytes.len() && is_ident(bytes[at]) {
                at += 1;
            }
            if start == 0 || bytes[start - 1] != b'.' {
                // Both ends are ASCII bytes, so these are char boundaries.
                return Some(&template[start..at]);
            }
        }
    })
}

/// Is `name` one run of the characters [`identifiers`] collects?
pub(crate) fn is_identifier(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_what_uses_name_finds() {
        let t = "拨打{{ hotline }}。{% for m in materials -%}{{ city.name }}{{ office.window }}App";
        let found: Vec<&str> = identifiers(t).collect();
        assert_eq!(
            found,
            [
                "hotline",
                "for",
                "m",
                "in",
                "materials",
                "city",
                "office",
                "App"
            ]
        );
        for name in [
            "hotline",
            "materials",
            "office",
            "name",
            "window",
            "App",
            "ma",
        ] {
            assert_eq!(found.contains(&name), uses_name(t, name), "{name}");
        }
        assert!(is_identifier("materials_2") && !is_identifier("a-b") && !is_identifier(""));
    }

    #[test]
    fn tags_are_removed() {
        assert_eq!(without_tags("拨打{{ hotline }}查询"), "拨打 查询");
        assert_eq!(
            without_tags("{% for m in x -%}\n- {{ m }}\n{% endfor %}"),
            " \n-  \n "
        );
        assert_eq!(without_tags("a{b}c{{ open"), "a{b}c ");
    }

    #[test]
    fn body_chunks_have_their_lines() {
        let body = "### 甲:\n\n第一段\n第一段续\n\n\n- 一\n- 二\n";
        let chunks = body_chunks(body, 10);
        let got: Vec<_> = chunks.iter().map(|c| (c.line, c.kind)).collect();
        assert_eq!(
            got,
            [
                (10, ChunkKind::Heading),
                (12, ChunkKind::Text),
                (16, ChunkKind::Text)
            ]
        );
    }

    #[test]
    fn names_are_found_as_whole_identifiers() {
        assert!(uses_name("{{ materials }}", "materials"));
        assert!(uses_name("{% for m in materials -%}", "materials"));
        assert!(uses_name("{{ office.window }}", "office"));
        assert!(!uses_name("{{ city.name }}", "name"));
        assert!(!uses_name("{{ materials_extra }}", "materials"));
    }
}
