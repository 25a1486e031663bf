//! A year in the life of the real site: a copy of this repository's site (site.yaml,
//! topics/, cities/, schedule.lock, modified.lock) goes through a sequence of editors'
//! changes and scheduled builds with the clock moving forward. After every step the
//! publisher's promises are checked: no published article changes its URL, title or date
//! unless its own text was edited, nothing is dated before the build that scheduled it,
//! renamed articles' old URLs redirect, removed URLs are listed as dead links, previews
//! leave the locks alone, and the scheduled build keeps publishing.

use crate::support::{Run, Site, assert_has, between, strip_tags};
use chrono::{NaiveDateTime, TimeZone};
use std::collections::{BTreeMap, BTreeSet};

/// One published article as a reader and a search engine see it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Published {
    title: String,
    date: String,
}

/// One `schedule.lock` line, as far as this test needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LockLine {
    date: NaiveDateTime,
    retired: bool,
}

struct Life {
    site: Site,
    /// Every article ever published: id → what it showed.
    published: BTreeMap<String, Published>,
    /// Every article ever scheduled: id → its lock line when first seen.
    scheduled: BTreeMap<String, LockLine>,
    /// URLs published once and removed since (not redirected).
    removed: BTreeSet<String>,
    /// Old article URL → new one, for renamed slugs.
    renamed: BTreeMap<String, String>,
    steps: usize,
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

fn epoch(now: &str) -> String {
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&at(now))
        .unwrap()
        .timestamp()
        .to_string()
}

const BASE: &str = "https://yibao.example.org/";

impl Life {
    fn new() -> Life {
        Life {
            site: Site::real(),
            published: BTreeMap::new(),
            scheduled: BTreeMap::new(),
            removed: BTreeSet::new(),
            renamed: BTreeMap::new(),
            steps: 0,
        }
    }

    fn lock(&self) -> BTreeMap<String, LockLine> {
        self.site
            .read("schedule.lock")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| {
                let mut parts = l.split(' ');
                let (d, t, id) = (parts.next(), parts.next(), parts.next());
                let date = at(&format!("{} {}", d.unwrap(), t.unwrap()));
                let retired = parts.next() == Some("retired");
                (id.unwrap().to_string(), LockLine { date, retired })
            })
            .collect()
    }

    /// The scheduled CI build at `now` (the clock, given as SOURCE_DATE_EPOCH), with
    /// `--strict` as the README's recipe runs it after the locks are committed.
    fn scheduled_build(&mut self, now: &str, edited: &[&str]) -> Run {
        let clock = epoch(now);
        let env = [("SOURCE_DATE_EPOCH", clock.as_str())];
        let run = self.site.run_env(&["build"], &env).ok();
        let locked = self.site.run_env(&["build", "--locked", "--strict"], &env);
        assert_eq!(
            locked.code(),
            0,
            "step {}: the scheduled CI build (--locked --strict) at {now} failed:\n{}",
            self.steps,
            locked.stderr()
        );
        self.after(now, edited);
        run
    }

    /// Checks every promise after a build at `now`; `edited` are the articles whose own
    /// text the step changed on purpose.
    fn after(&mut self, now: &str, edited: &[&str]) {
        self.steps += 1;
        let step = self.steps;
        let now = at(now);
        let lock = self.lock();
        for (id, line) in &lock {
            match self.scheduled.get(id) {
                Some(first) => assert_eq!(
                    first.date, line.date,
                    "step {step}: {id} moved from {} to {}",
                    first.date, line.date
                ),
                None => {
                    assert!(
                        line.date >= now || step == 1,
                        "step {step}: new article {id} was dated {} before the build at {now}",
                        line.date
                    );
                    self.scheduled.insert(id.clone(), line.clone());
                }
            }
        }
        for id in self.scheduled.keys() {
            assert!(
                lock.contains_key(id),
                "step {step}: {id} left schedule.lock"
            );
        }
        let dead = self.site.read("public/dead-links.txt");
        let dead: BTreeSet<&str> = dead.lines().collect();
        for (id, line) in &lock {
            let url = format!("{BASE}{id}/");
            let file = format!("public/{id}/index.html");
            if line.retired || line.date > now {
                assert!(!self.site.exists(&file), "step {step}: {file} is published");
                if line.retired
                    && self.published.contains_key(id)
                    && !self.renamed.contains_key(&url)
                {
                    self.removed.insert(url);
                }
                continue;
            }
            let html = self.site.read(&file);
            let shown = Published {
                title: strip_tags(between(&html, "<h1>", "</h1>")),
                date: between(&html, "\"datePublished\":\"", "\"").to_string(),
            };
            assert!(
                !dead.contains(url.as_str()),
                "step {step}: live {url} is a dead link"
            );
            self.removed.remove(&url);
            match self.published.get(id) {
                Some(before) if !edited.contains(&id.as_str()) => assert_eq!(
                    before, &shown,
                    "step {step}: published article {id} changed although its text was not edited"
                ),
                _ => {
                    self.published.insert(id.clone(), shown);
                }
            }
        }
    }

    /// Records that articles whose id starts with `old` now start with `new`.
    fn rename(&mut self, old: &str, new: &str) {
        for map in [&mut self.published] {
            let moved: Vec<String> = map.keys().filter(|k| k.starts_with(old)).cloned().collect();
            for k in moved {
                let v = map.remove(&k).unwrap();
                let to = format!("{new}{}", &k[old.len()..]);
                self.renamed
                    .insert(format!("{BASE}{k}/"), format!("{BASE}{to}/"));
                map.insert(to, v);
            }
        }
        let moved: Vec<String> = (self.scheduled.keys())
            .filter(|k| k.starts_with(old))
            .cloned()
            .collect();
        for k in moved {
            let v = self.scheduled.remove(&k).unwrap();
            self.scheduled
                .insert(format!("{new}{}", &k[old.len()..]), v);
        }
    }

    /// A build that must write nothing back into the site folder.
    fn preview(&mut self, args: &[&str]) {
        let locks = || {
            let read = |file| self.site.read(file);
            (read("schedule.lock"), read("modified.lock"))
        };
        let before = locks();
        let mut all = vec!["build"];
        all.extend_from_slice(args);
        let run = self.site.run(&all).ok();
        assert_eq!(before, locks(), "preview {args:?} changed the locks");
        assert_has(&run.stderr(), "left as they were");
    }
}

