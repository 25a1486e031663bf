//! Value shapes across the cascade: a value that overrides a lower level's value must have
//! the same shape (a list stays a list, a map stays a map), or the template that loops over
//! the list renders nonsense. Reported at the overriding line, naming where the lower value is.

use super::merge_maps;
use crate::diag::{Diagnostic, Origin};
use crate::model::ids::CityId;
use crate::model::{SiteInput, Value, ValueMap};
use std::collections::{BTreeMap, BTreeSet};

/// Every override whose shape differs from the value it replaces, once per place; cities
/// `c` with `clean(c)` are left out (`serve`: unchanged since a run without problems).
pub(crate) fn check_shapes(
    input: &SiteInput,
    clean: Option<&dyn Fn(CityId) -> bool>,
) -> Vec<Diagnostic> {
    let include = |c: CityId| clean.is_none_or(|clean| !clean(c));
    let mut problems = Vec::new();
    let mut reported: BTreeSet<(Origin, String)> = BTreeSet::new();
    let cities = input.cities.iter_ids();
    for (_, city) in cities.filter(|&(c, _)| include(c)) {
        for topic in &input.topics {
            if city.skip.iter().any(|s| s.value == topic.slug) {
                continue;
            }
            let empty = ValueMap::new();
            let city_topic = city.topics.get(&topic.slug).map_or(&empty, |t| &t.values);
            // The cascade's order: site, topic, city, city × topic.
            let layers = [
                &input.site.defaults,
                &topic.defaults,
                &city.values,
                city_topic,
            ];
            let mut current: BTreeMap<&str, (Value, &Origin)> = BTreeMap::new();
            for values in layers {
                for (key, upper) in values {
                    if let Some((lower, lower_origin)) = current.get(key.as_str())
                        && let Some(m) = mismatch(key, lower, &upper.value)
                        && reported.insert((upper.origin.clone(), m.path.clone()))
                    {
                        problems.push(m.diagnostic(&upper.origin, lower_origin));
                    }
                    let merged = match (current.get(key.as_str()), &upper.value) {
                        (Some((Value::Object(a), _)), Value::Object(b)) => {
                            Value::Object(merge_maps(a, b))
                        }
                        _ => upper.value.clone(),
                    };
                    current.insert(key, (merged, &upper.origin));
                }
            }
        }
    }
    problems
}

struct Mismatch {
    path: String,
    expected: String,
    found: String,
}

impl Mismatch {
    fn diagnostic(&self, at: &Origin, lower: &Origin) -> Diagnostic {
        Diagnostic::error(
            at.clone(),
            format!(
                "`{}`: expected {}, found {}",
                self.path, self.expected, self.found
            ),
        )
        .with_hint(format!(
            "{lower} sets `{}` as {}; write the same shape here{}",
            self.path,
            self.expected,
            example(&self.expected)
        ))
    }
}

fn example(expected: &str) -> &'static str {
    if expected.starts_with("a list") {
        " (`[a, b]` or one `- item` per line)"
    } else if expected == "a map" {
        " (`name: value` lines indented below the key)"
    } else {
        ""
    }
}

/// The first place where `upper` does not have the shape of `lower`.
fn mismatch(path: &str, lower: &Value, upper: &Value) -> Option<Mismatch> {
    let differ = || {
        Some(Mismatch {
            path: path.to_string(),
            expected: describe(lower),
            found: describe(upper),
        })
    };
    match (lower, upper) {
        (Value::Null, _) => None,
        (Value::Object(a), Value::Object(b)) => b.iter().find_map(|(k, v)| {
            a.get(k)
                .and_then(|lower| mismatch(&format!("{path}.{k}"), lower, v))
        }),
        (Value::Array(a), Value::Array(b)) => {
            let kind = |l: &[Value]| l.iter().find(|v| !v.is_null()).map(kind_of);
            match (kind(a), kind(b)) {
                (Some(x), Some(y)) if x != y => differ(),
                _ => None,
            }
        }
        (Value::Object(_) | Value::Array(_), _) | (_, Value::Object(_) | Value::Array(_)) => {
            differ()
        }
        (_, Value::Null) => differ(),
        // Strings, numbers and booleans all print as text.
        _ => None,
    }
}

#[derive(PartialEq)]
enum Kind {
    Scalar,
    List,
    Map,
}

fn kind_of(v: &Value) -> Kind {
    match v {
        Value::Array(_) => Kind::List,
        Value::Object(_) => Kind::Map,
        _ => Kind::Scalar,
    }
}

/// A value's shape in editors' words: "a list of strings", "a map", "a number", …
pub(crate) fn describe(v: &Value) -> String {
    match v {
        Value::Null => "nothing (an empty value)".into(),
        Value::Bool(_) => "true or false".into(),
        Value::Number(_) => "a number".into(),
        Value::String(_) => "a string".into(),
        Value::Object(_) => "a map".into(),
        Value::Array(items) => match items.iter().find(|v| !v.is_null()).map(kind_of) {
            Some(Kind::Scalar) => "a list of strings".into(),
            Some(Kind::Map) => "a list of maps".into(),
            Some(Kind::List) => "a list of lists".into(),
            None => "a list".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn found(lower: Value, upper: Value) -> Option<String> {
        mismatch("k", &lower, &upper).map(|m| format!("{}: {} / {}", m.path, m.expected, m.found))
    }

    #[test]
    fn list_replaced_by_string_is_a_mismatch() {
        assert_eq!(
            found(json!(["身份证"]), json!("身份证")).as_deref(),
            Some("k: a list of strings / a string")
        );
        assert_eq!(
            found(json!("x"), json!({"a": 1})).as_deref(),
            Some("k: a string / a map")
        );
        assert_eq!(
            found(json!(["a"]), json!(null)).as_deref(),
            Some("k: a list of strings / nothing (an empty value)")
        );
    }

    #[test]
    fn same_shapes_and_scalars_of_any_kind_are_fine() {
        assert_eq!(found(json!(["a"]), json!(["b", "c"])), None);
        assert_eq!(found(json!(["a"]), json!([])), None);
        assert_eq!(found(json!("12333"), json!(12333)), None);
        assert_eq!(found(json!(null), json!([1])), None);
    }

    #[test]
    fn maps_are_compared_key_by_key() {
        assert_eq!(
            found(json!({"name": "局", "window": 3}), json!({"window": [5]})).as_deref(),
            Some("k.window: a number / a list of strings")
        );
        assert_eq!(
            found(json!([{"a": 1}]), json!(["x"])).as_deref(),
            Some("k: a list of maps / a list of strings")
        );
    }
}
