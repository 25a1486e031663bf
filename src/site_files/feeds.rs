//! Atom feeds (site-wide and per city) and `robots.txt`, written as plain strings with XML
//! escaping.

use std::fmt::Write;

/// One `<entry>` of an Atom feed.
pub(crate) struct FeedEntry {
    /// The article's absolute URL (also its Atom id).
    pub(crate) url: String,
    pub(crate) title: String,
    pub(crate) published: String,
    /// `dateModified`.
    pub(crate) updated: String,
    pub(crate) summary: String,
    pub(crate) category: String,
}

/// The feed itself.
pub(crate) struct Feed<'a> {
    pub(crate) title: &'a str,
    /// The page the feed belongs to (the home page or a city page), absolute.
    pub(crate) alternate: &'a str,
    /// The feed's own absolute URL, also its id.
    pub(crate) self_url: &'a str,
    pub(crate) updated: &'a str,
    pub(crate) lang: &'a str,
    pub(crate) author: &'a str,
    pub(crate) author_url: &'a str,
}

/// Escapes text for XML content and attribute values; drops characters XML 1.0 forbids.
pub(crate) fn xml_escape(s: &str) -> String {
    // Most text needs nothing: a byte scan finds that without decoding characters (0xEF
    // starts U+FFFE and U+FFFF, and other characters too, which then take the slow path).
    let plain = |b: &u8| !matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'' | 0xEF) && *b >= 0x20;
    if s.bytes()
        .all(|b| plain(&b) || matches!(b, b'\n' | b'\t' | b'\r'))
    {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            '\u{fffe}' | '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// An Atom 1.0 feed (RFC 4287).
pub(crate) fn atom(feed: &Feed<'_>, entries: &[FeedEntry]) -> String {
    let x = xml_escape;
    let mut out = String::new();
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n  \
         <title>{}</title>\n  <id>{}</id>\n  \
         <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n  \
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n  \
         <updated>{}</updated>\n  \
         <author><name>{}</name><uri>{}</uri></author>\n  \
         <generator>sitegen</generator>\n",
        x(feed.lang),
        x(feed.title),
        x(feed.self_url),
        x(feed.alternate),
        x(feed.self_url),
        x(feed.updated),
        x(feed.author),
        x(feed.author_url),
    );
    for e in entries {
        let _ = write!(
            out,
            "  <entry>\n    <title>{}</title>\n    <id>{}</id>\n    \
             <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n    \
             <published>{}</published>\n    <updated>{}</updated>\n    \
             <category term=\"{}\"/>\n    <summary>{}</summary>\n  </entry>\n",
            x(&e.title),
            x(&e.url),
            x(&e.url),
            x(&e.published),
            x(&e.updated),
            x(&e.category),
            x(&e.summary),
        );
    }
    out.push_str("</feed>\n");
    out
}

/// `robots.txt`: everything may be crawled; the sitemap (or sitemap index) is named, then
/// each sitemap part by itself (Baidu does not read sitemap indexes).
pub(crate) fn robots(sitemap_urls: &[String]) -> String {
    let mut out = String::from("User-agent: *\nAllow: /\n\n");
    for url in sitemap_urls {
        out.push_str(&format!("Sitemap: {url}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(xml_escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
        assert_eq!(xml_escape("x\u{1}y\u{ffff}"), "xy");
        // Text without markup is kept as it is, CJK (some of it starting with 0xEF) too.
        for plain in ["岳阳市医保\n\t局", "（二）：", "\u{fffd}ab"] {
            assert_eq!(xml_escape(plain), plain);
        }
        assert_eq!(xml_escape("甲\u{fffe}乙"), "甲乙");
    }

    #[test]
    fn hostile_titles_stay_text() {
        let feed = Feed {
            title: "站<script>",
            alternate: "https://a.org/",
            self_url: "https://a.org/atom.xml",
            updated: "2026-01-05T08:00:00+08:00",
            lang: "zh-CN",
            author: "站",
            author_url: "https://a.org/",
        };
        let entry = FeedEntry {
            url: "https://a.org/x/y/".into(),
            title: "]]></title><x>&amp;\u{7}".into(),
            published: "2026-01-05T08:00:00+08:00".into(),
            updated: "2026-01-05T08:00:00+08:00".into(),
            summary: "<b>导语</b> & 'q'".into(),
            category: "医保\"知识\"".into(),
        };
        let xml = atom(&feed, &[entry]);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let title = doc
            .descendants()
            .filter(|n| n.has_tag_name("title"))
            .nth(1)
            .unwrap();
        assert_eq!(title.text(), Some("]]></title><x>&amp;"));
        let summary = doc
            .descendants()
            .find(|n| n.has_tag_name("summary"))
            .unwrap();
        assert_eq!(summary.text(), Some("<b>导语</b> & 'q'"));
    }
}
