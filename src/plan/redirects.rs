//! Renamed and removed pages. A city or topic that lists `former_slugs` keeps its
//! published articles: their lock entries move to the new slug (same date, same variants)
//! and every old URL gets a redirect. A slug that changes without `former_slugs` is an
//! error naming the URLs that would disappear. Published articles whose city or topic is
//! gone stay in the lock as retired; their URLs form the dead-link list.

use super::urls;
use crate::diag::{Diagnostic, Origin};
use crate::model::ids::{CityId, TopicId};
use crate::model::{LockedSlot, SiteInput};
use chrono::NaiveDateTime;
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};

/// A page that moved: `from` and `to` are paths below the base URL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Redirect {
    pub(crate) from: String,
    pub(crate) to: String,
}

/// Old slug → current slug, for cities and for topics.
struct Renames<'a> {
    cities: HashMap<&'a str, &'a str>,
    topics: HashMap<&'a str, &'a str>,
}

impl<'a> Renames<'a> {
    fn of(input: &'a SiteInput) -> Self {
        let mut cities = HashMap::new();
        for c in &input.cities {
            for old in &c.former_slugs {
                cities.insert(old.value.as_str(), c.slug.value.as_str());
            }
        }
        let mut topics = HashMap::new();
        for t in &input.topics {
            for old in &t.former_slugs {
                topics.insert(old.value.as_str(), t.slug.as_str());
            }
        }
        Renames { cities, topics }
    }

    /// The current id of a locked `city/topic`.
    fn current(&self, id: &str) -> Option<String> {
        let (c, t) = id.split_once('/')?;
        let nc = self.cities.get(c).copied().unwrap_or(c);
        let nt = self.topics.get(t).copied().unwrap_or(t);
        (nc != c || nt != t).then(|| format!("{nc}/{nt}"))
    }
}

/// The lock with renamed articles' entries under their current ids. `Err` when a
/// published city or topic is gone while a new one appears that does not name it in
/// `former_slugs` (a rename that would drop its URLs), or a former slug is still in use.
pub(crate) fn carry_over<'l>(
    input: &SiteInput,
    lock: &'l [LockedSlot],
    current: &HashSet<&str>,
    now: NaiveDateTime,
) -> Result<Cow<'l, [LockedSlot]>, Vec<Diagnostic>> {
    let mut problems = former_slugs_in_use(input);
    let renames = Renames::of(input);
    let taken: HashSet<&str> = lock.iter().map(|s| s.article.as_str()).collect();
    let moved = |s: &LockedSlot| {
        renames
            .current(&s.article)
            .filter(|id| current.contains(id.as_str()) && !taken.contains(id.as_str()))
    };
    // Copied only when a line moves (a rename is rare; the lock has a line per article).
    let out: Cow<'l, [LockedSlot]> = if lock.iter().any(|s| moved(s).is_some()) {
        let moved: Vec<LockedSlot> = (lock.iter())
            .map(|s| match moved(s) {
                Some(id) => LockedSlot {
                    article: id,
                    retired: false,
                    ..s.clone()
                },
                None => s.clone(),
            })
            .collect();
        Cow::Owned(moved)
    } else {
        Cow::Borrowed(lock)
    };
    problems.extend(silent_renames(input, &out[..], now));
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// A former slug that is some city's (or topic's) current slug cannot redirect.
fn former_slugs_in_use(input: &SiteInput) -> Vec<Diagnostic> {
    let cities: HashSet<&str> = input.cities.iter().map(|c| c.slug.value.as_str()).collect();
    let topics: HashSet<&str> = input.topics.iter().map(|t| t.slug.as_str()).collect();
    let olds = (input
        .cities
        .iter()
        .flat_map(|c| c.former_slugs.iter().map(|s| (s, &cities))))
    .chain(
        input
            .topics
            .iter()
            .flat_map(|t| t.former_slugs.iter().map(|s| (s, &topics))),
    );
    olds.filter(|(s, live)| live.contains(s.value.as_str()))
        .map(|(s, _)| {
            Diagnostic::error(
                s.origin.clone(),
                format!("former slug `{}` is still in use", s.value),
            )
            .with_hint("a former slug must no longer belong to any city (or topic); remove it from `former_slugs`")
        })
        .collect()
}

/// A name as the lock records it: without spaces.
pub(crate) fn lock_name(name: &str) -> String {
    name.split_whitespace().collect()
}

