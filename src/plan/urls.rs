//! The site's URL scheme: every page's path below the base URL, and its output file.

/// `yueyang/canbaodi-biangeng/`
pub(crate) fn article_path(city: &str, topic: &str) -> String {
    format!("{city}/{topic}/")
}

/// `yueyang/`
pub(crate) fn city_path(city: &str) -> String {
    format!("{city}/")
}

/// `yueyang/atom.xml`: the city's own Atom feed.
pub(crate) fn city_feed_path(city: &str) -> String {
    format!("{city}/atom.xml")
}

/// `topic/canbaodi-biangeng/`, then `topic/canbaodi-biangeng/page/2/`.
pub(crate) fn topic_path(topic: &str, page: usize) -> String {
    paged(&format!("topic/{topic}/"), page)
}

/// `` (the home page), then `page/2/`.
pub(crate) fn home_path(page: usize) -> String {
    paged("", page)
}

/// The list of all cities.
pub(crate) const CITIES_PATH: &str = "cities/";

/// The about page 关于本站.
pub(crate) const ABOUT_PATH: &str = "about/";

/// The search page; its index lives below `search/index/`.
pub(crate) const SEARCH_PATH: &str = "search/";

/// The folder of the search index files.
pub(crate) const SEARCH_INDEX_DIR: &str = "search/index/";

fn paged(first: &str, page: usize) -> String {
    if page <= 1 {
        first.to_string()
    } else {
        format!("{first}page/{page}/")
    }
}

/// The file that serves `path`: `a/b/` → `a/b/index.html`; other paths stay as they are.
pub(crate) fn output_file(path: &str) -> String {
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}

/// The page path an output file serves, for change lists: `a/b/index.html` → `a/b/`,
/// `index.html` → ``. `None` for files that are not pages (feeds, static files, 404.html).
pub(crate) fn page_of_file(file: &str) -> Option<String> {
    if file == "index.html" {
        return Some(String::new());
    }
    file.strip_suffix("/index.html")
        .map(|dir| format!("{dir}/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_urls_map_to_index_files() {
        assert_eq!(
            output_file(&article_path("yueyang", "canbaodi-biangeng")),
            "yueyang/canbaodi-biangeng/index.html"
        );
        assert_eq!(output_file(&home_path(1)), "index.html");
        assert_eq!(home_path(3), "page/3/");
        assert_eq!(topic_path("a", 2), "topic/a/page/2/");
        assert_eq!(output_file("sitemap.xml"), "sitemap.xml");
        assert_eq!(page_of_file("index.html").as_deref(), Some(""));
        assert_eq!(page_of_file("a/b/index.html").as_deref(), Some("a/b/"));
        assert_eq!(page_of_file("404.html"), None);
        assert_eq!(page_of_file("static/style.css"), None);
    }
}
