//! The in-memory loader: the same parsing and checks as [`super::load`] on texts, with no
//! file system, for fuzzing and tests.

use super::{check_references, cities, site, topics};
use crate::diag::Diagnostics;
use crate::model::{SiteInput, TemplateFile};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Loads a site from `(path shown to editors, text)` pairs. Topic slugs come from the
/// paths' file stems, as they do from file names.
pub fn from_texts(
    site: &str,
    topic_texts: &[(&str, &str)],
    city_texts: &[(&str, &str)],
    templates: Vec<TemplateFile>,
) -> Result<SiteInput, Diagnostics> {
    let mut problems = Diagnostics::default();
    let site = site::parse_site(site, Path::new("site.yaml"))
        .map_err(|d| problems.extend(d))
        .ok();
    let mut topics = Vec::new();
    let mut topic_files = Vec::new();
    for (shown, text) in topic_texts {
        let shown = Path::new(shown);
        let slug = shown.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        topic_files.push(slug.to_string());
        match topics::parse_topic(text, slug, shown) {
            Ok(t) => topics.push(t),
            Err(d) => problems.extend(d),
        }
    }
    topics.sort_by(|a, b| a.slug.cmp(&b.slug));
    let mut cities = Vec::new();
    let mut sources = BTreeMap::new();
    for (shown, text) in city_texts {
        match cities::parse_city(text, Path::new(shown)) {
            Ok(c) => cities.push(c),
            Err(d) => problems.extend(d),
        }
        sources.insert(PathBuf::from(shown), text.to_string());
    }
    cities.sort_by(|a, b| (&a.slug.value, &a.path).cmp(&(&b.slug.value, &b.path)));
    check_references(
        &topic_files,
        &cities,
        |p| sources.get(p).map(String::as_str),
        &mut problems,
    );
    match site {
        Some(site) if !problems.has_errors() => Ok(SiteInput {
            root: PathBuf::new(),
            site,
            topics: topics.into_iter().map(Arc::new).collect(),
            cities: cities.into_iter().map(Arc::new).collect(),
            templates,
            statics: Vec::new(),
            schedule_lock: Vec::new(),
            modified_lock: Vec::new(),
        }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = "name: 站\nbase_url: https://a.org/\ncategory: 类\neditor: 编\n\
        disclaimer: 提示\nstatement: 声明\ncomplaint_url: \"mailto:a@b.org\"\n\
        schedule:\n  start: \"2026-01-05 08:00:00\"\n  interval_minutes: 20\n\
        title_date_formats: [\"(%Y年%-m月%-d日)\"]\n";

    #[test]
    fn loads_and_checks_texts() {
        let topic = "---\nname: 甲\ntitles: [t]\nheadings: [h]\nlead: l\nteasers: [x]\n---\n正文\n";
        let city = "name: 城\nslug: aaa\nskip: [alpha]\n";
        let input = from_texts(
            SITE,
            &[("topics/alpha.md", topic)],
            &[("cities/aaa.yaml", city)],
            Vec::new(),
        )
        .unwrap();
        assert_eq!(input.cities[0].slug.value, "aaa");
        let bad = "name: 城\nslug: aaa\nskip: [beta]\n";
        let err = from_texts(
            SITE,
            &[("topics/alpha.md", topic)],
            &[("cities/aaa.yaml", bad)],
            Vec::new(),
        )
        .unwrap_err();
        assert!(err.has_errors());
    }
}
