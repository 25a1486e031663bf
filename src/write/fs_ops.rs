//! File-system operations of the write stage: path checks, the build lock, the atomic
//! folder swap and the small helpers around them.

use super::{MARKER, WriteError, err, manifest, page_memo, sibling};
use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

/// Whether two metadata are of the same file (hard links included).
pub(super) fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

/// Removes the folders above `target` that became empty, up to `root`.
pub(super) fn remove_empty_parents(target: &Path, root: &Path) {
    for dir in target.ancestors().skip(1).take_while(|d| *d != root) {
        if fs::remove_dir(dir).is_err() {
            break;
        }
    }
}

/// Files of a folder made without a manifest that the new site does not have, as
/// `/`-separated relative paths.
pub(super) fn other_files(dir: &Path, keep: &HashSet<&str>) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(dir).ok()?;
            let parts: Vec<&str> = rel.iter().map(|p| p.to_str()).collect::<Option<_>>()?;
            Some(parts.join("/"))
        })
        .filter(|p| ![MARKER, manifest::FILE, page_memo::FILE].contains(&p.as_str()))
        .filter(|p| !keep.contains(p.as_str()))
        .collect()
}

/// Checks a `/`-separated path has only normal components (no `..`, root, drive or NUL).
pub(super) fn safe_relative(rel: &str) -> Option<PathBuf> {
    if rel.is_empty() || rel.contains(['\0', '\\']) {
        return None;
    }
    let path = Path::new(rel);
    path.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| path.to_path_buf())
}

/// Atomically swaps two folders (Linux `renameat2(RENAME_EXCHANGE)`); elsewhere a
/// rename-aside that leaves a moment without the output.
#[cfg(target_os = "linux")]
pub(super) fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both pointers are valid NUL-terminated strings for the duration of the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
pub(super) fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    let aside = b.with_extension("previous");
    fs::rename(b, &aside)?;
    fs::rename(a, b)?;
    fs::rename(&aside, a)
}

/// The lock file of `output`'s builds (a hidden sibling, beside the staging folder).
fn lock_path(output: &Path) -> PathBuf {
    sibling(output, |name| format!(".{name}.lock"))
}

/// Takes the lock of `output`'s builds, waiting while another build holds it. The lock
/// goes with the process, so a killed build never leaves it taken.
pub(super) fn lock_output(output: &Path) -> Result<fs::File, WriteError> {
    let path = lock_path(output);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)
            .map_err(|e| err(parent, format!("cannot create folder: {e}")))?;
    }
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| err(&path, format!("cannot open the build lock: {e}")))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => {
            eprintln!(
                "sitegen: another build is writing {}; waiting for it to finish",
                output.display()
            );
            file.lock()
                .map(|()| file)
                .map_err(|e| err(&path, format!("cannot take the build lock: {e}")))
        }
        Err(fs::TryLockError::Error(e)) => {
            Err(err(&path, format!("cannot take the build lock: {e}")))
        }
    }
}
