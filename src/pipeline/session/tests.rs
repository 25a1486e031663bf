//! Tests of the rebuild session: it matches a full build, and an edit rerenders only the
//! pages it touches.

use super::*;
use crate::load::ChangeKind;
use crate::pipeline::Now;
use std::path::{Path, PathBuf};

/// Copies the real site (input only) to a temporary folder.
fn real_site() -> (tempfile::TempDir, PathBuf) {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    for part in [
        "templates",
        "static",
        "topics",
        "cities",
        "site.yaml",
        "schedule.lock",
    ] {
        for entry in walkdir::WalkDir::new(repo.join(part)) {
            let entry = entry.unwrap();
            let to = root.join(entry.path().strip_prefix(&repo).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                std::fs::copy(entry.path(), &to).unwrap();
            }
        }
    }
    (tmp, root)
}

fn options(root: &Path) -> BuildOptions {
    let now = crate::load::parse_datetime("2026-03-01 00:00:00").unwrap();
    BuildOptions {
        report_dir: Some(root.join("report")),
        ..BuildOptions::new(root.to_path_buf(), Now::Local(now))
    }
}

fn sorted(files: &SiteFiles) -> Vec<(&str, &[u8])> {
    let mut v: Vec<_> = files.iter().map(|(p, b)| (p.as_str(), &b[..])).collect();
    v.sort();
    v
}

#[test]
fn gives_the_same_files_as_build() {
    let (_tmp, root) = real_site();
    let opts = options(&root);
    let rebuilt = Session::new(opts.clone()).rebuild().expect("builds");
    assert_eq!(rebuilt.reused, 0);
    super::super::build(&opts).expect("builds");
    let mut written = Vec::new();
    for entry in walkdir::WalkDir::new(&opts.output) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(&opts.output).unwrap();
        // Not the output folder's own files (.sitegen, .sitegen-manifest).
        if entry.file_type().is_file() && !rel.to_string_lossy().starts_with(".sitegen") {
            let bytes = std::fs::read(entry.path()).unwrap();
            written.push((rel.to_string_lossy().into_owned(), bytes));
        }
    }
    written.sort();
    let in_memory: Vec<(String, Vec<u8>)> = sorted(&rebuilt.files)
        .into_iter()
        .map(|(p, b)| (p.to_string(), b.to_vec()))
        .collect();
    assert_eq!(written.len(), in_memory.len());
    assert!(written == in_memory, "serve's pages differ from build's");
}

/// The real site (see [`real_site`]) with a session that built it once.
fn built_session() -> (tempfile::TempDir, PathBuf, Session) {
    let (tmp, root) = real_site();
    let mut session = Session::new(options(&root));
    session.rebuild().expect("builds");
    (tmp, root, session)
}

/// Puts the `good` text back into `city` and rebuilds: nothing is rendered, as the pages
/// of the last good build were kept.
fn restore(session: &mut Session, city: PathBuf, good: &str) -> Rebuilt {
    std::fs::write(&city, good).unwrap();
    session.apply(&[ChangeKind::City(city)]);
    let again = session.rebuild().expect("builds");
    assert_eq!(
        again.rendered, 0,
        "nothing changed since the last good build"
    );
    again
}

/// Replaces `from` (which must be there) by `to` in yueyang.yaml, once or everywhere, and
/// tells `session`; gives the file and its text before the edit.
fn change_yueyang(
    session: &mut Session,
    root: &Path,
    from: &str,
    to: &str,
    once: bool,
) -> (PathBuf, String) {
    let city = root.join("cities/yueyang.yaml");
    let text = std::fs::read_to_string(&city).unwrap();
    assert!(text.contains(from));
    let edited = if once {
        text.replacen(from, to, 1)
    } else {
        text.replace(from, to)
    };
    std::fs::write(&city, edited).unwrap();
    session.apply(&[ChangeKind::City(city.clone())]);
    (city, text)
}

