//! Watching the site folder: file events, debounced, turned into the input parts to reload.
//!
//! [`classify`] and [`relevant`] are pure, so what a path or an event means is tested
//! without touching the file system.

use crate::load::{ChangeKind, is_scratch_file};
use notify::event::{EventKind, MetadataKind, ModifyKind};
use notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

/// The folders below the site root that are watched recursively.
pub(crate) const WATCHED_DIRS: [&str; 4] = ["topics", "cities", "templates", "static"];

/// How long the file system must be quiet before a batch of events is handed over:
/// editors save in several steps (truncate, write, rename).
const DEBOUNCE: Duration = Duration::from_millis(60);

/// What input part a changed `path` belongs to; `None` for paths the site does not read
/// (build output, editor swap and backup files, other files in the root).
pub(crate) fn classify(root: &Path, path: &Path) -> Option<ChangeKind> {
    let rel = path.strip_prefix(root).ok()?;
    let mut parts = rel.components();
    let first = parts.next()?.as_os_str().to_str()?;
    let nested = parts.next().is_some();
    if !nested {
        return match first {
            "site.yaml" => Some(ChangeKind::Site),
            "schedule.lock" => Some(ChangeKind::Lock),
            "modified.lock" => Some(ChangeKind::Modified),
            "templates" => Some(ChangeKind::Templates),
            "static" => Some(ChangeKind::Statics),
            "topics" => Some(ChangeKind::AllTopics),
            "cities" => Some(ChangeKind::AllCities),
            _ => None,
        };
    }
    let name = path.file_name()?.to_str()?;
    // Editors' scratch files: the loader skips them too.
    if is_scratch_file(name) {
        return None;
    }
    let ext = path.extension().and_then(|e| e.to_str());
    match (first, ext) {
        ("templates", _) => Some(ChangeKind::Templates),
        ("static", _) => Some(ChangeKind::Statics),
        // A file the loader refuses (in a subfolder, another extension): list the kind
        // again, which reports it, as a build does.
        ("topics" | "cities", _)
            if crate::load::discover(first, rel.strip_prefix(first).unwrap_or(rel))
                != crate::load::Found::Read =>
        {
            Some(if first == "topics" {
                ChangeKind::AllTopics
            } else {
                ChangeKind::AllCities
            })
        }
        ("topics", Some("md")) => Some(ChangeKind::Topic(path.to_path_buf())),
        ("cities", Some("yaml" | "yml")) => Some(ChangeKind::City(path.to_path_buf())),
        // A name without extension may be a folder moved in or out: list the kind again.
        ("topics", None) => Some(ChangeKind::AllTopics),
        ("cities", None) => Some(ChangeKind::AllCities),
        _ => None,
    }
}

/// Does an event of this kind change a file's content or existence? Opening and reading
/// files (which sitegen itself does on every rebuild) must not trigger a rebuild.
pub(crate) fn relevant(kind: &EventKind) -> bool {
    !matches!(
        kind,
        EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime))
    )
}

/// Turns a batch of events into the distinct changes to apply, in a stable order.
pub(crate) fn changes<'a>(
    root: &Path,
    events: impl IntoIterator<Item = (&'a EventKind, &'a [PathBuf])>,
) -> Vec<ChangeKind> {
    let mut out = BTreeSet::new();
    for (kind, paths) in events {
        if relevant(kind) {
            out.extend(paths.iter().filter_map(|p| classify(root, p)));
        }
    }
    out.into_iter().collect()
}

/// A running watcher on the site folder.
pub(crate) struct Watcher {
    root: PathBuf,
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    watched: BTreeSet<PathBuf>,
    events: Receiver<DebounceEventResult>,
}

impl Watcher {
    /// Watches the root (for `site.yaml`, `schedule.lock` and new folders) and each
    /// watched folder below it.
    pub(crate) fn start(root: &Path) -> Result<Watcher, String> {
        let (tx, events) = channel();
        let mut debouncer = new_debouncer(DEBOUNCE, None, tx)
            .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
        debouncer
            .watch(root, RecursiveMode::NonRecursive)
            .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
        let mut watcher = Watcher {
            root: root.to_path_buf(),
            debouncer,
            watched: BTreeSet::new(),
            events,
        };
        watcher.watch_new_dirs();
        Ok(watcher)
    }

    /// Starts watching folders that were created after the watcher started.
    fn watch_new_dirs(&mut self) {
        for dir in WATCHED_DIRS {
            let path = self.root.join(dir);
            if path.is_dir() && !self.watched.contains(&path) {
                match self.debouncer.watch(&path, RecursiveMode::Recursive) {
                    Ok(()) => {
                        self.watched.insert(path);
                    }
                    Err(e) => say!("sitegen: cannot watch {}: {e}", path.display()),
                }
            }
        }
        self.watched.retain(|p| p.is_dir());
    }

