//! Parsing every template once: the layouts in `templates/` and the Tera strings in topic
//! and city files (titles, headings, lead, teasers, bodies), with a map back to file lines.

mod layouts;

pub(crate) use layouts::stand_in;

use super::bounds;
use super::tera_errors::{Located, chain_message, locate};
use crate::diag::{Diagnostic, Origin};
use crate::model::SiteInput;
// FxHash rather than SipHash: the keys are the site's own names and texts, looked up for
// every page, and no outside input can choose them to flood a map.
use rustc_hash::FxHashMap as HashMap;

/// The layouts every site must provide.
pub(crate) const REQUIRED_LAYOUTS: [&str; 5] = [
    "article.html",
    "index.html",
    "city.html",
    "topic.html",
    "404.html",
];

/// Where a content template's line 1 is in its file.
#[derive(Debug, Clone)]
struct Anchor {
    origin: Origin,
    source: String,
}

/// All templates, parsed.
pub(crate) struct Templates {
    pub(crate) layouts: tera::Tera,
    pub(crate) content: tera::Tera,
    anchors: HashMap<String, Anchor>,
    layout_sources: HashMap<String, (Origin, String)>,
}

pub(crate) use crate::plan::variants::names;

impl Templates {
    /// Parses layouts and content strings, reporting every syntax error.
    pub(crate) fn compile(input: &SiteInput) -> Result<Templates, Vec<Diagnostic>> {
        let mut problems = Vec::new();
        let mut layout_sources = HashMap::default();
        for t in &input.templates {
            layout_sources.insert(
                t.name.clone(),
                (Origin::new(&t.path, 1, 1), t.source.clone()),
            );
        }
        let named: Vec<(String, String)> = input
            .templates
            .iter()
            .map(|t| (t.name.clone(), t.source.clone()))
            .collect();
        let layouts = layouts::compile(
            &named,
            |e| layout_error(e, &layout_sources, None, None),
            &mut problems,
        );
        for name in REQUIRED_LAYOUTS {
            if !input.templates.iter().any(|t| t.name == name) {
                problems.push(
                    Diagnostic::error(Origin::file(format!("templates/{name}")), format!("missing template `{name}`"))
                        .with_hint("every site needs article.html, index.html, city.html, topic.html and 404.html in templates/"),
                );
            }
        }

        let mut anchors = HashMap::default();
        // Collected first and added in one batch: Tera re-checks every template on each
        // addition, so adding them one by one is quadratic in the number of cities.
        let mut sources: Vec<(String, String)> = Vec::new();
        let mut add = |name: String, text: &str, origin: Origin, anchors: &mut HashMap<_, _>| {
            let source = text.to_string();
            sources.push((name.clone(), bounds::count_loops(&trim_block_lines(text))));
            anchors.insert(name, Anchor { origin, source });
        };
        for (name, text, origin) in input.topics.iter().flat_map(|t| names::of_topic(t)) {
            add(name, text, origin, &mut anchors);
        }
        for city in &input.cities {
            for (topic, ct) in &city.topics {
                if let Some(h) = &ct.heading {
                    let name = names::city_heading(&city.slug.value, topic);
                    add(name, &h.value, h.origin.clone(), &mut anchors);
                }
                if let Some(t) = &ct.title {
                    let name = names::city_title(&city.slug.value, topic);
                    add(name, &t.value, t.origin.clone(), &mut anchors);
                }
            }
        }
        // Content templates fill values in; they assign none (see `bounds`).
        for (name, _) in &sources {
            let Some(anchor) = anchors.get(name) else {
                continue;
            };
            let at = |line: u32, column: u32| {
                let (file_line, column) = match line {
                    1 => (anchor.origin.line, anchor.origin.column.max(1) + column - 1),
                    _ => (anchor.origin.line + line - 1, column),
                };
                Origin::new(&anchor.origin.file, file_line, column)
            };
            if let Some((line, column)) = bounds::set_tag_line(&anchor.source) {
                problems.push(
                    Diagnostic::error(at(line, column), "`{% set %}` is not allowed in topic and city texts")
                    .with_hint("write the value under `defaults:` or `values:` and use it as {{ name }}; computed values belong in the layouts in templates/"),
                );
            }
            if let Some((line, column, joins)) = bounds::long_join_line(&anchor.source) {
                problems.push(
                    Diagnostic::error(
                        at(line, column),
                        format!("this expression joins {joins} times with `~`; at most {} joins are allowed in one tag", bounds::MAX_JOINS),
                    )
                    .with_hint("each `~` copies all that is joined so far; write the pieces as text between tags, or as separate {{ … }} tags"),
                );
            }
        }
        let content = match content_tera(&sources) {
            Ok(content) => content,
            Err(batch) => {
                // Content templates stand alone, so each can be checked on its own: this
                // reports every syntax error, not only the first.
                let before = problems.len();
                for (name, source) in &sources {
                    if let Err(e) = content_tera(&[(name.clone(), source.clone())]) {
                        let d = content_error_with(&e, &anchors, None);
                        problems.push(placed_at(d, &anchors, name));
                    }
                }
                if problems.len() == before {
                    let mut d = content_error_with(&batch, &anchors, None);
                    if d.origin.file.as_os_str().is_empty() {
                        d.origin = Origin::file("topics");
                    }
                    problems.push(d);
                }
                tera::Tera::new()
            }
        };
        if problems.is_empty() {
            Ok(Templates {
                layouts,
                content,
                anchors,
                layout_sources,
            })
        } else {
            Err(problems)
        }
    }

