//! `sitegen new city|topic`: writes a commented file to start from, never over an
//! existing one. A city named like a division of the PRC gets that division's slug and
//! province from the place-name table ([`places`]: 重庆 is chongqing, not zhongqing); other
//! names get per-character pinyin, with a warning for characters that have several readings.
//! A city whose name or slug another city file already has is refused.

mod places;

use super::{CmdResult, Console, Failure};
use crate::cli::{NewCityArgs, NewCommand, NewTopicArgs};
use crate::diag::{Diagnostic, Origin};
use crate::load::RESERVED_CITY_SLUGS;
use crate::model::is_valid_slug;
use pinyin::{ToPinyin, ToPinyinMulti};
use std::io::Write;
use std::path::Path;

pub(crate) fn run(args: &NewCommand, console: &Console) -> CmdResult {
    match args {
        NewCommand::City(a) => new_city(a, console),
        NewCommand::Topic(a) => new_topic(a, console),
    }
}

/// A character of a name with more than one reading.
#[derive(Debug, PartialEq)]
pub(crate) struct Polyphone {
    pub(crate) character: char,
    /// Distinct toneless readings; the first is the one used.
    pub(crate) readings: Vec<&'static str>,
}

/// The slug proposed for a city name: the toneless pinyin of each character (first
/// reading), ASCII letters and digits kept, everything else dropped.
pub(crate) fn propose_slug(name: &str) -> (String, Vec<Polyphone>) {
    let mut slug = String::new();
    let mut polyphones = Vec::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
            continue;
        }
        let Some(first) = c.to_pinyin() else {
            continue;
        };
        slug.push_str(first.plain());
        if let Some(multi) = c.to_pinyin_multi() {
            let mut readings: Vec<&'static str> = vec![first.plain()];
            for p in multi {
                if !readings.contains(&p.plain()) {
                    readings.push(p.plain());
                }
            }
            if readings.len() > 1 {
                polyphones.push(Polyphone {
                    character: c,
                    readings,
                });
            }
        }
    }
    (slug, polyphones)
}

fn new_city(args: &NewCityArgs, console: &Console) -> CmdResult {
    let name = args.name.trim();
    if name.is_empty() {
        return Err(usage(
            "the city's name is empty",
            "write e.g. `sitegen new city 岳阳 --province 湖南`",
        ));
    }
    let place = match places::lookup(name, args.province.as_deref()) {
        places::Lookup::Found(p) => Some(p),
        places::Lookup::Ambiguous(all) => return Err(ambiguous(name, &all)),
        places::Lookup::NotFound => None,
    };
    let (proposed, polyphones) = match place {
        Some(p) => (p.slug.to_string(), Vec::new()),
        None => propose_slug(name),
    };
    let slug = args.slug.clone().unwrap_or(proposed);
    if !is_valid_slug(&slug) {
        return Err(usage(
            &format!("`{slug}` is not a valid slug"),
            "give one with --slug: lowercase letters a–z, digits and `-`, e.g. `--slug yueyang`",
        ));
    }
    if RESERVED_CITY_SLUGS.contains(&slug.as_str()) {
        return Err(usage(
            &format!("slug `{slug}` is reserved for the site's own pages"),
            "give another with --slug, e.g. add the province",
        ));
    }
    refuse_existing(&args.root, name, &slug)?;
    // The table's spelling of a province given as `吉林省` is `吉林`, as city files write it.
    let province = place.map(|p| p.province).or(args.province.as_deref());
    match place {
        Some(p) => {
            let _ = console.summary(&format!(
                "`{name}` is {} ({}): slug `{}` from the place-name table",
                p.full, p.province, p.slug
            ));
        }
        None if province.is_none() => {
            let _ = console.problem_line(&format!(
                "warning: `{name}` is not in the place-name table; the province is left commented out: fill it in, or run again with --province"
            ));
        }
        None => {}
    }
    if args.slug.is_none() {
        for p in &polyphones {
            let _ = console.problem_line(&format!(
                "warning: `{}` has several readings ({}); the slug uses `{}`. If that is wrong, run again with --slug (e.g. 重庆 → --slug chongqing)",
                p.character,
                p.readings.join(", "),
                p.readings[0]
            ));
        }
    }
    let path = args.root.join("cities").join(format!("{slug}.yaml"));
    write_new(&args.root, &path, &city_file(name, province, &slug))?;
    let _ = console.summary(&format!(
        "wrote {} (slug `{slug}`)",
        shown(&args.root, &path)
    ));
    Ok(())
}

/// Several divisions share the name: the province must say which.
fn ambiguous(name: &str, all: &[&places::Place]) -> Failure {
    let listed: Vec<String> = all
        .iter()
        .map(|p| format!("{} ({}, `{}`)", p.full, p.province, p.slug))
        .collect();
    usage(
        &format!("several places are called `{name}`: {}", listed.join(", ")),
        &format!(
            "say which with --province, e.g. `--province {}`",
            all[0].province
        ),
    )
}

/// Refuses a city whose name or slug a file in `cities/` already has, naming that file.
fn refuse_existing(root: &Path, name: &str, slug: &str) -> CmdResult {
    let dir = root.join("cities");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(());
    };
    let mut files: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    for path in files {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let shown_path = crate::diag::display_path(root, &path);
        let (their_name, their_slug) = match crate::load::parse_city(&text, &shown_path) {
            Ok(city) => (city.name, city.slug.value),
            Err(_) => (String::new(), stem.to_string()),
        };
        let clash = if their_name == name {
            format!("a city named `{name}` already exists")
        } else if their_slug == slug || stem == slug {
            format!("a city with slug `{slug}` already exists (`{their_name}`)")
        } else {
            continue;
        };
        return Err(Failure::problem(
            Diagnostic::error(Origin::file(shown(root, &path)), clash).with_hint(
                "edit that file; for another city of the same name, give it its own name and --slug (e.g. add the province)",
            ),
        ));
    }
    Ok(())
}

