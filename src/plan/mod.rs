//! Stage 3, plan: URLs, publish datetimes, titles, sections, related blocks and the page list.
//!
//! Pure: `now` is passed in; every choice among variants is a hash of the article's id, so
//! the same input always gives the same plan.

pub mod modified;
pub(crate) mod pins;
pub(crate) mod redirects;
pub(crate) mod related;
pub(crate) mod schedule;
pub(crate) mod urls;
pub(crate) mod variants;

use crate::diag::Diagnostic;
use crate::merge::Merged;
use crate::model::ids::{ArticleId, CityId, Id, IdVec, PairId, TopicId};
use crate::model::{LockedSlot, SiteInput};
use chrono::NaiveDateTime;
use rayon::prelude::*;
use related::CategoryLists;
use variants::{ChosenVariants, choose_variants};
use xxhash_rust::xxh3::xxh3_64;

/// Options that change what is published.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    pub now: NaiveDateTime,
    /// Publish future-dated articles too (previews).
    pub future: bool,
}

/// One article: a (city, topic) pair with its date and the variants chosen for it.
#[derive(Debug, Clone)]
pub struct PlannedArticle {
    pub(crate) pair: PairId,
    pub(crate) city: CityId,
    pub(crate) topic: TopicId,
    /// `city/topic`, the key in `schedule.lock`.
    pub(crate) id: String,
    pub(crate) path: String,
    pub(crate) publish_at: NaiveDateTime,
    /// Where `publish_at` comes from.
    pub(crate) publish_from: schedule::PublishFrom,
    pub(crate) published: bool,
    /// Title, teaser, headings, date format and extra sections, with where each came from.
    pub(crate) chosen: ChosenVariants,
    pub(crate) category: usize,
}

impl PlannedArticle {
    /// The date suffix its title ends with: `publish_at` in the chosen date format.
    pub(crate) fn date_suffix(&self) -> String {
        crate::load::local_time::format_in(self.publish_at, &self.chosen.date_format)
    }
}

/// A page of the output site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Article(ArticleId),
    Home {
        page: usize,
        pages: usize,
    },
    City(CityId),
    Topic {
        topic: TopicId,
        page: usize,
        pages: usize,
    },
    Cities,
    /// 关于本站, from `about:` in site.yaml.
    About,
    /// The search page (the one page with a script) over the index in `search/`.
    Search,
    NotFound,
}

/// Everything the render stage needs, decided.
#[derive(Debug)]
pub struct Plan {
    pub(crate) now: NaiveDateTime,
    pub(crate) articles: IdVec<ArticleId, PlannedArticle>,
    /// Category labels; `PlannedArticle::category` indexes this.
    pub(crate) categories: Vec<String>,
    /// Published articles, newest first.
    pub(crate) newest_first: Vec<ArticleId>,
    pub(crate) by_city: IdVec<CityId, Vec<ArticleId>>,
    pub(crate) by_topic: IdVec<TopicId, Vec<ArticleId>>,
    pub(crate) lists: CategoryLists,
    pub pages: Vec<Page>,
    /// The schedule to save as `schedule.lock`.
    pub lock: Vec<LockedSlot>,
    /// The earliest publish datetime after `now`, if any article is still to come.
    pub(crate) next_publish: Option<NaiveDateTime>,
    /// Old URLs of renamed cities and topics, and where they lead now.
    pub(crate) redirects: Vec<redirects::Redirect>,
    /// Paths published once that no longer exist and do not redirect (`dead-links.txt`).
    pub(crate) dead_links: Vec<String>,
}

impl Plan {
    /// The pages cut into groups to render together, in page order: consecutive articles of
    /// one city (they share section bodies), and every other page on its own.
    pub(crate) fn page_groups(&self) -> Vec<&[Page]> {
        let city = |p: &Page| match *p {
            Page::Article(i) => Some(self.articles[i].city),
            _ => None,
        };
        let mut groups = Vec::new();
        let mut rest = &self.pages[..];
        while let Some(first) = rest.first() {
            let len = match city(first) {
                Some(c) => rest.iter().take_while(|p| city(p) == Some(c)).count(),
                None => 1,
            };
            let (group, tail) = rest.split_at(len);
            groups.push(group);
            rest = tail;
        }
        groups
    }
}

/// The articles of `list` that list page `page` (from 1) shows, `per` to a page.
pub(crate) fn on_page(
    list: &[ArticleId],
    page: usize,
    per: usize,
) -> impl Iterator<Item = ArticleId> + '_ {
    list.iter().skip((page - 1) * per).take(per).copied()
}

