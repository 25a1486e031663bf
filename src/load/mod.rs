//! Stage 1, load: the only stage that reads input files. Produces a checked [`SiteInput`].
//!
//! Every file is parsed even when an earlier one failed, so editors see all problems at once.

mod cities;
mod digest;
mod files;
mod frontmatter;
pub mod local_time;
mod lock;
mod modified;
mod parts;
mod site;
mod sources;
mod topics;
mod types;
mod yaml;

pub(crate) use cities::parse_city;
pub(crate) use digest::{InputDigest, digest};
pub use files::decode;
pub(crate) use files::{Found, discover, is_scratch_file};
pub(crate) use lock::{
    LOCK_FILE, last_lockable, lists_the_same as lock_lists_the_same, reads_back as lock_reads_back,
    write_datetime,
};
pub use lock::{format_lock, parse_lock};
pub(crate) use modified::{MODIFIED_FILE, format_modified, parse_modified};
pub(crate) use parts::Stamps;
pub use parts::{ChangeKind, Parts};
pub(crate) use site::normalise_base_url;
pub use site::parse_datetime;
#[cfg(test)]
pub(crate) use topics::parse_topic;

use crate::diag::{Diagnostic, Diagnostics, Origin, did_you_mean, display_path};
use crate::model::{City, SiteInput, StaticFile, TemplateFile};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// City slugs that would collide with the site's own pages.
pub(crate) const RESERVED_CITY_SLUGS: [&str; 10] = [
    "page", "topic", "cities", "static", "feeds", "404", "sitemap", "index", "about", "search",
];

/// Names Windows cannot use for a folder, so a site built or checked out there would break.
pub(crate) const WINDOWS_DEVICE_NAMES: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// The content stamp of an input file: a hash of its shown path and its text, so equal
/// stamps mean equal files.
pub(crate) fn stamp(shown: &Path, text: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(format!("{}\0{text}", shown.display()).as_bytes())
}

/// Reads and checks every input file under `root`.
pub fn load(root: &Path) -> Result<SiteInput, Diagnostics> {
    Parts::read(root).input()
}

fn read_site(root: &Path, problems: &mut Diagnostics) -> Option<crate::model::SiteConfig> {
    let path = root.join("site.yaml");
    let shown = PathBuf::from("site.yaml");
    let text = files::read_text(&path, &shown, files::MAX_INPUT_BYTES)
        .map_err(|d| problems.push(d))
        .ok()?;
    site_from_text(&text, &shown, problems)
}

/// Parses site.yaml's text; a wrong key falls back to its default for the rest of the run
/// (reported once).
fn site_from_text(
    text: &str,
    shown: &Path,
    problems: &mut Diagnostics,
) -> Option<crate::model::SiteConfig> {
    let (site, found) = yaml::parse_recovering(text, |t| site::parse_site(t, shown));
    problems.extend(found);
    site
}

/// The input files under `root/dir` by the discovery rule ([`files::discover`]), sorted,
/// with refused files, loops and unreadable entries reported.
fn list_files(root: &Path, dir: &str, problems: &mut Diagnostics) -> Vec<(PathBuf, PathBuf)> {
    let base = root.join(dir);
    if !base.exists() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(&base)
        .follow_links(true)
        .sort_by_file_name()
    {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let path = e.path().to_path_buf();
                let rel = path.strip_prefix(&base).unwrap_or(&path);
                match files::discover(dir, rel) {
                    files::Found::Read => {
                        let shown = display_path(root, &path);
                        out.push((path, shown));
                    }
                    files::Found::Skip => {}
                    files::Found::Refused { message, hint } => problems.push(
                        Diagnostic::error(Origin::file(display_path(root, &path)), message)
                            .with_hint(hint),
                    ),
                }
            }
            Ok(_) => {}
            Err(e) => {
                let shown = e
                    .path()
                    .map(|p| display_path(root, p))
                    .unwrap_or_else(|| PathBuf::from(dir));
                let msg = if e.loop_ancestor().is_some() {
                    "symbolic link loop in the input folder".to_string()
                } else {
                    format!("cannot read: {e}")
                };
                problems.push(
                    Diagnostic::error(Origin::file(shown), msg)
                        .with_hint("remove the link or fix the file's permissions"),
                );
            }
        }
    }
    out
}

fn read_templates(root: &Path, limit: u64, problems: &mut Diagnostics) -> Vec<TemplateFile> {
    let read = |path: &Path, shown: &Path| files::read_text(path, shown, limit);
    let out: Vec<_> = read_below(root, "templates", problems, read)
        .into_iter()
        .map(|(name, path, source)| TemplateFile { name, path, source })
        .collect();
    if out.is_empty() {
        problems.push(
            Diagnostic::error(Origin::file("templates"), "no templates found")
                .with_hint("the site needs templates/article.html, index.html, city.html, topic.html and 404.html"),
        );
    }
    out
}

