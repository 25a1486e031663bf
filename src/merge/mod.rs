//! Stage 2, merge: the value cascade site → topic → city → city×topic, per article.
//!
//! Pure and deterministic. Maps merge key by key; scalars and lists replace. Every merged
//! value keeps the place it came from, for `sitegen explain`.

mod shapes;

pub(crate) use shapes::check_shapes;

use crate::diag::Origin;
use crate::model::ids::{CityId, Id, IdVec, PairId, TopicId};
use crate::model::{SiteInput, Sourced, Value, ValueMap};
use std::collections::BTreeMap;

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

/// The values of one (city, topic) pair.
#[derive(Debug, Clone)]
pub(crate) struct MergedPair {
    pub(crate) city: CityId,
    pub(crate) topic: TopicId,
    pub(crate) values: BTreeMap<String, MergedValue>,
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
                            values: BTreeMap::new(),
                        },
                    ));
                }
            }
            continue;
        }
        for (ti, topic) in input.topics.iter_ids() {
            if city.skip.iter().any(|s| s.value == topic.slug) {
                continue;
            }
            let mut values = BTreeMap::new();
            apply(&mut values, &input.site.defaults, Layer::Site);
            apply(&mut values, &topic.defaults, Layer::Topic);
            apply(&mut values, &city.values, Layer::City);
            if let Some(ct) = city.topics.get(&topic.slug) {
                apply(&mut values, &ct.values, Layer::CityTopic);
            }
            index[row + ti.index()] = Some(pairs.len() as u32);
            pairs.push(MergedPair {
                city: ci,
                topic: ti,
                values,
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
pub(crate) fn defaults_of(input: &SiteInput, topic: TopicId) -> BTreeMap<String, MergedValue> {
    let mut values = BTreeMap::new();
    apply(&mut values, &input.site.defaults, Layer::Site);
    apply(&mut values, &input.topics[topic].defaults, Layer::Topic);
    values
}

fn apply(into: &mut BTreeMap<String, MergedValue>, layer_values: &ValueMap, layer: Layer) {
    for (key, Sourced { value, origin }) in layer_values {
        let merged = match (into.get(key), value) {
            (
                Some(MergedValue {
                    value: Value::Object(lower),
                    ..
                }),
                Value::Object(upper),
            ) => Value::Object(merge_maps(lower, upper)),
            _ => value.clone(),
        };
        into.insert(
            key.clone(),
            MergedValue {
                value: merged,
                layer,
                origin: origin.clone(),
            },
        );
    }
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

    fn layer(pairs: &[(&str, Value)], line: u32) -> ValueMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    Sourced::new(v.clone(), Origin::new("f", line, 1)),
                )
            })
            .collect()
    }

    #[test]
    fn maps_merge_key_by_key_and_lists_replace() {
        let mut values = BTreeMap::new();
        apply(
            &mut values,
            &layer(
                &[
                    ("m", json!(["a", "b"])),
                    ("o", json!({"x": 1, "y": {"p": 1, "q": 2}})),
                ],
                1,
            ),
            Layer::Topic,
        );
        apply(
            &mut values,
            &layer(&[("m", json!(["c"])), ("o", json!({"y": {"q": 3}}))], 2),
            Layer::City,
        );
        assert_eq!(values["m"].value, json!(["c"]));
        assert_eq!(values["o"].value, json!({"x": 1, "y": {"p": 1, "q": 3}}));
        assert_eq!(values["o"].layer, Layer::City);
        assert_eq!(values["o"].origin.line, 2);
    }

    #[test]
    fn higher_layers_win() {
        let mut values = BTreeMap::new();
        apply(&mut values, &layer(&[("t", json!("site"))], 1), Layer::Site);
        apply(
            &mut values,
            &layer(&[("t", json!("topic"))], 2),
            Layer::Topic,
        );
        apply(&mut values, &layer(&[("t", json!("city"))], 3), Layer::City);
        apply(
            &mut values,
            &layer(&[("t", json!("pair"))], 4),
            Layer::CityTopic,
        );
        assert_eq!(values["t"].value, json!("pair"));
        assert_eq!(values["t"].layer, Layer::CityTopic);
    }
}