/// Published slugs that are gone while a new slug with the same name appears: a rename
/// without `former_slugs`, which would drop the published URLs.
fn silent_renames<'a>(
    input: &'a SiteInput,
    lock: &'a [LockedSlot],
    now: NaiveDateTime,
) -> Vec<Diagnostic> {
    let base = &input.site.base_url;
    let cities = (input.cities.iter()).map(|c| {
        (
            c.slug.value.as_str(),
            c.name.as_str(),
            c.slug.origin.clone(),
        )
    });
    let topics =
        (input.topics.iter()).map(|t| (t.slug.as_str(), t.name.as_str(), Origin::file(&t.path)));
    let mut out = Vec::new();
    for (kind, side, list) in [
        ("city", 0, cities.collect::<Vec<_>>()),
        ("topic", 1, topics.collect()),
    ] {
        let live: HashSet<&str> = list.iter().map(|x| x.0).collect();
        let side_of = |id: &'a str| -> &'a str {
            let (c, t) = id.split_once('/').unwrap_or((id, ""));
            if side == 0 { c } else { t }
        };
        let locked: HashSet<&str> = lock.iter().map(|s| side_of(&s.article)).collect();
        // Name → (gone slug, its published URLs).
        let mut gone: HashMap<&str, (&str, Vec<String>)> = HashMap::new();
        for s in lock.iter().filter(|s| !s.retired && s.publish_at <= now) {
            let (Some((c, t)), Some((cn, tn))) = (s.article.split_once('/'), &s.names) else {
                continue;
            };
            let (slug, name) = if side == 0 { (c, cn) } else { (t, tn) };
            if !live.contains(slug) {
                let entry = gone.entry(name.as_str()).or_insert((slug, Vec::new()));
                entry.1.push(format!("{base}{}/", s.article));
            }
        }
        for (slug, name, origin) in &list {
            let is_new = !locked.contains(slug);
            let Some((old, urls)) = gone.get(lock_name(name).as_str()).filter(|_| is_new) else {
                continue;
            };
            out.push(
                Diagnostic::error(
                    origin.clone(),
                    format!(
                        "{kind} `{slug}` ({name}) looks like `{old}` renamed: its {} published URL(s) would disappear ({}{})",
                        urls.len(),
                        urls[0],
                        if urls.len() > 1 { ", …" } else { "" }
                    ),
                )
                .with_hint(format!(
                    "to keep the URLs, add `former_slugs: [{old}]` to this {kind}'s file: the old URLs then redirect here and the articles keep their dates and titles"
                )),
            );
        }
    }
    out
}

/// The redirects to write: every old URL of a renamed city's or topic's published
/// articles, city page and topic page. `live` holds every page path the site has.
pub(crate) fn redirects(
    input: &SiteInput,
    articles: &[(CityId, TopicId, &str)],
    live: &HashSet<&str>,
) -> Vec<Redirect> {
    let names = |c: CityId| {
        let city = &input.cities[c];
        std::iter::once(city.slug.value.as_str())
            .chain(city.former_slugs.iter().map(|s| s.value.as_str()))
    };
    let topic_names = |t: TopicId| {
        let topic = &input.topics[t];
        std::iter::once(topic.slug.as_str())
            .chain(topic.former_slugs.iter().map(|s| s.value.as_str()))
    };
    let mut out = BTreeSet::new();
    for &(c, t, path) in articles {
        for (k, oc) in names(c).enumerate() {
            // The current slugs give the article's own (live) path: no redirect.
            for ot in topic_names(t).skip(usize::from(k == 0)) {
                out.insert((urls::article_path(oc, ot), path.to_string()));
            }
        }
    }
    for (c, city) in input.cities.iter_ids() {
        for old in names(c).skip(1) {
            out.insert((urls::city_path(old), urls::city_path(&city.slug.value)));
        }
    }
    for (t, topic) in input.topics.iter_ids() {
        for old in topic_names(t).skip(1) {
            out.insert((urls::topic_path(old, 1), urls::topic_path(&topic.slug, 1)));
        }
    }
    out.into_iter()
        .filter(|(from, _)| !live.contains(from.as_str()))
        .map(|(from, to)| Redirect { from, to })
        .collect()
}

/// The dead-link list: paths of retired articles published by `now`, and of the city and
/// topic pages of slugs no longer on the site, unless redirected. Sorted.
pub(crate) fn dead_links(
    input: &SiteInput,
    lock: &[LockedSlot],
    now: NaiveDateTime,
    redirected: &HashSet<&str>,
) -> Vec<String> {
    let cities: HashSet<&str> = input.cities.iter().map(|c| c.slug.value.as_str()).collect();
    let topics: HashSet<&str> = input.topics.iter().map(|t| t.slug.as_str()).collect();
    let mut out = BTreeSet::new();
    for s in lock.iter().filter(|s| s.retired && s.publish_at <= now) {
        let Some((c, t)) = s.article.split_once('/') else {
            continue;
        };
        out.insert(urls::article_path(c, t));
        if !cities.contains(c) {
            out.insert(urls::city_path(c));
            out.insert(urls::city_feed_path(c));
        }
        if !topics.contains(t) {
            out.insert(urls::topic_path(t, 1));
        }
    }
    out.into_iter()
        .filter(|p| !redirected.contains(p.as_str()))
        .collect()
}
