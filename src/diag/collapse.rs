//! Folding one problem repeated across many articles (a misspelt variable in a topic body
//! fails for every city) into a single report, so editors see one line per mistake.

use super::Diagnostic;
use std::collections::BTreeMap;

/// Folds diagnostics that differ only in the article they name. The kept one is the first
/// article in sorted order; its message gains "and N more articles". Order is otherwise kept.
pub(crate) fn collapse(items: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut groups: BTreeMap<Key, (usize, Vec<Diagnostic>)> = BTreeMap::new();
    let mut order = 0;
    for d in items {
        let key = Key::of(&d);
        groups
            .entry(key)
            .or_insert_with(|| {
                order += 1;
                (order, Vec::new())
            })
            .1
            .push(d);
    }
    let mut folded: Vec<(usize, Diagnostic)> = groups
        .into_values()
        .map(|(first_seen, mut group)| {
            group.sort_by(|a, b| a.article.cmp(&b.article));
            let more = group.len() - 1;
            let mut d = group.swap_remove(0);
            if more > 0 {
                d.message = format!(
                    "{} — and {more} more article{}",
                    d.message,
                    if more == 1 { "" } else { "s" }
                );
            }
            (first_seen, d)
        })
        .collect();
    folded.sort_by_key(|(i, _)| *i);
    folded.into_iter().map(|(_, d)| d).collect()
}

/// What makes two diagnostics "the same problem": everything but the article's name.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    severity: super::Severity,
    origin: super::Origin,
    message: String,
    /// Diagnostics without an article are never folded together.
    unique: Option<String>,
}

impl Key {
    fn of(d: &Diagnostic) -> Key {
        match &d.article {
            Some(a) => Key {
                severity: d.severity,
                origin: d.origin.clone(),
                message: d.message.replace(a.as_str(), "\u{0}"),
                unique: None,
            },
            None => Key {
                severity: d.severity,
                origin: d.origin.clone(),
                message: d.message.clone(),
                unique: Some(d.hint.clone().unwrap_or_default()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Origin;

    fn undefined(article: &str) -> Diagnostic {
        Diagnostic::error(
            Origin::new("topics/a.md", 12, 5),
            format!("variable `x` not found (rendering article {article})"),
        )
        .in_article(article)
    }

    #[test]
    fn same_problem_in_many_articles_is_reported_once_with_the_count() {
        let other = Diagnostic::error(Origin::new("topics/a.md", 3, 1), "other");
        let items = vec![
            undefined("ccc/a"),
            other.clone(),
            undefined("aaa/a"),
            undefined("bbb/a"),
        ];
        let out = collapse(items);
        assert_eq!(out.len(), 2);
        assert_eq!(
            out[0].message,
            "variable `x` not found (rendering article aaa/a) — and 2 more articles"
        );
        assert_eq!(out[1], other);
    }

    #[test]
    fn problems_without_an_article_are_kept_apart() {
        let a = Diagnostic::error(Origin::new("c.yaml", 1, 1), "m").with_hint("h1");
        let b = Diagnostic::error(Origin::new("c.yaml", 1, 1), "m").with_hint("h2");
        assert_eq!(collapse(vec![a, b]).len(), 2);
    }
}
