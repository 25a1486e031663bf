//! Search-engine metadata for every page: the meta description, Open Graph values and the
//! JSON-LD block (`Article` + `BreadcrumbList`), escaped so that no value can end the
//! `<script>` element it sits in.

use serde::Serialize;

/// Longest meta description, in characters (Baidu shows about 80–120 of them).
pub(crate) const DESCRIPTION_CHARS: usize = 120;

/// What `<head>` shows about a page (`page.meta.*` in layouts). Values are plain text;
/// the layout escapes them, except `json_ld`, which is already safe inside `<script>`.
#[derive(Serialize, Debug, Clone, Default)]
pub(crate) struct PageMeta {
    /// `og:title`: the page's own title, without the site name.
    pub(crate) title: String,
    pub(crate) description: String,
    /// `og:type`: `article` or `website`.
    pub(crate) og_type: &'static str,
    /// ISO 8601 publish datetime of an article.
    pub(crate) published: Option<String>,
    /// ISO 8601 datetime of the article's last content change.
    pub(crate) modified: Option<String>,
    /// `article:section`: the article's category.
    pub(crate) section: Option<String>,
    /// The JSON-LD text for `<script type="application/ld+json">`.
    pub(crate) json_ld: Option<String>,
    /// The city's own Atom feed, for `<link rel="alternate">`.
    pub(crate) feed_url: Option<String>,
    pub(crate) feed_title: Option<String>,
    /// Pages search engines should not index (the 404 page).
    pub(crate) noindex: bool,
    /// `og:image`: the site image's absolute URL (articles; lists get `site.image_url`).
    pub(crate) image: Option<String>,
}

impl PageMeta {
    /// Metadata of a list or other non-article page.
    pub(crate) fn website(title: impl Into<String>, description: &str) -> PageMeta {
        PageMeta {
            title: title.into(),
            description: description_from(description),
            og_type: "website",
            ..PageMeta::default()
        }
    }
}

/// A meta description from running text: whitespace collapsed, cut to
/// [`DESCRIPTION_CHARS`] characters with `…`.
pub(crate) fn description_from(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let flat = words.join(" ");
    match flat.char_indices().nth(DESCRIPTION_CHARS) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

/// Serialises `value` for use inside `<script type="application/ld+json">`: `<`, `>` and
/// `&` become JSON `\u` escapes (so `</script>` and `<!--` cannot appear), as do U+2028 and
/// U+2029. The result still parses as the same JSON.
pub(crate) fn script_json(value: &impl Serialize) -> String {
    let text = serde_json::to_string(value).unwrap_or_else(|_| "{}".into());
    let unsafe_byte = |b: &u8| matches!(b, b'<' | b'>' | b'&' | 0xE2);
    if !text.as_bytes().iter().any(unsafe_byte) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// One step of a breadcrumb; the last one (the page itself) has no link.
#[derive(Serialize, Clone)]
pub(crate) struct Crumb {
    pub(crate) name: String,
    /// Below the base path, for the visible link.
    pub(crate) url: Option<String>,
    /// Absolute, for JSON-LD (the page's own URL for the last step).
    pub(crate) absolute: String,
}

/// What the JSON-LD of an article states.
pub(crate) struct ArticleFacts<'a> {
    pub(crate) headline: &'a str,
    pub(crate) description: &'a str,
    pub(crate) url: &'a str,
    pub(crate) published: &'a str,
    pub(crate) modified: &'a str,
    pub(crate) section: &'a str,
    pub(crate) language: &'a str,
    pub(crate) site_name: &'a str,
    pub(crate) site_url: &'a str,
    /// The site image (logo), absolute.
    pub(crate) image: Option<&'a str>,
    /// The visible breadcrumb, repeated as the `BreadcrumbList`.
    pub(crate) breadcrumb: &'a [Crumb],
}

/// `Article` and the `BreadcrumbList` of the visible breadcrumb in one `@graph`,
/// script-safe.
pub(crate) fn article_json_ld(f: &ArticleFacts<'_>) -> String {
    let org = |logo| Organization {
        kind: "Organization",
        logo,
        name: f.site_name,
        url: f.site_url,
    };
    let logo = f.image.map(|url| ImageObject {
        kind: "ImageObject",
        url,
    });
    let article = ArticleLd {
        kind: "Article",
        article_section: f.section,
        author: org(None),
        date_modified: f.modified,
        date_published: f.published,
        description: f.description,
        headline: f.headline,
        image: f.image,
        in_language: f.language,
        main_entity_of_page: WebPage {
            id: f.url,
            kind: "WebPage",
        },
        publisher: org(logo),
        url: f.url,
    };
    script_json(&Graph {
        context: SCHEMA_ORG,
        graph: (article, breadcrumbs(None, f.breadcrumb)),
    })
}

/// A page's `BreadcrumbList` alone (city pages), script-safe.
pub(crate) fn breadcrumb_json_ld(crumbs: &[Crumb]) -> String {
    script_json(&breadcrumbs(Some(SCHEMA_ORG), crumbs))
}

/// The `BreadcrumbList` of `crumbs`, step by step as the page shows them.
fn breadcrumbs<'a>(context: Option<&'static str>, crumbs: &'a [Crumb]) -> BreadcrumbList<'a> {
    let list = crumbs.iter().enumerate();
    BreadcrumbList {
        context,
        kind: "BreadcrumbList",
        item_list_element: list
            .map(|(i, c)| ListItem {
                kind: "ListItem",
                item: &c.absolute,
                name: &c.name,
                position: i + 1,
            })
            .collect(),
    }
}

const SCHEMA_ORG: &str = "https://schema.org";

// The JSON-LD written straight from borrowed fields. Each struct lists its keys in byte
// order, the order a `serde_json::Value` map writes them in, so the text stays the same.

#[derive(Serialize)]
struct Graph<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@graph")]
    graph: (ArticleLd<'a>, BreadcrumbList<'a>),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArticleLd<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    article_section: &'a str,
    author: Organization<'a>,
    date_modified: &'a str,
    date_published: &'a str,
    description: &'a str,
    headline: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    in_language: &'a str,
    main_entity_of_page: WebPage<'a>,
    publisher: Organization<'a>,
    url: &'a str,
}

