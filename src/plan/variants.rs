//! The one place an article's title, teaser and heading templates, its date-suffix format
//! and its extra sections are chosen, each with where the choice came from. Render, lint
//! and `explain` read these choices; none of them chooses again.
//!
//! Published is permanent: a variant recorded in the article's `schedule.lock` line is
//! kept where it still exists ([`super::pins`]), else a stable hash of the id decides.

use super::{pick, pins};
use crate::diag::Origin;
use crate::merge::Merged;
use crate::model::ids::{CityId, Id, TopicId};
use crate::model::{SiteInput, Sourced, VariantPin, VariantPins};

/// Names of content templates (as render compiles them).
pub(crate) mod names {
    use crate::diag::Origin;
    use crate::model::{Sourced, Topic};

    /// Topic `t`'s content templates by name, with their text and where it starts: the
    /// titles, headings, lead and teasers, then the body.
    pub(crate) fn of_topic<'a>(t: &'a Topic) -> impl Iterator<Item = (String, &'a str, Origin)> {
        let each = |name: fn(&str, usize) -> String, list: &'a [Sourced<String>]| {
            let at = move |(i, s): (usize, &'a Sourced<String>)| {
                (name(&t.slug, i), s.value.as_str(), s.origin.clone())
            };
            list.iter().enumerate().map(at)
        };
        let lead = (lead(&t.slug), t.lead.value.as_str(), t.lead.origin.clone());
        let body = (
            body(&t.slug),
            t.body.as_str(),
            Origin::new(&t.path, t.body_line, 1),
        );
        each(title, &t.titles)
            .chain(each(heading, &t.headings))
            .chain([lead])
            .chain(each(teaser, &t.teasers))
            .chain([body])
    }
    pub(crate) fn body(topic: &str) -> String {
        format!("topic:{topic}:body")
    }
    pub(crate) fn lead(topic: &str) -> String {
        format!("topic:{topic}:lead")
    }
    pub(crate) fn title(topic: &str, i: usize) -> String {
        format!("topic:{topic}:title:{i}")
    }
    pub(crate) fn heading(topic: &str, i: usize) -> String {
        format!("topic:{topic}:heading:{i}")
    }
    pub(crate) fn teaser(topic: &str, i: usize) -> String {
        format!("topic:{topic}:teaser:{i}")
    }
    pub(crate) fn city_heading(city: &str, topic: &str) -> String {
        format!("city:{city}:{topic}:heading")
    }
    pub(crate) fn city_title(city: &str, topic: &str) -> String {
        format!("city:{city}:{topic}:title")
    }
}

/// Which of a topic's lists a variant comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Title,
    Teaser,
    Heading,
}

/// A chosen content template and where it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TemplateRef {
    /// Entry `index` of topic `topic`'s `titles`, `teasers` or `headings`.
    Listed {
        kind: Kind,
        topic: TopicId,
        index: usize,
    },
    /// The city's own `title:` or `heading:` for `topic`.
    Own {
        kind: Kind,
        city: CityId,
        topic: TopicId,
    },
}

impl TemplateRef {
    /// The topic whose title, teaser or heading this is.
    pub(crate) fn topic(self) -> TopicId {
        match self {
            TemplateRef::Listed { topic, .. } | TemplateRef::Own { topic, .. } => topic,
        }
    }

    /// The template's name, as render compiled it.
    pub(crate) fn name(self, input: &SiteInput) -> String {
        match self {
            TemplateRef::Listed { kind, topic, index } => {
                let slug = &input.topics[topic].slug;
                match kind {
                    Kind::Title => names::title(slug, index),
                    Kind::Teaser => names::teaser(slug, index),
                    Kind::Heading => names::heading(slug, index),
                }
            }
            TemplateRef::Own { kind, city, topic } => {
                let (city, topic) = (&input.cities[city].slug.value, &input.topics[topic].slug);
                match kind {
                    Kind::Heading => names::city_heading(city, topic),
                    _ => names::city_title(city, topic),
                }
            }
        }
    }