/// A stable choice among `n` variants for `key`.
pub(crate) fn pick(key: &str, purpose: &str, n: usize) -> usize {
    if n <= 1 {
        return 0;
    }
    let h = xxh3_64(format!("{key}\u{0}{purpose}").as_bytes());
    (h % n as u64) as usize
}

/// Plans the site from the input and the merged values; `Err` when the schedule cannot
/// be recorded (dates past the year 9999).
pub fn plan(
    input: &SiteInput,
    merged: &Merged,
    opts: &PlanOptions,
) -> Result<Plan, Vec<Diagnostic>> {
    let ids: Vec<String> = merged
        .pairs
        .iter()
        .map(|p| {
            format!(
                "{}/{}",
                input.cities[p.city].slug.value, input.topics[p.topic].slug
            )
        })
        .collect();
    let slotting: Vec<schedule::Slotting<'_>> = merged
        .pairs
        .iter()
        .zip(&ids)
        .map(|(p, id)| schedule::Slotting {
            id,
            city: p.city,
            topic: p.topic,
            fixed: (input.city_topic(p.city, p.topic)).and_then(|t| t.publish_at.as_ref()),
        })
        .collect();
    let current: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
    let carried = redirects::carry_over(input, &input.schedule_lock, &current, opts.now)?;
    let scheduled = schedule::schedule(
        &slotting,
        &carried,
        &input.site.cadence,
        input.site.timezone,
        opts.now,
    );
    if !scheduled.problems.is_empty() {
        return Err(scheduled.problems);
    }
    let dates = scheduled.dates;
    let mut new_pins: Vec<crate::model::VariantPins> = Vec::with_capacity(dates.len());

    // Each article's variants and path, on every core.
    let picked: Vec<(ChosenVariants, crate::model::VariantPins, String)> = (merged.pairs.par_ids())
        .zip(ids.par_iter())
        .map(|(pi, id)| {
            let pair = &merged.pairs[pi];
            let (chosen, pinned) = choose_variants(
                input,
                merged,
                id,
                (pair.city, pair.topic),
                &scheduled.pins[pi.index()],
            );
            let topic = &input.topics[pair.topic].slug;
            let path = urls::article_path(&input.cities[pair.city].slug.value, topic);
            (chosen, pinned, path)
        })
        .collect();
    let mut categories: Vec<String> = Vec::new();
    let mut articles = IdVec::from(Vec::with_capacity(merged.pairs.len()));
    for (((pi, pair), id), (chosen, pinned, path)) in merged.pairs.iter_ids().zip(ids).zip(picked) {
        let topic = &input.topics[pair.topic];
        let label = topic
            .category
            .clone()
            .unwrap_or_else(|| input.site.category.clone());
        let category = match categories.iter().position(|c| *c == label) {
            Some(i) => i,
            None => {
                categories.push(label);
                categories.len() - 1
            }
        };
        let publish_at = dates[pi.index()];
        new_pins.push(pinned);
        articles.push(PlannedArticle {
            pair: pi,
            city: pair.city,
            topic: pair.topic,
            path,
            publish_at,
            publish_from: scheduled.from[pi.index()],
            published: opts.future || publish_at <= opts.now,
            chosen,
            category,
            id,
        });
    }

    let mut newest_first: Vec<ArticleId> =
        articles.ids().filter(|&i| articles[i].published).collect();
    newest_first.sort_by(|&a, &b| {
        (articles[b].publish_at, &articles[b].id).cmp(&(articles[a].publish_at, &articles[a].id))
    });
    let mut by_city = input.cities.map(|_| Vec::new());
    let mut by_topic = input.topics.map(|_| Vec::new());
    for &i in &newest_first {
        by_city[articles[i].city].push(i);
        by_topic[articles[i].topic].push(i);
    }
    let lists = CategoryLists::new(&articles, &newest_first, categories.len());
    let next_publish = articles
        .iter()
        .filter(|a| !a.published)
        .map(|a| a.publish_at)
        .min();
    let pages = page_list(input, &articles, &newest_first, &by_topic);
    let mut lock: Vec<LockedSlot> = articles
        .iter()
        .zip(new_pins)
        .map(|(a, pins)| LockedSlot {
            names: Some((
                redirects::lock_name(&input.cities[a.city].name),
                redirects::lock_name(&input.topics[a.topic].name),
            )),
            pins,
            ..LockedSlot::new(a.id.clone(), a.publish_at)
        })
        .collect();
    lock.extend(scheduled.retired);
    let mut live: std::collections::HashSet<&str> = articles
        .iter()
        .filter(|a| a.published)
        .map(|a| a.path.as_str())
        .collect();
    let other_pages: Vec<String> = (input.cities.iter().map(|c| urls::city_path(&c.slug.value)))
        .chain(input.topics.iter().map(|t| urls::topic_path(&t.slug, 1)))
        .collect();
    live.extend(other_pages.iter().map(String::as_str));
    let published: Vec<(CityId, TopicId, &str)> = articles
        .iter()
        .filter(|a| a.published)
        .map(|a| (a.city, a.topic, a.path.as_str()))
        .collect();
    let redirects = redirects::redirects(input, &published, &live);
    live.extend(redirects.iter().map(|r| r.from.as_str()));
    let dead_links = redirects::dead_links(input, &lock, opts.now, &live);
    Ok(Plan {
        now: opts.now,
        articles,
        categories,
        newest_first,
        by_city,
        by_topic,
        lists,
        pages,
        lock,
        next_publish,
        redirects,
        dead_links,
    })
}

