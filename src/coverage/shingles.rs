//! Shingles: the overlapping 5-character windows of a text, hashed, as a sorted set.
//!
//! The text is what a reader sees: HTML tags dropped, entities decoded, each block
//! (paragraph, list item, heading, table cell) a piece of its own, whitespace runs made one
//! space, and the city's name (and province) replaced by one mask character, so two cities'
//! copies of the same sentence give the same shingles. Windows never cross from one piece
//! into the next, so the order of sections does not matter. A piece shorter than five
//! characters is one shingle.

pub(crate) use crate::content::similarity::ShingleSet;
use crate::content::similarity::push_windows;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Characters per shingle.
pub(crate) const WIDTH: usize = 5;

/// Stands for the city's name and its province in every text compared (a private-use
/// character, which no article contains).
pub(crate) const MASK: &str = "\u{E000}";

/// Keys that are hashes already: used as they are.
#[derive(Default)]
pub(crate) struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u32(&mut self, n: u32) {
        // Spread over 64 bits: the table takes its bucket from the high bits.
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// A map keyed by shingle hash.
pub(crate) type ShingleMap<V> = HashMap<u32, V, BuildHasherDefault<PassThrough>>;

/// Collects the shingles of texts for one article (or one topic's defaults).
pub(crate) struct Shingler<'a> {
    /// Replaced by [`MASK`] before shingling (longest first).
    names: Vec<&'a str>,
    hashes: Vec<u32>,
    piece: String,
    /// Byte offset of each character of `piece`, and its end.
    bounds: Vec<usize>,
}

impl<'a> Shingler<'a> {
    /// A shingler masking `names` (the city's name and province; empty ones are ignored).
    pub(crate) fn new(names: &[&'a str]) -> Self {
        let mut names: Vec<&str> = names.iter().copied().filter(|n| !n.is_empty()).collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        names.dedup();
        Shingler {
            names,
            hashes: Vec::new(),
            piece: String::new(),
            bounds: Vec::new(),
        }
    }

    /// Adds plain text (a title, lead, heading): one piece.
    pub(crate) fn text(&mut self, text: &str) {
        self.piece.clear();
        push_collapsed(&mut self.piece, text);
        self.flush();
    }

    /// Adds an HTML fragment: the text of each block is a piece.
    pub(crate) fn html(&mut self, html: &str) {
        self.piece.clear();
        let mut rest = html;
        while let Some(lt) = rest.find('<') {
            push_decoded(&mut self.piece, &rest[..lt]);
            let Some(gt) = rest[lt..].find('>') else {
                rest = "";
                break;
            };
            let tag = &rest[lt + 1..lt + gt];
            if is_block_tag(tag) {
                self.flush();
                self.piece.clear();
            }
            rest = &rest[lt + gt + 1..];
        }
        push_decoded(&mut self.piece, rest);
        self.flush();
    }

    /// The shingles added so far, as a sorted set.
    pub(crate) fn finish(mut self) -> ShingleSet {
        self.hashes.sort_unstable();
        self.hashes.dedup();
        self.hashes
    }

    /// Shingles the current piece (masked, whitespace collapsed and trimmed).
    fn flush(&mut self) {
        let mut text = std::mem::take(&mut self.piece);
        for name in &self.names {
            if text.contains(name) {
                text = text.replace(name, MASK);
            }
        }
        let collapsed = collapse(&text);
        push_windows(&collapsed, WIDTH, &mut self.hashes, &mut self.bounds);
        text.clear();
        self.piece = text;
    }
}

/// Tags that start a new piece of text.
fn is_block_tag(tag: &str) -> bool {
    let name = tag
        .trim_start_matches('/')
        .split(|c: char| c.is_whitespace() || c == '/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(
        name.as_str(),
        "p" | "li"
            | "ul"
            | "ol"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "br"
            | "hr"
            | "td"
            | "th"
            | "tr"
            | "table"
            | "blockquote"
            | "pre"
            | "div"
            | "dt"
            | "dd"
    )
}

/// `text` with every whitespace run made one space, trimmed.
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_collapsed(&mut out, text);
    out.trim().to_string()
}

fn push_collapsed(out: &mut String, text: &str) {
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    if space {
        out.push(' ');
    }
}

/// Appends HTML text with its entities decoded (the ones markdown output uses, and
/// numeric ones).
fn push_decoded(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let entity = after.find(';').filter(|&e| e <= 10).map(|e| &after[..e]);
        let decoded = entity.and_then(|e| match e {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ => e
                .strip_prefix("#x")
                .or_else(|| e.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| e.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        });
        match (entity, decoded) {
            (Some(e), Some(c)) => {
                out.push(c);
                rest = &after[e.len() + 1..];
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(f: impl FnOnce(&mut Shingler<'_>)) -> ShingleSet {
        let mut s = Shingler::new(&["岳阳", "湖南"]);
        f(&mut s);
        s.finish()
    }

    #[test]
    fn a_text_of_n_characters_has_n_minus_4_shingles() {
        assert_eq!(set(|s| s.text("一二三四五六七")).len(), 3);
        assert_eq!(set(|s| s.text("一二三")).len(), 1);
        assert_eq!(set(|s| s.text("  ")).len(), 0);
        // Repeated windows count once.
        assert_eq!(set(|s| s.text("啊啊啊啊啊啊啊")).len(), 1);
    }

    #[test]
    fn city_names_are_masked_and_whitespace_collapsed() {
        let mut other = Shingler::new(&["金华"]);
        other.text("金华医保参保地  怎么\n变更");
        assert_eq!(set(|s| s.text("岳阳医保参保地 怎么 变更")), other.finish());
    }

    #[test]
    fn html_blocks_are_separate_pieces_and_entities_decoded() {
        let html = "<ul>\n<li>身份证</li>\n<li>医保卡</li>\n</ul>\n<p>A &amp; B&#x4E00;</p>";
        let got = set(|s| s.html(html));
        let want = set(|s| {
            s.text("身份证");
            s.text("医保卡");
            s.text("A & B一");
        });
        assert_eq!(got, want);
        // Inline tags do not split a piece.
        assert_eq!(
            set(|s| s.html("<p>一二<strong>三四</strong>五六</p>")),
            set(|s| s.text("一二三四五六"))
        );
    }
}
