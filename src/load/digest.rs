//! A digest of every file the input is read from, for the run memo
//! (`pipeline/run_memo.rs`): equal digests mean the same files, byte for byte. It lists
//! files by the same rule as [`super::Parts::read`] ([`super::list_files`]), so a file the
//! input would read is never left out of it.

use super::{LOCK_FILE, MODIFIED_FILE, list_files};
use crate::diag::Diagnostics;
use rayon::prelude::*;
use std::io::Read;
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::Xxh3;

/// The folders below the site whose files are input.
const INPUT_DIRS: [&str; 4] = ["templates", "static", "topics", "cities"];

/// What the input is made of: the editors' files (site.yaml and the input folders) and
/// the two locks a build writes, apart, since a build that writes the locks changes
/// those and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct InputDigest {
    pub(crate) sources: u128,
    pub(crate) locks: u128,
    /// `schedule.lock` and `modified.lock` alone (parts of `locks`).
    pub(crate) schedule: u128,
    pub(crate) modified: u128,
}

/// The digest of the site at `root`; `None` when a file cannot be listed or read (a build
/// then reports it).
pub(crate) fn digest(root: &Path) -> Option<InputDigest> {
    let mut problems = Diagnostics::default();
    let mut files = vec![(root.join("site.yaml"), PathBuf::from("site.yaml"))];
    for dir in INPUT_DIRS {
        files.extend(list_files(root, dir, &mut problems));
    }
    if !problems.is_empty() {
        return None;
    }
    let hashes: Option<Vec<u128>> = files
        .par_iter()
        .map(|(path, shown)| file_hash(path, shown, false))
        .collect();
    let locks: Option<Vec<u128>> = [LOCK_FILE, MODIFIED_FILE]
        .iter()
        .map(|name| file_hash(&root.join(name), Path::new(name), true))
        .collect();
    let locks = locks?;
    Some(InputDigest {
        sources: combine(&hashes?),
        locks: combine(&locks),
        schedule: locks[0],
        modified: locks[1],
    })
}

/// A hash of `shown` and the bytes at `path`; a file that may be absent (`optional`) and
/// is gets a hash of its name alone.
fn file_hash(path: &Path, shown: &Path, optional: bool) -> Option<u128> {
    let mut h = Xxh3::new();
    h.update(shown.as_os_str().as_encoded_bytes());
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if optional && e.kind() == std::io::ErrorKind::NotFound => {
            return Some(h.digest128());
        }
        Err(_) => return None,
    };
    h.update(&[0]);
    let mut buf = [0u8; 64 * 1024];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => h.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(h.digest128())
}

fn combine(hashes: &[u128]) -> u128 {
    let mut h = Xxh3::new();
    for x in hashes {
        h.update(&x.to_le_bytes());
    }
    h.digest128()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn site() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("site.yaml"), "title: x\n").unwrap();
        fs::create_dir_all(tmp.path().join("cities")).unwrap();
        fs::write(tmp.path().join("cities/yueyang.yaml"), "name: 岳阳\n").unwrap();
        tmp
    }

    #[test]
    fn any_changed_byte_or_new_file_changes_the_sources() {
        let tmp = site();
        let first = digest(tmp.path()).unwrap();
        assert_eq!(digest(tmp.path()), Some(first));
        fs::write(tmp.path().join("cities/yueyang.yaml"), "name: 岳阳 \n").unwrap();
        let edited = digest(tmp.path()).unwrap();
        assert_ne!(edited.sources, first.sources);
        fs::write(tmp.path().join("cities/jinhua.yaml"), "name: 金华\n").unwrap();
        assert_ne!(digest(tmp.path()).unwrap().sources, edited.sources);
        assert_eq!(digest(tmp.path()).unwrap().locks, first.locks);
    }

    #[test]
    fn a_written_lock_changes_the_locks_alone() {
        let tmp = site();
        let first = digest(tmp.path()).unwrap();
        fs::write(tmp.path().join(LOCK_FILE), "").unwrap();
        let locked = digest(tmp.path()).unwrap();
        assert_eq!(locked.sources, first.sources);
        assert_ne!(locked.locks, first.locks);
    }

    #[test]
    fn a_renamed_file_changes_the_sources() {
        let tmp = site();
        let first = digest(tmp.path()).unwrap();
        fs::rename(
            tmp.path().join("cities/yueyang.yaml"),
            tmp.path().join("cities/yy.yaml"),
        )
        .unwrap();
        assert_ne!(digest(tmp.path()).unwrap().sources, first.sources);
    }

    #[test]
    fn no_site_yaml_gives_none() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(digest(tmp.path()), None);
    }
}
