//! Reading input files: size limit, UTF-8 check, byte-order mark, line endings.

use crate::diag::{Diagnostic, Origin};
use std::path::Path;

/// The default limit on one input file (`max_input_bytes` in site.yaml changes it): a
/// site's YAML and markdown are small, so a larger file is a mistake, not content.
pub(crate) const MAX_INPUT_BYTES: u64 = 8 * 1024 * 1024;

/// The limit on the files sitegen writes itself (`schedule.lock`, `modified.lock`): they
/// grow with the site (about 240 bytes per article in `schedule.lock`, 24 MB at 100,000
/// articles), so an editor's `max_input_bytes` does not bound them; 1 GiB is some four
/// million articles.
pub(crate) const MAX_GENERATED_BYTES: u64 = 1024 * 1024 * 1024;

/// Reads a file's bytes, refusing files above `limit` bytes before reading them.
pub(crate) fn read_bytes(path: &Path, shown: &Path, limit: u64) -> Result<Vec<u8>, Diagnostic> {
    let meta = std::fs::metadata(path).map_err(|e| io_problem(shown, &e))?;
    if meta.len() > limit {
        return Err(Diagnostic::error(
            Origin::file(shown),
            format!(
                "file is too large ({} bytes; the limit is {limit} bytes)",
                meta.len()
            ),
        )
        .with_hint(
            "input files are short YAML or markdown; was a data file saved here by mistake? \
             (the limit is `max_input_bytes` in site.yaml)",
        ));
    }
    // `take` guards against a file that grows between the check and the read.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| {
            std::io::Read::read_to_end(&mut std::io::Read::take(f, limit + 1), &mut bytes)
        })
        .map_err(|e| io_problem(shown, &e))?;
    if bytes.len() as u64 > limit {
        return Err(Diagnostic::error(
            Origin::file(shown),
            format!("file is too large (more than {limit} bytes)"),
        ));
    }
    Ok(bytes)
}

/// Reads a text file for parsing. `shown` is the path printed to editors.
///
/// A UTF-8 byte-order mark is dropped and CRLF line endings become LF, so editors on any
/// system produce the same site.
pub(crate) fn read_text(path: &Path, shown: &Path, limit: u64) -> Result<String, Diagnostic> {
    decode(read_bytes(path, shown, limit)?, shown)
}

/// Checks UTF-8 and normalises a file's text (see [`read_text`]).
pub fn decode(bytes: Vec<u8>, shown: &Path) -> Result<String, Diagnostic> {
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Err(Diagnostic::error(
            Origin::new(shown, 1, 1),
            "file is UTF-16 (it starts with a UTF-16 byte-order mark), not UTF-8",
        )
        .with_hint("save the file as UTF-8 (in most editors: “Save with encoding” → UTF-8)"));
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let before = &e.as_bytes()[..valid];
            let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
            let line_start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            let column = String::from_utf8_lossy(&before[line_start..])
                .chars()
                .count() as u32
                + 1;
            return Err(Diagnostic::error(
                Origin::new(shown, line, column),
                format!(
                    "file is not valid UTF-8 (byte {:#04x} at offset {valid})",
                    e.as_bytes()[valid]
                ),
            )
            .with_hint("save the file as UTF-8 (in most editors: “Save with encoding” → UTF-8)"));
        }
    };
    // The common case (no byte-order mark, no CR) keeps the bytes read, uncopied: a
    // large site's `schedule.lock` is tens of megabytes.
    if !text.starts_with('\u{feff}') && !text.contains('\r') {
        return Ok(text);
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    Ok(text.replace("\r\n", "\n"))
}

/// A path no output can carry as it is, refused in every input folder: a name that is not
/// UTF-8 (the output would get another name), or one holding a control character (a line
/// break would split its line of the output folder's manifest, so the next build could not
/// read the manifest back) or a backslash (a folder separator on Windows, and `\\` in a
/// URL is read as `/`).
fn unlistable_name(rel: &Path) -> Option<Found> {
    let Some(text) = rel.to_str() else {
        return Some(Found::Refused {
            message: "the file name is not UTF-8; this file is not read".into(),
            hint: "rename it with letters, digits, `-`, `_` and `.` (the page addresses are built from file names)".into(),
        });
    };
    let bad = text.chars().find(|c| c.is_control() || *c == '\\')?;
    Some(Found::Refused {
        message: format!(
            "the file name holds {}; this file is not read",
            match bad {
                '\\' => "a backslash".to_string(),
                c => format!("a control character ({})", c.escape_default()),
            }
        ),
        hint: "rename it with letters, digits, `-`, `_` and `.`: a line break or a backslash in a file name cannot be written into the output folder's list of files or a URL".into(),
    })
}

/// What the input discovery rule says about one file below an input folder.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// An input file, read as such.
    Read,
    /// An editor's hidden or backup file (`.name`, `name~`), skipped without a word.
    Skip,
    /// A file the rule does not read: an error naming it, so nothing is ignored silently.
    Refused { message: String, hint: String },
}

/// Files editors leave beside the real ones, skipped everywhere: hidden files, `*~`
/// backups, vim swap and probe files (`*.swp`, `*.swx`, `4913`), emacs auto-saves
/// (`#name#`) and `*.tmp` files.
pub(crate) fn is_scratch_file(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
        || (name.starts_with('#') && name.ends_with('#'))
}