    /// Renders content template `name` for `article` within the resource bounds (see
    /// [`bounds`]); a failure is a diagnostic at the template's file and line.
    pub(crate) fn render_content(
        &self,
        name: &str,
        ctx: &tera::Context,
        article: &str,
    ) -> Result<String, Diagnostic> {
        let text = self.anchors.get(name).map_or(0, |a| a.source.len());
        bounds::render(&self.content, name, text, ctx).map_err(|(e, cause)| {
            let d = self.content_error(&e, name, article);
            match cause {
                Some(cause) => Diagnostic {
                    message: format!("{} (rendering article {article})", cause.message()),
                    hint: Some(
                        "a loop or filter in this text grows without bound: its loops may spend 1,000,000 units in all (every item of every `for` loop, `range()` and `split` costs one unit, plus one per KiB of the text and of its longest value), `replace` and `join` may make 128 MiB, and a text may give 32 MiB".into(),
                    ),
                    ..d
                },
                None => d,
            }
        })
    }

    /// A diagnostic for an error rendering content template `name` for `article`; when
    /// the error names no template of its own, it is placed at `name`'s first line.
    pub(crate) fn content_error(&self, e: &tera::Error, name: &str, article: &str) -> Diagnostic {
        let d = content_error_with(e, &self.anchors, Some(article));
        placed_at(d, &self.anchors, name).in_article(article)
    }

    /// A diagnostic for an error rendering layout `template` for `page`.
    pub(crate) fn layout_error(&self, e: &tera::Error, template: &str, page: &str) -> Diagnostic {
        layout_error(e, &self.layout_sources, Some(template), Some(page))
            .in_article(format!("/{page}"))
    }
}

/// `d`, placed at content template `name`'s first line when it names no place.
fn placed_at(mut d: Diagnostic, anchors: &HashMap<String, Anchor>, name: &str) -> Diagnostic {
    if d.origin.file.as_os_str().is_empty()
        && let Some(anchor) = anchors.get(name)
    {
        d.origin = anchor.origin.clone();
    }
    d
}

/// A Tera instance holding the content templates, checked together in one batch.
fn content_tera(sources: &[(String, String)]) -> Result<tera::Tera, tera::Error> {
    let mut content = tera::Tera::new();
    content.autoescape_on(Vec::<&str>::new());
    bounds::register(&mut content);
    content.add_raw_templates(sources.iter().map(|(n, s)| (n.as_str(), s.as_str())))?;
    Ok(content)
}

/// Makes a line holding only a block tag (`{% for … %}`, `{% endif %}`) produce no output
/// of its own, as Jinja's `trim_blocks` + `lstrip_blocks` do, so loops in markdown make
/// tight lists. The newline moves into a comment, keeping line numbers for errors.
pub(crate) fn trim_block_lines(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + 64);
    for line in source.split_inclusive('\n') {
        let body = line.strip_suffix('\n');
        let trimmed = body.unwrap_or(line).trim();
        let single_tag = trimmed.starts_with("{%")
            && trimmed.ends_with("%}")
            && trimmed.matches("%}").count() == 1;
        if single_tag && body.is_some() {
            out.push_str(trimmed);
            out.push_str("{#\n#}");
        } else {
            out.push_str(line);
        }
    }
    out
}

/// The message editors read for Tera's error `e` (the message at `located`, its place,
/// when known) and its hint: an undefined name without Tera's list of names in scope.
fn message_and_hint(e: &tera::Error, located: Option<&Located>) -> (String, String) {
    let raw = located.map_or_else(|| chain_message(e), |l| l.message.clone());
    undefined_name(&raw).unwrap_or_else(|| (raw.clone(), hint_for(&raw)))
}

