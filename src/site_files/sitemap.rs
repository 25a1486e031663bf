//! `sitemap.xml`: one `<url>` with `<lastmod>` per published page. Above Baidu's limits
//! (50,000 URLs or 10 MB per file) the URLs go into numbered parts `sitemap-N.xml` and
//! `sitemap.xml` becomes the sitemap index naming them. Baidu does not process sitemap
//! indexes, so robots.txt then names every part too, and the build's report folder lists
//! the files to submit one by one (`sitemaps.txt`).

use super::xml_escape;
use std::fmt::Write;

/// One `<url>` of the sitemap.
pub(crate) struct SitemapEntry {
    pub(crate) loc: String,
    pub(crate) lastmod: String,
}

/// How big one sitemap file may get.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) urls: usize,
    pub(crate) bytes: usize,
}

/// Baidu's limits (stricter than the protocol's 50 MB).
pub(crate) const BAIDU: Limits = Limits {
    urls: 50_000,
    bytes: 10 * 1024 * 1024,
};

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
const URLSET_OPEN: &str = "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
const URLSET_CLOSE: &str = "</urlset>\n";

/// Is `path` the sitemap or one of its parts (`sitemap.xml`, `sitemap-N.xml`)?
pub(crate) fn is_sitemap_file(path: &str) -> bool {
    path == "sitemap.xml"
        || path
            .strip_prefix("sitemap-")
            .and_then(|p| p.strip_suffix(".xml"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The sitemap files to submit one by one (Baidu does not process sitemap indexes): the
/// parts when the sitemap is split, else `sitemap.xml` itself.
pub(crate) fn submittable<'a>(paths: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let all: Vec<&str> = paths.into_iter().filter(|p| is_sitemap_file(p)).collect();
    let parts: Vec<&str> = all
        .iter()
        .copied()
        .filter(|p| *p != "sitemap.xml")
        .collect();
    if parts.is_empty() { all } else { parts }
}

/// The sitemap files for `entries`, as (file name, text): `sitemap.xml` alone, or the
/// index `sitemap.xml` followed by `sitemap-1.xml`, `sitemap-2.xml`, …
/// `base_url` ends in `/`; parts are named by their absolute URL in the index.
pub(crate) fn sitemaps(
    entries: &[SitemapEntry],
    base_url: &str,
    limits: Limits,
) -> Vec<(String, String)> {
    let lines: Vec<String> = entries
        .iter()
        .map(|e| {
            format!(
                "  <url><loc>{}</loc><lastmod>{}</lastmod></url>\n",
                xml_escape(&e.loc),
                xml_escape(&e.lastmod)
            )
        })
        .collect();
    let frame = XML_HEAD.len() + URLSET_OPEN.len() + URLSET_CLOSE.len();
    // Group lines into parts, each within both limits (a part holds at least one URL).
    let mut parts: Vec<(usize, usize)> = Vec::new();
    let (mut start, mut bytes) = (0, frame);
    for (i, line) in lines.iter().enumerate() {
        let full = i - start >= limits.urls.max(1) || bytes + line.len() > limits.bytes;
        if i > start && full {
            parts.push((start, i));
            start = i;
            bytes = frame;
        }
        bytes += line.len();
    }
    parts.push((start, lines.len()));
    let urlset = |from: usize, to: usize| {
        let mut out =
            String::with_capacity(frame + lines[from..to].iter().map(String::len).sum::<usize>());
        out.push_str(XML_HEAD);
        out.push_str(URLSET_OPEN);
        lines[from..to].iter().for_each(|l| out.push_str(l));
        out.push_str(URLSET_CLOSE);
        out
    };
    if parts.len() == 1 {
        return vec![("sitemap.xml".into(), urlset(0, lines.len()))];
    }
    let mut index = String::from(XML_HEAD);
    index.push_str("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    let mut files = vec![(String::new(), String::new())];
    for (n, &(from, to)) in parts.iter().enumerate() {
        let name = format!("sitemap-{}.xml", n + 1);
        // ISO 8601 datetimes with the same offset sort as text.
        let lastmod = entries[from..to]
            .iter()
            .map(|e| e.lastmod.as_str())
            .max()
            .unwrap_or("");
        let _ = writeln!(
            index,
            "  <sitemap><loc>{}</loc><lastmod>{}</lastmod></sitemap>",
            xml_escape(&format!("{base_url}{name}")),
            xml_escape(lastmod)
        );
        files.push((name, urlset(from, to)));
    }
    index.push_str("</sitemapindex>\n");
    files[0] = ("sitemap.xml".into(), index);
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(n: usize) -> Vec<SitemapEntry> {
        (0..n)
            .map(|i| SitemapEntry {
                loc: format!("https://a.org/sub/c{i}/t/?x=1&y=2"),
                lastmod: format!("2026-01-{:02}T08:00:00+08:00", i % 28 + 1),
            })
            .collect()
    }

    fn locs(xml: &str) -> Vec<String> {
        let doc = roxmltree::Document::parse(xml).unwrap();
        doc.descendants()
            .filter(|n| n.has_tag_name("loc"))
            .map(|n| n.text().unwrap().to_string())
            .collect()
    }

    #[test]
    fn small_sites_get_one_urlset() {
        let files = sitemaps(&entries(3), "https://a.org/sub/", BAIDU);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, "sitemap.xml");
        assert_eq!(locs(&files[0].1)[2], "https://a.org/sub/c2/t/?x=1&y=2");
    }

    #[test]
    fn too_many_urls_make_an_index_of_parts() {
        let all = entries(7);
        let files = sitemaps(
            &all,
            "https://a.org/sub/",
            Limits {
                urls: 3,
                bytes: 1 << 20,
            },
        );
        let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "sitemap.xml",
                "sitemap-1.xml",
                "sitemap-2.xml",
                "sitemap-3.xml"
            ]
        );
        let index = roxmltree::Document::parse(&files[0].1).unwrap();
        assert_eq!(index.root_element().tag_name().name(), "sitemapindex");
        assert_eq!(locs(&files[0].1)[1], "https://a.org/sub/sitemap-2.xml");
        let mut listed = Vec::new();
        for f in &files[1..] {
            let l = locs(&f.1);
            assert!(l.len() <= 3);
            listed.extend(l);
        }
        let wanted: Vec<String> = all.iter().map(|e| e.loc.clone()).collect();
        assert_eq!(listed, wanted, "every URL once, in order");
    }

    #[test]
    fn byte_limit_splits_too() {
        let all = entries(10);
        let one = sitemaps(&all, "https://a.org/", BAIDU)[0].1.len();
        let files = sitemaps(
            &all,
            "https://a.org/",
            Limits {
                urls: 50_000,
                bytes: one / 2,
            },
        );
        assert!(files.len() >= 3, "{}", files.len());
        for f in &files[1..] {
            assert!(f.1.len() <= one / 2, "{} is {} bytes", f.0, f.1.len());
        }
    }

    #[test]
    fn the_parts_are_submitted_one_by_one() {
        assert_eq!(
            submittable(["sitemap.xml", "atom.xml"]),
            vec!["sitemap.xml"]
        );
        assert_eq!(
            submittable([
                "sitemap.xml",
                "sitemap-1.xml",
                "sitemap-2.xml",
                "x/sitemap-3.xml"
            ]),
            vec!["sitemap-1.xml", "sitemap-2.xml"]
        );
        assert!(!is_sitemap_file("sitemap-.xml"));
        assert!(!is_sitemap_file("sitemap-a.xml"));
    }
}
