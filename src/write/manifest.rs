//! The manifest of an output folder: every file's path, length and xxh3-128 content hash.
//!
//! It lets a build tell which pages changed without reading the previous files back, and
//! it is deterministic (no times or inode numbers), so identical sites have identical
//! manifests. It lives inside the folder it describes, so it swaps with it atomically.

use rayon::prelude::*;
use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Component, Path};
use xxhash_rust::xxh3::xxh3_128;

/// The manifest's file name inside an output folder.
pub(crate) const FILE: &str = ".sitegen-manifest";

const HEADER: &str = "sitegen manifest 1\n";

/// What a manifest knows about one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) hash: u128,
    pub(crate) len: u64,
}

impl Entry {
    /// The entry of a file with these bytes.
    pub(crate) fn of(bytes: &[u8]) -> Entry {
        Entry {
            hash: xxh3_128(bytes),
            len: bytes.len() as u64,
        }
    }
}

/// Path (with `/`) → entry, for every file of one folder.
pub(crate) type Manifest = HashMap<String, Entry>;

/// Reads `dir`'s manifest; `None` when it is missing or unreadable (the folder's content is
/// then unknown).
pub(crate) fn read(dir: &Path) -> Option<Manifest> {
    let text = fs::read_to_string(dir.join(FILE)).ok()?;
    parse(&text)
}

fn parse(text: &str) -> Option<Manifest> {
    let body = text.strip_prefix(HEADER)?;
    let mut out = Manifest::with_capacity(body.len() / 64);
    for line in body.lines() {
        let (path, entry) = parse_line(line)?;
        out.insert(path.to_string(), entry);
    }
    Some(out)
}

/// One manifest line: `hash length path`.
fn parse_line(line: &str) -> Option<(&str, Entry)> {
    let mut parts = line.splitn(3, ' ');
    let hash = u128::from_str_radix(parts.next()?, 16).ok()?;
    let len = parts.next()?.parse().ok()?;
    Some((parts.next()?, Entry { hash, len }))
}

/// How many files `dir`'s manifest lists, when every one is still there with the length
/// the manifest gives (the check [`super::Staging::keep`] makes of each kept file); `None`
/// when the manifest is missing or damaged, or a file is gone or altered.
pub(crate) fn files_intact(dir: &Path) -> Option<usize> {
    let text = fs::read_to_string(dir.join(FILE)).ok()?;
    let body = text.strip_prefix(HEADER)?;
    let lines: Vec<&str> = body.lines().collect();
    let intact = lines.par_iter().all(|line| {
        let Some((path, entry)) = parse_line(line) else {
            return false;
        };
        // Only paths below the folder are looked at, whatever a damaged manifest says.
        let rel = Path::new(path);
        let below = rel.components().all(|c| matches!(c, Component::Normal(_)));
        below
            && fs::symlink_metadata(dir.join(rel))
                .is_ok_and(|m| m.is_file() && m.len() == entry.len)
    });
    intact.then_some(lines.len())
}

/// The manifest text for `entries`, sorted by path.
pub(crate) fn format(entries: &mut [(String, Entry)]) -> String {
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::with_capacity(HEADER.len() + entries.len() * 80);
    out.push_str(HEADER);
    for (path, e) in entries.iter() {
        out.push_str(&std::format!("{:032x} {} {}\n", e.hash, e.len, path));
    }
    out
}

/// The first of `entries` that `text` (made by [`format`] from them) does not give back,
/// if any: checked before the swap, so a build never leaves a manifest the next build
/// cannot read (which would make it rewrite every file and report every page changed).
/// Input discovery refuses the file names that could cause it (line breaks).
pub(crate) fn unreadable<'a>(text: &str, entries: &'a [(String, Entry)]) -> Option<&'a str> {
    let reads_back = |back: &Manifest, (path, e): &(String, Entry)| back.get(path) == Some(e);
    match parse(text) {
        Some(back) => entries
            .iter()
            .find(|entry| !reads_back(&back, entry))
            .map(|(path, _)| path.as_str())
            .or_else(|| (back.len() != entries.len()).then_some("")),
        // A line that does not parse spoils the whole manifest: find the entry that wrote it.
        None => entries
            .iter()
            .find(|entry| {
                let text = format(&mut [(*entry).clone()]);
                !parse(&text).is_some_and(|back| reads_back(&back, entry))
            })
            .map_or(Some(""), |(path, _)| Some(path.as_str())),
    }
}

/// Writes the manifest text into `dir`, through a temporary file in `temp_in` (beside
/// the folder, on the same file system) and a rename, so a manifest is whole or absent.
pub(crate) fn write(dir: &Path, text: &str, temp_in: &Path) -> io::Result<()> {
    super::durable::write_atomic(&dir.join(FILE), text.as_bytes(), temp_in, FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_sorts() {
        let mut entries = vec![
            ("b/index.html".to_string(), Entry::of(b"two")),
            ("a b/index.html".to_string(), Entry::of(b"one")),
        ];
        let text = format(&mut entries);
        assert!(text.starts_with(HEADER));
        assert!(text.find("a b/").unwrap() < text.find("b/index").unwrap());
        let back = parse(&text).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back["a b/index.html"], Entry::of(b"one"));
        assert_ne!(back["b/index.html"], Entry::of(b"one"));
    }

    #[test]
    fn a_name_that_would_not_read_back_is_found() {
        let mut entries = vec![("static/a".to_string(), Entry::of(b"x"))];
        assert_eq!(unreadable(&format(&mut entries), &entries), None);
        for name in ["static/a\nb.txt", "static/c\r", "static/\n"] {
            let mut entries = vec![
                ("index.html".to_string(), Entry::of(b"i")),
                (name.to_string(), Entry::of(b"x")),
            ];
            let text = format(&mut entries);
            assert_eq!(unreadable(&text, &entries), Some(name), "{name:?}");
        }
    }

    #[test]
    fn files_intact_checks_every_listed_file() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        fs::create_dir_all(dir.join("a")).unwrap();
        fs::write(dir.join("a/index.html"), "one").unwrap();
        fs::write(dir.join("b.txt"), "two").unwrap();
        let mut entries = vec![
            ("a/index.html".to_string(), Entry::of(b"one")),
            ("b.txt".to_string(), Entry::of(b"two")),
        ];
        assert_eq!(files_intact(dir), None, "no manifest yet");
        fs::write(dir.join(FILE), format(&mut entries)).unwrap();
        assert_eq!(files_intact(dir), Some(2));
        fs::write(dir.join("b.txt"), "three").unwrap();
        assert_eq!(files_intact(dir), None, "altered");
        fs::write(dir.join("b.txt"), "two").unwrap();
        fs::remove_file(dir.join("a/index.html")).unwrap();
        assert_eq!(files_intact(dir), None, "gone");
        let outside = format!("{HEADER}{:032x} 3 ../b.txt\n", 0);
        fs::write(dir.join(FILE), outside).unwrap();
        assert_eq!(files_intact(dir), None, "a path outside the folder");
    }

    #[test]
    fn damaged_manifests_are_unknown() {
        assert!(parse("").is_none());
        assert!(parse("sitegen manifest 1\nzz 3 a\n").is_none());
        assert!(parse("sitegen manifest 1\n00 x a\n").is_none());
        assert!(parse("sitegen manifest 1\n00 3\n").is_none());
    }
}
