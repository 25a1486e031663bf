//! Tests of the staging folder: linking, reuse of the previous site, and safety.

use super::*;
use std::os::unix::fs::MetadataExt;

/// The site folder of an output folder in these tests: the folder holding it.
fn site_of(out: &Path) -> &Path {
    out.parent().unwrap()
}

fn build(out: &Path, files: &[(&str, &str)]) -> WriteStats {
    let s = Staging::begin(site_of(out), out).unwrap();
    for (path, text) in files {
        s.put(path, text.as_bytes()).unwrap();
    }
    s.commit(&[]).unwrap()
}

fn counts(s: WriteStats) -> (usize, usize, usize) {
    (s.written, s.unchanged, s.removed)
}

fn ino(p: &Path) -> u64 {
    fs::metadata(p).unwrap().ino()
}

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
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let first = build(&out, &[("a/index.html", "one"), ("b/index.html", "two")]);
    assert_eq!(counts(first), (2, 0, 0));
    let second = build(&out, &[("a/index.html", "one"), ("c/index.html", "three")]);
    assert_eq!(counts(second), (1, 1, 1));
    assert!(!out.join("b/index.html").exists());
    assert_eq!(fs::read(out.join("c/index.html")).unwrap(), b"three");
    // The previous site stays beside, sharing the unchanged file.
    let previous = staging_dir(&out);
    assert_eq!(fs::read(previous.join("b/index.html")).unwrap(), b"two");
    assert_eq!(
        ino(&previous.join("a/index.html")),
        ino(&out.join("a/index.html"))
    );
}

#[test]
fn an_unchanged_site_is_neither_written_nor_swapped() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let site = [("a/index.html", "one"), ("sitemap.xml", "<x/>")];
    build(&out, &site);
    let folder = ino(&out);
    let file = ino(&out.join("a/index.html"));
    for _ in 0..2 {
        assert_eq!(counts(build(&out, &site)), (0, 2, 0));
        assert_eq!(ino(&out), folder, "the output folder was not swapped");
        assert_eq!(ino(&out.join("a/index.html")), file);
    }
    assert!(!staging_dir(&out).exists(), "no staging folder was needed");
    // Once a change made the previous site the staging folder, it is reused untouched.
    build(&out, &[("a/index.html", "one"), ("sitemap.xml", "<y/>")]);
    let staged = staging_dir(&out).join(manifest::FILE);
    let before = fs::read(&staged).unwrap();
    let site = [("a/index.html", "one"), ("sitemap.xml", "<y/>")];
    assert_eq!(counts(build(&out, &site)), (0, 2, 0));
    assert_eq!(fs::read(&staged).unwrap(), before);
}

#[test]
fn a_failed_build_never_alters_a_shared_live_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build(&out, &[("a/index.html", "one"), ("b", "1")]);
    build(&out, &[("a/index.html", "one"), ("b", "2")]);
    let staged = staging_dir(&out).join("a/index.html");
    assert_eq!(ino(&staged), ino(&out.join("a/index.html")), "shared");
    let s = Staging::begin(site_of(&out), &out).unwrap();
    s.put("a/index.html", b"uno").unwrap();
    s.abandon();
    assert_eq!(fs::read(out.join("a/index.html")).unwrap(), b"one");
    assert_eq!(
        counts(build(&out, &[("a/index.html", "uno"), ("b", "2")])),
        (1, 1, 0)
    );
    assert_eq!(fs::read(out.join("a/index.html")).unwrap(), b"uno");
}

#[test]
fn a_staging_folder_without_manifest_is_discarded() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build(&out, &[("a/index.html", "one")]);
    build(&out, &[("a/index.html", "two")]);
    let staging = staging_dir(&out);
    // As a build killed half-way leaves it.
    fs::remove_file(staging.join(manifest::FILE)).unwrap();
    fs::write(staging.join("junk.html"), "partial").unwrap();
    build(&out, &[("a/index.html", "three")]);
    assert!(!out.join("junk.html").exists());
    assert!(!staging.join("junk.html").exists());
    assert_eq!(fs::read(out.join("a/index.html")).unwrap(), b"three");
}

#[test]
fn files_gone_from_the_site_leave_the_reused_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build(&out, &[("a/index.html", "1"), ("b/x/index.html", "2")]);
    build(&out, &[("a/index.html", "1"), ("c/index.html", "3")]);
    // The staging folder now holds the first site (with b/x/); b/ must not come back.
    let third = build(&out, &[("a/index.html", "1"), ("c/index.html", "4")]);
    assert_eq!(counts(third), (1, 1, 0));
    assert!(!out.join("b").exists());
    let mut files: Vec<String> = walkdir::WalkDir::new(&out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(&out).unwrap().display().to_string())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            ".sitegen",
            ".sitegen-manifest",
            "a/index.html",
            "c/index.html"
        ]
    );
}

#[test]
fn a_file_becoming_a_folder_is_handled() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build(&out, &[("static/a", "file")]);
    build(&out, &[("static/b", "file")]);
    build(&out, &[("static/a/inner.css", "now a folder")]);
    assert_eq!(
        fs::read(out.join("static/a/inner.css")).unwrap(),
        b"now a folder"
    );
}

#[test]
fn an_altered_live_file_is_rewritten() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build(&out, &[("a/index.html", "one")]);
    fs::write(out.join("a/index.html"), "edited by hand").unwrap();
    assert_eq!(counts(build(&out, &[("a/index.html", "one")])), (1, 0, 0));
    assert_eq!(fs::read(out.join("a/index.html")).unwrap(), b"one");
}