/// Edits yueyang.yaml, rebuilds incrementally and compares with a fresh build.
fn edit_yueyang(from: &str, to: &str) -> (Rebuilt, Rebuilt) {
    let (_tmp, root) = real_site();
    let mut session = Session::new(options(&root));
    let first = session.rebuild().expect("builds");
    change_yueyang(&mut session, &root, from, to, false);
    let second = session.rebuild().expect("rebuilds");
    let fresh = Session::new(options(&root)).rebuild().expect("builds");
    assert!(sorted(&second.files) == sorted(&fresh.files));
    (first, second)
}

#[test]
fn an_edited_value_rerenders_only_the_pages_showing_it() {
    let (first, second) = edit_yueyang("- 医保卡", "- 社保卡");
    assert_ne!(
        first.files["yueyang/canbaodi-biangeng/index.html"],
        second.files["yueyang/canbaodi-biangeng/index.html"]
    );
    // The city's articles, its city page and the list of cities; titles are unchanged,
    // so no list or related block needs rendering.
    assert!(second.rendered <= 7, "rendered {}", second.rendered);
    // Other cities' feeds are kept, not rendered again; all equal a fresh build's.
    assert!(Arc::ptr_eq(
        &first.files["jinhua/atom.xml"],
        &second.files["jinhua/atom.xml"]
    ));
    assert_eq!(second.rendered + second.reused, first.rendered);
}

#[test]
fn a_renamed_city_rerenders_every_page_listing_its_articles() {
    let (first, second) = edit_yueyang("name: 岳阳", "name: 岳阳市");
    // (The home page's only 岳阳 article keeps its seed title, which names no city.)
    assert_ne!(
        first.files["topic/jiaofei-jilu/index.html"],
        second.files["topic/jiaofei-jilu/index.html"]
    );
    assert!(second.reused > 0 && second.rendered > 7);
    // The city's feed names it; every feed equals a fresh build's (see edit_yueyang).
    assert_ne!(
        first.files["yueyang/atom.xml"],
        second.files["yueyang/atom.xml"]
    );
}

#[test]
fn a_shape_mismatch_in_an_edited_city_is_found_after_a_good_build() {
    let (_tmp, root, mut session) = built_session();
    let from = "      materials:\n        - 身份证\n        - 医保卡\n";
    change_yueyang(&mut session, &root, from, "      materials: 身份证\n", true);
    let incremental = session.rebuild().err().expect("fails");
    let fresh = Session::new(options(&root)).rebuild().err().expect("fails");
    assert!(
        incremental
            .iter()
            .any(|d| d.origin.file.ends_with("yueyang.yaml"))
    );
    let texts = |p: &Diagnostics| p.iter().map(|d| format!("{d:?}")).collect::<Vec<_>>();
    assert_eq!(texts(&incremental), texts(&fresh));
}

#[test]
fn a_broken_edit_keeps_the_last_good_pages_for_the_next_rebuild() {
    let (_tmp, root, mut session) = built_session();
    let city = root.join("cities/yueyang.yaml");
    let good = std::fs::read_to_string(&city).unwrap();
    std::fs::write(&city, format!("{good}\nnot yaml: [\n")).unwrap();
    session.apply(&[ChangeKind::City(city.clone())]);
    let problems = session.rebuild().err().expect("fails");
    assert!(
        problems
            .iter()
            .any(|d| d.origin.file.ends_with("yueyang.yaml"))
    );
    restore(&mut session, city, &good);
}

#[test]
fn a_rebuild_that_fails_after_the_merge_keeps_it_for_the_next() {
    let (_tmp, root, mut session) = built_session();
    let from = "heading: \"岳阳如何在手机上更改医保参保地?\"";
    // A heading template that does not compile: the merge succeeds, the templates fail.
    let to = "heading: \"{{ city.name | no_such_filter }}\"";
    let (city, good) = change_yueyang(&mut session, &root, from, to, true);
    session.rebuild().err().expect("fails");
    assert!(session.kept.merged.is_some(), "the merge is kept");
    let again = restore(&mut session, city, &good);
    let fresh = Session::new(options(&root)).rebuild().expect("builds");
    assert_eq!(sorted(&again.files), sorted(&fresh.files));
}
