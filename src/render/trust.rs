//! What lets a reader trust and place an article: the title kept whole where it must not
//! break, the breadcrumb (shown, and the same list as JSON-LD), and the sources block (each
//! city fact's source and the day it was checked).

use super::Renderer;
use super::escape::escape_html;
use super::seo::Crumb;
use super::view::SourceView;
use crate::content::words::{self as segment, BreakMemo};
use crate::merge::Layer;
use crate::model::ids::{ArticleId, CityId};
use crate::model::{FactSource, SourceMap};
use crate::plan::{PlannedArticle, urls};
use std::collections::BTreeSet;

/// `title` as HTML, escaped, with `city` (where it occurs) and the trailing `suffix` each
/// wrapped in `<span class="nw">`, so that no line break falls inside a place name or a
/// date (`齐齐哈/尔`, `(5月1` / `日)`).
///
/// With a `card` memo this is a card's title (related links, list entries): the
/// suffix is left out (cards show the date once, in their own format), and a `<wbr>`
/// marks each word boundary (jieba's, the city kept whole): cards are set with
/// `word-break: keep-all`, so their lines break there and never inside a word
/// (`医保缴/费记录`). About 5 bytes a word; headings, set large on their own, break freely.
pub(crate) fn title_html(
    title: &str,
    city: &str,
    suffix: &str,
    card: Option<&BreakMemo>,
) -> String {
    let (main, date) = match title.strip_suffix(suffix) {
        Some(main) if !suffix.is_empty() => (main, if card.is_none() { suffix } else { "" }),
        _ => (title, ""),
    };
    let words = card.is_some();
    let mut out = Vec::with_capacity(title.len() + 96);
    let mut rest = main;
    let mut at = 0;
    while let Some(found) = (!city.is_empty()).then(|| rest.find(city)).flatten() {
        push_words(&rest[..found], card, &mut out);
        if words && segment::may_break(main, at + found) {
            out.extend_from_slice(WBR);
        }
        push_nowrap(city, &mut out);
        at += found + city.len();
        rest = &rest[found + city.len()..];
        if words && segment::may_break(main, at) {
            out.extend_from_slice(WBR);
        }
    }
    push_words(rest, card, &mut out);
    if !date.is_empty() {
        push_nowrap(date, &mut out);
    }
    String::from_utf8(out).unwrap_or_default()
}

const WBR: &[u8] = b"<wbr>";

/// `text` escaped in a `<span class="nw">`, which no line break falls inside.
fn push_nowrap(text: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(b"<span class=\"nw\">");
    let _ = escape_html(text, out);
    out.extend_from_slice(b"</span>");
}

/// `text` escaped, with a `<wbr>` at each word boundary when it is a `card`'s.
fn push_words(text: &str, card: Option<&BreakMemo>, out: &mut Vec<u8>) {
    let mut from = 0;
    if let Some(memo) = card {
        for &at in memo.word_breaks(text).iter() {
            let _ = escape_html(&text[from..at], out);
            out.extend_from_slice(WBR);
            from = at;
        }
    }
    let _ = escape_html(&text[from..], out);
}