fn new_topic(args: &NewTopicArgs, console: &Console) -> CmdResult {
    let slug = args.slug.trim();
    if !is_valid_slug(slug) {
        return Err(usage(
            &format!("`{slug}` is not a valid topic slug"),
            "use lowercase pinyin words joined by `-`, e.g. `canbaodi-biangeng`",
        ));
    }
    let name = args.name.as_deref().unwrap_or(slug);
    let path = args.root.join("topics").join(format!("{slug}.md"));
    write_new(&args.root, &path, &topic_file(name))?;
    let _ = console.summary(&format!("wrote {}", shown(&args.root, &path)));
    Ok(())
}

fn usage(message: &str, hint: &str) -> Failure {
    Failure::usage(Diagnostic::error(Origin::file("sitegen new"), message).with_hint(hint))
}

fn shown(root: &Path, path: &Path) -> String {
    crate::diag::display_path(root, path).display().to_string()
}

/// Creates `path` with `text`; an existing file is never replaced.
fn write_new(root: &Path, path: &Path, text: &str) -> CmdResult {
    let problem = |message: String, hint: &str| -> Failure {
        Failure::problem(
            Diagnostic::error(Origin::file(shown(root, path)), message).with_hint(hint),
        )
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| {
            problem(
                format!("cannot create the folder: {e}"),
                "check the permissions",
            )
        })?;
    }
    // `create_new` refuses atomically, even if the file appears between check and write.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => problem(
                "the file already exists; sitegen new never overwrites".into(),
                "edit the existing file, or choose another slug with --slug",
            ),
            _ => problem(
                format!("cannot create the file: {e}"),
                "check the permissions",
            ),
        })?;
    file.write_all(text.as_bytes())
        .map_err(|e| problem(format!("cannot write the file: {e}"), "check the disk"))
}

/// A commented city file; it loads as it is.
pub(crate) fn city_file(name: &str, province: Option<&str>, slug: &str) -> String {
    let province = match province {
        Some(p) => format!("province: {}\n", yaml_string(p)),
        None => "# province: 湖南\n".to_string(),
    };
    format!(
        "# {name}: one city of the site. See README.md, “cities/<slug>.yaml”.\n\
name: {}\n\
{province}\
# The URL part: lowercase pinyin, proposed from the name. Check characters with several\n\
# readings (重庆 is chongqing); changing it later changes the city's URLs.\n\
slug: {slug}\n\
\n\
# Values for every topic of this city; they replace the topics' `defaults:`.\n\
# Keep the shape of the topic's value (a list stays a list). Example:\n\
#   hotline: \"12345\"\n\
values: {{}}\n\
\n\
# Where each value comes from and when it was last checked; `sitegen check` warns about\n\
# values without a source. Example:\n\
#   hotline: {{url: \"https://…\", verified: 2026-01-15}}\n\
sources: {{}}\n\
\n\
# Settings for one topic of this city: heading, title, publish_at, extras, values, sources.\n\
# Example:\n\
#   canbaodi-biangeng:\n\
#     heading: \"{name}如何在手机上更改医保参保地?\"\n\
#     values:\n\
#       materials: [身份证, 医保卡]\n\
topics: {{}}\n\
\n\
# Topics this city does not publish, e.g. [yidi-jiuyi].\n\
skip: []\n",
        yaml_string(name)
    )
}

/// A commented topic file whose article passes `sitegen check`.
pub(crate) fn topic_file(name: &str) -> String {
    format!(
        "---\n\
# The topic's name, as shown on the site. See README.md, “topics/<slug>.md”.\n\
name: {q_name}\n\
# Title templates; one is picked per article and the date suffix is added to it.\n\
titles:\n  - \"{{{{ city.name }}}}{name}怎么办理?\"\n\
# The section's question heading; it must name the city.\n\
headings:\n  - \"{{{{ city.name }}}}如何办理{name}?\"\n\
# One paragraph saying what the topic is about.\n\
lead: \"{name}的办理渠道、材料和流程。\"\n\
# One is picked per article.\n\
teasers:\n  - \"下面跟着{{{{ site.editor }}}}一起来了解{name}吧。\"\n\
# Values every city gets unless its file sets its own; use them below as {{{{ name }}}}.\n\
# Example:\n\
#   materials:\n\
#     - 身份证\n\
defaults: {{}}\n\
---\n\
### 办理渠道:\n\
\n\
{{{{ city.name }}}}的{name}可以到当地医保经办机构办理。\n",
        q_name = yaml_string(name),
    )
}

/// A YAML double-quoted string.
fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_come_from_pinyin() {
        assert_eq!(propose_slug("岳阳").0, "yueyang");
        assert_eq!(propose_slug("乌鲁木齐").0, "wulumuqi");
    }

    #[test]
    fn polyphones_are_reported() {
        let (_, poly) = propose_slug("重庆");
        assert_eq!(poly.len(), 1);
        assert_eq!(poly[0].character, '重');
        assert!(poly[0].readings.contains(&"chong"), "{:?}", poly[0]);
    }

    #[test]
    fn generated_files_load() {
        let city = city_file("岳阳", Some("湖南"), "yueyang");
        crate::load::parse_city(&city, Path::new("cities/yueyang.yaml")).unwrap();
        let topic = topic_file("参保地变更");
        crate::load::parse_topic(&topic, "x", Path::new("topics/x.md")).unwrap();
    }
}
