//! The page memo (`.sitegen-pages`): a build that takes unchanged pages from it gives
//! exactly what a build from scratch gives, through every kind of edit, while rendering
//! only what changed.

use crate::support::{Site, assert_has, summary_count};
use std::fs;

/// The real site twice: `kept` builds into the same output folder every time (using its
/// memo), `fresh` deletes its output first. Both get the same edits.
struct Pair {
    kept: Site,
    fresh: Site,
}

/// The build's summary line's figures: (pages, rendered).
fn pages_rendered(stderr: &str) -> (usize, usize) {
    let count = |word| summary_count(stderr, word);
    (count(" pages"), count(" rendered"))
}

/// Everything a build printed but its summary and change counts (which differ between a
/// build that changes a site and one that makes it).
fn messages(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| !l.starts_with("sitegen: built") && !l.starts_with("sitegen: change lists"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Pair {
    fn new() -> Pair {
        Pair {
            kept: Site::real(),
            fresh: Site::real(),
        }
    }

    /// Applies `edit` to both sites.
    fn edit(&self, edit: impl Fn(&Site)) {
        edit(&self.kept);
        edit(&self.fresh);
    }

    /// Builds both at `now` and checks they agree in every output file (the memo
    /// included), in `modified.lock` and in every message; gives (pages, rendered) of the
    /// build that kept its output.
    fn build(&self, now: &str) -> (usize, usize) {
        self.build_with(&["build", "--now", now])
    }

    /// [`Pair::build`] with these arguments.
    fn build_with(&self, args: &[&str]) -> (usize, usize) {
        let now = args.join(" ");
        let kept = self.kept.run(args).ok().stderr();
        for dir in ["public", ".public.staging"] {
            let _ = fs::remove_dir_all(self.fresh.path(dir));
        }
        let fresh = self.fresh.run(args).ok().stderr();
        let (a, b) = (self.kept.snapshot("public"), self.fresh.snapshot("public"));
        assert_eq!(a.len(), b.len(), "at {now}");
        for ((path, bytes), (_, expected)) in a.iter().zip(&b) {
            assert!(
                bytes == expected,
                "at {now}: {path} differs from a build from scratch"
            );
        }
        assert_eq!(
            self.kept.read("modified.lock"),
            self.fresh.read("modified.lock")
        );
        assert_eq!(messages(&kept), messages(&fresh), "at {now}");
        let (pages, rendered) = pages_rendered(&fresh);
        assert_eq!(rendered, pages, "a build from scratch renders every page");
        // `check` takes unchanged pages' warnings from the memo too, with the same report.
        let mut check = args.to_vec();
        check[0] = "check";
        let with_memo = self.kept.run(&check);
        check.push("--render-all");
        let without = self.kept.run(&check);
        assert_eq!(with_memo.code(), without.code());
        assert_eq!(with_memo.stderr(), without.stderr(), "check at {now}");
        assert_eq!(with_memo.stdout(), without.stdout());
        pages_rendered(&kept)
    }
}

#[test]
fn builds_from_the_memo_equal_builds_from_scratch() {
    let pair = Pair::new();
    let (pages, rendered) = pair.build("2025-04-30 00:00:00");
    assert_eq!(rendered, pages);
    assert_eq!(pair.build("2025-04-30 00:00:00").1, 0, "nothing changed");
    // Time moves on: articles are published, so lists and related blocks change.
    let (pages, rendered) = pair.build("2025-04-30 12:00:00");
    assert!(rendered > 0 && rendered < pages, "{rendered} of {pages}");
    let (pages, rendered) = pair.build("2026-03-01 00:00:00");
    assert!(rendered > 0 && rendered < pages, "{rendered} of {pages}");
    // A value edited after publication: dateModified moves to this build's "now" ...
    pair.edit(|s| s.edit("cities/yueyang.yaml", "- 医保卡", "- 社保卡"));
    let (pages, rendered) = pair.build("2026-03-02 00:00:00");
    assert!(rendered > 0 && rendered < 20, "{rendered} of {pages}");
    // ... and stays there: a later build renders nothing.
    assert_eq!(pair.build("2026-03-03 00:00:00").1, 0);
    assert!(
        pair.kept
            .read("public/yueyang/canbaodi-biangeng/index.html")
            .contains("2026-03-02")
    );
    // A preview (`--base-url`) does not save modified.lock: an article changed since the
    // lock was made shows each build's "now" as dateModified, memo or not.
    pair.edit(|s| s.edit("cities/yueyang.yaml", "- 社保卡", "- 医保卡（社保卡）"));
    for now in ["2026-03-03 10:00:00", "2026-03-03 11:00:00"] {
        pair.build_with(&[
            "build",
            "--now",
            now,
            "--base-url",
            "https://preview.example.org/",
        ]);
    }
    pair.edit(|s| s.edit("cities/yueyang.yaml", "- 医保卡（社保卡）", "- 社保卡"));
    // A repeated paragraph in a topic: every article showing it warns, from the memo too.
    pair.edit(|s| {
        let para = "\n\n如有疑问，请以当地医保部门的答复为准。\n";
        s.append("topics/yake-baoxiao.md", &format!("{para}{para}"));
    });
    pair.build("2026-03-04 00:00:00");
    let (_, rendered) = pair.build("2026-03-05 00:00:00");
    assert_eq!(rendered, 0);
    let again = pair.kept.build_at("2026-03-05 00:00:00").stderr();
    assert_has(&again, "is repeated");
    // Layouts, site settings, new and removed cities.
    pair.edit(|s| {
        s.edit(
            "templates/partials/footer.html",
            "</footer>",
            "<p>测试</p></footer>",
        )
    });
    let (pages, rendered) = pair.build("2026-03-05 00:00:00");
    assert_eq!(rendered, pages, "every page has the footer");
    pair.edit(|s| s.edit("site.yaml", "related_count: 23", "related_count: 7"));
    pair.build("2026-03-05 00:00:00");
    // A renamed city: every list and related block showing its articles changes.
    pair.edit(|s| s.edit("cities/jinhua.yaml", "name: 金华", "name: 金华市"));
    let (pages, rendered) = pair.build("2026-03-05 00:00:00");
    assert!(rendered > 20 && rendered < pages, "{rendered} of {pages}");
    pair.edit(|s| {
        let jinhua = s.read("cities/jinhua.yaml");
        s.write(
            "cities/jinhua2.yaml",
            &jinhua
                .replace("slug: jinhua", "slug: jinhua-b")
                .replace("name: 金华", "name: 金华乙"),
        );
        fs::remove_file(s.path("cities/yueyang.yaml")).unwrap();
    });
    pair.build("2026-03-06 00:00:00");
    assert_eq!(pair.build("2026-03-06 00:00:00").1, 0);
}

#[test]
fn a_damaged_or_foreign_memo_only_costs_a_full_render() {
    let site = Site::real();
    let now = "2026-03-01 00:00:00";
    let (pages, _) = pages_rendered(&site.build_at(now).stderr());
    let before = site.snapshot("public");
    let memo = site.read("public/.sitegen-pages");
    let foreign = memo.replacen("sitegen-pages 1 ", "sitegen-pages 1 0", 1);
    for text in [&memo[..memo.len() / 2], &foreign, "", "\u{0}garbage"] {
        site.write("public/.sitegen-pages", text);
        let (_, rendered) = pages_rendered(&site.build_at(now).stderr());
        assert_eq!(rendered, pages);
        assert!(site.snapshot("public") == before);
    }
    // `--render-all` ignores a good memo, with the same result.
    let all = site
        .run(&["build", "--now", now, "--render-all"])
        .ok()
        .stderr();
    assert_eq!(pages_rendered(&all), (pages, pages));
    assert!(site.snapshot("public") == before);
    // A page edited by hand in the output folder is put right, memo or not.
    let page = "public/jinhua/canbaodi-biangeng/index.html";
    let original = site.read(page);
    site.write(page, &original.replace("金华", "金 华"));
    let (_, rendered) = pages_rendered(&site.build_at(now).stderr());
    assert_eq!(rendered, 1);
    assert_eq!(site.read(page), original);
}

/// The `-v` line counting the feeds a build made: (made, feeds).
fn feeds_made(stderr: &str) -> (usize, usize) {
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("sitegen: feeds made "))
        .unwrap_or_else(|| panic!("no feed count: {stderr}"));
    let (made, of) = line.split_once(" of ").unwrap();
    (made.parse().unwrap(), of.parse().unwrap())
}

#[test]
fn feeds_are_kept_from_the_memo_until_what_they_show_changes() {
    let site = Site::real();
    let build = |now: &str| site.run(&["build", "-v", "--now", now]).ok().stderr();
    let (made, feeds) = feeds_made(&build("2026-03-01 00:00:00"));
    assert!(feeds > 2 && made == feeds, "{made} of {feeds}");
    let before = site.snapshot("public");
    // The pipeline on an unchanged site, not the run memo standing for it.
    site.write("public/.sitegen-run", "");
    assert_eq!(feeds_made(&build("2026-03-01 00:00:00")), (0, feeds));
    assert!(site.snapshot("public") == before, "nothing changed");
    // A value shown in 岳阳's articles: its feed (their dateModified) is made again, other
    // cities' feeds are kept.
    site.edit("cities/yueyang.yaml", "- 医保卡", "- 社保卡");
    let jinhua = site.read("public/jinhua/atom.xml");
    let yueyang = site.read("public/yueyang/atom.xml");
    let (made, _) = feeds_made(&build("2026-03-02 00:00:00"));
    assert!((1..=2).contains(&made), "{made} of {feeds}");
    assert_ne!(site.read("public/yueyang/atom.xml"), yueyang);
    assert_eq!(site.read("public/jinhua/atom.xml"), jinhua);
    // A renamed city: its articles' titles and its feed's title change (and so do the
    // pages of every article whose related block lists them: their feeds are made again).
    site.edit("cities/jinhua.yaml", "name: 金华", "name: 金华市");
    let (made, _) = feeds_made(&build("2026-03-02 00:00:00"));
    assert!(made > 0, "{made} of {feeds}");
    let renamed = site.read("public/jinhua/atom.xml");
    assert!(renamed.contains("金华市") && renamed != jinhua);
    // A feed deleted by hand is made again, as it was.
    fs::remove_file(site.path("public/jinhua/atom.xml")).unwrap();
    assert_eq!(feeds_made(&build("2026-03-02 00:00:00")), (1, feeds));
    assert_eq!(site.read("public/jinhua/atom.xml"), renamed);
    site.write("public/.sitegen-run", "");
    assert_eq!(feeds_made(&build("2026-03-02 00:00:00")), (0, feeds));
}

/// The `-v` line `sitegen: {what} N of M`: (N, M).
fn counted(stderr: &str, what: &str) -> Option<(usize, usize)> {
    let prefix = format!("sitegen: {what} ");
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))?;
    let (made, of) = line.split_once(" of ")?;
    Some((made.parse().ok()?, of.parse().ok()?))
}

