//! Static hosting and search engines: sitemap, feeds, metadata and JSON-LD, the sub-path
//! base URL, incremental output with change lists, `modified.lock` and the footer slots.

use crate::support::{Site, assert_has, between, hrefs, strip_tags};
use std::collections::BTreeSet;
use std::fs;
use std::time::{Duration, SystemTime};

const ALL: &str = "2026-01-06 00:00:00";
const PART: &str = "2026-01-05 09:30:00";
const BASE: &str = "https://test.example.org/";
const ATOM: &str = "http://www.w3.org/2005/Atom";

/// Every page the build wrote (HTML files but 404.html), as absolute URLs.
fn page_urls(site: &Site, base: &str) -> BTreeSet<String> {
    site.snapshot("public")
        .into_iter()
        .filter_map(|(path, _)| {
            let path = path.replace('\\', "/");
            if path == "index.html" {
                Some(base.to_string())
            } else {
                path.strip_suffix("/index.html")
                    .map(|d| format!("{base}{d}/"))
            }
        })
        // The search page answers queries: it is not content for the sitemap.
        .filter(|url| !url.ends_with("/search/"))
        .collect()
}

fn texts<'a>(doc: &'a roxmltree::Document<'_>, tag: &str) -> Vec<&'a str> {
    doc.descendants()
        .filter(|n| n.has_tag_name(tag))
        .map(|n| n.text().unwrap_or(""))
        .collect()
}

/// The `<loc>`s of `public/sitemap.xml`, which must parse as XML.
fn sitemap_locs(site: &Site) -> BTreeSet<String> {
    let xml = site.read("public/sitemap.xml");
    let doc = roxmltree::Document::parse(&xml).expect("sitemap.xml is XML");
    texts(&doc, "loc").iter().map(|s| s.to_string()).collect()
}

fn json_ld(html: &str) -> serde_json::Value {
    let text = between(html, "<script type=\"application/ld+json\">", "</script>");
    serde_json::from_str(text).unwrap_or_else(|e| panic!("JSON-LD does not parse: {e}\n{text}"))
}

/// Undoes the HTML escaping Tera applies to text and attributes.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn meta(html: &str, attr: &str, name: &str) -> String {
    unescape(between(
        html,
        &format!("<meta {attr}=\"{name}\" content=\""),
        "\">",
    ))
}

fn articles(site: &Site) -> Vec<(String, String)> {
    site.snapshot("public")
        .into_iter()
        .filter(|(p, _)| p.matches('/').count() == 2 && p.ends_with("/index.html"))
        .filter(|(p, _)| !p.starts_with("topic/") && !p.starts_with("page/"))
        .map(|(p, b)| (p, String::from_utf8(b).unwrap()))
        .collect()
}

const OLD: Duration = Duration::from_secs(946_684_800); // 2000-01-01

/// Sets every output file's modification time to 2000-01-01, so a later build's writes
/// show without depending on the clock's resolution.
fn age_output(site: &Site) {
    for (path, _) in site.snapshot("public") {
        let f = fs::File::options()
            .write(true)
            .open(site.path(&format!("public/{path}")))
            .unwrap();
        f.set_modified(SystemTime::UNIX_EPOCH + OLD).unwrap();
    }
}

/// Output files whose modification time is no longer 2000-01-01 (not counting the
/// manifest of the folder's files, rewritten whenever any file changed).
fn rewritten(site: &Site) -> BTreeSet<String> {
    site.snapshot("public")
        .into_iter()
        .map(|(p, _)| p)
        // sitegen's own files (manifest, page memo) are not part of the site.
        .filter(|p| !p.starts_with(".sitegen"))
        .filter(|p| {
            let m = fs::metadata(site.path(&format!("public/{p}"))).unwrap();
            m.modified().unwrap() != SystemTime::UNIX_EPOCH + OLD
        })
        .collect()
}

#[test]
fn sitemap_lists_exactly_the_published_pages_with_lastmod() {
    let site = Site::built("basic", PART);
    let xml = site.read("public/sitemap.xml");
    let doc = roxmltree::Document::parse(&xml).expect("sitemap.xml is XML");
    assert_eq!(doc.root_element().tag_name().name(), "urlset");
    assert_eq!(sitemap_locs(&site), page_urls(&site, BASE));
    let locs = sitemap_locs(&site);
    assert_eq!(
        texts(&doc, "lastmod").len(),
        locs.len(),
        "a lastmod per URL"
    );
    let future = site.future_ids(PART);
    assert_eq!(future.len(), 3);
    for id in &future {
        assert!(
            !xml.contains(&format!("/{id}/")),
            "future {id} in the sitemap"
        );
    }
    assert_eq!(
        site.read("public/robots.txt"),
        format!("User-agent: *\nAllow: /\n\nSitemap: {BASE}sitemap.xml\n")
    );
}