#[test]
fn a_year_of_the_real_site() {
    let mut life = Life::new();
    // The real site as committed, built by the scheduled job.
    life.scheduled_build("2026-12-01 09:00:00", &[]);
    assert_eq!(life.published.len(), 155);

    // The two seed articles carry their seed titles and date formats.
    for (id, title) in [
        (
            "yueyang/canbaodi-biangeng",
            "医疗保险怎么把参保地改了呢?(2026年2月3日)",
        ),
        (
            "jinhua/canbaodi-biangeng",
            "金华医保参保地怎么变更?(25年4月30日)",
        ),
    ] {
        assert_eq!(life.published[id].title, title);
    }

    // Title variants, headings and date formats added, removed and reordered: nothing
    // published changes (each article keeps the variants recorded in schedule.lock).
    let topic = "topics/canbaodi-biangeng.md";
    life.site.edit(
        topic,
        "titles:\n",
        "titles:\n  - \"{{ city.name }}医保参保地变更流程(以{{ city.name }}为例)\"\n",
    );
    life.site
        .edit(topic, "  - \"医疗保险的参保地要怎么改?\"\n", "");
    life.site.edit(
        topic,
        "headings:\n",
        "headings:\n  - \"{{ city.name }}怎样办理医保参保地变更?\"\n",
    );
    life.site.edit(
        "site.yaml",
        "title_date_formats:\n",
        "title_date_formats:\n  - \"(%Y年%m月%d日)\"\n",
    );
    life.site.edit("site.yaml", "  - \"(%m/%d)\"\n", "");
    // Only the articles that used the deleted title variant change (an editor's choice).
    let used_deleted: Vec<String> = (life.published.iter())
        .filter(|(_, p)| p.title.starts_with("医疗保险的参保地要怎么改?"))
        .map(|(id, _)| id.clone())
        .collect();
    assert!(!used_deleted.is_empty());
    let edited: Vec<&str> = used_deleted.iter().map(String::as_str).collect();
    life.scheduled_build("2026-12-01 10:00:00", &edited);
    assert!(
        life.site.read("schedule.lock").contains("date=(%m/%d)"),
        "a removed format stays pinned"
    );

    // A preview of the far future, another address and another folder: nothing recorded.
    life.preview(&["--future", "-o", "public"]);
    life.preview(&["--now", "2099-01-01 00:00:00"]);
    life.preview(&["--base-url", "https://example.org/preview/1/"]);
    let outside = tempfile::tempdir().unwrap();
    life.preview(&["-o", outside.path().join("out").to_str().unwrap()]);

    // A city added with `sitegen new city`, then given a source-backed fact: its five
    // articles drip out at the cadence from the build that scheduled them.
    life.site
        .run(&["new", "city", "株洲", "--province", "湖南"])
        .ok();
    life.scheduled_build("2026-12-02 10:05:00", &[]);
    let zhuzhou: Vec<_> = life
        .lock()
        .into_iter()
        .filter(|(id, _)| id.starts_with("zhuzhou/"))
        .collect();
    assert_eq!(zhuzhou.len(), 5);
    assert!(
        zhuzhou
            .iter()
            .all(|(_, l)| l.date >= at("2026-12-02 10:05:00"))
    );
    let next = life.site.read("public-report/next-publish.txt");
    assert!(next.starts_with("2026-12-02T10:20:00"), "{next}");
    life.scheduled_build("2026-12-02 12:00:00", &[]);
    assert!(life.published.contains_key("zhuzhou/canbaodi-biangeng"));

    // A city removed: its published articles are gone, their lock lines retired.
    let binzhou = life.site.read("cities/binzhou.yaml");
    std::fs::remove_file(life.site.path("cities/binzhou.yaml")).unwrap();
    life.scheduled_build("2027-01-10 08:00:00", &[]);
    assert!(
        life.removed
            .contains(&format!("{BASE}binzhou/canbaodi-biangeng/"))
    );
    // … and added back months later: the same dates, titles and URLs.
    life.site.write("cities/binzhou.yaml", &binzhou);
    life.scheduled_build("2027-04-01 08:00:00", &[]);
    assert!(life.removed.is_empty(), "{:?}", life.removed);
    assert_eq!(
        life.site.read("public-report/sitemaps.txt"),
        format!("{BASE}sitemap.xml\n")
    );

    // Facts ageing: the sample pages' facts (verified 2025-04-30) pass
    // `fact_max_age_days: 730`. The scheduled --strict build goes on publishing, warns, and
    // lists them in the report folder.
    life.site
        .run(&["new", "city", "湘潭", "--province", "湖南"])
        .ok();
    let run = life.scheduled_build("2027-06-01 08:00:00", &[]);
    assert_has(&run.stderr(), "days ago");
    let aged = life.site.read("public-report/aged-facts.txt");
    assert_has(&aged, "cities/jinhua.yaml:");
    life.scheduled_build("2027-06-01 10:00:00", &[]);
    assert!(life.published.contains_key("xiangtan/canbaodi-biangeng"));

    // A topic added with `sitegen new topic`: one article per city, every one scheduled
    // from the build that first sees the topic, none published before its slot.
    life.site
        .run(&["new", "topic", "yidi-jiuyi", "--name", "异地就医"])
        .ok();
    let cities = (life.lock().into_iter())
        .filter(|(id, l)| id.ends_with("/canbaodi-biangeng") && !l.retired)
        .count();
    life.scheduled_build("2027-06-15 08:00:00", &[]);
    let added: Vec<_> = (life.lock().into_iter())
        .filter(|(id, _)| id.ends_with("/yidi-jiuyi"))
        .collect();
    assert_eq!(added.len(), cities);
    assert!(
        added
            .iter()
            .all(|(_, l)| l.date >= at("2027-06-15 08:00:00"))
    );
    let mut slots: Vec<_> = added.iter().map(|(_, l)| l.date).collect();
    slots.sort();
    slots.dedup();
    assert_eq!(slots.len(), cities, "one new article per slot");
    let first = added.iter().min_by_key(|(_, l)| l.date).unwrap();
    life.scheduled_build(&first.1.date.format("%Y-%m-%d %H:%M:%S").to_string(), &[]);
    assert!(life.published.contains_key(&first.0));
    let later = added.iter().max_by_key(|(_, l)| l.date).unwrap();
    assert!(!life.published.contains_key(&later.0));

    // A city slug renamed without `former_slugs`: refused, naming the URLs that would go.
    life.site
        .edit("cities/lasa.yaml", "slug: lasa", "slug: lhasa");
    let lock = life.site.read("schedule.lock");
    let run = life
        .site
        .run_env(
            &["build"],
            &[("SOURCE_DATE_EPOCH", &epoch("2027-07-01 08:00:00"))],
        )
        .fails_with(1);
    assert_has(&run.stderr(), "former_slugs: [lasa]");
    assert_has(&run.stderr(), &format!("{BASE}lasa/"));
    assert_eq!(life.site.read("schedule.lock"), lock);
    // With `former_slugs`, the articles keep their dates and titles under the new URLs,
    // and every old URL redirects.
    life.site.edit(
        "cities/lasa.yaml",
        "slug: lhasa",
        "slug: lhasa\nformer_slugs: [lasa]",
    );
    life.rename("lasa/", "lhasa/");
    life.scheduled_build("2027-07-01 08:00:00", &[]);
    let page = life.site.read("public/lasa/canbaodi-biangeng/index.html");
    let new_url = format!("{BASE}lhasa/canbaodi-biangeng/");
    assert_has(
        &page,
        &format!("<link rel=\"canonical\" href=\"{new_url}\">"),
    );
    assert_has(&page, &format!("content=\"0; url={new_url}\""));
    assert_has(&page, "content=\"noindex\"");
    assert_has(&page, &format!("<a href=\"{new_url}\">"));
    assert!(
        !life
            .site
            .read("public/sitemap.xml")
            .contains(&format!("{BASE}lasa/"))
    );
    let netlify = life.site.read("public-report/_redirects");
    assert_has(
        &netlify,
        "/lasa/canbaodi-biangeng/ /lhasa/canbaodi-biangeng/ 301\n",
    );
    assert_has(&netlify, "/lasa/ /lhasa/ 301\n");
    let nginx = life.site.read("public-report/redirects.nginx.map");
    assert_has(
        &nginx,
        "/lasa/canbaodi-biangeng/ /lhasa/canbaodi-biangeng/;\n",
    );
    assert!(!life.site.read("public/dead-links.txt").contains("lasa"));
}
