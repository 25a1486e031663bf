//! Stage 5, write: the only stage that touches the output folder.
//!
//! Pages go into a staging folder beside the output; only when every page succeeded is it
//! swapped with the output in one atomic rename, so a failed or killed build leaves the
//! previous site exactly as it was. Each folder carries a manifest of its files' content
//! hashes ([`manifest`]), so unchanged pages are found without reading old files back: they
//! are hard-linked from the live site (keeping their modification time), and only changed
//! pages are written. After the swap the previous site stays as the next build's staging
//! folder instead of being deleted: it shares every unchanged file with the live site, so
//! the next build only re-links the few files that differ, and a build that changes nothing
//! writes nothing and swaps nothing.

pub(crate) mod durable;
pub(crate) mod flush;
mod fs_ops;
pub(crate) mod manifest;
pub(crate) mod page_memo;
pub mod report;
pub(crate) mod run_memo;
pub(crate) mod title_memo;

use crate::diag::{Diagnostic, Origin};
use crate::sync::Kept as _;
use durable::{crash_point, remove_leftovers, sync_dir, write_atomic};
use flush::{FlushList, Flushed};
use fs_ops::{
    exchange, lock_output, other_files, place_output, remove_empty_parents, safe_relative,
};
use manifest::{Entry, Manifest};
use rayon::prelude::*;
use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// Marks a folder as sitegen's output, so a mistyped `--output` never replaces other files.
pub(crate) const MARKER: &str = ".sitegen";
const MARKER_TEXT: &str = "sitegen output folder\n";

/// A write-stage failure, in words for editors.
#[derive(Debug, Clone)]
pub struct WriteError {
    pub(crate) path: PathBuf,
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut text = format!("{}: {}", self.path.display(), self.message);
        if let Some(hint) = &self.hint {
            text.push_str(&format!("\n  help: {hint}"));
        }
        f.write_str(&crate::diag::visible(&text))
    }
}

fn err(path: &Path, message: impl Into<String>) -> WriteError {
    WriteError {
        path: path.to_path_buf(),
        message: message.into(),
        hint: None,
    }
}

impl WriteError {
    /// The error as a diagnostic naming the path, with its hint.
    pub(crate) fn diagnostic(&self) -> Diagnostic {
        Diagnostic {
            hint: self.hint.clone(),
            ..Diagnostic::error(Origin::file(&self.path), self.message.clone())
        }
    }

    /// Adds what to do about it.
    fn hint(mut self, hint: impl Into<String>) -> WriteError {
        self.hint = Some(hint.into());
        self
    }
}

/// Counts of what a build did to the output folder, and the files it touched.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteStats {
    /// Files whose bytes are new or changed.
    pub(crate) written: usize,
    /// Files identical to the live site's (hard links to the same file).
    pub(crate) unchanged: usize,
    /// Files of the live site that the new site no longer has.
    pub(crate) removed: usize,
    pub(crate) changes: FileChanges,
    /// How the new site was flushed to disk before the swap.
    pub(crate) flushed: Flushed,
}

/// Output files (paths below the output folder, `/`-separated, sorted) that this build
/// added, changed or removed; unchanged files are in none of the lists.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct FileChanges {
    pub(crate) added: Vec<String>,
    pub(crate) changed: Vec<String>,
    pub(crate) removed: Vec<String>,
}

/// What [`Staging::put`] did with one file, compared with the live site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placed {
    Added,
    Changed,
    /// Same bytes: the live file itself (a hard link), keeping its modification time.
    Unchanged(LiveFile),
}

/// An unchanged live file, as [`Staging::keep`] found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LiveFile {
    /// The staging folder's manifest lists the path with the same bytes: it holds the
    /// file already (a hard link shared with the live site), so the commit leaves it.
    held: bool,
}

