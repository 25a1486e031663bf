//! `.sitegen-run`: what the last build of the live site was made from and what it
//! reported (written by `pipeline/run_memo.rs`, which gives the text its meaning). Like
//! the page memo it is one of the build's own files, put into the new site before the
//! swap ([`super::Staging::commit`]), so it always describes the site it sits in; a build
//! that cannot vouch for its site writes it empty.

use super::fs_ops::{lock_output, place_output};
use super::manifest;
use std::fs;
use std::path::{Path, PathBuf};

/// The run memo's file name inside an output folder.
pub(crate) const FILE: &str = ".sitegen-run";

/// The live site, held against other builds of it while its run memo stands for a build.
pub(crate) struct LiveSite {
    output: PathBuf,
    /// The run memo's text (not empty).
    pub(crate) memo: String,
    _lock: fs::File,
}

/// The live site at `output` (where `root`'s build puts it) with its run memo; `None` when
/// it has none, and for an output place a build would refuse (the build then says why).
pub(crate) fn open(root: &Path, output: &Path) -> Option<LiveSite> {
    let output = place_output(root, output).ok()?;
    // Taken before reading, so a build swapping the site in meanwhile is waited for.
    let lock = lock_output(&output).ok()?;
    let memo = fs::read_to_string(output.join(FILE)).ok()?;
    if memo.is_empty() {
        return None;
    }
    Some(LiveSite {
        output,
        memo,
        _lock: lock,
    })
}

impl LiveSite {
    /// How many files the site has, when it is as the last build left it: every file its
    /// manifest lists is there with its length, and the page memo (`.sitegen-pages`) has
    /// `page_memo_len` bytes. One `statx` per file: asked last, after the memo's own facts.
    pub(crate) fn intact(&self, page_memo_len: u64) -> Option<usize> {
        let memo = fs::metadata(self.output.join(super::page_memo::FILE)).ok()?;
        (memo.len() == page_memo_len).then_some(())?;
        manifest::files_intact(&self.output)
    }

    /// Removes what a build killed since left beside the site, as the next real build
    /// would: temporary files, and a staging folder it had begun to change (one with no
    /// manifest). A staging folder with its manifest is the previous site, kept for reuse.
    /// `None` when something cannot be removed: the pipeline then says why.
    pub(crate) fn remove_leftovers(&self) -> Option<()> {
        super::durable::remove_leftovers(super::parent_of(&self.output));
        let staging = super::staging_dir(&self.output);
        let complete =
            |dir: &Path| dir.join(manifest::FILE).is_file() && dir.join(super::MARKER).is_file();
        if staging.exists() && !complete(&staging) {
            fs::remove_dir_all(&staging).ok()?;
        }
        Some(())
    }
}
