//! Plain words for YAML type errors: serde-saphyr says "expected sequence start"; editors
//! need "expected a list of strings, found a string" and how to write it instead.

/// Rewrites a serde-saphyr type error as `expected …, found …` with a hint. `rest` is the
/// source text from the error's column on (the value that has the wrong shape).
pub(crate) fn describe(message: &str, rest: Option<&str>) -> Option<(String, String)> {
    let (expected, hint) = expected_of(message)?;
    let found = rest.map(found_of).unwrap_or("something else");
    Some((
        format!("expected {expected}, found {found}"),
        hint.to_string(),
    ))
}

fn expected_of(message: &str) -> Option<(&'static str, &'static str)> {
    // Every list in the site's files is a list of strings (titles, skip, extras, …).
    Some(if message.starts_with("expected sequence start") {
        (
            "a list of strings",
            "write a list as `[a, b]` or one `- item` per line below the key",
        )
    } else if message.starts_with("expected string scalar") {
        (
            "a string",
            "write one text value; put it in quotes if it starts with `[`, `{` or `-`",
        )
    } else if message.starts_with("expected mapping start") {
        (
            "a map",
            "write the entries indented below the key, one `name: value` per line",
        )
    } else if message.starts_with("invalid boolean") {
        ("true or false", "write `true` or `false`")
    } else if message.starts_with("invalid u") || message.starts_with("invalid i") {
        ("a whole number", "write digits only, e.g. `23`")
    } else if message.starts_with("invalid f") {
        ("a number", "write digits only, e.g. `1.5`")
    } else {
        return None;
    })
}

/// What the value at the start of `rest` is, in editors' words.
fn found_of(rest: &str) -> &'static str {
    let v = rest.trim();
    let v = v.split(" #").next().unwrap_or(v).trim();
    if v.starts_with('[') || v == "-" || v.starts_with("- ") {
        "a list"
    } else if v.starts_with('{') {
        "a map"
    } else if v.is_empty() || v == "~" || v == "null" {
        "nothing (an empty value)"
    } else if v.starts_with(['"', '\'', '|', '>']) {
        "a string"
    } else if v.ends_with(':') || v.contains(": ") {
        "a map"
    } else if v == "true" || v == "false" {
        "true or false"
    } else if v.parse::<f64>().is_ok() {
        "a number"
    } else {
        "a string"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_expected_string_found() {
        let (m, h) = describe("expected sequence start", Some("gamma")).unwrap();
        assert_eq!(m, "expected a list of strings, found a string");
        assert!(h.contains("- item"));
    }

    #[test]
    fn names_what_was_found() {
        let found = |rest| describe("expected string scalar", Some(rest)).unwrap().0;
        assert_eq!(found("[a, b]"), "expected a string, found a list");
        assert_eq!(found("{a: b}"), "expected a string, found a map");
        assert_eq!(found("- a"), "expected a string, found a list");
        assert_eq!(found("a: b"), "expected a string, found a map");
        let n = describe("invalid u64", Some("many # comment")).unwrap().0;
        assert_eq!(n, "expected a whole number, found a string");
        assert_eq!(
            describe("expected mapping start", Some("3")).unwrap().0,
            "expected a map, found a number"
        );
    }

    #[test]
    fn other_errors_are_left_alone() {
        assert_eq!(describe("unknown field `x`", Some("1")), None);
    }
}
