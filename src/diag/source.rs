//! Source lines for diagnostics found after loading (merge, lint, render), which know the
//! file and line but not the text: read once per file, for display only.

use super::Diagnostic;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Fills in `source_line` where a diagnostic has a line but no text; paths are relative to
/// `root`. Files that cannot be read are skipped (the message is still complete).
///
/// Linear in the size of the files plus the number of diagnostics: each file is read and
/// split into lines once, and each diagnostic's line is then an index lookup (looking the
/// line up by walking the text made 20,000 warnings in one city file take seconds).
pub(crate) fn attach_source_lines(items: &mut [Diagnostic], root: &Path) {
    let mut files: HashMap<PathBuf, Option<Lines>> = HashMap::new();
    for d in items.iter_mut() {
        if d.source_line.is_some() || d.origin.line == 0 {
            continue;
        }
        let lines = files.entry(d.origin.file.clone()).or_insert_with(|| {
            std::fs::read(root.join(&d.origin.file))
                .ok()
                .map(|b| Lines::new(String::from_utf8_lossy(&b).into_owned()))
        });
        if let Some(lines) = lines {
            d.source_line = lines.get(d.origin.line).map(|l| {
                l.trim_end_matches('\r')
                    .trim_start_matches('\u{feff}')
                    .to_string()
            });
        }
    }
}

/// A file's text with the byte range of every line, for lookups by line number.
struct Lines {
    text: String,
    ranges: Vec<(usize, usize)>,
}

impl Lines {
    fn new(text: String) -> Lines {
        let mut ranges = Vec::new();
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            let end = start + line.len();
            ranges.push((start, end - usize::from(line.ends_with('\n'))));
            start = end;
        }
        Lines { text, ranges }
    }

    /// The 1-based line `n`, without its line ending.
    fn get(&self, n: u32) -> Option<&str> {
        let (start, end) = *self.ranges.get((n as usize).checked_sub(1)?)?;
        Some(&self.text[start..end])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Origin;

    #[test]
    fn reads_the_line_named_by_the_origin() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.yaml"), "name: 甲\r\nslug: a\r\n").unwrap();
        let mut items = vec![
            Diagnostic::warning(Origin::new("a.yaml", 2, 1), "x"),
            Diagnostic::warning(Origin::new("missing.yaml", 1, 1), "y"),
        ];
        attach_source_lines(&mut items, dir.path());
        assert_eq!(items[0].source_line.as_deref(), Some("slug: a"));
        assert_eq!(items[1].source_line, None);
    }

    #[test]
    fn every_line_of_a_large_file_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let text: String = (0..100_000).map(|i| format!("  v{i}: 值{i}\n")).collect();
        std::fs::write(dir.path().join("c.yaml"), format!("{text}last")).unwrap();
        let mut items: Vec<Diagnostic> = (1..=100_001)
            .map(|n| Diagnostic::warning(Origin::new("c.yaml", n, 1), "x"))
            .collect();
        items.push(Diagnostic::warning(
            Origin::new("c.yaml", 100_002, 1),
            "past the end",
        ));
        attach_source_lines(&mut items, dir.path());
        assert_eq!(items[0].source_line.as_deref(), Some("  v0: 值0"));
        assert_eq!(
            items[99_999].source_line.as_deref(),
            Some("  v99999: 值99999")
        );
        assert_eq!(items[100_000].source_line.as_deref(), Some("last"));
        assert_eq!(items[100_001].source_line, None);
    }
}