#[test]
fn a_file_deleted_by_hand_is_restored_and_stays_through_later_swaps() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    build(&out, &[("a/index.html", "one"), ("b/index.html", "two")]);
    // The previous site becomes the staging folder, sharing `a`.
    build(&out, &[("a/index.html", "one"), ("b/index.html", "2")]);
    fs::remove_file(out.join("a/index.html")).unwrap();
    // Written again, into the staging folder (which still shares the old `a`): swapped.
    let site = [("a/index.html", "one"), ("b/index.html", "2")];
    assert_eq!(counts(build(&out, &site)), (1, 1, 0));
    assert_eq!(fs::read(out.join("a/index.html")).unwrap(), b"one");
    // Nothing changed: nothing is written, nothing swapped.
    assert_eq!(counts(build(&out, &site)), (0, 2, 0));
    // The staging folder now is the site `a` was deleted from: its manifest lists `a`,
    // but the file is gone, so a swap must link it from the live site.
    let previous = staging_dir(&out);
    assert!(!previous.join("a/index.html").exists());
    assert_eq!(
        counts(build(
            &out,
            &[("a/index.html", "one"), ("b/index.html", "3")]
        )),
        (1, 1, 0)
    );
    assert_eq!(fs::read(out.join("a/index.html")).unwrap(), b"one");
    assert_eq!(
        ino(&previous.join("a/index.html")),
        ino(&out.join("a/index.html")),
        "the previous site shares the restored file"
    );
}

#[test]
fn refuses_foreign_folders() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("precious.txt"), "x").unwrap();
    assert!(Staging::begin(tmp.path(), tmp.path()).is_err());
    assert!(tmp.path().join("precious.txt").exists());
}

#[test]
fn own_files_come_with_the_swap_or_replace_the_live_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let commit = |pages: &[(&str, &str)], own: &str| {
        let s = Staging::begin(site_of(&out), &out).unwrap();
        for (path, text) in pages {
            s.put(path, text.as_bytes()).unwrap();
        }
        s.commit(&[(".own", own)]).unwrap()
    };
    commit(&[("a/index.html", "one")], "first");
    assert_eq!(fs::read_to_string(out.join(".own")).unwrap(), "first");
    // Nothing to swap: the live file is replaced, the site left alone.
    let folder = ino(&out);
    assert_eq!(
        counts(commit(&[("a/index.html", "one")], "second")),
        (0, 1, 0)
    );
    assert_eq!(ino(&out), folder);
    assert_eq!(fs::read_to_string(out.join(".own")).unwrap(), "second");
    // A swap brings the new text along, and it is not listed in the manifest.
    commit(&[("a/index.html", "two")], "third");
    assert_ne!(ino(&out), folder);
    assert_eq!(fs::read_to_string(out.join(".own")).unwrap(), "third");
    assert!(!manifest::read(&out).unwrap().contains_key(".own"));
}

#[test]
fn output_places_that_cannot_work_are_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    for dir in ["static", "topics", "cities", "templates"] {
        fs::create_dir_all(site.join(dir)).unwrap();
    }
    for (output, says) in [
        ("static/out", "inside static/"),
        ("topics/x/y", "inside topics/"),
        ("cities", "inside cities/"),
        ("templates/./public", "inside templates/"),
        (".", "site folder itself"),
        ("..", "site folder itself"),
    ] {
        let e = Staging::begin(&site, &site.join(output))
            .err()
            .expect(output);
        assert!(e.message.contains(says), "{output}: {}", e.message);
    }
    assert!(!site.join("static/out").exists());
    assert!(!site.join(".static.staging").exists());
    // `public/.` is `public`; its staging folder is `.public.staging` beside it.
    build(&site.join("public/."), &[("a/index.html", "一")]);
    assert!(site.join("public/a/index.html").is_file());
}

#[test]
fn a_symbolic_link_output_stays_a_link_and_the_swap_happens_behind_it() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let web = tmp.path().join("www/site");
    fs::create_dir_all(&site).unwrap();
    fs::create_dir_all(&web).unwrap();
    let link = site.join("public");
    std::os::unix::fs::symlink(&web, &link).unwrap();
    for text in ["一", "二"] {
        let s = Staging::begin(&site, &link).unwrap();
        s.put("a/index.html", text.as_bytes()).unwrap();
        s.commit(&[]).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(web.join("a/index.html")).unwrap(), text);
    }
    assert!(tmp.path().join("www/.site.staging").is_dir());
    // A link to nothing is refused.
    let dangling = site.join("gone");
    std::os::unix::fs::symlink(tmp.path().join("missing"), &dangling).unwrap();
    assert!(Staging::begin(&site, &dangling).is_err());
}

#[test]
fn the_builds_own_files_are_never_listed_as_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let own = [(".sitegen-run", "run"), (".sitegen-words", "words")];
    let first = Staging::begin(site_of(&out), &out).unwrap();
    first.put("a/index.html", b"one").unwrap();
    first.put("old/index.html", b"old").unwrap();
    first.commit(&own).unwrap();
    // An output folder whose manifest was lost: what is gone is found by listing it.
    fs::remove_file(out.join(manifest::FILE)).unwrap();
    let second = Staging::begin(site_of(&out), &out).unwrap();
    second.put("a/index.html", b"one").unwrap();
    let stats = second.commit(&own).unwrap();
    assert_eq!(stats.changes.removed, ["old/index.html"]);
    assert_eq!(fs::read(out.join(".sitegen-words")).unwrap(), b"words");
}