#[test]
fn feeds_are_valid_atom_with_the_newest_published_articles() {
    let site = Site::built("basic", PART);
    let future = site.future_ids(PART);
    let published: Vec<String> = articles(&site).into_iter().map(|(p, _)| p).collect();
    for (feed, prefix) in [
        ("atom.xml", ""),
        ("aaa/atom.xml", "aaa/"),
        ("ccc/atom.xml", "ccc/"),
    ] {
        let xml = site.read(&format!("public/{feed}"));
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{feed}: {e}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().namespace(), Some(ATOM), "{feed}");
        for required in ["id", "title", "updated", "author"] {
            assert!(
                root.children().any(|n| n.has_tag_name((ATOM, required))),
                "{feed}: feed needs <{required}>"
            );
        }
        let self_link = root
            .children()
            .find(|n| n.has_tag_name("link") && n.attribute("rel") == Some("self"))
            .unwrap_or_else(|| panic!("{feed}: no self link"));
        assert_eq!(
            self_link.attribute("href"),
            Some(format!("{BASE}{feed}").as_str())
        );
        let entries: Vec<roxmltree::Node> = root
            .children()
            .filter(|n| n.has_tag_name("entry"))
            .collect();
        let mut ids = Vec::new();
        let mut updated = Vec::new();
        for e in &entries {
            let child = |t: &str| {
                e.children()
                    .find(|n| n.has_tag_name(t))
                    .unwrap_or_else(|| panic!("{feed}: entry without <{t}>"))
            };
            let id = child("id").text().unwrap().to_string();
            assert_eq!(child("link").attribute("href"), Some(id.as_str()));
            assert!(!child("title").text().unwrap_or("").is_empty());
            updated.push(child("published").text().unwrap().to_string());
            child("updated");
            ids.push(id);
        }
        let wanted: BTreeSet<String> = published
            .iter()
            .filter(|p| p.starts_with(prefix))
            .map(|p| format!("{BASE}{}", p.trim_end_matches("index.html")))
            .collect();
        assert_eq!(
            ids.iter().cloned().collect::<BTreeSet<_>>(),
            wanted,
            "{feed}"
        );
        assert!(
            updated.windows(2).all(|w| w[0] >= w[1]),
            "{feed}: newest first"
        );
        for id in &future {
            assert!(!xml.contains(&format!("/{id}/")), "{feed}: future {id}");
        }
    }
}

#[test]
fn every_article_has_canonical_description_open_graph_and_json_ld() {
    let site = Site::built("basic", ALL);
    let pages = articles(&site);
    assert_eq!(pages.len(), 8);
    for (path, html) in &pages {
        let url = format!("{BASE}{}", path.trim_end_matches("index.html"));
        assert!(
            html.contains(&format!("<link rel=\"canonical\" href=\"{url}\">")),
            "{path}"
        );
        let title = unescape(&strip_tags(between(html, "<h1>", "</h1>")));
        let lead = unescape(between(html, "<p class=\"lead\">", "</p>"));
        assert_eq!(meta(html, "name", "description"), lead, "{path}");
        assert_eq!(meta(html, "property", "og:title"), title, "{path}");
        assert_eq!(meta(html, "property", "og:url"), url, "{path}");
        assert_eq!(meta(html, "property", "og:type"), "article", "{path}");
        let ld = json_ld(html);
        let graph = ld["@graph"].as_array().unwrap();
        let article = &graph[0];
        assert_eq!(article["@type"], "Article");
        assert_eq!(article["headline"], title.as_str());
        assert_eq!(article["url"], url.as_str());
        let iso = between(html, "<time datetime=\"", "\"");
        assert_eq!(article["datePublished"], iso, "{path}");
        assert_eq!(article["dateModified"], iso, "{path}: never changed");
        let crumbs = graph[1]["itemListElement"].as_array().unwrap();
        let city = path.split('/').next().unwrap();
        let items: Vec<&str> = crumbs.iter().map(|c| c["item"].as_str().unwrap()).collect();
        assert_eq!(
            items,
            [BASE.to_string(), format!("{BASE}{city}/"), url.clone()]
        );
    }
    for list in [
        "public/index.html",
        "public/aaa/index.html",
        "public/topic/alpha/index.html",
    ] {
        let html = site.read(list);
        assert!(
            html.contains("<link rel=\"canonical\" href=\"https://"),
            "{list}"
        );
        assert!(!meta(&html, "name", "description").is_empty(), "{list}");
    }
    let not_found = site.read("public/404.html");
    assert!(not_found.contains("<meta name=\"robots\" content=\"noindex\">"));
}

