//! Loading file by file, for `serve`: every input file's parse result is kept, so a change
//! re-reads only the files it touched and the site is assembled again from the kept results.
//!
//! [`Parts::assemble`] gives the same [`SiteInput`] as [`super::load`] (a test holds them
//! together), plus a content stamp per city and topic that later stages use to tell which
//! pages a change can affect.

use super::{
    check_references, cities, files, list_files, read_lock, read_modified, read_site, read_statics,
    read_templates, topics,
};
use crate::diag::{Diagnostic, Diagnostics, display_path};
use crate::model::{
    City, LockedSlot, ModifiedEntry, SiteConfig, SiteInput, StaticFile, TemplateFile, Topic,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Which part of the input a changed path belongs to (see `serve::watch::classify`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeKind {
    /// `site.yaml`.
    Site,
    /// `schedule.lock`.
    Lock,
    /// `modified.lock`.
    Modified,
    /// Anything below `templates/`.
    Templates,
    /// Anything below `static/`.
    Statics,
    /// One topic file (absolute path); it may have been created, changed or removed.
    Topic(PathBuf),
    /// One city file (absolute path); it may have been created, changed or removed.
    City(PathBuf),
    /// Something in `topics/` that is not a topic file (a folder moved, …): list it again.
    AllTopics,
    /// Something in `cities/` that is not a city file: list it again.
    AllCities,
}

/// Every part but site.yaml, which is read first (it sets the size limit of the others).
const OTHER_PARTS: [ChangeKind; 6] = [
    ChangeKind::Lock,
    ChangeKind::Modified,
    ChangeKind::Templates,
    ChangeKind::Statics,
    ChangeKind::AllTopics,
    ChangeKind::AllCities,
];

/// One input file's parse result and a hash of its path and text.
#[derive(Debug, Clone)]
struct FilePart<T> {
    parsed: Result<T, Vec<Diagnostic>>,
    /// The file's text (kept for cities: reference checks quote it).
    source: String,
}

/// Content stamps of the assembled input, in the order of `SiteInput::cities` / `topics`:
/// equal stamps mean equal files, so pages built only from them need no new rendering.
#[derive(Debug, Clone, Default)]
pub struct Stamps {
    pub cities: Vec<u64>,
    pub topics: Vec<u64>,
}

impl Stamps {
    /// The stamps of loaded input, as each city and topic carries its own.
    pub fn of(input: &SiteInput) -> Stamps {
        Stamps {
            cities: input.cities.iter().map(|c| c.stamp).collect(),
            topics: input.topics.iter().map(|t| t.stamp).collect(),
        }
    }
}

/// The site's input, kept per file.
#[derive(Debug)]
pub struct Parts {
    root: PathBuf,
    site: Result<SiteConfig, Diagnostics>,
    topics: BTreeMap<PathBuf, FilePart<Arc<Topic>>>,
    cities: BTreeMap<PathBuf, FilePart<Arc<City>>>,
    templates: Result<Vec<TemplateFile>, Diagnostics>,
    statics: Result<Vec<StaticFile>, Diagnostics>,
    lock: Result<Vec<LockedSlot>, Diagnostics>,
    modified: Result<Vec<ModifiedEntry>, Diagnostics>,
    /// The size limit for input files other than site.yaml (set in site.yaml).
    limit: u64,
    /// Problems met while listing `topics/` and `cities/` (unreadable entries, link loops).
    listing: BTreeMap<&'static str, Diagnostics>,
}

impl Parts {
    /// Reads every input file under `root`.
    pub fn read(root: &Path) -> Parts {
        let mut parts = Parts {
            root: root.to_path_buf(),
            site: Err(Diagnostics::default()),
            topics: BTreeMap::new(),
            cities: BTreeMap::new(),
            templates: Ok(Vec::new()),
            statics: Ok(Vec::new()),
            lock: Ok(Vec::new()),
            modified: Ok(Vec::new()),
            listing: BTreeMap::new(),
            limit: files::MAX_INPUT_BYTES,
        };
        parts.site = collected(|p| read_site(root, p));
        parts.limit = size_limit(&parts.site);
        for kind in OTHER_PARTS {
            parts.reload(&kind);
        }
        parts
    }

    /// Reads again what `change` names; a file that is gone is dropped from the input.
    pub fn reload(&mut self, change: &ChangeKind) {
        let root = self.root.clone();
        let limit = self.limit;
        match change {
            ChangeKind::Site => {
                self.site = collected(|p| read_site(&root, p));
                // site.yaml sets the size limit of every other file: with a new limit,
                // files refused or accepted before may not be any more.
                let limit = size_limit(&self.site);
                if limit != self.limit {
                    self.limit = limit;
                    for kind in OTHER_PARTS {
                        self.reload(&kind);
                    }
                }
            }
            ChangeKind::Lock => self.lock = collected(|p| Some(read_lock(&root, limit, p))),
            ChangeKind::Modified => {
                self.modified = collected(|p| Some(read_modified(&root, limit, p)))
            }
            ChangeKind::Templates => {
                self.templates = collected(|p| Some(read_templates(&root, limit, p)))
            }
            ChangeKind::Statics => {
                self.statics = collected(|p| Some(read_statics(&root, limit, p)))
            }
            ChangeKind::Topic(path) => {
                reload_file(&root, path, limit, &mut self.topics, read_topic)
            }
            ChangeKind::City(path) => reload_file(&root, path, limit, &mut self.cities, read_city),
            ChangeKind::AllTopics => {
                let (found, listing) = relist(&root, "topics", limit, read_topic);
                self.topics = found;
                self.listing.insert("topics", listing);
            }
            ChangeKind::AllCities => {
                let (found, listing) = relist(&root, "cities", limit, read_city);
                self.cities = found;
                self.listing.insert("cities", listing);
            }
        }
    }

    /// Puts the kept parts together and checks what spans files, as [`super::load`] does.
    pub fn assemble(&self) -> Result<(SiteInput, Stamps), Diagnostics> {
        let mut problems = Diagnostics::default();
        for d in self.listing.values() {
            problems.extend(d.iter().cloned());
        }
        let site = keep(&self.site, &mut problems);
        let templates = keep(&self.templates, &mut problems);
        let statics = keep(&self.statics, &mut problems);
        let lock = keep(&self.lock, &mut problems);
        let modified = keep(&self.modified, &mut problems);
        let mut topics: Vec<&Arc<Topic>> = Vec::new();
        for part in self.topics.values() {
            match &part.parsed {
                Ok(t) => topics.push(t),
                Err(d) => problems.extend(d.iter().cloned()),
            }
        }
        let mut cities: Vec<&Arc<City>> = Vec::new();
        let mut sources = BTreeMap::new();
        for part in self.cities.values() {
            match &part.parsed {
                Ok(c) => {
                    cities.push(c);
                    sources.insert(c.path.as_path(), part.source.as_str());
                }
                Err(d) => problems.extend(d.iter().cloned()),
            }
        }
        topics.sort_by(|a, b| a.slug.cmp(&b.slug));
        cities.sort_by(|a, b| (&a.slug.value, &a.path).cmp(&(&b.slug.value, &b.path)));
        // Shared, not copied: assembling after an edit costs a count per file.
        let topics: Vec<Arc<Topic>> = topics.into_iter().cloned().collect();
        let cities: Vec<Arc<City>> = cities.into_iter().cloned().collect();
        // Every topic file counts as existing, also one with errors (as in `load`).
        let topic_files: Vec<String> = self
            .topics
            .keys()
            .filter_map(|p| p.file_stem()?.to_str().map(str::to_string))
            .collect();
        check_references(
            &topic_files,
            &cities,
            |p| sources.get(p).copied(),
            &mut problems,
        );
        match (site, templates, statics, lock, modified) {
            (Some(site), Some(templates), Some(statics), Some(lock), Some(modified))
                if !problems.has_errors() =>
            {
                let input = SiteInput {
                    root: self.root.clone(),
                    site: site.clone(),
                    topics,
                    cities,
                    templates: templates.clone(),
                    statics: statics.clone(),
                    schedule_lock: lock.clone(),
                    modified_lock: modified.clone(),
                };
                let stamps = Stamps::of(&input);
                Ok((input, stamps))
            }
            _ => Err(problems),
        }
    }
}

/// The size limit site.yaml sets for the other files (the default while it is broken).
fn size_limit(site: &Result<SiteConfig, Diagnostics>) -> u64 {
    site.as_ref()
        .map_or(files::MAX_INPUT_BYTES, |s| s.max_input_bytes)
}

/// Runs one of the loader's `read_*` helpers, turning its reported problems into an `Err`.
fn collected<T>(read: impl FnOnce(&mut Diagnostics) -> Option<T>) -> Result<T, Diagnostics> {
    let mut problems = Diagnostics::default();
    match read(&mut problems) {
        Some(value) if !problems.has_errors() => Ok(value),
        _ => Err(problems),
    }
}

fn keep<'a, T>(part: &'a Result<T, Diagnostics>, problems: &mut Diagnostics) -> Option<&'a T> {
    match part {
        Ok(v) => Some(v),
        Err(d) => {
            problems.extend(d.iter().cloned());
            None
        }
    }
}