    /// The template's text and the file and line it is written at.
    pub(crate) fn source(self, input: &SiteInput) -> Option<&Sourced<String>> {
        match self {
            TemplateRef::Listed { kind, topic, index } => {
                let t = &input.topics[topic];
                let list = match kind {
                    Kind::Title => &t.titles,
                    Kind::Teaser => &t.teasers,
                    Kind::Heading => &t.headings,
                };
                list.get(index)
            }
            TemplateRef::Own { kind, city, topic } => {
                let own = input.city_topic(city, topic)?;
                match kind {
                    Kind::Heading => own.heading.as_ref(),
                    _ => own.title.as_ref(),
                }
            }
        }
    }

    /// Where the template is written (its topic file when the list is empty).
    pub(crate) fn origin(self, input: &SiteInput) -> Origin {
        self.source(input).map_or_else(
            || Origin::file(&input.topics[self.topic()].path),
            |s| s.origin.clone(),
        )
    }
}

/// Where an article's date-suffix format comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateFrom {
    /// The title template ends itself (a bracketed ending or `{# no date #}`): no suffix.
    OwnEnding,
    /// The city's `date_format:` for the topic.
    City,
    /// The article's `schedule.lock` line (it was published with it).
    Lock,
    /// Entry `index` of `title_date_formats` in site.yaml.
    Site { index: usize },
}

/// Where an article's extra sections come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExtrasFrom {
    /// The city's `extras:` for the topic.
    CityTopic,
    /// The city's `extras:`.
    City,
    /// The next `extra_sections` topics after the article's own.
    Next,
}

/// Everything chosen for one article's text.
#[derive(Debug, Clone)]
pub(crate) struct ChosenVariants {
    pub(crate) title: TemplateRef,
    pub(crate) teaser: TemplateRef,
    /// The date-suffix format of the title (chrono strftime; `""`: no suffix).
    pub(crate) date_format: String,
    pub(crate) date_from: DateFrom,
    /// Topics of the extra sections, after the main topic.
    pub(crate) extras: Vec<TopicId>,
    pub(crate) extras_from: ExtrasFrom,
    /// Each section's heading, the main topic's first, then the extras' in order.
    pub(crate) headings: Vec<TemplateRef>,
}

impl ChosenVariants {
    /// The heading template of `topic`'s section.
    pub(crate) fn heading(&self, topic: TopicId) -> Option<TemplateRef> {
        self.headings.iter().copied().find(|h| h.topic() == topic)
    }

    /// The section topics: the article's own first, then the extras.
    pub(crate) fn sections(&self) -> impl Iterator<Item = TopicId> + '_ {
        self.headings.iter().map(|h| h.topic())
    }
}

impl Default for ChosenVariants {
    fn default() -> Self {
        let listed = |kind| TemplateRef::Listed {
            kind,
            topic: TopicId::default(),
            index: 0,
        };
        ChosenVariants {
            title: listed(Kind::Title),
            teaser: listed(Kind::Teaser),
            date_format: String::new(),
            date_from: DateFrom::OwnEnding,
            extras: Vec::new(),
            extras_from: ExtrasFrom::Next,
            headings: vec![listed(Kind::Heading)],
        }
    }
}

