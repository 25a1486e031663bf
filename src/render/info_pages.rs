//! The site's own pages beside the articles and lists: 关于本站 (from `about:` in
//! site.yaml) and the search page (its script and index are in `static/search.js` and
//! `search/index/`)).

use super::seo::PageMeta;
use super::{Rendered, Renderer};
use crate::diag::Diagnostic;
use crate::plan::urls;

impl Renderer<'_> {
    /// 关于本站: the paragraphs of `about:`.
    pub(super) fn about_page(&self) -> Result<Rendered, Diagnostic> {
        let site = &self.input.site;
        let description = site
            .about
            .first()
            .cloned()
            .unwrap_or_else(|| format!("关于{}", site.name));
        let view = serde_json::json!({
            "heading": "关于本站",
            "url": self.url(urls::ABOUT_PATH),
            "canonical": self.absolute(urls::ABOUT_PATH),
            "paragraphs": site.about,
            "meta": PageMeta::website("关于本站", &description),
        });
        self.layout(
            self.layout_or("about.html"),
            urls::ABOUT_PATH,
            tera::Value::from_serializable(&view),
        )
    }

    /// The search page: a form that works without script (it reloads with `?q=`), and the
    /// small script that answers from the index.
    pub(super) fn search_page(&self) -> Result<Rendered, Diagnostic> {
        let site = &self.input.site;
        let base = site.base_path();
        // Indexable (it explains the search), but left out of the sitemap: its results are
        // the site's own pages.
        let meta = PageMeta::website("搜索", &format!("在{}中按城市和问题搜索文章", site.name));
        let view = serde_json::json!({
            "heading": "搜索",
            "url": self.url(urls::SEARCH_PATH),
            "canonical": self.absolute(urls::SEARCH_PATH),
            "index_url": format!("{base}{}", urls::SEARCH_INDEX_DIR),
            "script_url": format!("{base}static/search.js"),
            "meta": meta,
        });
        self.layout(
            self.layout_or("search.html"),
            urls::SEARCH_PATH,
            tera::Value::from_serializable(&view),
        )
    }

    /// `name` when the site has that layout, else `index.html` (an older site's templates).
    pub(super) fn layout_or<'n>(&self, name: &'n str) -> &'n str {
        if self.templates.layouts.contains_template(name) {
            name
        } else {
            "index.html"
        }
    }
}