/// Lists `dir` again (by the discovery rule) and reads every input file.
fn relist<T>(
    root: &Path,
    dir: &str,
    limit: u64,
    read: ReadFile<T>,
) -> (BTreeMap<PathBuf, FilePart<T>>, Diagnostics) {
    let mut listing = Diagnostics::default();
    let mut found = BTreeMap::new();
    for (path, shown) in list_files(root, dir, &mut listing) {
        let part = read(&path, &shown, limit);
        found.insert(path, part);
    }
    (found, listing)
}

/// Reads one input file: its path, the path shown to editors, the size limit.
type ReadFile<T> = fn(&Path, &Path, u64) -> FilePart<T>;

fn reload_file<T>(
    root: &Path,
    path: &Path,
    limit: u64,
    into: &mut BTreeMap<PathBuf, FilePart<T>>,
    read: ReadFile<T>,
) {
    if path.is_file() {
        into.insert(
            path.to_path_buf(),
            read(path, &display_path(root, path), limit),
        );
    } else {
        into.remove(path);
    }
}

fn read_topic(path: &Path, shown: &Path, limit: u64) -> FilePart<Arc<Topic>> {
    let slug = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    match files::read_text(path, shown, limit) {
        Ok(text) => FilePart {
            parsed: topics::parse_topic(&text, slug, shown).map(Arc::new),
            source: String::new(),
        },
        Err(d) => FilePart {
            parsed: Err(vec![d]),
            source: String::new(),
        },
    }
}

