//! Stage 5, write: the only stage that touches the output folder.
//!
//! Pages go into a staging folder beside the output; files whose bytes did not change are
//! hard-linked from the current output (keeping their modification time), others written.
//! Only when every page succeeded is the staging folder swapped with the output in one
//! atomic rename, so a failed or killed build leaves the previous site exactly as it was.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Marks a folder as sitegen's output, so a mistyped `--output` never replaces other files.
pub const MARKER: &str = ".sitegen";

/// A write-stage failure, in words for editors.
#[derive(Debug)]
pub struct WriteError {
    pub path: PathBuf,
    pub message: String,
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

fn err(path: &Path, message: impl Into<String>) -> WriteError {
    WriteError {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Counts of what a build did to the output folder.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// A staging folder being filled; [`Staging::commit`] swaps it in.
pub struct Staging {
    output: PathBuf,
    dir: PathBuf,
    written: AtomicUsize,
    unchanged: AtomicUsize,
}

/// The staging folder used for `output` (a hidden sibling, on the same file system).
pub fn staging_dir(output: &Path) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    output.with_file_name(format!(".{name}.staging"))
}

impl Staging {
    /// Prepares an empty staging folder, after checking that `output` may be replaced.
    pub fn begin(output: &Path) -> Result<Staging, WriteError> {
        if output.exists() {
            if !output.is_dir() {
                return Err(err(output, "the output path exists and is not a folder"));
            }
            let empty = fs::read_dir(output)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
            if !empty && !output.join(MARKER).exists() {
                return Err(err(
                    output,
                    "this folder was not made by sitegen; refusing to replace it (choose another --output, or empty it first)",
                ));
            }
        }
        let dir = staging_dir(output);
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| {
                err(
                    &dir,
                    format!("cannot remove the leftover staging folder: {e}"),
                )
            })?;
        }
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent)
                .map_err(|e| err(parent, format!("cannot create folder: {e}")))?;
        }
        fs::create_dir(&dir)
            .map_err(|e| err(&dir, format!("cannot create the staging folder: {e}")))?;
        fs::write(dir.join(MARKER), "sitegen output folder\n")
            .map_err(|e| err(&dir, e.to_string()))?;
        Ok(Staging {
            output: output.to_path_buf(),
            dir,
            written: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
        })
    }

    /// Puts one file into the staging folder; `rel` uses `/` and must stay inside it.
    pub fn put(&self, rel: &str, bytes: &[u8]) -> Result<(), WriteError> {
        let rel_path = safe_relative(rel).ok_or_else(|| {
            err(
                Path::new(rel),
                "refusing to write outside the output folder",
            )
        })?;
        let target = self.dir.join(&rel_path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| err(parent, format!("cannot create folder: {e}")))?;
        }
        let previous = self.output.join(&rel_path);
        if same_content(&previous, bytes) && fs::hard_link(&previous, &target).is_ok() {
            self.unchanged.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        fs::write(&target, bytes).map_err(|e| err(&target, format!("cannot write: {e}")))?;
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Swaps the staging folder in as the output and removes the previous site.
    pub fn commit(self) -> Result<WriteStats, WriteError> {
        let mut stats = WriteStats {
            written: self.written.load(Ordering::Relaxed),
            unchanged: self.unchanged.load(Ordering::Relaxed),
            removed: 0,
        };
        if self.output.exists() {
            stats.removed = count_files(&self.output).saturating_sub(stats.unchanged + 1);
            exchange(&self.dir, &self.output).map_err(|e| {
                err(
                    &self.output,
                    format!("cannot replace the output folder: {e}"),
                )
            })?;
            // `dir` now holds the previous site; the new one is already live.
            fs::remove_dir_all(&self.dir)
                .map_err(|e| err(&self.dir, format!("cannot remove the previous site: {e}")))?;
        } else {
            fs::rename(&self.dir, &self.output).map_err(|e| {
                err(
                    &self.output,
                    format!("cannot create the output folder: {e}"),
                )
            })?;
        }
        Ok(stats)
    }

    /// Removes the staging folder after a failed build; the output is untouched.
    pub fn abandon(self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Checks a `/`-separated path has only normal components (no `..`, root, drive or NUL).
fn safe_relative(rel: &str) -> Option<PathBuf> {
    if rel.is_empty() || rel.contains(['\0', '\\']) {
        return None;
    }
    let path = Path::new(rel);
    path.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| path.to_path_buf())
}

fn same_content(previous: &Path, bytes: &[u8]) -> bool {
    match fs::metadata(previous) {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => {
            fs::read(previous).is_ok_and(|old| old == bytes)
        }
        _ => false,
    }
}

fn count_files(dir: &Path) -> usize {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .count()
}

/// Atomically swaps two folders (Linux `renameat2(RENAME_EXCHANGE)`); elsewhere a
/// rename-aside that leaves a moment without the output.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
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
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    let aside = b.with_extension("previous");
    fs::rename(b, &aside)?;
    fs::rename(a, b)?;
    fs::rename(&aside, a)
}

/// Writes `text` to `path` through a temporary file and a rename, if it changed.
pub fn replace_file_if_changed(path: &Path, text: &str) -> Result<bool, WriteError> {
    if fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(false);
    }
    let tmp = path.with_extension("tmp");
    fs::write(&tmp, text).map_err(|e| err(&tmp, format!("cannot write: {e}")))?;
    fs::rename(&tmp, path).map_err(|e| err(path, format!("cannot replace: {e}")))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_must_stay_inside() {
        assert!(safe_relative("a/b/index.html").is_some());
        assert!(safe_relative("../x").is_none());
        assert!(safe_relative("/etc/passwd").is_none());
        assert!(safe_relative("a\\b").is_none());
        assert!(safe_relative("a\0b").is_none());
        assert!(safe_relative("").is_none());
    }

    #[test]
    fn second_commit_links_unchanged_files() {
        let tmp = std::env::temp_dir().join(format!("sitegen-write-{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir_all(&tmp).unwrap();
        let out = tmp.join("public");
        let s = Staging::begin(&out).unwrap();
        s.put("a/index.html", b"one").unwrap();
        s.put("b/index.html", b"two").unwrap();
        assert_eq!(s.commit().unwrap().written, 2);
        let s = Staging::begin(&out).unwrap();
        s.put("a/index.html", b"one").unwrap();
        s.put("c/index.html", b"three").unwrap();
        let stats = s.commit().unwrap();
        assert_eq!((stats.written, stats.unchanged, stats.removed), (1, 1, 1));
        assert!(!out.join("b/index.html").exists());
        assert_eq!(fs::read(out.join("c/index.html")).unwrap(), b"three");
        assert!(!staging_dir(&out).exists());
        fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn refuses_foreign_folders() {
        let tmp = std::env::temp_dir().join(format!("sitegen-foreign-{}", std::process::id()));
        fs::create_dir_all(&tmp).unwrap();
        fs::write(tmp.join("precious.txt"), "x").unwrap();
        assert!(Staging::begin(&tmp).is_err());
        assert!(tmp.join("precious.txt").exists());
        fs::remove_dir_all(&tmp).unwrap();
    }
}
