//! Source lines for diagnostics found after loading (merge, lint, render), which know the
//! file and line but not the text: read once per file, for display only.

use super::Diagnostic;
use std::collections::HashMap;
use std::path::Path;

/// Fills in `source_line` where a diagnostic has a line but no text; paths are relative to
/// `root`. Files that cannot be read are skipped (the message is still complete).
pub fn attach_source_lines(items: &mut [Diagnostic], root: &Path) {
    let mut files: HashMap<std::path::PathBuf, Option<String>> = HashMap::new();
    for d in items.iter_mut() {
        if d.source_line.is_some() || d.origin.line == 0 {
            continue;
        }
        let text = files.entry(d.origin.file.clone()).or_insert_with(|| {
            std::fs::read(root.join(&d.origin.file))
                .ok()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        });
        if let Some(text) = text {
            d.source_line = text.lines().nth(d.origin.line as usize - 1).map(|l| {
                l.trim_end_matches('\r')
                    .trim_start_matches('\u{feff}')
                    .to_string()
            });
        }
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
}
