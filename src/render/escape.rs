//! Escaping text for HTML, shared by the layouts (Tera's escape function) and markdown.
//!
//! Besides the five markup characters, control characters (NUL, escape, …) are dropped:
//! a YAML string such as `"a\0b"` is valid, but such characters have no place in a page.

use std::io::{self, Write};

/// Whether `c` is a control character a page must not carry (tab and newlines are kept).
pub(crate) fn is_unwanted_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Escapes `input` for HTML text and quoted attribute values; Tera's escape function for
/// the layouts. Runs for every value of every page, so the common case is fast: eight bytes
/// at a time are checked for anything that may need escaping or dropping, and the clean
/// part goes out in one write; the rest goes through [`escape_chars`].
pub(crate) fn escape_html(input: &str, buf: &mut dyn Write) -> io::Result<()> {
    let bytes = input.as_bytes();
    let mut clean = 0;
    for word in bytes.chunks_exact(8) {
        if may_need_escaping(u64::from_le_bytes(word.try_into().unwrap_or_default())) {
            break;
        }
        clean += 8;
    }
    if clean == bytes.len() {
        return buf.write_all(bytes);
    }
    // `clean` may fall inside a character: step back to its start.
    while !input.is_char_boundary(clean) {
        clean -= 1;
    }
    buf.write_all(&bytes[..clean])?;
    escape_chars(&input[clean..], buf)
}

/// Whether some byte of `word` may start something [`escape_chars`] changes: one of the five
/// markup characters, a C0 control or DEL, or 0xC2 (the first byte of the C1 controls).
/// False positives only cost speed.
fn may_need_escaping(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
    let equal = [b'&', b'<', b'>', b'"', b'\'', 0x7f, 0xc2]
        .iter()
        .fold(0, |acc, &c| acc | zero_byte(word ^ (ONES * c as u64)));
    below_space | equal != 0
}

/// The escaping itself, character by character.
fn escape_chars(input: &str, buf: &mut dyn Write) -> io::Result<()> {
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
pub(crate) fn strip_controls(input: &str) -> std::borrow::Cow<'_, str> {
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

    #[test]
    fn the_fast_path_changes_nothing() {
        let samples = [
            "",
            "纯文本的标题,足够长可以跨过好几个八字节的块",
            "https://example.org/a/b/?x=1&y=2",
            "十六个字节以后才有<b>和\"引号\"&",
            "12345678&<>\"'abcdefgh",
            "\u{7f}\u{80}\u{9f}\u{a0}\u{ff}&\u{100}<—>",
            "控制字符在后面很远的地方出现\u{0}\u{1b}\u{85}结束",
            "aaaaaaa\u{85}",
            "2026-02-03T06:39:37+08:00",
        ];
        for s in samples {
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            escape_html(s, &mut fast).unwrap();
            escape_chars(s, &mut slow).unwrap();
            assert_eq!(fast, slow, "{s:?}");
        }
    }
}
