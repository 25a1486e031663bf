//! File-system operations of the write stage: path checks, the build lock, the atomic
//! folder swap and the small helpers around them.

use super::{MARKER, WriteError, err, manifest, page_memo, sibling};
use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

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
            say!(
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

/// The input folders of a site, which an output folder must never be inside.
const INPUT_FOLDERS: [&str; 4] = ["static", "topics", "cities", "templates"];

/// Checks where the output folder is, before anything is rendered (README, "Output
/// folder"), and gives the folder to swap: `output` without `.` parts (`public/.` is
/// `public`), or, when it is a symbolic link, the folder it points to (the link stays, and
/// the swap happens behind it). Refused: an output inside an input folder (each build
/// would read its own output back), one holding the site itself, and a mount point (the
/// swap renames the folder, which a mount point cannot be).
pub(super) fn place_output(root: &Path, output: &Path) -> Result<PathBuf, WriteError> {
    let mut out: PathBuf = output
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    if out.as_os_str().is_empty() {
        out = PathBuf::from(".");
    }
    if fs::symlink_metadata(&out).is_ok_and(|m| m.file_type().is_symlink()) {
        out = fs::canonicalize(&out).map_err(|e| {
            err(
                output,
                format!("the output is a symbolic link to a folder that cannot be used: {e}"),
            )
        })?;
    }
    let (Some(site), Some(place)) = (absolute(root), absolute(&out)) else {
        return Ok(out);
    };
    if site.starts_with(&place) {
        return Err(err(
            output,
            "the output folder would hold the site folder itself; refusing to replace it",
        )
        .hint("choose an output folder inside or beside the site, such as `public`"));
    }
    for input in INPUT_FOLDERS {
        if place.starts_with(site.join(input)) {
            return Err(err(
                output,
                format!(
                    "the output folder is inside {input}/, an input folder: every build would read its own output back"
                ),
            )
            .hint("choose an output folder outside static/, topics/, cities/ and templates/ (the default is `public`)"));
        }
    }
    if let (Ok(own), Some(parent)) = (fs::metadata(&place), place.parent()) {
        use std::os::unix::fs::MetadataExt;
        let parent = fs::metadata(parent).map_err(|e| err(parent, e.to_string()))?;
        if own.is_dir() && own.dev() != parent.dev() {
            return Err(err(
                output,
                "the output folder is a mount point: a build swaps a finished folder in with a rename, which cannot replace a mount point",
            )
            .hint("build into a folder inside the mount (for example `-o /mnt/web/site`) and point the web server at it"));
        }
    } else if place.parent().is_none() {
        return Err(err(
            output,
            "the output folder cannot be the root of the file system",
        ));
    }
    Ok(out)
}

/// `path` made absolute with links resolved, also when its last parts do not exist yet.
fn absolute(path: &Path) -> Option<PathBuf> {
    let full = std::env::current_dir().ok()?.join(path);
    let mut rest = Vec::new();
    let mut base = full.as_path();
    loop {
        if let Ok(real) = fs::canonicalize(base) {
            let mut out = real;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return Some(out);
        }
        rest.push(base.file_name()?.to_os_string());
        base = base.parent()?;
    }
}