/// Tera lists every variable in scope ("Variable `x` is not defined. Available variables:
/// a, b, …"); the list differs per article, so it moves into the hint as a suggestion and the
/// same mistake reads the same in every article.
fn undefined_name(msg: &str) -> Option<(String, String)> {
    let (head, available) = msg
        .split_once(". Available variables: ")
        .or_else(|| msg.split_once(". Available fields: "))?;
    let what = if head.starts_with("Field") {
        "field"
    } else {
        "variable"
    };
    let name = head.split('`').nth(1)?;
    let names: Vec<&str> = available.split(", ").map(str::trim).collect();
    let set_it = "values are set under `defaults:` in the topic, under `values:` in the city file, or in site.yaml";
    let hint = match crate::diag::did_you_mean(name, names.iter().copied()) {
        Some(dym) => format!("{dym} ({set_it})"),
        None => format!("no value `{name}` is set for this article; {set_it}"),
    };
    Some((format!("undefined {what} `{name}`"), hint))
}

fn hint_for(msg: &str) -> String {
    if msg.contains("not found in context")
        || msg.contains("undefined")
        || msg.contains("Undefined")
    {
        "the variable is not defined for this article: add it under `defaults:` in the topic, or check its spelling".into()
    } else if msg.contains("recursion") || msg.contains("Circular") {
        "a template includes, extends or calls itself (directly or through others); break the loop"
            .into()
    } else if msg.contains("include") || msg.contains("extend") {
        "check the template names in {% include %} / {% extends %}".into()
    } else {
        "check the template syntax near the caret (Tera 2: {{ value }}, {% for x in list %}…{% endfor %})".into()
    }
}

fn content_error_with(
    e: &tera::Error,
    anchors: &HashMap<String, Anchor>,
    article: Option<&str>,
) -> Diagnostic {
    let located = locate(e);
    let (message, hint) = message_and_hint(e, located.as_ref());
    let with_article = |m: String| match article {
        Some(a) => format!("{m} (rendering article {a})"),
        None => m,
    };
    let anchor = located.as_ref().and_then(|l| anchors.get(&l.template));
    match (located.as_ref(), anchor) {
        (Some(l), Some(anchor)) => {
            let (line, col) = (l.line, l.column);
            let file_line = if line > 0 {
                anchor.origin.line + line - 1
            } else {
                anchor.origin.line
            };
            // Line 1 of a template may start mid-line (a YAML string); later lines start at column 1.
            // Tera saw the text with its loops counted (`bounds::count_loops`).
            let col = match anchor.source.lines().nth(line.max(1) as usize - 1) {
                Some(text) if col > 0 => bounds::original_column(text, col),
                _ => col,
            };
            let column = match line {
                0 => 0,
                1 => anchor.origin.column.max(1) + col.max(1) - 1,
                _ => col,
            };
            let mut d = Diagnostic::error(
                Origin::new(&anchor.origin.file, file_line, column),
                with_article(message.clone()),
            )
            .with_hint(hint.clone());
            if line > 1 || (line == 1 && anchor.origin.column <= 1) {
                d.source_line = anchor
                    .source
                    .lines()
                    .nth(line as usize - 1)
                    .map(str::to_string);
            }
            d
        }
        // Not a template of the site (or none named): the caller places it.
        _ => Diagnostic::error(Origin::default(), with_article(message)).with_hint(hint),
    }
}

/// `template` is the layout being rendered, named when the error itself names none.
fn layout_error(
    e: &tera::Error,
    sources: &HashMap<String, (Origin, String)>,
    template: Option<&str>,
    page: Option<&str>,
) -> Diagnostic {
    let located = locate(e).or_else(|| {
        template.map(|t| Located {
            template: t.to_string(),
            line: 0,
            column: 0,
            message: chain_message(e),
        })
    });
    let (message, hint) = message_and_hint(e, located.as_ref());
    let message = match page {
        Some(p) => format!("{message} (rendering page /{p})"),
        None => message,
    };
    match located.and_then(|l| sources.get(&l.template).map(|s| (l, s))) {
        Some((l, (origin, source))) => {
            let d = Diagnostic::error(Origin::new(&origin.file, l.line, l.column), message.clone())
                .with_hint(hint.clone());
            if l.line > 0 { d.with_source(source) } else { d }
        }
        None => Diagnostic::error(Origin::file("templates"), message).with_hint(hint),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_lines_leave_no_blank_lines() {
        let src = "### 材料:\n\n{% for m in materials %}\n- {{ m }}\n{% endfor %}\n\n正文\n";
        let mut tera = tera::Tera::new();
        tera.autoescape_on(Vec::<&str>::new());
        tera.add_raw_template("t", &trim_block_lines(src)).unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("materials", &vec!["身份证", "医保卡"]);
        assert_eq!(
            tera.render("t", &ctx).unwrap(),
            "### 材料:\n\n- 身份证\n- 医保卡\n\n正文\n"
        );
        assert_eq!(trim_block_lines(src).lines().count(), src.lines().count());
    }
}