#[test]
fn hostile_titles_and_leads_stay_text_in_json_ld_open_graph_and_feeds() {
    let site = Site::fixture("basic");
    let hostile = "</script><script>alert(1)</script><!-- \"引号\" & 'x' -->";
    site.edit(
        "cities/aaa.yaml",
        "  alpha:\n",
        &format!("  alpha:\n    title: '{}'\n", hostile.replace('\'', "''")),
    );
    site.edit(
        "topics/alpha.md",
        "lead: \"甲专题的导语,{{ city.name }}适用。\"",
        "lead: '导语</script><!--<b>&amp;\"'",
    );
    site.build_at(ALL);
    let html = site.read("public/aaa/alpha/index.html");
    assert_eq!(
        html.matches("<script").count(),
        1,
        "no injected script element"
    );
    assert_eq!(html.matches("</script>").count(), 1);
    let ld = json_ld(&html);
    let headline = ld["@graph"][0]["headline"].as_str().unwrap();
    assert!(headline.starts_with(hostile), "{headline}");
    assert_eq!(
        ld["@graph"][0]["description"],
        "导语</script><!--<b>&amp;\""
    );
    assert!(meta(&html, "property", "og:title").starts_with(hostile));
    assert_eq!(
        meta(&html, "property", "og:description"),
        "导语</script><!--<b>&amp;\""
    );
    for feed in ["public/atom.xml", "public/aaa/atom.xml"] {
        let xml = site.read(feed);
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{feed}: {e}"));
        let titles = texts(&doc, "title");
        assert!(
            titles.iter().any(|t| t.starts_with(hostile)),
            "{feed}: {titles:?}"
        );
        let summaries = texts(&doc, "summary");
        assert!(summaries.contains(&"导语</script><!--<b>&amp;\""), "{feed}");
    }
}

/// Every URL in `text` that starts with `http` (up to a quote, `<` or whitespace).
fn absolute_urls(text: &str) -> Vec<String> {
    text.match_indices("http")
        .map(|(i, _)| {
            let rest = &text[i..];
            let end = rest
                .find(|c: char| c == '"' || c == '<' || c == '\'' || c.is_whitespace())
                .unwrap_or(rest.len());
            rest[..end].to_string()
        })
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
        .collect()
}

#[test]
fn a_sub_path_build_has_no_link_that_escapes_the_sub_path() {
    let site = Site::fixture("basic");
    let base = "https://example.org/sub/";
    site.run(&["build", "--now", ALL, "--base-url", base]).ok();
    let external = [
        "https://beian.miit.gov.cn/",
        "https://schema.org",
        "http://www.w3.org/",
        "http://www.sitemaps.org/",
    ];
    let mut checked = 0;
    for (path, bytes) in site.snapshot("public") {
        if path.starts_with("static/") {
            continue;
        }
        let text = String::from_utf8(bytes).unwrap();
        for url in absolute_urls(&text) {
            if external.iter().any(|e| url.starts_with(e)) {
                continue;
            }
            assert!(url.starts_with(base), "{path}: {url} escapes {base}");
            checked += 1;
        }
        for href in hrefs(&text) {
            if href.starts_with('/') {
                assert!(href.starts_with("/sub/"), "{path}: {href} escapes /sub/");
                checked += 1;
            }
        }
        if path.ends_with(".html") && text.contains("application/ld+json") {
            let ld = json_ld(&text).to_string();
            assert!(
                !ld.contains("https://example.org/\""),
                "{path}: JSON-LD names the root"
            );
        }
    }
    assert!(checked > 200, "only {checked} links checked");
    assert_eq!(page_urls(&site, base).len(), 18);
    let locs = sitemap_locs(&site);
    assert_eq!(locs, page_urls(&site, base));
    assert_has(
        &site.read("public/robots.txt"),
        "Sitemap: https://example.org/sub/sitemap.xml",
    );
    assert_has(
        &site.read("public-report/added.txt"),
        "https://example.org/sub/aaa/alpha/\n",
    );
}

#[test]
fn a_second_build_with_no_change_rewrites_no_file() {
    let site = Site::built("basic", PART);
    age_output(&site);
    // A later "now" with no article due in between changes nothing either.
    let err = site.build_at("2026-01-05 09:35:00").stderr();
    assert_has(&err, " 0 written");
    assert_eq!(rewritten(&site), BTreeSet::new());
    for list in ["added", "changed", "removed", "submit"] {
        assert_eq!(
            site.read(&format!("public-report/{list}.txt")),
            "",
            "{list}"
        );
    }
}

