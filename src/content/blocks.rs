//! The blocks the content lint compares: headings and paragraphs of a markdown text, with
//! whitespace normalised and the byte offset where each starts.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// What kind of block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Heading,
    Paragraph,
}

/// A heading or a paragraph (not one inside a list item).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    pub(crate) kind: Kind,
    /// The text as a reader sees it, whitespace runs folded to one space.
    pub(crate) text: String,
    /// Byte offset in the markdown where the block starts.
    pub(crate) offset: usize,
}

/// The headings and top-level paragraphs of `markdown`, in order.
pub(crate) fn blocks(markdown: &str) -> Vec<Block> {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut reader = BlockReader::default();
    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        reader.feed(&event, range.start);
    }
    reader.finish()
}

/// Collects the blocks from a stream of markdown events, so a pass that parses the
/// markdown for another reason (the HTML conversion) gets them without a second parse.
#[derive(Default)]
pub(crate) struct BlockReader {
    out: Vec<Block>,
    current: Option<(Kind, usize, String)>,
    item_depth: usize,
}

impl BlockReader {
    /// Takes the next event as the parser gives it; `offset` is where it starts.
    pub(crate) fn feed(&mut self, event: &Event<'_>, offset: usize) {
        match event {
            Event::Start(Tag::Item) => self.item_depth += 1,
            Event::End(TagEnd::Item) => self.item_depth = self.item_depth.saturating_sub(1),
            Event::Start(Tag::Heading { .. }) => {
                self.current = Some((Kind::Heading, offset, String::new()));
            }
            Event::Start(Tag::Paragraph) if self.item_depth == 0 => {
                self.current = Some((Kind::Paragraph, offset, String::new()));
            }
            Event::End(TagEnd::Heading(_) | TagEnd::Paragraph) => {
                if let Some((kind, offset, text)) = self.current.take() {
                    let text = normalise(&text);
                    if !text.is_empty() {
                        self.out.push(Block { kind, text, offset });
                    }
                }
            }
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                if let Some((_, _, text)) = self.current.as_mut() {
                    text.push_str(t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((_, _, text)) = self.current.as_mut() {
                    text.push(' ');
                }
            }
            _ => {}
        }
    }

    /// The blocks read, in order.
    pub(crate) fn finish(self) -> Vec<Block> {
        self.out
    }
}

/// Folds whitespace runs to one space and trims the ends (whitespace as
/// `char::is_whitespace` has it). Runs for every paragraph of every article, so it looks at
/// bytes: only a few lead bytes can start a whitespace character, and CJK text has none of
/// them except in punctuation.
pub(crate) fn normalise(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut word: Option<usize> = None;
    let push = |out: &mut String, piece: &str| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(piece);
    };
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let space = match b {
            b'\t'..=b'\r' | b' ' => 1,
            // U+0085, U+00A0; U+1680; U+2000–U+205F; U+3000.
            0xc2 | 0xe1 | 0xe2 | 0xe3 => text[i..]
                .chars()
                .next()
                .filter(|c| c.is_whitespace())
                .map_or(0, char::len_utf8),
            _ => 0,
        };
        if space > 0 {
            if let Some(from) = word.take() {
                push(&mut out, &text[from..i]);
            }
            i += space;
        } else {
            word.get_or_insert(i);
            i += match b {
                0..0x80 => 1,
                0x80..0xe0 => 2,
                0xe0..0xf0 => 3,
                _ => 4,
            };
        }
    }
    if let Some(from) = word {
        push(&mut out, &text[from..]);
    }
    out
}

/// The first `n` characters of `text`, with `…` when cut, for messages.
pub(crate) fn excerpt(text: &str, n: usize) -> String {
    let mut out: String = text.chars().take(n).collect();
    if text.chars().count() > n {
        out.push('…');
    }
    out
}

/// 1-based line of byte `offset` in `text`, counting from `first_line`.
pub(crate) fn line_at(text: &str, offset: usize, first_line: u32) -> u32 {
    first_line + text[..offset.min(text.len())].matches('\n').count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_folds_whitespace_as_split_whitespace_does() {
        let pieces = [
            "办理", "a", " ", "  ", "\t", "\n", "\u{b}", "\u{c}", "\r", "\u{85}", "\u{a0}",
            "\u{1680}", "\u{2000}", "\u{200a}", "\u{200b}", "\u{2028}", "\u{2029}", "\u{202f}",
            "\u{205f}", "\u{3000}", "\u{3001}", "“", "é", "🙂", "\u{1c}", "\u{e1}",
        ];
        let mut seed = 7u64;
        for _ in 0..5000 {
            let mut text = String::new();
            for _ in 0..(seed % 9) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            let want = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(normalise(&text), want, "{text:?}");
        }
    }

    #[test]
    fn headings_and_paragraphs_but_not_list_items() {
        let md = "### 材料:\n\n- 身份证\n- 医保卡\n\n办理  时限\n为15天。\n\n### 流程:\n";
        let b = blocks(md);
        assert_eq!(b.len(), 3);
        assert_eq!((b[0].kind, b[0].text.as_str()), (Kind::Heading, "材料:"));
        assert_eq!(
            (b[1].kind, b[1].text.as_str()),
            (Kind::Paragraph, "办理 时限 为15天。")
        );
        assert_eq!(line_at(md, b[1].offset, 10), 15);
        assert_eq!(line_at(md, b[2].offset, 10), 18);
    }

    #[test]
    fn excerpts_cut_long_text() {
        assert_eq!(excerpt("一二三四五", 3), "一二三…");
        assert_eq!(excerpt("一二", 3), "一二");
    }
}