/// Chooses article `id`'s variants: those recorded in its lock line (`old`) where they
/// still exist, else a stable hash of the id; returns them with the pins to record.
pub(crate) fn choose_variants(
    input: &SiteInput,
    merged: &Merged,
    id: &str,
    (city, topic): (CityId, TopicId),
    old: &VariantPins,
) -> (ChosenVariants, VariantPins) {
    let (c, t) = (&input.cities[city], &input.topics[topic]);
    let own = c.topics.get(&t.slug);
    let listed =
        |kind, topic, list: &[Sourced<String>], pin: Option<&VariantPin>, purpose: &str| {
            let (index, pin) = pins::keep(pin, list, pick(id, purpose, list.len()));
            (TemplateRef::Listed { kind, topic, index }, pin)
        };
    let (listed_title, title_pin) =
        listed(Kind::Title, topic, &t.titles, old.title.as_ref(), "title");
    let (teaser, teaser_pin) = listed(
        Kind::Teaser,
        topic,
        &t.teasers,
        old.teaser.as_ref(),
        "teaser",
    );
    let title = match own.and_then(|x| x.title.as_ref()) {
        Some(_) => TemplateRef::Own {
            kind: Kind::Title,
            city,
            topic,
        },
        None => listed_title,
    };
    let title_text = title.source(input).map_or("", |x| x.value.as_str());
    let formats = &input.site.title_date_formats;
    let (date_format, date_from) = if pins::has_own_suffix(title_text) {
        (String::new(), DateFrom::OwnEnding)
    } else if let Some(f) = own.and_then(|x| x.date_format.as_ref()) {
        (f.value.clone(), DateFrom::City)
    } else if let Some(d) = old.date.as_ref().filter(|d| !d.is_empty()) {
        (d.clone(), DateFrom::Lock)
    } else {
        let index = pick(id, "date", formats.len()).min(formats.len().saturating_sub(1));
        (formats[index].clone(), DateFrom::Site { index })
    };
    let (extras, extras_from) = extras_for(input, merged, city, topic);
    let mut headings = Vec::new();
    let mut heading_pins = Vec::new();
    for &s in std::iter::once(&topic).chain(&extras) {
        let st = &input.topics[s];
        if c.topics.get(&st.slug).is_some_and(|x| x.heading.is_some()) {
            headings.push(TemplateRef::Own {
                kind: Kind::Heading,
                city,
                topic: s,
            });
            continue;
        }
        let pin = old.headings.iter().find(|(slug, _)| *slug == st.slug);
        let purpose = format!("heading:{}", st.slug);
        let (heading, p) = listed(
            Kind::Heading,
            s,
            &st.headings,
            pin.map(|(_, p)| p),
            &purpose,
        );
        headings.push(heading);
        heading_pins.push((st.slug.clone(), p));
    }
    heading_pins.sort();
    let pinned = VariantPins {
        title: Some(title_pin),
        teaser: Some(teaser_pin),
        headings: heading_pins,
        date: Some(date_format.clone()),
    };
    let chosen = ChosenVariants {
        title,
        teaser,
        date_format,
        date_from,
        extras,
        extras_from,
        headings,
    };
    (chosen, pinned)
}

/// The extra sections of (city, topic): the city×topic list, else the city's list, else the
/// next `extra_sections` topics after this one; never the topic itself or a skipped one.
fn extras_for(
    input: &SiteInput,
    merged: &Merged,
    city: CityId,
    topic: TopicId,
) -> (Vec<TopicId>, ExtrasFrom) {
    let c = &input.cities[city];
    let own = input
        .city_topic(city, topic)
        .and_then(|t| t.extras.as_ref());
    let usable = |t: TopicId| t != topic && merged.pair(city, t).is_some();
    let (explicit, from) = match (own, c.extras.as_ref()) {
        (Some(list), _) => (list, ExtrasFrom::CityTopic),
        (None, Some(list)) => (list, ExtrasFrom::City),
        (None, None) => {
            let n = input.topics.len();
            let next = (1..n)
                .map(|k| TopicId::new((topic.index() + k) % n))
                .filter(|&t| usable(t))
                .take(input.site.extra_sections)
                .collect();
            return (next, ExtrasFrom::Next);
        }
    };
    let mut out = Vec::new();
    for name in explicit {
        if let Some(t) = input.topics.position(|x| x.slug == name.value)
            && usable(t)
            && !out.contains(&t)
        {
            out.push(t);
        }
    }
    (out, from)
}
