//! Stage 2, merge: the value cascade site → topic → city → city×topic, per article.
//!
//! Pure and deterministic. Maps merge key by key; scalars and lists replace. Every merged
//! value keeps the place it came from, for `sitegen explain`.

mod shapes;

pub(crate) use shapes::check_shapes;

use crate::diag::Origin;
use crate::model::ids::{CityId, Id, IdVec, PairId, TopicId};
use crate::model::{SiteInput, Sourced, Value, ValueMap};
use std::sync::Arc;

/// Which cascade level set a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Layer {
    Site,
    Topic,
    City,
    CityTopic,
}

/// A value after the cascade, with the level and place that set it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MergedValue {
    pub(crate) value: Value,
    pub(crate) layer: Layer,
    pub(crate) origin: Origin,
}

/// One named value after the cascade, shared by every pair it holds for.
#[derive(Debug)]
pub(crate) struct Named {
    name: Box<str>,
    merged: MergedValue,
}

/// A pair's values, in name order. A value is shared with every pair that has it from
/// the same place (a topic default with each city that keeps it, a city value with each
/// of the city's topics), so a pair holds one pointer per value, not a copy.
#[derive(Debug, Clone, Default)]
pub(crate) struct Values(Box<[Arc<Named>]>);

impl Values {
    /// Names and values, in name order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &MergedValue)> {
        self.into_iter()
    }

    /// The values, in name order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &MergedValue> {
        self.0.iter().map(|n| &n.merged)
    }

    /// The value named `name`.
    #[cfg(test)]
    pub(crate) fn get(&self, name: &str) -> Option<&MergedValue> {
        let at = self.0.binary_search_by(|n| (*n.name).cmp(name)).ok()?;
        Some(&self.0[at].merged)
    }
}

impl<'v> IntoIterator for &'v Values {
    type Item = (&'v str, &'v MergedValue);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'v, Arc<Named>>,
        fn(&'v Arc<Named>) -> (&'v str, &'v MergedValue),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|n| (&*n.name, &n.merged))
    }
}

/// The values of one (city, topic) pair.
#[derive(Debug, Clone)]
pub(crate) struct MergedPair {
    pub(crate) city: CityId,
    pub(crate) topic: TopicId,
    pub(crate) values: Values,
}

/// Every (city, topic) pair that is not skipped, in city-then-topic order.
#[derive(Debug, Clone)]
pub struct Merged {
    pub(crate) pairs: IdVec<PairId, MergedPair>,
    topic_count: usize,
    /// Dense `city × topic` → index into `pairs`.
    index: Vec<Option<u32>>,
}

impl Merged {
    /// The pair for (city, topic), unless the city skips the topic.
    pub(crate) fn pair(&self, city: CityId, topic: TopicId) -> Option<&MergedPair> {
        self.pair_index(city, topic).map(|i| &self.pairs[i])
    }

    pub(crate) fn pair_index(&self, city: CityId, topic: TopicId) -> Option<PairId> {
        self.index
            .get(city.index() * self.topic_count + topic.index())
            .copied()
            .flatten()
            .map(|i| PairId::new(i as usize))
    }
}

/// An earlier merge, and which cities are unchanged since it was made (`serve`: the
/// city's file, every topic file and the site settings are as they were then).
pub struct Earlier<'a> {
    pub(crate) merged: Merged,
    pub(crate) unchanged: &'a dyn Fn(CityId) -> bool,
}

/// Runs the cascade for every city × topic that the city does not skip; the pairs of a
/// city unchanged since `earlier` are moved out of it instead of merged again.
pub fn merge(input: &SiteInput, earlier: Option<Earlier<'_>>) -> Merged {
    let topic_count = input.topics.len();
    let mut pairs = IdVec::default();
    let mut index = vec![None; input.cities.len() * topic_count];
    let (mut earlier, unchanged) = match earlier {
        Some(e) if e.merged.topic_count == topic_count => (Some(e.merged), e.unchanged),
        _ => (None, &(|_| false) as &dyn Fn(CityId) -> bool),
    };
    // Site and topic defaults, made once and shared by every city.
    let defaults: Vec<Vec<Arc<Named>>> = (input.topics.ids())
        .map(|t| defaults_layers(input, t))
        .collect();
    for (ci, city) in input.cities.iter_ids() {
        let row = ci.index() * topic_count;
        if let Some(old) = earlier.as_mut().filter(|_| unchanged(ci)) {
            for ti in input.topics.ids() {
                if let Some(at) = old.pair_index(ci, ti) {
                    index[row + ti.index()] = Some(pairs.len() as u32);
                    pairs.push(std::mem::replace(
                        &mut old.pairs[at],
                        MergedPair {
                            city: ci,
                            topic: ti,
                            values: Values::default(),
                        },
                    ));
                }
            }
            continue;
        }
        let city_values = layer(&city.values, Layer::City);
        for (ti, topic) in input.topics.iter_ids() {
            if city.skip.iter().any(|s| s.value == topic.slug) {
                continue;
            }
            let mut values = overlay(defaults[ti.index()].clone(), &city_values);
            if let Some(ct) = city.topics.get(&topic.slug) {
                values = overlay(values, &layer(&ct.values, Layer::CityTopic));
            }
            index[row + ti.index()] = Some(pairs.len() as u32);
            pairs.push(MergedPair {
                city: ci,
                topic: ti,
                values: Values(values.into_boxed_slice()),
            });
        }
    }
    Merged {
        pairs,
        topic_count,
        index,
    }
}

