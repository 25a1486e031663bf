//! Hostile values pasted into every YAML field and into a topic body: each output format
//! escapes them its own way (HTML, XML for the sitemap and feed, JSON in JSON-LD), and
//! markdown never passes script through, whether or not `allow_html` is on.

use crate::support::{Site, assert_has};
use std::fs;
use std::path::Path;

const NOW: &str = "2026-01-06 00:00:00";

/// One value holding every classic injection: a script, an attribute break-out with an
/// event handler, a `</script>` to leave a JSON-LD block, a single-quote break-out and
/// a bare ampersand.
const PAYLOAD: &str = r#"<script>alert(1)</script>"><img src=x onerror=alert(2)>'</script><b onmouseover='alert(3)'>&T"#;

/// `PAYLOAD` as a YAML single-quoted scalar.
fn yaml(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// `PAYLOAD` as the site's HTML escape function writes it.
fn html_escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn hostile_site(allow_html: bool) -> Site {
    let site = Site::fixture("basic");
    let p = yaml(PAYLOAD);
    let mut config = format!("\n{}", site.read("site.yaml"));
    for key in ["name", "editor", "disclaimer", "statement", "category"] {
        let start = config.find(&format!("\n{key}:")).unwrap() + 1;
        let end = start + config[start..].find('\n').unwrap();
        config.replace_range(start..end, &format!("{key}: {p}"));
    }
    config.push_str(&format!(
        "complaint_label: {p}\nicp: {p}\nallow_html: {allow_html}\n"
    ));
    site.write("site.yaml", &config[1..]);
    site.write(
        "cities/aaa.yaml",
        &format!(
            "name: {p}\nprovince: {p}\nslug: aaa\nvalues:\n  office: {p}\n  time_limit: {p}\n\
             topics:\n  alpha:\n    heading: {p}\n    title: {p}\n    values:\n      materials: [{p}, {p}]\n"
        ),
    );
    site.write(
        "topics/alpha.md",
        &format!(
            "---\nname: {p}\ntitles: [{p}]\nheadings: [{p}]\nlead: {p}\nteasers: [{p}]\n\
             defaults:\n  materials: [{p}]\n  time_limit: {p}\n---\n\
             ### 材料:\n\n{{% for m in materials %}}\n- {{{{ m }}}}\n{{% endfor %}}\n\n\
             办理时限 {{{{ time_limit }}}},电话 {{{{ hotline }}}},机构 {{{{ office }}}}。\n\n\
             <script>alert('body')</script>\n\n<p onclick=\"alert('p')\">段落</p>\n\n\
             行内 <img src=x onerror=alert('img')> 与 <b>粗体</b>。\n\n\
             [点我](javascript:alert('link')) [也点我](JaVaScRiPt:alert('link2')) \
             <javascript:alert('auto')> [正常](https://example.org/ok)\n\n\
             <a href=\"javascript:alert('a')\">原始链接</a>\n"
        ),
    );
    site
}

/// Every output file's path (relative) and text (files that are not UTF-8 left out).
fn outputs(site: &Site) -> Vec<(String, String)> {
    let files = site.snapshot("public").into_iter();
    files
        .filter_map(|(rel, bytes)| String::from_utf8(bytes).ok().map(|t| (rel, t)))
        .collect()
}

/// The attributes (lowercase name, raw value) of a tag (`head` is the text between `<`
/// and `>`), read as a browser does: quoted values may hold spaces and `=`.
fn attributes(head: &str) -> Vec<(String, String)> {
    let mut names = Vec::new();
    let mut chars = head.chars().skip_while(|c| !c.is_whitespace()).peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace() || *c == '/').is_some() {}
        let name: String =
            std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace() && *c != '=' && *c != '/'))
                .collect();
        if name.is_empty() {
            break;
        }
        let mut value = String::new();
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next_if_eq(&'=').is_some() {
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            match chars.next_if(|c| *c == '"' || *c == '\'') {
                Some(q) => value.extend(std::iter::from_fn(|| chars.next().filter(|&c| c != q))),
                None => value.extend(std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace()))),
            }
        }
        names.push((name.to_ascii_lowercase(), value));
    }
    names
}

/// Checks one HTML page: the payload never appears raw, every tag is one the templates
/// or markdown write, no event-handler attribute, no script URL, and JSON-LD (when
/// present) is valid JSON that cannot close its script element.
fn check_html(rel: &str, html: &str, problems: &mut Vec<String>) {
    let mut say = |what: String| problems.push(format!("{rel}: {what}"));
    if html.contains(PAYLOAD) {
        say("the payload appears unescaped".into());
    }
    let mut rest = html;
    while let Some(i) = rest.find("<script") {
        let after = &rest[i..];
        let open_end = after.find('>').unwrap_or(after.len());
        let open = &after[..open_end];
        // The search page's own script (the one script of the site) is in the layout.
        let search_script = rel.ends_with("search/index.html")
            && open.starts_with("<script src=\"")
            && open.contains("static/search.js\"");
        if !open.contains("type=\"application/ld+json\"") && !search_script {
            say(format!("a script element: {open}"));
        }
        let body_end = after.find("</script>").unwrap_or(after.len());
        let body = &after[(open_end + 1).min(body_end)..body_end];
        if open.contains("ld+json") {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(body) {
                say(format!("JSON-LD is not valid JSON ({e}): {body}"));
            }
            if body.contains('<') {
                say("JSON-LD holds a raw `<` (it must be written \\u003c)".into());
            }
        }
        rest = &after[body_end.max(1)..];
    }
    for tag in html.split('<').skip(1) {
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let head = &tag[..tag.find('>').unwrap_or(tag.len())];
        // The layouts' search forms (GET to the search page) are the only forms.
        let layout_form = head == "/form"
            || head.starts_with("form class=\"site-search\" action=\"")
            || head.starts_with("form class=\"search-form\" action=\"");
        if !layout_form
            && [
                "iframe", "object", "embed", "svg", "math", "form", "style", "base",
            ]
            .contains(&name.as_str())
        {
            say(format!("unexpected <{name}> element: <{head}>"));
        }
        for (attr, value) in attributes(head) {
            if attr.starts_with("on") || attr == "style" || attr == "srcdoc" {
                say(format!("a `{attr}` attribute: <{head}>"));
            }
            let decoded = value.replace("&#58;", ":").replace("&colon;", ":");
            if ["href", "src", "action", "formaction"].contains(&attr.as_str())
                && !sitegen::model::is_safe_url(&decoded)
            {
                say(format!("an unsafe URL: <{head}>"));
            }
        }
    }
}

