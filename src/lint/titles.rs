//! Titles: each ends with its date suffix, is not over `lint.title_max_chars`, and its
//! template does not carry a date of its own (sitegen adds the suffix).

use crate::diag::Diagnostic;
use crate::model::SiteInput;
use crate::plan::PlannedArticle;

/// Problems with article `a`'s full title.
pub(crate) fn check(input: &SiteInput, a: &PlannedArticle, title: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let origin = a.chosen.title.origin(input);
    let suffix = a.date_suffix();
    let base = title.strip_suffix(suffix.as_str());
    match base {
        None => out.push(
            Diagnostic::warning(
                origin.clone(),
                format!(
                    "title does not end with its date suffix `{suffix}` (article {})",
                    a.id
                ),
            )
            .with_hint(format!("the title is “{title}”")),
        ),
        Some(base) if ends_with_date(base) => out.push(
            Diagnostic::warning(
                origin.clone(),
                format!(
                    "title carries a date before its date suffix (article {})",
                    a.id
                ),
            )
            .with_hint(format!(
                "“{title}”: remove the date from the title; sitegen adds `{suffix}` itself"
            )),
        ),
        Some(_) => {}
    }
    let max = input.site.lint.title_max_chars;
    let chars = title.chars().count();
    if chars > max {
        out.push(
            Diagnostic::warning(
                origin,
                format!("title is longer than {max} characters (article {})", a.id),
            )
            .with_hint(format!(
                "“{title}” has {chars}; shorten the title or raise `lint.title_max_chars` in site.yaml"
            )),
        );
    }
    out.into_iter().map(|d| d.in_article(&a.id)).collect()
}

/// Does `text` end with a bracketed date such as `(2026年2月3日)` or `(26/02/02)`?
fn ends_with_date(text: &str) -> bool {
    let text = text.trim_end();
    let Some(inner) = text
        .strip_suffix(')')
        .or_else(|| text.strip_suffix(')'))
        .and_then(|t| t.rsplit_once(['(', '(']).map(|(_, inner)| inner))
    else {
        return false;
    };
    let digits = inner.chars().filter(char::is_ascii_digit).count();
    digits >= 2
        && inner
            .chars()
            .all(|c| c.is_ascii_digit() || "年月日/-.".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_brackets_are_recognised() {
        assert!(ends_with_date("岳阳医保怎么办?(2026年2月3日)"));
        assert!(ends_with_date("怎么办(26/02/02)"));
        assert!(!ends_with_date("怎么办?(以山东济南为例)"));
        assert!(!ends_with_date("怎么办?"));
    }
}