/// The input discovery rule (README, "Input files"). `topics/` and `cities/` are flat:
/// they hold `*.md` and `*.yaml`/`*.yml` files, with lower-case extensions; any other
/// file in them, or in a subfolder of them, is an error rather than ignored, since an
/// editor who put it there meant it to count (a copy in `topics/old/` would otherwise be a
/// second article with the same address). `templates/` and `static/` are read whole,
/// subfolders included. Editors' scratch files ([`is_scratch_file`]) are skipped everywhere. `rel` is the
/// path below the folder `dir`.
pub(crate) fn discover(dir: &str, rel: &Path) -> Found {
    let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if is_scratch_file(name) {
        return Found::Skip;
    }
    if let Some(refused) = unlistable_name(rel) {
        return refused;
    }
    let (exts, what): (&[&str], &str) = match dir {
        "topics" => (&["md"], "topic files (`<slug>.md`)"),
        "cities" => (&["yaml", "yml"], "city files (`<slug>.yaml`)"),
        _ => return Found::Read,
    };
    let flat = rel.components().count() == 1;
    let ext = rel.extension().and_then(|e| e.to_str());
    let refused = |message: String, hint: String| Found::Refused { message, hint };
    if !flat {
        return refused(
            format!("{dir}/ has no subfolders; this file is not read"),
            format!(
                "{dir}/ holds {what} directly: move the file up into {dir}/, or out of the site folder if it is an old copy"
            ),
        );
    }
    match ext {
        Some(e) if exts.contains(&e) => Found::Read,
        Some(e) if exts.contains(&e.to_ascii_lowercase().as_str()) => refused(
            format!("the extension `.{e}` is not lower-case; this file is not read"),
            format!(
                "rename it to `{}.{}`",
                rel.file_stem().and_then(|s| s.to_str()).unwrap_or(""),
                e.to_ascii_lowercase()
            ),
        ),
        _ => refused(
            format!("{dir}/ holds only {what}; this file is not read"),
            format!(
                "rename it to end in `.{}` if it is one, or move it out of {dir}/",
                exts[0]
            ),
        ),
    }
}

/// A diagnostic for a file that could not be read at all.
pub(crate) fn io_problem(shown: &Path, e: &std::io::Error) -> Diagnostic {
    let hint = match e.kind() {
        std::io::ErrorKind::PermissionDenied => "check the file's permissions",
        std::io::ErrorKind::NotFound => "create the file, or run sitegen from the site's folder",
        _ => "check that the file is a readable regular file",
    };
    Diagnostic::error(Origin::file(shown), format!("cannot read file: {e}")).with_hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_reads_flat_lower_case_files_and_names_the_rest() {
        let read = |dir: &str, rel: &str| discover(dir, Path::new(rel));
        assert_eq!(read("topics", "a.md"), Found::Read);
        assert_eq!(read("cities", "a.yaml"), Found::Read);
        assert_eq!(read("cities", "a.yml"), Found::Read);
        assert_eq!(read("templates", "partials/a.html"), Found::Read);
        assert_eq!(read("static", "img/a.PNG"), Found::Read);
        assert_eq!(read("topics", ".a.md.swp"), Found::Skip);
        assert_eq!(read("cities", "a.yaml~"), Found::Skip);
        for (dir, rel, says) in [
            ("topics", "old/a.md", "no subfolders"),
            ("cities", "x/a.yaml", "no subfolders"),
            ("topics", "a.MD", "not lower-case"),
            ("cities", "a.YAML", "not lower-case"),
            ("cities", "a.Yml", "not lower-case"),
            ("topics", "a.markdown", "holds only"),
            ("topics", "README", "holds only"),
            ("cities", "a.yaml.bak", "holds only"),
            ("static", "a\nb.css", "control character (\\n)"),
            ("static", "img/a\rb.png", "control character (\\r)"),
            ("templates", "partials/a\tb.html", "control character"),
            ("static", "a\\b.css", "a backslash"),
            ("topics", "a\u{1b}b.md", "control character"),
            ("cities", "a\nb.yaml", "control character"),
        ] {
            match read(dir, rel) {
                Found::Refused { message, .. } => {
                    assert!(message.contains(says), "{rel}: {message}")
                }
                other => panic!("{dir}/{rel}: {other:?}"),
            }
        }
    }

    #[test]
    fn names_that_are_not_utf8_are_refused() {
        use std::os::unix::ffi::OsStrExt;
        let rel = Path::new(std::ffi::OsStr::from_bytes(b"logo\xff.png"));
        assert!(
            matches!(discover("static", rel), Found::Refused { message, .. } if message.contains("not UTF-8"))
        );
    }

    #[test]
    fn strips_bom_and_crlf() {
        let text = decode(
            b"\xef\xbb\xbfname: a\r\nx: b\r\n".to_vec(),
            Path::new("a.yaml"),
        )
        .unwrap();
        assert_eq!(text, "name: a\nx: b\n");
    }

    #[test]
    fn names_utf16() {
        let err = decode(b"\xff\xfen\0a\0".to_vec(), Path::new("a.yaml")).unwrap_err();
        assert!(err.message.contains("UTF-16"), "{}", err.message);
    }

    #[test]
    fn refuses_files_above_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.yaml");
        std::fs::write(&path, "name: 甲城\n").unwrap();
        assert!(read_text(&path, Path::new("a.yaml"), 1000).is_ok());
        let err = read_text(&path, Path::new("a.yaml"), 5).unwrap_err();
        assert!(err.message.contains("too large"), "{}", err.message);
    }

    #[test]
    fn reports_line_of_invalid_utf8() {
        let err = decode(b"name: a\nprovince: \xff\n".to_vec(), Path::new("a.yaml")).unwrap_err();
        assert_eq!(err.origin.line, 2);
        assert_eq!(err.origin.column, 11);
        assert!(err.message.contains("UTF-8"));
    }
}