/// Checks one XML file: only the sitemap's and feed's own elements, and every `&` starts
/// one of XML's five entities (so the payload cannot add markup or break the parser).
fn check_xml(rel: &str, xml: &str, problems: &mut Vec<String>) {
    const ELEMENTS: [&str; 13] = [
        "?xml",
        "urlset",
        "url",
        "loc",
        "lastmod",
        "feed",
        "title",
        "link",
        "updated",
        "id",
        "entry",
        "published",
        "summary",
    ];
    const MORE: [&str; 8] = [
        "author",
        "name",
        "subtitle",
        "uri",
        "generator",
        "category",
        "sitemapindex",
        "sitemap",
    ];
    for tag in xml.split('<').skip(1) {
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
            .collect();
        if !ELEMENTS.contains(&name.as_str()) && !MORE.contains(&name.as_str()) {
            problems.push(format!("{rel}: unexpected element <{name}>"));
        }
    }
    for (i, _) in xml.match_indices('&') {
        let entity = &xml[i..];
        if !["&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#"]
            .iter()
            .any(|e| entity.starts_with(e))
        {
            problems.push(format!("{rel}: a bare `&` at byte {i}"));
        }
    }
}

fn check_site(site: &Site) -> Vec<String> {
    let mut problems = Vec::new();
    let files = outputs(site);
    assert!(files.len() > 10, "the site was built");
    for (rel, text) in &files {
        if rel.ends_with(".html") {
            check_html(rel, text, &mut problems);
        } else if rel.ends_with(".xml") {
            check_xml(rel, text, &mut problems);
        }
    }
    problems
}

fn text_of(site: &Site, rel: &str) -> String {
    fs::read_to_string(site.path("public").join(Path::new(rel))).unwrap()
}

#[test]
fn hostile_values_are_escaped_in_every_output_format() {
    let site = hostile_site(false);
    let run = site.run(&["build", "--now", NOW]).ok();
    let problems = check_site(&site);
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // The values did reach the pages, escaped, in every field.
    let article = text_of(&site, "aaa/alpha/index.html");
    let escaped = html_escaped(PAYLOAD);
    for (field, marker) in [
        // The city name in the title is kept on one line (`<span class="nw">`).
        ("title", "<h1><span class=\"nw\">"),
        ("lead", "class=\"lead\">"),
        ("teaser", "class=\"teaser\">"),
        ("heading", "-h\">"),
        ("disclaimer", "class=\"disclaimer\">"),
    ] {
        let at = article
            .find(marker)
            .unwrap_or_else(|| panic!("{field}: {marker}"));
        assert!(
            article[at..].starts_with(&format!("{marker}{escaped}")),
            "{field} is not the escaped payload: {}",
            &article[at..(at + 200).min(article.len())]
        );
    }
    // In a markdown body the value's tags are shown as text (markdown leaves quotes as
    // they are in text, which is safe outside a tag).
    let md_escaped = PAYLOAD
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    assert!(
        article.contains(&format!("<li>{md_escaped}")),
        "list values"
    );
    assert!(
        article.contains("&lt;script&gt;alert('body')&lt;/script&gt;"),
        "raw HTML in the body is shown as text"
    );
    assert!(
        article.contains("href=\"https://example.org/ok\""),
        "safe links stay"
    );
    // Unsafe links are reported.
    assert_has(&run.stderr(), "javascript:alert");

    // XML: the feed carries the title (with the city name) XML-escaped.
    let atom = text_of(&site, "atom.xml");
    // As in HTML, but for `'`, which XML writes `&apos;`.
    let xml_escaped = html_escaped(PAYLOAD).replace("&#39;", "&apos;");
    assert!(
        atom.contains(&xml_escaped),
        "atom.xml lacks the XML-escaped value"
    );
}

#[test]
fn allowed_html_in_bodies_is_sanitised() {
    let site = hostile_site(true);
    site.run(&["build", "--now", NOW]).ok();
    let problems = check_site(&site);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let article = text_of(&site, "aaa/alpha/index.html");
    assert!(article.contains("<b>粗体</b>"), "allowed markup is kept");
    assert!(
        article.contains(">段落</p>"),
        "paragraph kept, its handler dropped"
    );
    assert!(article.contains("原始链接"), "the link text stays");
    assert!(
        !article.contains("alert('body')"),
        "script content is removed"
    );
}
