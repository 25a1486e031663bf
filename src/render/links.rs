//! Each published article's link, built at most once per build (when a page first shows
//! it): the title, URL, datetimes and labels that lists and related blocks show, as a ready
//! Tera value. An article appears in about 45 blocks, and cloning a prebuilt value only
//! bumps reference counts. Once every page is rendered a build lets the table go (about
//! 1.5 KiB an article); `serve` keeps it for its next rebuild.

use super::Renderer;
use crate::model::ids::{ArticleId, IdVec};
use std::sync::{OnceLock, PoisonError, RwLock, RwLockReadGuard};

/// One article's prebuilt link and ISO publish datetime.
pub type LinkParts = (tera::Value, String);

type Slots = IdVec<ArticleId, OnceLock<LinkParts>>;

/// Links and ISO datetimes, indexed like `Plan::articles`, each built the first time a
/// page needs it (a rebuild that renders few pages builds few), or known from an earlier run.
pub(crate) struct LinkTable {
    slots: RwLock<Slots>,
}

impl LinkTable {
    /// A table holding the `known` parts; the others are built on first use.
    pub(crate) fn new(known: Vec<Option<LinkParts>>) -> LinkTable {
        let slots = known
            .into_iter()
            .map(|k| k.map_or_else(OnceLock::new, OnceLock::from))
            .collect();
        LinkTable {
            slots: RwLock::new(slots),
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, Slots> {
        self.slots.read().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Renderer<'_> {
    /// Article `i`'s link parts from `slots`, built now if no page needed them before
    /// (and built afresh, not kept, once the table is let go).
    fn link_entry<R>(&self, slots: &Slots, i: ArticleId, f: impl FnOnce(&LinkParts) -> R) -> R {
        match slots.get(i) {
            Some(slot) => f(slot.get_or_init(|| self.link_parts(i))),
            None => f(&self.link_parts(i)),
        }
    }

    /// Links of several articles (each an [`ArticleLink`](super::view::ArticleLink)), for a
    /// `{% for %}` in a layout.
    pub(super) fn links_of(&self, articles: impl Iterator<Item = ArticleId>) -> tera::Value {
        let slots = self.links.read();
        let mut list = Vec::with_capacity(articles.size_hint().0);
        for i in articles {
            list.push(self.link_entry(&slots, i, |parts| parts.0.clone()));
        }
        tera::Value::from(list)
    }

    /// Article `i`'s publish datetime in ISO 8601 with the site's offset.
    pub(super) fn link_iso(&self, i: ArticleId) -> String {
        self.link_entry(&self.links.read(), i, |parts| parts.1.clone())
    }

    /// Article `i`'s link and datetime, to keep for a later run (cloning is cheap).
    pub(crate) fn article_link(&self, i: ArticleId) -> LinkParts {
        self.link_entry(&self.links.read(), i, LinkParts::clone)
    }

    /// Lets the link table go, on another thread (freeing 100k values takes a while):
    /// for a build once its pages are rendered. Links asked for later are built afresh.
    pub(crate) fn release_links(&self) {
        let mut slots = self
            .links
            .slots
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let old = std::mem::take(&mut *slots);
        drop(slots);
        std::thread::spawn(move || drop(old));
    }
}

/// A view as templates see it, with prebuilt link lists added under their keys.
pub(crate) fn with_lists<const N: usize>(
    view: &impl serde::Serialize,
    lists: [(&'static str, tera::Value); N],
) -> tera::Value {
    let mut map = tera::Value::from_serializable(view)
        .into_map()
        .unwrap_or_default();
    for (key, list) in lists {
        map.insert(key.into(), list);
    }
    tera::Value::from(map)
}

/// `YYYY-MM-DD HH:MM`, as chrono's `%Y-%m-%d %H:%M` writes it, without parsing a format
/// string for each of the build's links.
pub(crate) fn minutes(dt: chrono::NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::view::ArticleLink;

    #[test]
    fn minutes_match_chrono() {
        for s in [
            "2026-02-03 06:39:37",
            "0999-12-31 23:59:00",
            "2025-04-30 10:17:31",
        ] {
            let dt = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
            assert_eq!(minutes(dt), dt.format("%Y-%m-%d %H:%M").to_string());
        }
    }

    #[test]
    fn lists_are_added_to_the_view() {
        let link = ArticleLink {
            title: "标题",
            title_html: "标题".into(),
            url: "/a/b/".into(),
            datetime: "2026-02-03 06:39".into(),
            iso: "2026-02-03T06:39:37+08:00".into(),
            category: "医保知识",
            city: "岳阳",
            topic: "参保地变更",
        };
        let one = tera::Value::from_serializable(&link);
        let list = tera::Value::from(vec![one.clone(), one]);
        let view = serde_json::json!({ "url": "/x/" });
        let value = with_lists(&view, [("related", list)]);
        let mut ctx = tera::Context::new();
        ctx.insert_value("page", value);
        let mut tera = tera::Tera::new();
        tera.add_raw_template(
            "t",
            "{{ page.url }}{% for r in page.related %}|{{ r.title }} {{ r.datetime }}{% endfor %}",
        )
        .unwrap();
        assert_eq!(
            tera.render("t", &ctx).unwrap(),
            "/x/|标题 2026-02-03 06:39|标题 2026-02-03 06:39"
        );
    }
}
