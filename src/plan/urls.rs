//! The site's URL scheme: every page's path below the base URL, and its output file.

/// `yueyang/canbaodi-biangeng/`
pub fn article_path(city: &str, topic: &str) -> String {
    format!("{city}/{topic}/")
}

/// `yueyang/`
pub fn city_path(city: &str) -> String {
    format!("{city}/")
}

/// `topic/canbaodi-biangeng/`, then `topic/canbaodi-biangeng/page/2/`.
pub fn topic_path(topic: &str, page: usize) -> String {
    paged(&format!("topic/{topic}/"), page)
}

/// `` (the home page), then `page/2/`.
pub fn home_path(page: usize) -> String {
    paged("", page)
}

/// The list of all cities.
pub const CITIES_PATH: &str = "cities/";

fn paged(first: &str, page: usize) -> String {
    if page <= 1 {
        first.to_string()
    } else {
        format!("{first}page/{page}/")
    }
}

/// The file that serves `path`: `a/b/` → `a/b/index.html`; other paths stay as they are.
pub fn output_file(path: &str) -> String {
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
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
    }
}
