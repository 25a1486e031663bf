//! The text of a memo kept under 64-bit keys (the search index's word memo, the title
//! memo): a header naming its format and the code that wrote it, one line per entry (the
//! key in hex, then the entry), and a last line with the count, so a file cut short reads
//! as no memo.

/// A memo's text being made: the header, then one line per [`KeyedText::line`].
pub(crate) struct KeyedText {
    text: String,
    count: usize,
}

impl KeyedText {
    /// A text starting with `header`, with room for `capacity` bytes.
    pub(crate) fn new(header: &str, capacity: usize) -> KeyedText {
        let mut text = String::with_capacity(capacity + header.len() + 32);
        text.push_str(header);
        text.push('\n');
        KeyedText { text, count: 0 }
    }

    /// Adds the line of `key`: its hex, then what `entry` writes (starting with a tab),
    /// which must hold no line break.
    pub(crate) fn line(&mut self, key: u64, entry: impl FnOnce(&mut String)) {
        self.text.push_str(&format!("{key:016x}"));
        entry(&mut self.text);
        self.text.push('\n');
        self.count += 1;
    }

    /// The text, with its last line.
    pub(crate) fn finish(mut self) -> String {
        self.text.push_str(&format!("end {}\n", self.count));
        self.text
    }
}

/// The lines of a text [`KeyedText`] made under `header`: each key with what follows its
/// tab (empty without one), and the count the last line gives; `None` when the header
/// differs, the text is cut short or a key is not 16 hex digits.
pub(crate) fn entries<'t>(text: &'t str, header: &str) -> Option<(Vec<(u64, &'t str)>, usize)> {
    let body = text.strip_prefix(header)?.strip_prefix('\n')?;
    let body = body.strip_suffix('\n')?;
    let (lines, last) = body.rsplit_once('\n').unwrap_or(("", body));
    let count: usize = last.strip_prefix("end ")?.parse().ok()?;
    let mut entries = Vec::with_capacity(count);
    for line in lines.split('\n').filter(|l| !l.is_empty()) {
        let (key, rest) = line.split_once('\t').unwrap_or((line, ""));
        if key.len() != 16 {
            return None;
        }
        entries.push((u64::from_str_radix(key, 16).ok()?, rest));
    }
    Some((entries, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_back_with_their_count() {
        let mut text = KeyedText::new("h 1", 0);
        text.line(1, |s| s.push_str("\ta\tb"));
        text.line(0xff, |_| {});
        let text = text.finish();
        assert_eq!(
            text,
            "h 1\n0000000000000001\ta\tb\n00000000000000ff\nend 2\n"
        );
        assert_eq!(
            entries(&text, "h 1"),
            Some((vec![(1, "a\tb"), (255, "")], 2))
        );
        assert_eq!(entries(&text, "h 2"), None);
        assert_eq!(entries(&text[..text.len() - 1], "h 1"), None);
    }
}
