//! The one input assembler: every input file's parse result is kept file by file
//! ([`Parts`]), and [`Parts::assemble`] puts them together and checks what spans files.
//! `build` and `check` read all parts once; `serve` keeps them, so a change re-reads only
//! the files it touched; fuzzing and tests make them from texts.

use super::{
    check_references, cities, files, list_files, read_lock, read_modified, read_site, read_statics,
    read_templates, site_from_text, topics,
};
use crate::diag::{Diagnostic, Diagnostics, display_path};
use crate::model::ids::{CityId, IdVec, TopicId};
use crate::model::{
    City, LockedSlot, ModifiedEntry, SiteConfig, SiteInput, StaticFile, TemplateFile, Topic,
};
use rayon::prelude::*;
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
pub(crate) struct Stamps {
    pub(crate) cities: IdVec<CityId, u64>,
    pub(crate) topics: IdVec<TopicId, u64>,
}

impl Stamps {
    /// The stamps of loaded input, as each city and topic carries its own.
    pub(crate) fn of(input: &SiteInput) -> Stamps {
        Stamps {
            cities: input.cities.map(|c| c.stamp),
            topics: input.topics.map(|t| t.stamp),
        }
    }
}

/// The site's input, kept per file.
#[derive(Debug)]
pub struct Parts {
    root: PathBuf,
    site: Reported<Option<SiteConfig>>,
    topics: BTreeMap<PathBuf, FilePart<Arc<Topic>>>,
    cities: BTreeMap<PathBuf, FilePart<Arc<City>>>,
    templates: Reported<Vec<TemplateFile>>,
    statics: Reported<Vec<StaticFile>>,
    lock: Reported<Vec<LockedSlot>>,
    modified: Reported<Vec<ModifiedEntry>>,
    /// The size limit for input files other than site.yaml (set in site.yaml).
    limit: u64,
    /// Problems met while listing `topics/` and `cities/` (unreadable entries, link loops).
    listing: BTreeMap<&'static str, Diagnostics>,
}

impl Parts {
    /// Reads every input file under `root`.
    pub(crate) fn read(root: &Path) -> Parts {
        let mut parts = Parts::empty(root);
        parts.site = reported(|p| read_site(root, p));
        parts.limit = size_limit(&parts.site);
        for kind in OTHER_PARTS {
            parts.reload(&kind);
        }
        parts
    }

    /// Parts made from `(path shown to editors, text)` pairs with no file system, for
    /// fuzzing and tests. Topic slugs come from the paths' file stems, as from file names.
    pub fn from_texts(
        site: &str,
        topic_texts: &[(&str, &str)],
        city_texts: &[(&str, &str)],
        templates: Vec<TemplateFile>,
    ) -> Parts {
        let mut parts = Parts::empty(Path::new(""));
        parts.site = reported(|p| site_from_text(site, Path::new("site.yaml"), p));
        parts.templates.value = templates;
        for (shown, text) in topic_texts {
            let path = PathBuf::from(shown);
            let part = parse_topic(&path, &path, Ok(text.to_string()));
            parts.topics.insert(path, part);
        }
        for (shown, text) in city_texts {
            let path = PathBuf::from(shown);
            parts
                .cities
                .insert(path.clone(), parse_city(&path, Ok(text.to_string())));
        }
        parts
    }

    fn empty(root: &Path) -> Parts {
        Parts {
            root: root.to_path_buf(),
            site: Reported::default(),
            topics: BTreeMap::new(),
            cities: BTreeMap::new(),
            templates: Reported::default(),
            statics: Reported::default(),
            lock: Reported::default(),
            modified: Reported::default(),
            listing: BTreeMap::new(),
            limit: files::MAX_INPUT_BYTES,
        }
    }