/// The values a city with none of its own gets for `topic`: site defaults, then the
/// topic's (what `sitegen coverage` compares articles against).
pub(crate) fn defaults_of(input: &SiteInput, topic: TopicId) -> Values {
    Values(defaults_layers(input, topic).into_boxed_slice())
}

fn defaults_layers(input: &SiteInput, topic: TopicId) -> Vec<Arc<Named>> {
    let site = layer(&input.site.defaults, Layer::Site);
    overlay(site, &layer(&input.topics[topic].defaults, Layer::Topic))
}

/// One level's values, in name order (a `ValueMap` is sorted by name).
fn layer(values: &ValueMap, layer: Layer) -> Vec<Arc<Named>> {
    (values.iter())
        .map(|(name, Sourced { value, origin })| {
            Arc::new(Named {
                name: name.as_str().into(),
                merged: MergedValue {
                    value: value.clone(),
                    layer,
                    origin: origin.clone(),
                },
            })
        })
        .collect()
}

/// `upper` over `lower`, both in name order: maps merge key by key (see [`merge_maps`]);
/// any other value replaces the one below it.
fn overlay(lower: Vec<Arc<Named>>, upper: &[Arc<Named>]) -> Vec<Arc<Named>> {
    if upper.is_empty() {
        return lower;
    }
    let mut out = Vec::with_capacity(lower.len() + upper.len());
    let mut lower = lower.into_iter().peekable();
    for up in upper {
        while let Some(below) = lower.next_if(|l| l.name < up.name) {
            out.push(below);
        }
        let below = lower.next_if(|l| l.name == up.name);
        out.push(
            match below
                .as_deref()
                .map(|b| (&b.merged.value, &up.merged.value))
            {
                Some((Value::Object(a), Value::Object(b))) => Arc::new(Named {
                    name: up.name.clone(),
                    merged: MergedValue {
                        value: Value::Object(merge_maps(a, b)),
                        layer: up.merged.layer,
                        origin: up.merged.origin.clone(),
                    },
                }),
                _ => up.clone(),
            },
        );
    }
    out.extend(lower);
    out
}

/// Merges `upper` over `lower` key by key (nested maps too); other values replace.
pub(crate) fn merge_maps(
    lower: &serde_json::Map<String, Value>,
    upper: &serde_json::Map<String, Value>,
) -> serde_json::Map<String, Value> {
    let mut out = lower.clone();
    for (k, v) in upper {
        let merged = match (out.get(k), v) {
            (Some(Value::Object(a)), Value::Object(b)) => Value::Object(merge_maps(a, b)),
            _ => v.clone(),
        };
        out.insert(k.clone(), merged);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn level(pairs: &[(&str, Value)], line: u32, at: Layer) -> Vec<Arc<Named>> {
        let map: ValueMap = pairs
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    Sourced::new(v.clone(), Origin::new("f", line, 1)),
                )
            })
            .collect();
        layer(&map, at)
    }

    fn cascade(levels: Vec<Vec<Arc<Named>>>) -> Values {
        let all = levels.into_iter().fold(Vec::new(), |v, l| overlay(v, &l));
        Values(all.into_boxed_slice())
    }

    #[test]
    fn maps_merge_key_by_key_and_lists_replace() {
        let values = cascade(vec![
            level(
                &[
                    ("m", json!(["a", "b"])),
                    ("o", json!({"x": 1, "y": {"p": 1, "q": 2}})),
                ],
                1,
                Layer::Topic,
            ),
            level(
                &[("m", json!(["c"])), ("o", json!({"y": {"q": 3}}))],
                2,
                Layer::City,
            ),
        ]);
        let get = |k| values.get(k).unwrap();
        assert_eq!(get("m").value, json!(["c"]));
        assert_eq!(get("o").value, json!({"x": 1, "y": {"p": 1, "q": 3}}));
        assert_eq!(get("o").layer, Layer::City);
        assert_eq!(get("o").origin.line, 2);
    }

    #[test]
    fn higher_layers_win() {
        let values = cascade(vec![
            level(&[("t", json!("site"))], 1, Layer::Site),
            level(&[("t", json!("topic"))], 2, Layer::Topic),
            level(&[("t", json!("city"))], 3, Layer::City),
            level(&[("t", json!("pair"))], 4, Layer::CityTopic),
        ]);
        assert_eq!(values.get("t").unwrap().value, json!("pair"));
        assert_eq!(values.get("t").unwrap().layer, Layer::CityTopic);
    }

    #[test]
    fn names_stay_in_order_across_levels() {
        let values = cascade(vec![
            level(&[("b", json!(1)), ("d", json!(2))], 1, Layer::Topic),
            level(
                &[("a", json!(3)), ("c", json!(4)), ("e", json!(5))],
                2,
                Layer::City,
            ),
            level(&[("d", json!(6))], 3, Layer::CityTopic),
        ]);
        let names: Vec<&str> = values.iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["a", "b", "c", "d", "e"]);
        assert_eq!(values.get("d").unwrap().value, json!(6));
        assert_eq!(values.get("b").unwrap().layer, Layer::Topic);
    }
}