fn read_city(path: &Path, shown: &Path, limit: u64) -> FilePart<Arc<City>> {
    match files::read_text(path, shown, limit) {
        Ok(text) => FilePart {
            parsed: cities::parse_city(&text, shown).map(Arc::new),
            source: text,
        },
        Err(d) => FilePart {
            parsed: Err(vec![d]),
            source: String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    #[test]
    fn assembles_the_same_input_as_a_full_load() {
        let full = super::super::load(&repo()).expect("the real site loads");
        let (parts, stamps) = Parts::read(&repo()).assemble().expect("assembles");
        assert_eq!(format!("{full:?}"), format!("{parts:?}"));
        assert_eq!(stamps.cities.len(), full.cities.len());
        assert_eq!(stamps.topics.len(), full.topics.len());
    }

    #[test]
    fn a_reloaded_file_replaces_only_its_part() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for dir in ["cities", "topics", "templates"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        std::fs::write(root.join("cities/a.yaml"), "name: 甲\nslug: a\n").unwrap();
        std::fs::write(root.join("cities/b.yaml"), "name: 乙\nslug: b\n").unwrap();
        let mut parts = Parts::read(root);
        let stamp = |parts: &Parts| {
            parts.cities[&root.join("cities/b.yaml")]
                .parsed
                .as_ref()
                .unwrap()
                .stamp
        };
        let before = stamp(&parts);
        std::fs::write(root.join("cities/a.yaml"), "name: 甲甲\nslug: a\n").unwrap();
        std::fs::write(root.join("cities/b.yaml"), "name: 乙乙\nslug: b\n").unwrap();
        parts.reload(&ChangeKind::City(root.join("cities/a.yaml")));
        let a = parts.cities[&root.join("cities/a.yaml")]
            .parsed
            .as_ref()
            .unwrap();
        assert_eq!(a.name, "甲甲");
        // b was not named by the change, so its old parse is kept.
        assert_eq!(stamp(&parts), before);
        std::fs::remove_file(root.join("cities/a.yaml")).unwrap();
        parts.reload(&ChangeKind::City(root.join("cities/a.yaml")));
        assert!(!parts.cities.contains_key(&root.join("cities/a.yaml")));
    }
}