fn read_statics(root: &Path, limit: u64, problems: &mut Diagnostics) -> Vec<StaticFile> {
    let read = |path: &Path, shown: &Path| files::read_bytes(path, shown, limit);
    let found = read_below(root, "static", problems, read).into_iter();
    found
        .map(|(rel, _, bytes)| StaticFile { rel, bytes })
        .collect()
}

/// Each file below `root/dir` as its name there (`/`-separated), the path to show and what
/// `read` makes of it; what cannot be read is in `problems`.
fn read_below<T>(
    root: &Path,
    dir: &str,
    problems: &mut Diagnostics,
    read: impl Fn(&Path, &Path) -> Result<T, Diagnostic>,
) -> Vec<(String, PathBuf, T)> {
    let base = root.join(dir);
    let mut out = Vec::new();
    for (path, shown) in list_files(root, dir, problems) {
        let name = path.strip_prefix(&base).unwrap_or(&path).to_string_lossy();
        let name = name.replace('\\', "/");
        match read(&path, &shown) {
            Ok(v) => out.push((name, shown, v)),
            Err(d) => problems.push(d),
        }
    }
    out
}

fn read_lock(root: &Path, limit: u64, problems: &mut Diagnostics) -> Vec<crate::model::LockedSlot> {
    read_optional(root, LOCK_FILE, limit, lock::parse_lock, problems)
}

fn read_modified(
    root: &Path,
    limit: u64,
    problems: &mut Diagnostics,
) -> Vec<crate::model::ModifiedEntry> {
    read_optional(
        root,
        MODIFIED_FILE,
        limit,
        modified::parse_modified,
        problems,
    )
}

/// A parser of a generated file's text; `Path` is the name shown in messages.
type LineParser<T> = fn(&str, &Path) -> Result<Vec<T>, Vec<Diagnostic>>;

/// Reads a generated file that may be absent (a fresh site), reporting its problems.
fn read_optional<T>(
    root: &Path,
    name: &str,
    limit: u64,
    parse: LineParser<T>,
    problems: &mut Diagnostics,
) -> Vec<T> {
    let path = root.join(name);
    if !path.exists() {
        return Vec::new();
    }
    let shown = PathBuf::from(name);
    match files::read_text(&path, &shown, limit.max(files::MAX_GENERATED_BYTES)) {
        Ok(text) => parse(&text, &shown).unwrap_or_else(|d| {
            problems.extend(d);
            Vec::new()
        }),
        Err(d) => {
            problems.push(d);
            Vec::new()
        }
    }
}

/// Checks what no single file can: duplicate slugs, and topics a city names that do not
/// exist. Returns the indices of cities whose slug an earlier city already uses.
pub(super) fn check_references<'s, C: std::borrow::Borrow<City>>(
    topic_files: &[String],
    cities: &[C],
    source_of: impl Fn(&Path) -> Option<&'s str>,
    problems: &mut Diagnostics,
) -> Vec<usize> {
    let topic_slugs: Vec<&str> = topic_files.iter().map(String::as_str).collect();
    let mut seen: BTreeMap<&str, &City> = BTreeMap::new();
    let mut taken = Vec::new();
    for (index, city) in cities.iter().map(C::borrow).enumerate() {
        let source = source_of(&city.path).unwrap_or("");
        let slug = city.slug.value.as_str();
        if let Some(first) = seen.get(slug) {
            problems.push(
                Diagnostic::error(city.slug.origin.clone(), format!("slug `{slug}` is already used by {}", first.path.display()))
                    .with_hint("every city needs its own slug; for two cities with the same pinyin add the province, e.g. `taizhou-zj`")
                    .with_source(source),
            );
            taken.push(index);
        } else {
            seen.insert(slug, city);
        }
        let reserved = if RESERVED_CITY_SLUGS.contains(&slug) {
            Some("the site's own pages")
        } else if WINDOWS_DEVICE_NAMES.contains(&slug) {
            Some("Windows devices (no folder may have this name there)")
        } else {
            None
        };
        if let Some(what) = reserved {
            problems.push(yaml::error_at(
                city.slug.origin.clone(),
                format!("slug `{slug}` is reserved for {what}"),
                "choose another slug, e.g. add the province",
                source,
            ));
        }
        let mut check = |name: &str, origin: Origin| {
            if !topic_slugs.contains(&name) {
                let hint = did_you_mean(name, topic_slugs.iter().copied())
                    .unwrap_or_else(|| format!("known topics: {}", topic_slugs.join(", ")));
                problems.push(yaml::error_at(
                    origin,
                    format!("unknown topic `{name}`"),
                    hint,
                    source,
                ));
            }
        };
        for name in city.topics.keys() {
            check(name, cities::topic_key_origin(city, source, name));
        }
        let listed = city.skip.iter().chain(city.extras.iter().flatten());
        let per_topic = city.topics.values().flat_map(|t| t.extras.iter().flatten());
        for s in listed.chain(per_topic) {
            check(&s.value, s.origin.clone());
        }
    }
    taken
}