#[derive(Serialize)]
struct Organization<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    logo: Option<ImageObject<'a>>,
    name: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
struct ImageObject<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    url: &'a str,
}

#[derive(Serialize)]
struct WebPage<'a> {
    #[serde(rename = "@id")]
    id: &'a str,
    #[serde(rename = "@type")]
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BreadcrumbList<'a> {
    #[serde(rename = "@context", skip_serializing_if = "Option::is_none")]
    context: Option<&'static str>,
    #[serde(rename = "@type")]
    kind: &'static str,
    item_list_element: Vec<ListItem<'a>>,
}

#[derive(Serialize)]
struct ListItem<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    item: &'a str,
    name: &'a str,
    position: usize,
}

/// The public-security filing site's page for a 公安联网备案号 (its digits are the code);
/// the site's front page when the number has no digits.
pub(crate) fn public_security_url(number: &str) -> String {
    let code: String = number.chars().filter(char::is_ascii_digit).collect();
    if code.is_empty() {
        "https://beian.mps.gov.cn/".into()
    } else {
        format!("https://beian.mps.gov.cn/#/query/webSearch?code={code}")
    }
}

/// `zh-CN` → `zh_CN`, the form `og:locale` wants.
pub(crate) fn og_locale(language: &str) -> String {
    language.replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn script_json_cannot_close_the_script_and_still_parses() {
        let hostile = "</script><script>alert(1)</script><!-- & \u{2028}";
        let text = script_json(&json!({ "headline": hostile }));
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        assert!(!text.contains('\u{2028}'));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["headline"], hostile);
    }

    #[test]
    fn a_breadcrumb_alone_carries_the_context() {
        let crumb = Crumb {
            name: "首页".into(),
            url: Some("/".into()),
            absolute: "https://a.org/".into(),
        };
        let text = breadcrumb_json_ld(&[crumb]);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(text, script_json(&v));
        assert_eq!(v["@context"], "https://schema.org");
        assert_eq!(v["itemListElement"][0]["position"], 1);
    }

    #[test]
    fn public_security_links_carry_the_code() {
        assert_eq!(
            public_security_url("湘公网安备 43060202000123号"),
            "https://beian.mps.gov.cn/#/query/webSearch?code=43060202000123"
        );
        assert_eq!(public_security_url("待定"), "https://beian.mps.gov.cn/");
    }

    #[test]
    fn descriptions_are_flat_and_short() {
        assert_eq!(description_from("  a\n\tb  c "), "a b c");
        let long = "医".repeat(200);
        let d = description_from(&long);
        assert_eq!(d.chars().count(), DESCRIPTION_CHARS + 1);
        assert!(d.ends_with('…'));
    }

    #[test]
    fn article_graph_has_article_and_three_crumbs() {
        let crumb = |name: &str, url: Option<&str>, absolute: &str| Crumb {
            name: name.into(),
            url: url.map(Into::into),
            absolute: absolute.into(),
        };
        let text = article_json_ld(&ArticleFacts {
            headline: "岳阳医保\"参保地\"怎么改?",
            description: "d",
            url: "https://a.org/yueyang/x/",
            published: "2026-02-03T06:39:37+08:00",
            modified: "2026-02-04T00:00:00+08:00",
            section: "医保知识",
            language: "zh-CN",
            site_name: "站",
            site_url: "https://a.org/",
            image: Some("https://a.org/static/logo.png"),
            breadcrumb: &[
                crumb("首页", Some("/"), "https://a.org/"),
                crumb("岳阳", Some("/yueyang/"), "https://a.org/yueyang/"),
                crumb("参保地变更", None, "https://a.org/yueyang/x/"),
            ],
        });
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        // Read back and written again as a JSON value, the text does not change.
        assert_eq!(text, script_json(&v));
        let graph = v["@graph"].as_array().unwrap();
        assert_eq!(graph[0]["@type"], "Article");
        assert_eq!(graph[0]["dateModified"], "2026-02-04T00:00:00+08:00");
        let crumbs = graph[1]["itemListElement"].as_array().unwrap();
        assert_eq!(crumbs.len(), 3);
        assert_eq!(crumbs[1]["item"], "https://a.org/yueyang/");
        assert_eq!(crumbs[2]["position"], 3);
        assert_eq!(crumbs[2]["name"], "参保地变更");
        assert_eq!(graph[0]["image"], "https://a.org/static/logo.png");
        assert_eq!(
            graph[0]["publisher"]["logo"]["url"],
            "https://a.org/static/logo.png"
        );
    }
}