fn page_count(items: usize, per_page: usize) -> usize {
    items.div_ceil(per_page.max(1)).max(1)
}

fn page_list(
    input: &SiteInput,
    articles: &IdVec<ArticleId, PlannedArticle>,
    newest_first: &[ArticleId],
    by_topic: &IdVec<TopicId, Vec<ArticleId>>,
) -> Vec<Page> {
    let per = input.site.home_page_size;
    let home_pages = page_count(newest_first.len(), per);
    let list_pages: usize = (by_topic.iter())
        .map(|list| page_count(list.len(), per))
        .sum();
    // Sized once: a large site's list is not grown (and copied into fresh memory) step by step.
    let mut pages =
        Vec::with_capacity(newest_first.len() + home_pages + input.cities.len() + list_pages + 4);
    pages.extend(
        (articles.iter_ids())
            .filter(|(_, a)| a.published)
            .map(|(i, _)| Page::Article(i)),
    );
    pages.extend((1..=home_pages).map(|page| Page::Home {
        page,
        pages: home_pages,
    }));
    pages.extend(input.cities.ids().map(Page::City));
    for (topic, list) in by_topic.iter_ids() {
        let n = page_count(list.len(), per);
        pages.extend((1..=n).map(|page| Page::Topic {
            topic,
            page,
            pages: n,
        }));
    }
    pages.push(Page::Cities);
    pages.push(Page::About);
    pages.push(Page::Search);
    pages.push(Page::NotFound);
    pages
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ids::Id;

    #[test]
    fn pick_is_stable_and_in_range() {
        assert_eq!(pick("yueyang/a", "title", 5), pick("yueyang/a", "title", 5));
        assert!(pick("yueyang/a", "title", 5) < 5);
        assert_eq!(pick("x", "y", 1), 0);
        assert_eq!(pick("x", "y", 0), 0);
    }

    #[test]
    fn page_groups_keep_a_citys_articles_together() {
        let article = |city: usize| PlannedArticle {
            pair: Default::default(),
            city: crate::model::ids::Id::new(city),
            topic: Default::default(),
            id: String::new(),
            path: String::new(),
            publish_at: NaiveDateTime::default(),
            publish_from: schedule::PublishFrom::Slot,
            published: true,
            chosen: ChosenVariants::default(),
            category: 0,
        };
        let plan = Plan {
            now: NaiveDateTime::default(),
            articles: vec![article(0), article(0), article(1)].into(),
            categories: vec![],
            newest_first: vec![],
            by_city: Default::default(),
            by_topic: Default::default(),
            lists: CategoryLists::default(),
            pages: vec![
                Page::Article(Id::new(0)),
                Page::Article(Id::new(1)),
                Page::Article(Id::new(2)),
                Page::Cities,
                Page::NotFound,
            ],
            lock: vec![],
            next_publish: None,
            redirects: vec![],
            dead_links: vec![],
        };
        let sizes: Vec<usize> = plan.page_groups().iter().map(|g| g.len()).collect();
        assert_eq!(sizes, vec![2, 1, 1, 1]);
        assert_eq!(plan.page_groups().concat(), plan.pages);
    }

    #[test]
    fn page_counts_round_up() {
        assert_eq!(page_count(0, 30), 1);
        assert_eq!(page_count(30, 30), 1);
        assert_eq!(page_count(31, 30), 2);
    }
}
