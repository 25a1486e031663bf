//! `.sitegen-titles`: each published article's full title under a hash of everything it is
//! made from (`pipeline/fingerprint.rs`, `title_inputs`: the site settings, the city and
//! topic files, the article's id, date, title template and date format), so a build
//! renders again only the titles whose inputs changed — the pages' fingerprints and the
//! search index need every article's title. Written into the new site before the swap,
//! beside the page memo, so it always describes the site it sits in. The first line names
//! the binary's code: other code may render the same template otherwise.

use crate::keyed_text::{self, KeyedText};
// FxHash: the keys are already hashes.
use rustc_hash::FxHashMap as HashMap;
use std::path::Path;

/// The memo's file name inside an output folder.
pub(crate) const FILE: &str = ".sitegen-titles";

/// The first line: the format and the code that wrote it.
fn header() -> String {
    format!("sitegen-titles 1 {}", env!("SITEGEN_CODE_ID"))
}

/// Title inputs → the title they gave.
#[derive(Debug, Default)]
pub(crate) struct TitleMemo {
    titles: HashMap<u64, Box<str>>,
}

impl TitleMemo {
    /// The title an earlier build rendered from `inputs`.
    pub(crate) fn get(&self, inputs: u64) -> Option<&str> {
        self.titles.get(&inputs).map(|t| &**t)
    }

    /// The memo kept in the output folder `dir`; empty when it is missing, or as
    /// [`TitleMemo::parse`] reads it.
    pub(crate) fn read(dir: &Path) -> TitleMemo {
        std::fs::read_to_string(dir.join(FILE))
            .map_or_else(|_| TitleMemo::default(), |t| Self::parse(&t))
    }

    /// The memo [`format`] wrote; empty when `text` is damaged, cut short or written by
    /// other code (then every title is rendered).
    pub(crate) fn parse(text: &str) -> TitleMemo {
        Self::try_parse(text).unwrap_or_default()
    }

    fn try_parse(text: &str) -> Option<TitleMemo> {
        let (lines, count) = keyed_text::entries(text, &header())?;
        let titles: HashMap<u64, Box<str>> = (lines.into_iter())
            .map(|(key, title)| (key, Box::from(title)))
            .collect();
        (titles.len() == count).then_some(TitleMemo { titles })
    }
}

/// The memo text for `titles` (`(inputs, title)`): the header, one line per key (its hex,
/// a tab, the title) in key order, and a last line with the count, so a file cut short
/// reads as no memo. A title holding a line break is left out (rendered again).
pub(crate) fn format<'t>(titles: impl IntoIterator<Item = (u64, &'t str)>) -> String {
    let mut sorted: Vec<(u64, &str)> = (titles.into_iter())
        .filter(|(_, t)| !t.contains(['\n', '\r']))
        .collect();
    sorted.sort_unstable();
    sorted.dedup_by_key(|(key, _)| *key);
    let size = sorted.iter().map(|(_, t)| t.len() + 18).sum();
    let mut text = KeyedText::new(&header(), size);
    for (key, title) in sorted {
        text.line(key, |line| {
            line.push('\t');
            line.push_str(title);
        });
    }
    text.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_read_back_as_written() {
        let text = format([
            (7, "岳阳医保卡激活要带什么?(5月1日)"),
            (3, "金华\t参保地变更"),
        ]);
        let memo = TitleMemo::parse(&text);
        assert_eq!(memo.get(7), Some("岳阳医保卡激活要带什么?(5月1日)"));
        assert_eq!(
            memo.get(3),
            Some("金华\t参保地变更"),
            "a tab in a title is kept"
        );
        assert_eq!(memo.get(4), None);
        assert_eq!(
            format([
                (3, "金华\t参保地变更"),
                (7, "岳阳医保卡激活要带什么?(5月1日)")
            ]),
            text
        );
    }

    #[test]
    fn a_damaged_cut_or_foreign_memo_reads_as_none() {
        let text = format([(1, "一"), (2, "二")]);
        assert_eq!(TitleMemo::parse(&text).titles.len(), 2);
        let cut = &text[..text.len() - "end 2\n".len()];
        assert!(TitleMemo::parse(cut).titles.is_empty());
        let other = text.replacen("sitegen-titles 1 ", "sitegen-titles 1 x", 1);
        assert!(TitleMemo::parse(&other).titles.is_empty());
        let bad_key = text.replacen("0000000000000001", "00000000000000zz", 1);
        assert!(TitleMemo::parse(&bad_key).titles.is_empty());
        let broken = format([(1, "一\n二")]);
        assert!(
            TitleMemo::parse(&broken).titles.is_empty(),
            "a title with a line break is left out"
        );
        assert!(broken.ends_with("end 0\n"));
    }
}