#[test]
fn publishing_the_next_article_lists_it_as_added() {
    let site = Site::built("basic", PART);
    let next = site.read("public-report/next-publish.txt");
    assert_eq!(next, "2026-01-05T09:40:00+08:00\n");
    let due = site
        .future_ids(PART)
        .into_iter()
        .next()
        .expect("one article is due next");
    site.build_at("2026-01-05 09:40:00");
    assert_eq!(
        site.read("public-report/added.txt"),
        format!("{BASE}{due}/\n"),
        "only the newly published article is added"
    );
    let submit = site.read("public-report/submit.txt");
    assert!(
        submit.contains(&format!("{BASE}\n")),
        "the home page changed: {submit}"
    );
    assert_eq!(
        site.read("public-report/next-publish.txt"),
        "2026-01-05T10:00:00+08:00\n"
    );
    site.build_at(ALL);
    assert_eq!(site.read("public-report/next-publish.txt"), "");
}

#[test]
fn a_value_change_in_one_city_rewrites_only_its_articles_that_show_it() {
    let site = Site::built("basic", ALL);
    let showing: BTreeSet<String> = articles(&site)
        .into_iter()
        .filter(|(_, html)| html.contains("甲城医保局"))
        .map(|(p, _)| p)
        .collect();
    assert!(showing.len() >= 2, "{showing:?}");
    age_output(&site);
    site.edit("cities/aaa.yaml", "甲城医保局", "甲城医疗保障局");
    site.build_at("2026-01-08 12:00:00");
    let mut expected = showing.clone();
    expected.extend(["sitemap.xml", "atom.xml", "aaa/atom.xml"].map(String::from));
    // The value's new words change at most the search index's word and character shards.
    let (index, pages): (BTreeSet<String>, BTreeSet<String>) = rewritten(&site)
        .into_iter()
        .partition(|p| p.starts_with("search/index/"));
    assert_eq!(pages, expected);
    assert!(
        index
            .iter()
            .all(|p| p.starts_with("search/index/t/") || p.starts_with("search/index/c/")),
        "{index:?}"
    );
    let changed: String = showing
        .iter()
        .map(|p| format!("{BASE}{}\n", p.trim_end_matches("index.html")))
        .collect();
    assert_eq!(site.read("public-report/changed.txt"), changed);
    for (path, html) in articles(&site) {
        let modified = json_ld(&html)["@graph"][0]["dateModified"].clone();
        if showing.contains(&path) {
            assert_eq!(modified, "2026-01-08T12:00:00+08:00", "{path}");
        } else {
            assert_eq!(
                modified,
                between(&html, "<time datetime=\"", "\""),
                "{path}"
            );
        }
    }
}

#[test]
fn renaming_a_city_rewrites_its_pages_and_the_lists_that_show_them() {
    let site = Site::built("basic", ALL);
    age_output(&site);
    site.edit("cities/aaa.yaml", "name: 甲城", "name: 甲市");
    site.build_at(ALL);
    let html_rewritten: BTreeSet<String> = rewritten(&site)
        .into_iter()
        .filter(|p| p.ends_with(".html"))
        .collect();
    let showing: BTreeSet<String> = site
        .snapshot("public")
        .into_iter()
        .filter(|(p, b)| p.ends_with(".html") && String::from_utf8_lossy(b).contains("甲市"))
        .map(|(p, _)| p)
        .collect();
    assert_eq!(html_rewritten, showing);
    assert!(
        showing.contains("bbb/beta/index.html") || showing.len() > 4,
        "{showing:?}"
    );
    assert!(!showing.contains("404.html"));
}

#[test]
fn removed_pages_disappear_and_are_listed() {
    let site = Site::built("basic", ALL);
    fs::remove_file(site.path("cities/ccc.yaml")).unwrap();
    site.build_at(ALL);
    assert!(!site.exists("public/ccc"));
    let removed = site.read("public-report/removed.txt");
    for page in ["ccc/", "ccc/alpha/", "ccc/beta/", "ccc/gamma/"] {
        assert!(
            removed.contains(&format!("{BASE}{page}\n")),
            "{page}: {removed}"
        );
    }
    assert!(!site.read("public/sitemap.xml").contains("/ccc/"));
    assert!(!site.read("modified.lock").contains("ccc/"));
}