/// The `-v` line counting the texts the search index segmented: (segmented, texts).
fn texts_segmented(stderr: &str) -> Option<(usize, usize)> {
    counted(stderr, "search texts segmented")
}

/// The `-v` line counting the titles rendered: (rendered, published articles).
fn titles_rendered(stderr: &str) -> Option<(usize, usize)> {
    counted(stderr, "titles rendered")
}

#[test]
fn the_search_index_segments_only_new_texts_and_only_changed_titles_are_rendered() {
    let site = Site::real();
    let now = "2026-03-01 00:00:00";
    let build = || site.run(&["build", "-v", "--now", now]).ok().stderr();
    let first = build();
    let (made, texts) = texts_segmented(&first).expect("a first build makes the index");
    assert!(texts > 20 && made == texts, "{made} of {texts}");
    let (made, titles) = titles_rendered(&first).expect("a first build renders titles");
    assert!(titles > 5 && made == titles, "{made} of {titles}");
    // `coverage` takes the titles the build rendered.
    let coverage = site.run(&["coverage", "-v", "--now", now]).ok().stderr();
    assert_eq!(titles_rendered(&coverage), Some((0, titles)), "{coverage}");
    // A value shown in 岳阳's articles: one new text, every other one from the word memo;
    // the titles of 岳阳's articles (one per topic) rendered again, no other.
    site.edit("cities/yueyang.yaml", "- 医保卡", "- 社保卡");
    let edited = build();
    let (made, again) = texts_segmented(&edited).expect("the index is made again");
    assert!(made == 1 && again.abs_diff(texts) <= 1, "{made} of {again}");
    let topics = fs::read_dir(site.path("topics")).unwrap().count();
    let (made, again) = titles_rendered(&edited).expect("titles are looked up");
    assert!(
        again == titles && made > 0 && made <= topics,
        "{made} of {again}"
    );
    // The same site, and the same memos, as a build that makes everything.
    let kept = site.snapshot("public");
    let words = site.read("public/.sitegen-words");
    let title_memo = site.read("public/.sitegen-titles");
    site.run(&["build", "--now", now, "--render-all"]).ok();
    assert!(site.snapshot("public") == kept);
    assert_eq!(site.read("public/.sitegen-words"), words);
    assert_eq!(site.read("public/.sitegen-titles"), title_memo);
    // Damaged memos only cost segmenting and rendering everything again, with the same site.
    site.write("public/.sitegen-words", &words[..words.len() / 2]);
    site.write(
        "public/.sitegen-titles",
        &title_memo[..title_memo.len() / 2],
    );
    site.edit("cities/yueyang.yaml", "- 社保卡", "- 医保卡");
    let damaged = build();
    assert_eq!(texts_segmented(&damaged).map(|c| c.0), Some(texts));
    assert_eq!(titles_rendered(&damaged).map(|c| c.0), Some(titles));
    // A reworded title variant: that topic's titles are rendered again, as a build that
    // renders every title makes them.
    site.edit(
        "topics/baoxiao-fanwei.md",
        "医保报销范围包括哪些",
        "医保报销范围都包括哪些",
    );
    let (made, _) = titles_rendered(&build()).expect("titles are looked up");
    assert!(made > 0 && made < titles, "{made} of {titles}");
    let kept = site.snapshot("public");
    site.run(&["build", "--now", now, "--render-all"]).ok();
    assert!(site.snapshot("public") == kept);
}
