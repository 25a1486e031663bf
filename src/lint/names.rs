//! Names in the input that do nothing or say the wrong thing: city value names no topic
//! uses (a typo such as `materails:`), two cities with one name, section headings that do
//! not name the city, and title templates carrying a year or date of their own.

use super::chunks;
use super::subject::Uses;
use crate::diag::{Diagnostic, Origin};
use crate::model::{City, SiteInput, Sourced, Topic};
use std::collections::BTreeMap;

/// Every problem of this module.
pub(crate) fn check(input: &SiteInput) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    out.extend(unused_values(input));
    out.extend(duplicate_names(input));
    out.extend(headings(input));
    out.extend(title_dates(input));
    out
}

/// City values that no topic shows, and city × topic values their topic does not show.
/// A value that a topic file left out of the run mentions (it did not load, or its
/// templates do not compile) is not reported: that file's own error is the one mistake.
fn unused_values(input: &SiteInput) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let left_out = left_out_topics(input);
    let all: Vec<&Topic> = input.topics.iter().map(|t| t.as_ref()).collect();
    let uses: Vec<Uses> = all.iter().map(|t| Uses::of(t)).collect();
    for city in &input.cities {
        for (name, v) in &city.values {
            if left_out.iter().any(|text| text.contains(name.as_str())) {
                continue;
            }
            if !uses.iter().any(|u| u.name(name)) && !input.site.defaults.contains_key(name) {
                out.push(unused(city, name, &v.origin, &all, "no topic uses it"));
            }
        }
        for (slug, ct) in &city.topics {
            let Some(t) = all.iter().position(|t| &t.slug == slug) else {
                continue;
            };
            let topic = &all[t];
            for (name, v) in &ct.values {
                if !uses[t].name(name) {
                    let why = format!("topic `{slug}` does not use it");
                    out.push(unused(city, name, &v.origin, &[topic], &why));
                }
            }
        }
    }
    out
}

/// The texts of the files in `topics/` that are not among the run's topics (`check` goes on
/// without a topic that does not load or compile).
fn left_out_topics(input: &SiteInput) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(input.root.join("topics")) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .filter(|p| {
            !input
                .topics
                .iter()
                .any(|t| t.path.file_name() == p.file_name())
        })
        .filter_map(|p| std::fs::read(p).ok())
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .collect()
}

fn unused(city: &City, name: &str, origin: &Origin, topics: &[&Topic], why: &str) -> Diagnostic {
    let known: Vec<&str> = topics
        .iter()
        .flat_map(|t| t.defaults.keys().map(String::as_str))
        .collect();
    let close = known
        .iter()
        .map(|k| (strsim::jaro_winkler(name, k), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(a.1)));
    let hint = match close {
        Some((_, k)) => format!("did you mean `{k}`?"),
        None => "remove it, or use it in a topic as `{{ name }}`".replace("name", name),
    };
    Diagnostic::warning(
        origin.clone(),
        format!("{} value `{name}` is never shown: {why}", city.name),
    )
    .with_hint(hint)
}

/// Two city files with the same `name:`; reported at the later file.
fn duplicate_names(input: &SiteInput) -> Vec<Diagnostic> {
    let mut first: BTreeMap<&str, &City> = BTreeMap::new();
    let mut out = Vec::new();
    for city in &input.cities {
        match first.get(city.name.as_str()) {
            Some(other) => out.push(
                Diagnostic::warning(
                    Origin::new(&city.path, name_line(city), 1),
                    format!(
                        "city name `{}` is also the name of {}",
                        city.name,
                        other.path.display()
                    ),
                )
                .with_hint("readers cannot tell the two apart: keep one file per city, or name them apart (e.g. 朝阳区 and 朝阳市)"),
            ),
            None => {
                first.insert(&city.name, city);
            }
        }
    }
    out
}

/// The line of `name:` in a city file (the file is loaded, so it has one); 1 if unknown.
fn name_line(city: &City) -> u32 {
    std::fs::read_to_string(&city.path)
        .ok()
        .and_then(|text| text.lines().position(|l| l.starts_with("name:")))
        .map_or(1, |i| i as u32 + 1)
}

/// Section headings must name the city: the topic's templates (`{{ city.name }}`) and the
/// fixed headings of city files (the city's name written out).
fn headings(input: &SiteInput) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for topic in &input.topics {
        for h in &topic.headings {
            if !h.value.contains("city.name") {
                out.push(heading_without_city(h, "{{ city.name }}"));
            }
        }
    }
    for city in &input.cities {
        for ct in city.topics.values() {
            if let Some(h) = &ct.heading
                && !h.value.contains(&city.name)
                && !h.value.contains("city.name")
            {
                out.push(heading_without_city(h, &city.name));
            }
        }
    }
    out
}

fn heading_without_city(h: &Sourced<String>, city: &str) -> Diagnostic {
    Diagnostic::warning(
        h.origin.clone(),
        format!("section heading “{}” does not name the city", h.value),
    )
    .with_hint(format!(
        "each section's question names its city, e.g. “{city}医保缴费记录怎么查?”"
    ))
}

/// Title templates (topics' `titles:` and cities' `title:`) carrying a year or date: the
/// date suffix is added by sitegen, a second date goes stale.
fn title_dates(input: &SiteInput) -> Vec<Diagnostic> {
    let topic_titles = input.topics.iter().flat_map(|t| &t.titles);
    let city_titles = input
        .cities
        .iter()
        .flat_map(|c| c.topics.values().filter_map(|t| t.title.as_ref()));
    topic_titles
        .chain(city_titles)
        .filter_map(|t| {
            let date = date_in(&chunks::without_tags(&t.value))?;
            Some(
                Diagnostic::warning(
                    t.origin.clone(),
                    format!("title “{}” carries a date of its own (`{date}`)", t.value),
                )
                .with_hint("remove it: sitegen adds the publish date as the title's suffix, and a date in the text goes stale"),
            )
        })
        .collect()
}

/// The first year or date in `text`: `2025年`, `2025`, `3月5日`, `03/05`, `2025-03`.
fn date_in(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let digits = i - start;
        let next = chars.get(i).copied();
        let year = digits == 4 && matches!(chars[start], '1' | '2');
        let dated = matches!(next, Some('年' | '月' | '日' | '号'))
            || (matches!(next, Some('/' | '-' | '.'))
                && chars.get(i + 1).is_some_and(char::is_ascii_digit));
        if year || (dated && digits <= 4) {
            let mut end = i;
            if matches!(next, Some('年' | '月' | '日' | '号')) {
                end += 1;
            } else if dated {
                end += 1;
                while end < chars.len() && chars[end].is_ascii_digit() {
                    end += 1;
                }
            }
            return Some(chars[start..end].iter().collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_titles_are_found() {
        assert_eq!(
            date_in("2025年医保到底能报多少?").as_deref(),
            Some("2025年")
        );
        assert_eq!(date_in("3月起医保有变化").as_deref(), Some("3月"));
        assert_eq!(date_in("医保 2026 新规").as_deref(), Some("2026"));
        assert_eq!(date_in("03/05 医保").as_deref(), Some("03/05"));
        assert_eq!(date_in("医保报销的3个步骤"), None);
        assert_eq!(date_in("12333热线怎么打"), None);
    }
}