#[test]
fn date_modified_is_recorded_and_fresh_clones_agree() {
    let site = Site::built("basic", ALL);
    let lock = site.read("modified.lock");
    assert_eq!(lock.lines().filter(|l| !l.starts_with('#')).count(), 8);
    assert!(
        lock.lines()
            .filter(|l| !l.starts_with('#'))
            .all(|l| l.contains(" - "))
    );
    // A later build without changes keeps the record.
    site.build_at("2026-02-01 00:00:00");
    assert_eq!(site.read("modified.lock"), lock);
    // An edit after publication: the lock names the build's "now" for that article only.
    site.edit("topics/beta.md", "乙专题的导语。", "乙专题的新导语。");
    site.build_at("2026-02-02 09:00:00");
    let lock = site.read("modified.lock");
    let dated: Vec<&str> = lock
        .lines()
        .filter(|l| l.contains("2026-02-02 09:00:00"))
        .collect();
    assert_eq!(dated.len(), 3, "aaa, bbb and ccc beta: {lock}");
    assert!(dated.iter().all(|l| l.ends_with("/beta")));
    // A fresh clone (no output, later clock) built with --locked gives the same pages.
    let clone = Site::fixture("basic");
    for f in ["topics/beta.md", "schedule.lock", "modified.lock"] {
        clone.write(f, &site.read(f));
    }
    clone
        .run(&["build", "--locked", "--now", "2026-03-01 00:00:00"])
        .ok();
    let pages = |s: &Site| -> Vec<(String, Vec<u8>)> {
        s.snapshot("public")
            .into_iter()
            .filter(|(p, _)| p.matches('/').count() == 2 && !p.starts_with("topic/"))
            .collect()
    };
    assert_eq!(pages(&clone), pages(&site));
    let html = clone.read("public/aaa/beta/index.html");
    assert_eq!(
        json_ld(&html)["@graph"][0]["dateModified"],
        "2026-02-02T09:00:00+08:00"
    );
}

#[test]
fn locked_builds_refuse_a_stale_modified_lock_and_keep_the_output() {
    let site = Site::built("basic", ALL);
    let before = site.snapshot("public");
    site.edit("topics/gamma.md", "丙专题的说明文字。", "新的说明文字。");
    let err = site
        .run(&["build", "--locked", "--now", ALL])
        .fails_with(1)
        .stderr();
    assert_has(&err, "modified.lock");
    assert_has(&err, "aaa/gamma");
    assert_has(&err, "without --locked");
    assert_eq!(site.snapshot("public"), before);
}

#[test]
fn footer_filing_slots_appear_only_when_set() {
    let site = Site::built("basic", ALL);
    assert!(!site.read("public/index.html").contains("class=\"filings\""));
    site.append("site.yaml", "icp: 湘ICP备12345678号-1\npublic_security_filing: 湘公网安备 43060202000123号\nhealth_info_approval: (湘)-非经营性-2026-0001\n");
    site.build_at(ALL);
    let html = site.read("public/aaa/alpha/index.html");
    let footer = between(&html, "class=\"filings\"", "</p>");
    assert_has(
        footer,
        "<a href=\"https://beian.miit.gov.cn/\" rel=\"nofollow noopener\" target=\"_blank\">湘ICP备12345678号-1</a>",
    );
    assert_has(
        footer,
        "href=\"https://beian.mps.gov.cn/#/query/webSearch?code=43060202000123\"",
    );
    assert_has(footer, ">湘公网安备 43060202000123号</a>");
    assert_has(footer, "(湘)-非经营性-2026-0001");
    site.edit(
        "site.yaml",
        "public_security_filing: 湘公网安备 43060202000123号\n",
        "",
    );
    site.build_at(ALL);
    let html = site.read("public/index.html");
    assert!(html.contains("湘ICP备12345678号-1"));
    assert!(!html.contains("beian.mps.gov.cn"));
}

#[test]
fn the_real_site_builds_locked_with_json_ld_in_every_article() {
    let site = Site::real();
    let run = site.run(&["build", "--locked", "--now", "2026-11-24 00:00:00"]);
    assert_eq!(
        run.code(),
        0,
        "the committed schedule.lock / modified.lock must match the site: run `sitegen build` and commit them\n{}",
        run.stderr()
    );
    let pages = articles(&site);
    assert!(pages.len() > 100, "{}", pages.len());
    for (path, html) in &pages {
        let ld = json_ld(html);
        assert_eq!(ld["@graph"][0]["@type"], "Article", "{path}");
        assert_eq!(
            ld["@graph"][1]["itemListElement"].as_array().map(Vec::len),
            Some(3),
            "{path}"
        );
    }
    let locs = sitemap_locs(&site);
    let base = between(&site.read("site.yaml"), "base_url: ", "\n")
        .trim()
        .to_string();
    assert_eq!(locs, page_urls(&site, &base));
}
