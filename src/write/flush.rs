//! What a commit flushes to disk before the swap. A staging folder filled from scratch, or
//! one with many changed files, is flushed at once (`syncfs` of its file system). A reused
//! staging folder with a few changed files (the everyday rebuild) has just those files and
//! the folders whose entries changed flushed one by one: its other files are the live
//! site's, flushed by the build that wrote them, so a rebuild does not wait for whatever
//! else is waiting on the disk (such as a CI cache restored a moment before).

use super::durable::{sync_dir, sync_file, sync_file_system};
use crate::sync::Kept as _;
use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Changed paths in a reused staging folder up to which they are flushed one by one.
pub(crate) const ONE_BY_ONE_UP_TO: usize = 1024;

/// How a commit flushed the new site before the swap.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flushed {
    /// Nothing was swapped (the live site already was the new one).
    #[default]
    Nothing,
    /// The staging folder's whole file system (`syncfs`).
    FileSystem,
    /// The files written and the folders changed, one by one.
    OneByOne { files: usize, folders: usize },
}

/// The paths a build changed in its staging folder, while they are few.
pub(crate) struct FlushList {
    lists: Mutex<Lists>,
}

#[derive(Default)]
struct Lists {
    /// Files written: their bytes and their folders' entries.
    files: Vec<PathBuf>,
    /// Files linked or removed: their folders' entries.
    entries: Vec<PathBuf>,
    /// More than [`ONE_BY_ONE_UP_TO`] paths, or a fresh staging folder: flushed at once.
    at_once: bool,
}

impl FlushList {
    /// A list for a staging folder; `fresh` (created empty for this build) is always
    /// flushed at once, so nothing is collected.
    pub(crate) fn new(fresh: bool) -> FlushList {
        FlushList {
            lists: Mutex::new(Lists {
                at_once: fresh,
                ..Lists::default()
            }),
        }
    }

    /// A file written at `path`.
    pub(crate) fn wrote(&self, path: &Path) {
        self.add(path, |l| &mut l.files);
    }

    /// A file linked or removed at `path`.
    pub(crate) fn changed_entry(&self, path: &Path) {
        self.add(path, |l| &mut l.entries);
    }

    fn add(&self, path: &Path, list: impl Fn(&mut Lists) -> &mut Vec<PathBuf>) {
        let mut lists = self.lists.lock_kept();
        if lists.at_once {
            return;
        }
        if lists.files.len() + lists.entries.len() >= ONE_BY_ONE_UP_TO {
            *lists = Lists {
                at_once: true,
                ..Lists::default()
            };
            return;
        }
        list(&mut lists).push(path.to_path_buf());
    }

    /// Flushes staging folder `dir` as the list says: the files written and every folder
    /// from theirs (and those of files linked or removed) up to `dir`, which is always
    /// flushed (the manifest is renamed into it); or the whole file system.
    pub(crate) fn flush(self, dir: &Path) -> io::Result<Flushed> {
        let lists = self.lists.into_inner().unwrap_or_else(|p| p.into_inner());
        if lists.at_once {
            sync_file_system(dir)?;
            return Ok(Flushed::FileSystem);
        }
        for file in &lists.files {
            sync_file(file)?;
        }
        let mut folders = BTreeSet::from([dir]);
        for path in lists.files.iter().chain(&lists.entries) {
            folders.extend(path.ancestors().skip(1).take_while(|a| a.starts_with(dir)));
        }
        for folder in &folders {
            match sync_dir(folder) {
                // An emptied folder removed with its last file.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                other => other?,
            }
        }
        Ok(Flushed::OneByOne {
            files: lists.files.len(),
            folders: folders.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_changes_are_flushed_one_by_one_with_their_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("a/b/index.html"), "x").unwrap();
        let list = FlushList::new(false);
        list.wrote(&root.join("a/b/index.html"));
        list.changed_entry(&root.join("gone/index.html"));
        // The root, a, a/b, and gone (removed with its file: skipped).
        assert_eq!(
            list.flush(root).unwrap(),
            Flushed::OneByOne {
                files: 1,
                folders: 4
            }
        );
    }

    #[test]
    fn a_fresh_folder_or_many_changes_flush_the_file_system() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = FlushList::new(true);
        fresh.wrote(&dir.path().join("a.html"));
        assert_eq!(fresh.flush(dir.path()).unwrap(), Flushed::FileSystem);
        let many = FlushList::new(false);
        for k in 0..=ONE_BY_ONE_UP_TO {
            many.changed_entry(&dir.path().join(format!("{k}.html")));
        }
        assert_eq!(many.flush(dir.path()).unwrap(), Flushed::FileSystem);
    }
}
