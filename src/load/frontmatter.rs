//! Splitting a topic file into YAML front matter and markdown body, keeping line numbers.

/// A topic file split in two; lines are 1-based file lines.
#[derive(Debug, PartialEq)]
pub(crate) struct Split<'a> {
    pub(crate) yaml: &'a str,
    /// Lines before the YAML in the file (the opening `---`), to shift YAML error lines.
    pub(crate) yaml_line_offset: u32,
    pub(crate) body: &'a str,
    /// File line on which the body starts.
    pub(crate) body_line: u32,
}

/// Splits `---\n<yaml>\n---\n<body>`. Returns `None` when the file has no front matter;
/// `Err(line)` when the closing `---` is missing.
pub(crate) fn split(text: &str) -> Result<Option<Split<'_>>, u32> {
    let Some(after_open) = text.strip_prefix("---\n") else {
        return Ok(None);
    };
    let mut offset = 0;
    for (i, line) in after_open.split_inclusive('\n').enumerate() {
        if line.trim_end() == "---" {
            let yaml = &after_open[..offset];
            let body = &after_open[offset + line.len()..];
            return Ok(Some(Split {
                yaml,
                yaml_line_offset: 1,
                body,
                body_line: i as u32 + 3,
            }));
        }
        offset += line.len();
    }
    Err(text.lines().count() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_counts_lines() {
        let s = split("---\na: 1\nb: 2\n---\nbody\n").unwrap().unwrap();
        assert_eq!(s.yaml, "a: 1\nb: 2\n");
        assert_eq!(s.body, "body\n");
        assert_eq!(s.body_line, 5);
    }

    #[test]
    fn missing_front_matter_or_close() {
        assert_eq!(split("body only").unwrap(), None);
        assert_eq!(split("---\na: 1\n").unwrap_err(), 2);
    }
}
