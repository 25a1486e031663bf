//! Durable, atomic file replacement, and the crash-test hook of the commit step.
//!
//! A file is replaced through a temporary file (tempfile's `persist`, a rename) created in
//! a folder of the same file system that is never the live output folder, so a reader
//! sees the whole old or the whole new file, and a kill leaves at most a `.sitegen-*.tmp`
//! file beside the output (removed by the next build), never one inside the live site.
//!
//! Durability (see README, "Build safety"): before the swap, what the build changed in the
//! staging folder is flushed (`flush`), so the new site is on disk before it becomes live; after
//! the swap and after each lock is replaced, the folder holding the renamed entry is
//! flushed too. `SITEGEN_DURABLE=0` skips the flushes (throw-away builds, benchmarks).

use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::sync::OnceLock;

/// Names of sitegen's temporary files start with this (cleaned by [`remove_leftovers`]).
pub(crate) const TEMP_PREFIX: &str = ".sitegen-";
const TEMP_SUFFIX: &str = ".tmp";

/// Whether flushes to disk are on (`SITEGEN_DURABLE=0` turns them off).
pub(crate) fn durable() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var("SITEGEN_DURABLE").map_or(true, |v| v.trim() != "0"))
}

/// The crash-test hook: when `SITEGEN_CRASH_AT` names `step`, the process aborts there (as
/// a kill would stop it). Compiled in always; inert unless the variable is set. The steps
/// are listed by `SITEGEN_CRASH_AT=list`, which prints each step's name as it passes.
pub(crate) fn crash_point(step: &str) {
    static AT: OnceLock<Option<String>> = OnceLock::new();
    let Some(at) = AT.get_or_init(|| std::env::var("SITEGEN_CRASH_AT").ok()) else {
        return;
    };
    if at == "list" {
        say!("sitegen crash point: {step}");
    } else if at == step {
        say!("sitegen: aborting at {step} (SITEGEN_CRASH_AT)");
        std::process::abort();
    }
}

/// Replaces `path` with `bytes` atomically: written to a temporary file in `temp_in` (on
/// the same file system as `path`), flushed when [`durable`], then renamed over `path`.
/// On any failure the temporary file is removed and `path` is as it was. `step` names the
/// crash points `<step>:write` (half the bytes written) and `<step>:rename`.
pub(crate) fn write_atomic(
    path: &Path,
    bytes: &[u8],
    temp_in: &Path,
    step: &str,
) -> io::Result<()> {
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(temp_in)?;
    let (first, rest) = bytes.split_at(bytes.len() / 2);
    tmp.write_all(first)?;
    crash_point(&format!("{step}:write"));
    tmp.write_all(rest)?;
    tmp.flush()?;
    if durable() {
        tmp.as_file().sync_all()?;
    }
    crash_point(&format!("{step}:rename"));
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Flushes a file's bytes to disk, when [`durable`].
pub(crate) fn sync_file(path: &Path) -> io::Result<()> {
    if !durable() {
        return Ok(());
    }
    fs::File::open(path)?.sync_data()
}

/// Flushes a folder's entries (a rename into it) to disk, when [`durable`].
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    if !durable() {
        return Ok(());
    }
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    fs::File::open(dir)?.sync_all()
}

/// Flushes the whole file system holding `dir` (one call for every file written into a
/// staging folder), when [`durable`].
pub(crate) fn sync_file_system(dir: &Path) -> io::Result<()> {
    if !durable() {
        return Ok(());
    }
    let file = fs::File::open(dir)?;
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: the descriptor is open for the duration of the call.
        if unsafe { libc::syncfs(file.as_raw_fd()) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    {
        drop(file);
        // SAFETY: `sync` has no preconditions.
        unsafe { libc::sync() };
        Ok(())
    }
}

/// Removes sitegen's temporary files left in `dir` by a killed build (never others').
pub(crate) fn remove_leftovers(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(TEMP_PREFIX)
            && name.ends_with(TEMP_SUFFIX)
            && entry.file_type().is_ok_and(|t| t.is_file())
        {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_files_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.lock");
        fs::write(&path, "old").unwrap();
        write_atomic(&path, "新的内容".as_bytes(), dir.path(), "test").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "新的内容");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1);
        // A missing target folder fails, and the temporary file goes with the failure.
        let bad = dir.path().join("missing/a.lock");
        assert!(write_atomic(&bad, b"x", dir.path(), "test").is_err());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn leftovers_are_removed_and_other_files_kept() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(".sitegen-abc.tmp"), "x").unwrap();
        fs::write(dir.path().join("notes.tmp"), "x").unwrap();
        remove_leftovers(dir.path());
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["notes.tmp".to_string()]);
    }
}
