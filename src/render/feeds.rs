//! Machine-read files: `sitemap.xml`, the Atom feed and `robots.txt`, written as plain
//! strings with XML escaping.

use std::fmt::Write;

/// One `<url>` of the sitemap.
pub struct SitemapEntry {
    pub loc: String,
    pub lastmod: String,
}

/// One `<entry>` of an Atom feed.
pub struct FeedEntry {
    pub id: String,
    pub title: String,
    pub updated: String,
    pub summary: String,
}

/// Escapes text for XML content and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

pub fn sitemap(entries: &[SitemapEntry]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for e in entries {
        let _ = writeln!(
            out,
            "  <url><loc>{}</loc><lastmod>{}</lastmod></url>",
            xml_escape(&e.loc),
            xml_escape(&e.lastmod)
        );
    }
    out.push_str("</urlset>\n");
    out
}

/// An Atom feed; `self_url` is the feed's own absolute URL.
pub fn atom(
    title: &str,
    site_url: &str,
    self_url: &str,
    updated: &str,
    lang: &str,
    entries: &[FeedEntry],
) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n  <title>{}</title>\n  <id>{}</id>\n  <link rel=\"alternate\" href=\"{}\"/>\n  <link rel=\"self\" href=\"{}\"/>\n  <updated>{}</updated>\n  <author><name>{}</name></author>\n",
        xml_escape(lang),
        xml_escape(title),
        xml_escape(self_url),
        xml_escape(site_url),
        xml_escape(self_url),
        xml_escape(updated),
        xml_escape(title),
    );
    for e in entries {
        let _ = write!(
            out,
            "  <entry>\n    <title>{}</title>\n    <id>{}</id>\n    <link rel=\"alternate\" href=\"{}\"/>\n    <updated>{}</updated>\n    <published>{}</published>\n    <summary>{}</summary>\n  </entry>\n",
            xml_escape(&e.title),
            xml_escape(&e.id),
            xml_escape(&e.id),
            xml_escape(&e.updated),
            xml_escape(&e.updated),
            xml_escape(&e.summary),
        );
    }
    out.push_str("</feed>\n");
    out
}

pub fn robots(sitemap_url: &str) -> String {
    format!("User-agent: *\nAllow: /\n\nSitemap: {sitemap_url}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(xml_escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
        assert_eq!(xml_escape("x\u{1}y"), "xy");
    }

    #[test]
    fn sitemap_lists_entries() {
        let s = sitemap(&[SitemapEntry {
            loc: "https://a.org/x/".into(),
            lastmod: "2026-01-01T00:00:00+08:00".into(),
        }]);
        assert!(s.contains("<loc>https://a.org/x/</loc>"));
    }
}