    /// Waits for the next batch of changes that matter, and takes every batch already
    /// waiting with it. `None` when the watcher stopped.
    pub(crate) fn next_changes(&mut self) -> Option<Vec<ChangeKind>> {
        loop {
            let first = self.events.recv().ok()?;
            let mut batches = vec![first];
            loop {
                match self.events.recv_timeout(Duration::ZERO) {
                    Ok(b) => batches.push(b),
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => break,
                }
            }
            let mut events = Vec::new();
            for batch in batches {
                match batch {
                    Ok(list) => events.extend(list),
                    Err(errors) => {
                        for e in errors {
                            say!("sitegen: watching failed: {e}");
                        }
                    }
                }
            }
            let found = changes(
                &self.root,
                events
                    .iter()
                    .map(|e| (&e.event.kind, e.event.paths.as_slice())),
            );
            if found.iter().any(|c| {
                matches!(
                    c,
                    ChangeKind::Templates
                        | ChangeKind::Statics
                        | ChangeKind::AllTopics
                        | ChangeKind::AllCities
                )
            }) {
                self.watch_new_dirs();
            }
            if !found.is_empty() {
                return Some(found);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, CreateKind, DataChange, RemoveKind};

    fn kind(rel: &str) -> Option<ChangeKind> {
        classify(Path::new("/site"), &Path::new("/site").join(rel))
    }

    #[test]
    fn input_files_map_to_their_part() {
        let city = ChangeKind::City("/site/cities/yueyang.yaml".into());
        let topic = ChangeKind::Topic("/site/topics/canbaodi-biangeng.md".into());
        for (rel, part) in [
            ("site.yaml", ChangeKind::Site),
            ("schedule.lock", ChangeKind::Lock),
            ("modified.lock", ChangeKind::Modified),
            ("cities/yueyang.yaml", city),
            // Refused by the loader (subfolder, upper-case extension, another kind of
            // file): listed again, which reports it.
            ("cities/notes.txt", ChangeKind::AllCities),
            ("topics/draft.txt", ChangeKind::AllTopics),
            ("cities/hunan/yueyang.yml", ChangeKind::AllCities),
            ("topics/a.MD", ChangeKind::AllTopics),
            ("topics/canbaodi-biangeng.md", topic),
            ("templates/partials/list.html", ChangeKind::Templates),
            ("static/style.css", ChangeKind::Statics),
            ("templates", ChangeKind::Templates),
        ] {
            assert_eq!(kind(rel), Some(part), "{rel}");
        }
    }

    #[test]
    fn folders_in_content_dirs_relist_the_kind() {
        assert_eq!(kind("cities"), Some(ChangeKind::AllCities));
        assert_eq!(kind("cities/hunan"), Some(ChangeKind::AllCities));
        assert_eq!(kind("topics"), Some(ChangeKind::AllTopics));
    }

    #[test]
    fn other_paths_are_ignored() {
        for rel in [
            "public/index.html",
            ".public.staging/index.html",
            "README.md",
            "target/debug/sitegen",
            "cities/.yueyang.yaml.swp",
            "cities/yueyang.yaml~",
            "cities/4913",
            "cities/#yueyang.yaml#",
            "static/.DS_Store",
            "templates/.article.html.swp",
        ] {
            assert_eq!(kind(rel), None, "{rel}");
        }
        assert_eq!(
            classify(Path::new("/site"), Path::new("/elsewhere/site.yaml")),
            None
        );
    }

    #[test]
    fn reading_files_is_not_a_change() {
        assert!(!relevant(&EventKind::Access(AccessKind::Any)));
        assert!(!relevant(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::AccessTime
        ))));
        assert!(relevant(&EventKind::Modify(ModifyKind::Data(
            DataChange::Content
        ))));
        assert!(relevant(&EventKind::Create(CreateKind::File)));
        assert!(relevant(&EventKind::Remove(RemoveKind::File)));
    }

    #[test]
    fn a_batch_becomes_distinct_sorted_changes() {
        let root = Path::new("/site");
        let modify = EventKind::Modify(ModifyKind::Any);
        let access = EventKind::Access(AccessKind::Any);
        let city = vec![root.join("cities/a.yaml")];
        let site = vec![root.join("site.yaml")];
        let read = vec![root.join("cities/b.yaml")];
        let got = changes(
            root,
            [
                (&modify, city.as_slice()),
                (&modify, site.as_slice()),
                (&modify, city.as_slice()),
                (&access, read.as_slice()),
            ],
        );
        assert_eq!(
            got,
            vec![
                ChangeKind::Site,
                ChangeKind::City(root.join("cities/a.yaml"))
            ]
        );
    }
}