impl Renderer<'_> {
    /// Article `i`'s date suffix (what its title ends with).
    pub(crate) fn date_suffix(&self, i: ArticleId) -> String {
        self.plan.articles[i].date_suffix()
    }

    fn crumb(&self, name: &str, path: &str) -> Crumb {
        Crumb {
            name: name.to_string(),
            url: Some(self.url(path)),
            absolute: self.absolute(path),
        }
    }

    fn here(&self, name: &str, path: &str) -> Crumb {
        Crumb {
            url: None,
            ..self.crumb(name, path)
        }
    }

    /// 首页 › city › topic (the article itself).
    pub(super) fn article_breadcrumb(&self, a: &PlannedArticle) -> Vec<Crumb> {
        let city = &self.input.cities[a.city];
        vec![
            self.crumb("首页", ""),
            self.crumb(&city.name, &urls::city_path(&city.slug.value)),
            self.here(&self.input.topics[a.topic].name, &a.path),
        ]
    }

    /// 首页 › 按城市浏览 › province › city (the page itself); a municipality is its own
    /// province and gets no province step.
    pub(super) fn city_breadcrumb(&self, c: CityId) -> Vec<Crumb> {
        let city = &self.input.cities[c];
        let mut crumbs = vec![
            self.crumb("首页", ""),
            self.crumb("按城市浏览", urls::CITIES_PATH),
        ];
        if let Some(p) = city.province.as_deref().filter(|p| *p != city.name) {
            crumbs.push(self.crumb(p, &format!("{}#{}", urls::CITIES_PATH, province_id(p))));
        }
        crumbs.push(self.here(&city.name, &urls::city_path(&city.slug.value)));
        crumbs
    }

    /// The sources of the city facts article `a` shows: for each section, the sources the
    /// city gives for that topic, then the city-wide sources of values the section uses;
    /// each source once.
    pub(super) fn article_sources(&self, a: &PlannedArticle) -> Vec<SourceView> {
        let city = &self.input.cities[a.city];
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for t in a.chosen.sections() {
            let Some(pair) = self.merged.pair(a.city, t) else {
                continue;
            };
            let topic = &self.input.topics[t];
            let own = city.topics.get(&topic.slug).map(|ct| &ct.sources);
            let mut add = |map: &SourceMap, key: &str, scope: &str| {
                if let Some(s) = map.get(key)
                    && seen.insert((scope.to_string(), key.to_string()))
                {
                    out.push(source_view(&s.value, &topic.name));
                }
            };
            // Only values the city itself sets are city facts; a source of the city×topic
            // value wins over a city-wide one.
            for (key, v) in &pair.values {
                match v.layer {
                    Layer::CityTopic => match own.filter(|m| m.contains_key(key)) {
                        Some(m) => add(m, key, &topic.slug),
                        None => add(&city.sources, key, ""),
                    },
                    Layer::City => add(&city.sources, key, ""),
                    Layer::Site | Layer::Topic => {}
                }
            }
        }
        out
    }
}

fn source_view(s: &FactSource, topic: &str) -> SourceView {
    SourceView {
        label: s.label.clone().unwrap_or_else(|| topic.to_string()),
        url: s.url.clone().filter(|u| crate::model::is_safe_url(u)),
        note: s.note.clone(),
        verified: s.verified.map(crate::load::local_time::day),
    }
}

/// The anchor of a province's group on the cities page: `p-` and its toneless pinyin
/// (`p-hunan`), so that the URL stays ASCII.
pub(crate) fn province_id(province: &str) -> String {
    use pinyin::ToPinyin;
    let mut id = String::from("p-");
    for c in province.chars() {
        match c.to_pinyin() {
            Some(p) => id.push_str(p.plain()),
            None if c.is_ascii_alphanumeric() => id.push(c.to_ascii_lowercase()),
            None => id.push_str(&format!("{:x}", c as u32)),
        }
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_keeps_city_and_date_whole() {
        let memo = BreakMemo::default();
        let qiqihar = |card| {
            title_html(
                "齐齐哈尔医保卡怎么激活?(5月1日)",
                "齐齐哈尔",
                "(5月1日)",
                card,
            )
        };
        assert_eq!(
            qiqihar(None),
            "<span class=\"nw\">齐齐哈尔</span>医保卡怎么激活?<span class=\"nw\">(5月1日)</span>"
        );
        assert_eq!(
            qiqihar(Some(&memo)),
            "<span class=\"nw\">齐齐哈尔</span><wbr>医保卡<wbr>怎么<wbr>激活?"
        );
        // A card breaks only between words; never before closing punctuation.
        assert_eq!(
            title_html(
                "在岳阳怎样把医保参保地改到别的地方?(26/02/03)",
                "岳阳",
                "(26/02/03)",
                Some(&memo)
            ),
            "在<wbr><span class=\"nw\">岳阳</span><wbr>怎样<wbr>把<wbr>医保<wbr>参保地<wbr>改到<wbr>别的<wbr>地方?"
        );
        assert_eq!(
            title_html("<b>题</b>", "", "x", None),
            "&lt;b&gt;题&lt;/b&gt;"
        );
    }

    #[test]
    fn province_ids_are_ascii() {
        assert_eq!(province_id("湖南"), "p-hunan");
        assert_eq!(province_id("内蒙古"), "p-neimenggu");
    }
}
