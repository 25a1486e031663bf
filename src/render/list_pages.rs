//! The list pages: home, city, topic, the cities index and the 404 page.

use super::links::with_lists;
use super::seo::PageMeta;
use super::view::{ListView, NamedLink, Pagination, ProvinceView};
use super::{Rendered, Renderer};
use crate::diag::Diagnostic;
use crate::model::ids::{CityId, TopicId};
use crate::plan::{on_page, urls};

impl Renderer<'_> {
    /// Home page `page` of `pages`: the newest articles first.
    pub(super) fn home(&self, page: usize, pages: usize) -> Result<Rendered, Diagnostic> {
        let per = self.input.site.home_page_size;
        let items = self.links_of(on_page(&self.plan.newest_first, page, per));
        let path = urls::home_path(page);
        let site = &self.input.site;
        let of_page = page_suffix(page);
        let title = if page > 1 {
            format!("{}{of_page}", site.category)
        } else {
            site.name.clone()
        };
        let description = format!("{}:{}{of_page}", site.name, site.category);
        let view = ListView {
            heading: self.input.site.category.clone(),
            canonical: self.absolute(&path),
            url: self.url(&path),
            meta: PageMeta::website(title, &description),
            description,
            pagination: self.pagination(page, pages, urls::home_path),
            city: None,
            province: None,
            topic: None,
            breadcrumb: Vec::new(),
        };
        self.layout("index.html", &path, with_lists(&view, [("items", items)]))
    }

    /// City `c`'s page: all of its articles.
    pub(super) fn city_page(&self, c: CityId) -> Result<Rendered, Diagnostic> {
        let city = &self.input.cities[c];
        let path = urls::city_path(&city.slug.value);
        let heading = format!("{}{}", city.name, self.input.site.category);
        let description = format!("{}的医保办理指南与常见问题", city.name);
        let breadcrumb = self.city_breadcrumb(c);
        let view = ListView {
            meta: self.city_meta(c, &heading, &description, &breadcrumb),
            breadcrumb,
            heading,
            canonical: self.absolute(&path),
            url: self.url(&path),
            description,
            pagination: self.pagination(1, 1, |_| path.clone()),
            city: Some(NamedLink {
                name: city.name.clone(),
                url: self.url(&path),
            }),
            province: city.province.as_deref(),
            topic: None,
        };
        let items = self.links_of(self.plan.by_city[c].iter().copied());
        self.layout("city.html", &path, with_lists(&view, [("items", items)]))
    }

    /// Page `page` of `pages` of topic `topic`'s list.
    pub(super) fn topic_page(
        &self,
        topic: TopicId,
        page: usize,
        pages: usize,
    ) -> Result<Rendered, Diagnostic> {
        let t = &self.input.topics[topic];
        let per = self.input.site.home_page_size;
        let path = urls::topic_path(&t.slug, page);
        let of_page = page_suffix(page);
        let title = format!("{}{of_page}", t.name);
        let description = format!("各地{}办理指南{of_page}", t.name);
        let view = ListView {
            heading: t.name.clone(),
            canonical: self.absolute(&path),
            url: self.url(&path),
            meta: PageMeta::website(title, &description),
            description,
            pagination: self.pagination(page, pages, |p| urls::topic_path(&t.slug, p)),
            city: None,
            province: None,
            topic: Some(NamedLink {
                name: t.name.clone(),
                url: self.url(&urls::topic_path(&t.slug, 1)),
            }),
            breadcrumb: Vec::new(),
        };
        let items = self.links_of(on_page(&self.plan.by_topic[topic], page, per));
        self.layout("topic.html", &path, with_lists(&view, [("items", items)]))
    }

    /// The cities index, grouped by province.
    pub(super) fn cities_page(&self) -> Result<Rendered, Diagnostic> {
        let site = &self.input.site;
        let meta = PageMeta::website(
            "按城市浏览",
            &format!("{}:按省份和城市查找{}", site.name, site.category),
        );
        let view = serde_json::json!({
            "heading": "按城市浏览",
            "url": self.url(urls::CITIES_PATH),
            "canonical": self.absolute(urls::CITIES_PATH),
            "provinces": self.provinces(),
            "meta": meta,
        });
        self.layout(
            self.layout_or("cities.html"),
            urls::CITIES_PATH,
            tera::Value::from_serializable(&view),
        )
    }

    /// The 404 page.
    pub(super) fn not_found(&self) -> Result<Rendered, Diagnostic> {
        let meta = PageMeta {
            noindex: true,
            ..PageMeta::website("页面不存在", &self.input.site.name)
        };
        let view = serde_json::json!({ "url": self.url("404.html"), "canonical": self.absolute("404.html"), "meta": meta });
        self.layout(
            "404.html",
            "404.html",
            tera::Value::from_serializable(&view),
        )
    }

    fn provinces(&self) -> Vec<ProvinceView> {
        let mut groups: Vec<ProvinceView> = Vec::new();
        let mut cities: Vec<&crate::model::City> = self.input.cities.iter().map(|c| &**c).collect();
        // Provinces in pinyin order (安徽, 北京, 重庆, …) as readers expect, not by code point.
        let key = |c: &crate::model::City| {
            // A municipality is its own province: its slug spells polyphones (重庆) right.
            let province = c.province.as_deref().unwrap_or(&c.name);
            let spelled = if province == c.name {
                c.slug.value.clone()
            } else {
                pinyin_key(province)
            };
            (spelled, province.to_string(), c.slug.value.clone())
        };
        cities.sort_by_cached_key(|c| key(c));
        for c in cities {
            let province = c.province.clone().unwrap_or_else(|| c.name.clone());
            let link = NamedLink {
                name: c.name.clone(),
                url: self.url(&urls::city_path(&c.slug.value)),
            };
            match groups.last_mut() {
                Some(g) if g.province == province => g.cities.push(link),
                _ => groups.push(ProvinceView {
                    id: super::trust::province_id(&province),
                    province,
                    cities: vec![link],
                }),
            }
        }
        groups
    }

    fn pagination(
        &self,
        current: usize,
        total: usize,
        path: impl Fn(usize) -> String,
    ) -> Pagination {
        Pagination {
            current,
            total,
            prev_url: (current > 1).then(|| self.url(&path(current - 1))),
            next_url: (current < total).then(|| self.url(&path(current + 1))),
        }
    }
}

/// A sort key spelling Chinese characters in toneless pinyin (other characters as they are).
fn pinyin_key(text: &str) -> String {
    use pinyin::ToPinyin;
    text.chars()
        .map(|c| {
            c.to_pinyin()
                .map_or_else(|| c.to_string(), |p| p.plain().to_string())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a list's title and description add after its first page: ` 第2页`.
fn page_suffix(page: usize) -> String {
    if page > 1 {
        format!(" 第{page}页")
    } else {
        String::new()
    }
}
