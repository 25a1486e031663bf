//! Reading input files: size limit, UTF-8 check, byte-order mark, line endings.

use crate::diag::{Diagnostic, Origin};
use std::path::Path;

/// Input files larger than this are refused (a site's YAML and markdown are small).
pub const MAX_INPUT_BYTES: u64 = 8 * 1024 * 1024;

/// Reads a text file for parsing. `shown` is the path printed to editors.
///
/// A UTF-8 byte-order mark is dropped and CRLF line endings become LF, so editors on any
/// system produce the same site.
pub fn read_text(path: &Path, shown: &Path) -> Result<String, Diagnostic> {
    let meta = std::fs::metadata(path).map_err(|e| io_problem(shown, &e))?;
    if meta.len() > MAX_INPUT_BYTES {
        return Err(Diagnostic::error(
            Origin::file(shown),
            format!(
                "file is too large ({} bytes; the limit is {} bytes)",
                meta.len(),
                MAX_INPUT_BYTES
            ),
        )
        .with_hint(
            "input files are short YAML or markdown; was a data file saved here by mistake?",
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| io_problem(shown, &e))?;
    decode(bytes, shown)
}

/// Checks UTF-8 and normalises a file's text (see [`read_text`]).
pub fn decode(bytes: Vec<u8>, shown: &Path) -> Result<String, Diagnostic> {
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
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    Ok(if text.contains('\r') {
        text.replace("\r\n", "\n")
    } else {
        text.to_string()
    })
}

/// A diagnostic for a file that could not be read at all.
pub fn io_problem(shown: &Path, e: &std::io::Error) -> Diagnostic {
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
    fn strips_bom_and_crlf() {
        let text = decode(
            b"\xef\xbb\xbfname: a\r\nx: b\r\n".to_vec(),
            Path::new("a.yaml"),
        )
        .unwrap();
        assert_eq!(text, "name: a\nx: b\n");
    }

    #[test]
    fn reports_line_of_invalid_utf8() {
        let err = decode(b"name: a\nprovince: \xff\n".to_vec(), Path::new("a.yaml")).unwrap_err();
        assert_eq!(err.origin.line, 2);
        assert_eq!(err.origin.column, 11);
        assert!(err.message.contains("UTF-8"));
    }
}
