//! Stage 5, write: the only stage that touches the output folder.
//!
//! Pages go into a staging folder beside the output; files whose bytes did not change are
//! hard-linked from the current output (keeping their modification time), others written.
//! Only when every page succeeded is the staging folder swapped with the output in one
//! atomic rename, so a failed or killed build leaves the previous site exactly as it was.

pub mod report;

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

/// Marks a folder as sitegen's output, so a mistyped `--output` never replaces other files.
pub const MARKER: &str = ".sitegen";
const MARKER_TEXT: &str = "sitegen output folder\n";

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

/// Counts of what a build did to the output folder, and the files it touched.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    pub changes: FileChanges,
}

/// Output files (paths below the output folder, `/`-separated, sorted) that this build
/// added, changed or removed; unchanged files are in none of the lists.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FileChanges {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
}

/// What [`Staging::put`] did with one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placed {
    Added,
    Changed,
    /// Same bytes: hard-linked from the current output, keeping its modification time.
    Unchanged,
    /// Same bytes, but written anew because a hard link was not possible.
    Rewritten,
}

/// A staging folder being filled; [`Staging::commit`] swaps it in.
pub struct Staging {
    output: PathBuf,
    dir: PathBuf,
    placed: Mutex<Vec<(String, Placed)>>,
}

/// The staging folder used for `output` (a hidden sibling, on the same file system).
pub fn staging_dir(output: &Path) -> PathBuf {
    sibling(output, |name| format!(".{name}.staging"))
}

/// A folder beside `output`, named from the output folder's name.
fn sibling(output: &Path, name: impl Fn(&str) -> String) -> PathBuf {
    let own = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    output.with_file_name(name(&own))
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
        let staging = Staging {
            output: output.to_path_buf(),
            dir,
            placed: Mutex::new(Vec::new()),
        };
        staging.place(MARKER, MARKER_TEXT.as_bytes())?;
        Ok(staging)
    }

    /// Puts one file into the staging folder; `rel` uses `/` and must stay inside it.
    pub fn put(&self, rel: &str, bytes: &[u8]) -> Result<(), WriteError> {
        let rel_path = safe_relative(rel).ok_or_else(|| {
            err(
                Path::new(rel),
                "refusing to write outside the output folder",
            )
        })?;
        if let Some(parent) = self.dir.join(&rel_path).parent() {
            fs::create_dir_all(parent)
                .map_err(|e| err(parent, format!("cannot create folder: {e}")))?;
        }
        let placed = self.place(&rel_path, bytes)?;
        self.placed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((rel.to_string(), placed));
        Ok(())
    }

    /// Links or writes one file at `rel_path` (checked, its folder made).
    fn place(&self, rel_path: impl AsRef<Path>, bytes: &[u8]) -> Result<Placed, WriteError> {
        let target = self.dir.join(&rel_path);
        let previous = self.output.join(&rel_path);
        let mut placed = compare(&previous, bytes);
        if placed != Placed::Unchanged || fs::hard_link(&previous, &target).is_err() {
            fs::write(&target, bytes).map_err(|e| err(&target, format!("cannot write: {e}")))?;
            if placed == Placed::Unchanged {
                placed = Placed::Rewritten;
            }
        }
        Ok(placed)
    }

    /// Swaps the staging folder in as the output and removes the previous site.
    pub fn commit(self) -> Result<WriteStats, WriteError> {
        let placed = self.placed.into_inner().unwrap_or_else(|p| p.into_inner());
        let mut stats = WriteStats::default();
        for (rel, how) in &placed {
            match how {
                Placed::Added => stats.changes.added.push(rel.clone()),
                Placed::Changed => stats.changes.changed.push(rel.clone()),
                Placed::Unchanged => stats.unchanged += 1,
                Placed::Rewritten => {}
            }
        }
        stats.written = placed.len() - stats.unchanged;
        if self.output.exists() {
            let now: HashSet<&str> = placed.iter().map(|(r, _)| r.as_str()).collect();
            stats.changes.removed = relative_files(&self.output)
                .into_iter()
                .filter(|r| r != MARKER && !now.contains(r.as_str()))
                .collect();
            stats.removed = stats.changes.removed.len();
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
        for list in [
            &mut stats.changes.added,
            &mut stats.changes.changed,
            &mut stats.changes.removed,
        ] {
            list.sort();
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

/// How `bytes` compare with the file at `previous` in the current output.
fn compare(previous: &Path, bytes: &[u8]) -> Placed {
    match fs::metadata(previous) {
        Ok(m) if m.is_file() => {
            if m.len() == bytes.len() as u64 && fs::read(previous).is_ok_and(|old| old == bytes) {
                Placed::Unchanged
            } else {
                Placed::Changed
            }
        }
        _ => Placed::Added,
    }
}

/// Every file below `dir`, as a `/`-separated relative path.
fn relative_files(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(dir).ok()?;
            let parts: Vec<&str> = rel.iter().map(|p| p.to_str()).collect::<Option<_>>()?;
            Some(parts.join("/"))
        })
        .collect()
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