/// A staging folder being filled; [`Staging::commit`] swaps it in.
pub(crate) struct Staging {
    output: PathBuf,
    dir: PathBuf,
    /// The live site's manifest; `None` when unknown (no output, or made without one).
    live: Option<Manifest>,
    /// What the staging folder holds, when it is a previous site being reused.
    held: Manifest,
    /// The staging folder was created empty for this build.
    fresh: bool,
    /// Set when the staging folder is first changed: its manifest is removed then, so a
    /// build killed half-way leaves a folder that the next build knows to discard.
    touched: OnceLock<Result<(), WriteError>>,
    entries: Mutex<Vec<(String, Entry, Placed)>>,
    written: AtomicUsize,
    unchanged: AtomicUsize,
    /// A file the live site's manifest lists with the same bytes was written again: it
    /// was gone from the live folder or altered there by hand.
    repaired: AtomicBool,
    /// What this build changed in the staging folder, for the flush before the swap.
    to_flush: FlushList,
    /// Held until the build ends: builds of one output share its staging folder, so a
    /// second one waits for the first.
    _lock: fs::File,
}

/// The staging folder used for `output` (a hidden sibling, on the same file system).
pub(crate) fn staging_dir(output: &Path) -> PathBuf {
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
    /// Prepares the staging folder, after checking that `output` may be replaced: the
    /// previous site left there by the last build when it is intact, else an empty folder.
    /// Waits first while another build of `output` runs.
    ///
    /// `root` is the site folder: where the output may be is checked first
    /// ([`fs_ops::place_output`]), so a refused place fails before anything is rendered.
    pub(crate) fn begin(root: &Path, output: &Path) -> Result<Staging, WriteError> {
        let output = &place_output(root, output)?;
        let lock = lock_output(output)?;
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
        remove_leftovers(parent_of(output));
        let live = manifest::read(output);
        let dir = staging_dir(output);
        let held = manifest::read(&dir).filter(|_| dir.join(MARKER).is_file());
        let fresh = held.is_none();
        if fresh {
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
            // Linked from the live site when it has one, so the marker keeps its time.
            if fs::hard_link(output.join(MARKER), dir.join(MARKER)).is_err() {
                fs::write(dir.join(MARKER), MARKER_TEXT).map_err(|e| err(&dir, e.to_string()))?;
            }
        }
        // One entry per file; sized for a site like the live one, so a large site's list
        // is not grown (and copied into fresh memory) step by step.
        let entries = Vec::with_capacity(live.as_ref().map_or(0, |live| live.len() + 64));
        Ok(Staging {
            output: output.to_path_buf(),
            dir,
            live,
            held: held.unwrap_or_default(),
            fresh,
            touched: OnceLock::new(),
            entries: Mutex::new(entries),
            written: AtomicUsize::new(0),
            to_flush: FlushList::new(fresh),
            unchanged: AtomicUsize::new(0),
            repaired: AtomicBool::new(false),
            _lock: lock,
        })
    }

    /// Puts one file into the staging folder; `rel` uses `/` and must stay inside it.
    /// Gives the file's manifest entry.
    pub(crate) fn put(&self, rel: &str, bytes: &[u8]) -> Result<Entry, WriteError> {
        let rel_path = safe_relative(rel).ok_or_else(|| {
            err(
                Path::new(rel),
                "refusing to write outside the output folder",
            )
        })?;
        let entry = Entry::of(bytes);
        if self.keep(rel, entry) {
            return Ok(entry);
        }
        // Not in the live site, or there with other bytes (or gone, or altered by hand).
        let known = match &self.live {
            Some(live) => {
                let listed = live.get(rel);
                if listed == Some(&entry) {
                    // Gone or altered by hand: the live site's manifest, which the next
                    // build reads as the staging folder's, no longer holds.
                    self.repaired.store(true, Ordering::Relaxed);
                }
                listed.is_some()
            }
            None => self.output.join(&rel_path).is_file(),
        };
        let placed = if known {
            Placed::Changed
        } else {
            Placed::Added
        };
        self.record(rel, entry, placed);
        let target = self.dir.join(&rel_path);
        self.touch()?;
        self.clear(&target)?;
        self.in_folder(&target, || fs::write(&target, bytes))
            .map_err(|e| err(&target, format!("cannot write: {e}")))?;
        self.to_flush.wrote(&target);
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(entry)
    }

    /// Keeps the live file at `rel` without its bytes, when the live site lists it with
    /// `entry` and still has it: the same as [`Staging::put`] with bytes hashing to `entry`.
    /// Gives `false` (and does nothing) otherwise; the caller then renders and puts it.
    pub(crate) fn keep(&self, rel: &str, entry: Entry) -> bool {
        let Some(rel_path) = safe_relative(rel) else {
            return false;
        };
        if self.live.as_ref().and_then(|live| live.get(rel)) != Some(&entry) {
            return false;
        }
        // The live file must still have the bytes the manifest gives (checked by length);
        // missing or altered, the caller writes it.
        match fs::symlink_metadata(self.output.join(&rel_path)) {
            Ok(m) if m.is_file() && m.len() == entry.len => {}
            _ => return false,
        }
        let held = self.held.get(rel) == Some(&entry);
        self.record(rel, entry, Placed::Unchanged(LiveFile { held }));
        self.unchanged.fetch_add(1, Ordering::Relaxed);
        true
    }

    /// Lists `rel` for the commit, with its manifest entry and what was done with it.
    fn record(&self, rel: &str, entry: Entry, placed: Placed) {
        let mut entries = self.entries.lock_kept();
        entries.push((rel.to_string(), entry, placed));
    }

    /// Hard-links from the live site, in parallel, every unchanged file the staging folder
    /// does not hold: those its manifest does not list with the same bytes. Its manifest
    /// is trusted (a build that repairs a live file drops it, see [`Staging::commit`]), so
    /// a build stats each kept file once, in the live site.
    fn link_unshared(&self, entries: &[(String, Entry, Placed)]) -> Result<(), WriteError> {
        let unshared: Vec<PathBuf> = entries
            .par_iter()
            .filter_map(|(rel, _, placed)| match placed {
                Placed::Unchanged(live) if !live.held => safe_relative(rel),
                _ => None,
            })
            .collect();
        if unshared.is_empty() {
            return Ok(());
        }
        self.touch()?;
        unshared.par_iter().try_for_each(|rel_path| {
            let (previous, target) = (self.output.join(rel_path), self.dir.join(rel_path));
            self.clear(&target)?;
            self.in_folder(&target, || fs::hard_link(&previous, &target))
                .map_err(|e| err(&previous, format!("cannot link the unchanged file: {e}")))?;
            self.to_flush.changed_entry(&target);
            Ok(())
        })
    }

    /// Marks the staging folder as being changed (once): its manifest no longer holds.
    fn touch(&self) -> Result<(), WriteError> {
        let result = self.touched.get_or_init(|| remove_manifest(&self.dir));
        result.clone()
    }

    /// Removes whatever a reused staging folder holds at `target`. A file there may be a
    /// hard link shared with the live site, so it is never written in place.
    fn clear(&self, target: &Path) -> Result<(), WriteError> {
        if self.fresh {
            return Ok(());
        }
        let result = match fs::symlink_metadata(target) {
            Ok(m) if m.is_dir() => fs::remove_dir_all(target),
            Ok(_) => fs::remove_file(target),
            Err(_) => Ok(()),
        };
        result.map_err(|e| err(target, format!("cannot replace: {e}")))
    }

    /// Runs `op` on `target`, creating its folder first when missing. In a reused staging
    /// folder, a file standing where a folder is now needed is removed.
    fn in_folder(&self, target: &Path, op: impl Fn() -> io::Result<()>) -> io::Result<()> {
        match op() {
            Err(e) if e.kind() == io::ErrorKind::NotFound || !self.fresh => {
                let parent = target.parent().unwrap_or(&self.dir);
                if !self.fresh {
                    for ancestor in parent.ancestors().take_while(|a| *a != self.dir) {
                        if fs::symlink_metadata(ancestor).is_ok_and(|m| !m.is_dir()) {
                            fs::remove_file(ancestor)?;
                        }
                    }
                }
                fs::create_dir_all(parent)?;
                op()
            }
            other => other,
        }
    }

    /// Swaps the staging folder in as the output; the previous site stays as the next
    /// build's staging folder. When the new site equals the live one, nothing is swapped.
    ///
    /// `own` are sitegen's own files (such as the page memo): not part of the site nor of
    /// the manifest, they go into the new site before the swap, so it brings them along;
    /// when nothing is swapped they replace the live ones, if they changed.
    pub(crate) fn commit(self, own: &[(&str, &str)]) -> Result<WriteStats, WriteError> {
        let entries = std::mem::take(&mut *self.entries.lock_kept());
        let mut new_paths: HashSet<&str> = entries.iter().map(|(p, ..)| p.as_str()).collect();
        let mut changes = FileChanges {
            removed: match &self.live {
                Some(live) => live
                    .keys()
                    .filter(|p| !new_paths.contains(p.as_str()))
                    .cloned()
                    .collect(),
                None => {
                    // The build's own files (its memos) are never listed as removed.
                    new_paths.extend(own.iter().map(|(name, _)| *name));
                    other_files(&self.output, &new_paths)
                }
            },
            ..FileChanges::default()
        };
        for (path, _, placed) in &entries {
            match placed {
                Placed::Added => changes.added.push(path.clone()),
                Placed::Changed => changes.changed.push(path.clone()),
                Placed::Unchanged(_) => {}
            }
        }
        for list in [
            &mut changes.added,
            &mut changes.changed,
            &mut changes.removed,
        ] {
            list.sort();
        }
        let stats = WriteStats {
            written: self.written.load(Ordering::Relaxed),
            unchanged: self.unchanged.load(Ordering::Relaxed),
            removed: changes.removed.len(),
            changes,
            flushed: Flushed::Nothing,
        };
        if self.live.is_some() && stats.written == 0 && stats.removed == 0 {
            // The live site already is the new site: nothing to swap. A staging folder made
            // for this build is empty; a reused one stays as it is, with its manifest.
            if self.fresh {
                let _ = fs::remove_dir_all(&self.dir);
            }
            // Replaced through a temporary file beside the live folder, never inside it.
            for (name, text) in own {
                let path = self.output.join(name);
                replace_file_if_changed(&path, text, parent_of(&self.output), name)?;
            }
            return Ok(stats);
        }
        let mut stale: Vec<&String> = self
            .held
            .keys()
            .filter(|p| !new_paths.contains(p.as_str()))
            .collect();
        stale.sort();
        for path in stale {
            self.touch()?;
            // A stale file may already have given way to a folder of the new site.
            if let Some(rel) = safe_relative(path) {
                let target = self.dir.join(rel);
                if fs::symlink_metadata(&target).is_ok_and(|m| !m.is_dir()) {
                    fs::remove_file(&target)
                        .map_err(|e| err(&target, format!("cannot remove: {e}")))?;
                    remove_empty_parents(&target, &self.dir);
                    self.to_flush.changed_entry(&target);
                }
            }
        }
        drop(new_paths);
        self.link_unshared(&entries)?;
        let beside = parent_of(&self.output);
        for (name, text) in own {
            replace_file_if_changed(&self.dir.join(name), text, beside, name)?;
        }
        // Last: a staging folder with a manifest is complete.
        let mut listed: Vec<(String, Entry)> =
            entries.into_iter().map(|(p, e, _)| (p, e)).collect();
        let text = manifest::format(&mut listed);
        if let Some(path) = manifest::unreadable(&text, &listed) {
            return Err(err(
                &self.dir,
                format!(
                    "cannot write the manifest: the file `{}` would not read back from it",
                    path.escape_debug()
                ),
            ));
        }
        manifest::write(&self.dir, &text, beside)
            .map_err(|e| err(&self.dir, format!("cannot write the manifest: {e}")))?;
        // The new site is on disk before it becomes live, so a power cut after the swap
        // never leaves a live site with missing bytes.
        crash_point("sync");
        let flushed = (self.to_flush.flush(&self.dir))
            .map_err(|e| err(&self.dir, format!("cannot flush the new site to disk: {e}")))?;
        crash_point("swap");
        if self.repaired.load(Ordering::Relaxed) {
            // The live site lacks what was repaired, and becomes the next build's staging
            // folder: without its manifest that build starts a fresh one. Dropped before
            // the swap, so a build stopped here only costs the next one time.
            remove_manifest(&self.output)?;
        }
        if self.output.exists() {
            exchange(&self.dir, &self.output).map_err(|e| {
                err(
                    &self.output,
                    format!("cannot replace the output folder: {e}"),
                )
            })?;
        } else {
            fs::rename(&self.dir, &self.output).map_err(|e| {
                err(
                    &self.output,
                    format!("cannot create the output folder: {e}"),
                )
            })?;
        }
        crash_point("swapped");
        // The swap itself on disk; the new site is live already, so a failure here only
        // weakens durability and is not reported as a failed build.
        let _ = sync_dir(beside);
        Ok(WriteStats { flushed, ..stats })
    }

    /// Ends a failed build; the output is untouched. A staging folder changed by this
    /// build is removed (its content is partial); an untouched one is kept for reuse.
    pub(crate) fn abandon(self) {
        if self.fresh || self.touched.get().is_some() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}
/// Removes the manifest of the folder `dir` (missing already is fine).
fn remove_manifest(dir: &Path) -> Result<(), WriteError> {
    match fs::remove_file(dir.join(manifest::FILE)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(err(
            dir,
            format!("cannot update the folder's manifest: {e}"),
        )),
        _ => Ok(()),
    }
}

/// Writes `text` to `path` if it changed, atomically ([`replace_if_changed`]), with the
/// problem as a [`WriteError`].
pub(crate) fn replace_file_if_changed(
    path: &Path,
    text: &str,
    temp_in: &Path,
    step: &str,
) -> Result<bool, WriteError> {
    replace_if_changed(path, text.as_bytes(), temp_in, step)
        .map_err(|e| err(path, format!("cannot write: {e}")))
}

/// Writes `bytes` to `path` unless it already holds them, atomically ([`write_atomic`]):
/// the temporary file goes into `temp_in` (same file system, not a live output folder);
/// `step` names the crash points. On failure `path` is as it was and no temporary file
/// remains. Whether it wrote.
pub(crate) fn replace_if_changed(
    path: &Path,
    bytes: &[u8],
    temp_in: &Path,
    step: &str,
) -> io::Result<bool> {
    if file_holds(path, bytes) {
        return Ok(false);
    }
    write_atomic(path, bytes, temp_in, step)?;
    Ok(true)
}

/// Whether the file at `path` holds exactly `bytes`, read piece by piece (a lock of a large
/// site is tens of megabytes: it is not read whole to be compared).
pub(crate) fn file_holds(path: &Path, bytes: &[u8]) -> bool {
    use std::io::Read;
    let Ok(mut file) = fs::File::open(path) else {
        return false;
    };
    if file
        .metadata()
        .map_or(true, |m| m.len() != bytes.len() as u64)
    {
        return false;
    }
    let mut buf = vec![0u8; 64 * 1024];
    let mut rest = bytes;
    loop {
        match file.read(&mut buf) {
            Ok(0) => return rest.is_empty(),
            Ok(n) if n <= rest.len() && buf[..n] == rest[..n] => rest = &rest[n..],
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            _ => return false,
        }
    }
}

/// A diagnostic when a lock's `text` does not read back as itself (`again`: whether it
/// parses and formats back to itself), naming what would break the next build.
pub(crate) fn unreadable_lock(
    name: &str,
    text: &str,
    again: Result<bool, Vec<Diagnostic>>,
) -> Option<Diagnostic> {
    let why = match again {
        Ok(true) => return None,
        Ok(false) => "it would not read back as written".to_string(),
        Err(problems) => {
            let line = problems.first().map_or(0, |d| d.origin.line);
            let bad = text
                .lines()
                .nth(line.saturating_sub(1) as usize)
                .unwrap_or("");
            format!("line {line} would be `{bad}`, which the next build cannot read")
        }
    };
    Some(
        Diagnostic::error(
            Origin::file(name),
            format!("this build would write a {name} the next build refuses: {why}"),
        )
        .with_hint(
            "dates must stay within the years 1970–9999: check SOURCE_DATE_EPOCH, --now and schedule.start",
        ),
    )
}

/// The folder holding `path` (`.` for a bare name).
pub(crate) fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests;
