//! `.sitegen-run`: what the last build of the live site was made from and what it
//! reported (written by `pipeline/run_memo.rs`, which gives the text its meaning). Like
//! the page memo it is one of the build's own files, put into the new site before the
//! swap ([`super::Staging::commit`]), so it always describes the site it sits in; a build
//! that cannot vouch for its site writes it empty.

use super::fs_ops::{lock_output, place_output};
use super::manifest;
use std::fs;
use std::path::Path;

/// The run memo's file name inside an output folder.
pub(crate) const FILE: &str = ".sitegen-run";

/// The live site, held against other builds of it while its run memo stands for a build.
pub(crate) struct LiveSite {
    /// The run memo's text (not empty).
    pub(crate) memo: String,
    /// How many files the site has (its manifest's entries).
    pub(crate) files: usize,
    /// The length of its page memo (`.sitegen-pages`), if it has one.
    pub(crate) page_memo_len: Option<u64>,
    _lock: fs::File,
}

/// The live site at `output` (where `root`'s build puts it), when it is as the last build
/// left it: a run memo, and every file its manifest lists there with its length. `None`
/// otherwise, and for an output place a build would refuse (the build then says why).
pub(crate) fn open_intact(root: &Path, output: &Path) -> Option<LiveSite> {
    let output = place_output(root, output).ok()?;
    // Taken before reading, so a build swapping the site in meanwhile is waited for.
    let lock = lock_output(&output).ok()?;
    let memo = fs::read_to_string(output.join(FILE)).ok()?;
    if memo.is_empty() {
        return None;
    }
    let files = manifest::files_intact(&output)?;
    let page_memo_len = fs::metadata(output.join(super::page_memo::FILE)).ok();
    Some(LiveSite {
        memo,
        files,
        page_memo_len: page_memo_len.map(|m| m.len()),
        _lock: lock,
    })
}
