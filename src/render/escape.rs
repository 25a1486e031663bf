//! Escaping text for HTML, shared by the layouts (Tera's escape function) and markdown.
//!
//! Besides the five markup characters, control characters (NUL, escape, …) are dropped:
//! a YAML string such as `"a\0b"` is valid, but such characters have no place in a page.

use std::io::{self, Write};

/// Whether `c` is a control character a page must not carry (tab and newlines are kept).
pub fn is_unwanted_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Escapes `input` for HTML text and quoted attribute values; Tera's escape function for
/// the layouts.
pub fn escape_html(input: &str, buf: &mut dyn Write) -> io::Result<()> {
    let mut start = 0;
    for (i, c) in input.char_indices() {
        let replacement: Option<&[u8]> = match c {
            '&' => Some(b"&amp;"),
            '<' => Some(b"&lt;"),
            '>' => Some(b"&gt;"),
            '"' => Some(b"&quot;"),
            '\'' => Some(b"&#39;"),
            c if is_unwanted_control(c) => Some(b""),
            _ => None,
        };
        if let Some(r) = replacement {
            buf.write_all(&input.as_bytes()[start..i])?;
            buf.write_all(r)?;
            start = i + c.len_utf8();
        }
    }
    buf.write_all(&input.as_bytes()[start..])
}

/// `input` without unwanted control characters (borrowed when there are none).
pub fn strip_controls(input: &str) -> std::borrow::Cow<'_, str> {
    if input.chars().any(is_unwanted_control) {
        input
            .chars()
            .filter(|&c| !is_unwanted_control(c))
            .collect::<String>()
            .into()
    } else {
        input.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(s: &str) -> String {
        let mut out = Vec::new();
        escape_html(s, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_markup_and_drops_controls() {
        assert_eq!(
            escaped("\"><img onerror='x'>&\u{0}岳阳\u{1b}"),
            "&quot;&gt;&lt;img onerror=&#39;x&#39;&gt;&amp;岳阳"
        );
        assert_eq!(escaped("a\tb\nc"), "a\tb\nc");
        assert_eq!(strip_controls("a\u{7}b"), "ab");
    }
}