    /// Reads again what `change` names; a file that is gone is dropped from the input.
    pub(crate) fn reload(&mut self, change: &ChangeKind) {
        let root = self.root.clone();
        let limit = self.limit;
        match change {
            ChangeKind::Site => {
                self.site = reported(|p| read_site(&root, p));
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
            ChangeKind::Lock => self.lock = reported(|p| read_lock(&root, limit, p)),
            ChangeKind::Modified => self.modified = reported(|p| read_modified(&root, limit, p)),
            ChangeKind::Templates => self.templates = reported(|p| read_templates(&root, limit, p)),
            ChangeKind::Statics => self.statics = reported(|p| read_statics(&root, limit, p)),
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

    /// Puts the kept parts together and checks what spans files. Keeps what could be read:
    /// a file with errors is left out (and a city whose slug is taken), so `check` can
    /// still render the rest and report their problems too. The input is `None` only when
    /// site.yaml itself is unusable. Problems come in the order the files are read.
    pub(crate) fn assemble(&self) -> (Option<SiteInput>, Diagnostics) {
        let mut problems = Diagnostics::default();
        problems.extend(self.site.problems.iter().cloned());
        let listed = |dir| {
            self.listing
                .get(dir)
                .into_iter()
                .flat_map(|d| d.iter().cloned())
        };
        problems.extend(listed("topics"));
        let mut topics: Vec<&Arc<Topic>> = Vec::new();
        for part in self.topics.values() {
            match &part.parsed {
                Ok(t) => topics.push(t),
                Err(d) => problems.extend(d.iter().cloned()),
            }
        }
        problems.extend(listed("cities"));
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
        for d in [&self.templates.problems, &self.statics.problems] {
            problems.extend(d.iter().cloned());
        }
        for d in [&self.lock.problems, &self.modified.problems] {
            problems.extend(d.iter().cloned());
        }
        topics.sort_by(|a, b| a.slug.cmp(&b.slug));
        cities.sort_by(|a, b| (&a.slug.value, &a.path).cmp(&(&b.slug.value, &b.path)));
        // Every topic file counts as existing, also one with errors.
        let topic_files: Vec<String> = self.topics.keys().map(|p| slug_of(p).to_string()).collect();
        let mut cities: Vec<Arc<City>> = cities.into_iter().cloned().collect();
        let taken = check_references(
            &topic_files,
            &cities,
            |p| sources.get(p).copied(),
            &mut problems,
        );
        for i in taken.into_iter().rev() {
            cities.remove(i);
        }
        // Shared, not copied: assembling after an edit costs a count per file.
        let input = self.site.value.as_ref().map(|site| SiteInput {
            root: self.root.clone(),
            site: site.clone(),
            topics: topics.into_iter().cloned().collect(),
            cities: cities.into(),
            templates: self.templates.value.clone(),
            statics: self.statics.value.clone(),
            schedule_lock: self.lock.value.clone(),
            modified_lock: self.modified.value.clone(),
        });
        (input, problems)
    }

    /// The whole input, or every problem when any file has errors.
    pub fn input(&self) -> Result<SiteInput, Diagnostics> {
        match self.assemble() {
            (Some(input), problems) if !problems.has_errors() => Ok(input),
            (_, problems) => Err(problems),
        }
    }
}

/// A part's value and the problems met reading it (the value keeps what could be read).
#[derive(Debug, Default)]
struct Reported<T> {
    value: T,
    problems: Diagnostics,
}

/// Runs one of the loader's `read_*` helpers, keeping its value and what it reported.
fn reported<T>(read: impl FnOnce(&mut Diagnostics) -> T) -> Reported<T> {
    let mut problems = Diagnostics::default();
    let value = read(&mut problems);
    Reported { value, problems }
}

fn slug_of(path: &Path) -> &str {
    path.file_stem().and_then(|s| s.to_str()).unwrap_or("")
}

/// The size limit site.yaml sets for the other files (the default while it is broken).
fn size_limit(site: &Reported<Option<SiteConfig>>) -> u64 {
    site.value
        .as_ref()
        .map_or(files::MAX_INPUT_BYTES, |s| s.max_input_bytes)
}

/// Lists `dir` again (by the discovery rule) and reads every input file.
fn relist<T: Send>(
    root: &Path,
    dir: &str,
    limit: u64,
    read: ReadFile<T>,
) -> (BTreeMap<PathBuf, FilePart<T>>, Diagnostics) {
    let mut listing = Diagnostics::default();
    // Read and parsed on every core, kept in path order.
    let found = list_files(root, dir, &mut listing)
        .into_par_iter()
        .map(|(path, shown)| {
            let part = read(&path, &shown, limit);
            (path, part)
        })
        .collect();
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
    parse_topic(path, shown, files::read_text(path, shown, limit))
}

fn read_city(path: &Path, shown: &Path, limit: u64) -> FilePart<Arc<City>> {
    parse_city(shown, files::read_text(path, shown, limit))
}

fn parse_topic(
    path: &Path,
    shown: &Path,
    text: Result<String, Diagnostic>,
) -> FilePart<Arc<Topic>> {
    let parsed = match text {
        Ok(text) => topics::parse_topic(&text, slug_of(path), shown).map(Arc::new),
        Err(d) => Err(vec![d]),
    };
    FilePart {
        parsed,
        source: String::new(),
    }
}

fn parse_city(shown: &Path, text: Result<String, Diagnostic>) -> FilePart<Arc<City>> {
    match text {
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
    fn reloading_every_part_assembles_the_same_input() {
        let mut parts = Parts::read(&repo());
        let first = parts.input().expect("the real site loads");
        for kind in std::iter::once(ChangeKind::Site).chain(OTHER_PARTS) {
            parts.reload(&kind);
        }
        let again = parts.input().expect("assembles");
        assert_eq!(format!("{first:?}"), format!("{again:?}"));
        let stamps = Stamps::of(&again);
        assert_eq!(stamps.cities.len(), first.cities.len());
        assert_eq!(stamps.topics.len(), first.topics.len());
    }

    const SITE: &str = "name: 站\nbase_url: https://a.org/\ncategory: 类\neditor: 编\n\
        disclaimer: 提示\nstatement: 声明\ncomplaint_url: \"mailto:a@b.org\"\n\
        schedule:\n  start: \"2026-01-05 08:00:00\"\n  interval_minutes: 20\n\
        title_date_formats: [\"(%Y年%-m月%-d日)\"]\n";

    #[test]
    fn loads_and_checks_texts() {
        let topic = "---\nname: 甲\ntitles: [t]\nheadings: [h]\nlead: l\nteasers: [x]\n---\n正文\n";
        let city = "name: 城\nslug: aaa\nskip: [alpha]\n";
        let texts = |city| {
            Parts::from_texts(
                SITE,
                &[("topics/alpha.md", topic)],
                &[("cities/aaa.yaml", city)],
                Vec::new(),
            )
            .input()
        };
        assert_eq!(texts(city).unwrap().cities.as_slice()[0].slug.value, "aaa");
        let bad = "name: 城\nslug: aaa\nskip: [beta]\n";
        assert!(texts(bad).unwrap_err().has_errors());
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
