//! Diagnostics: problems found in the editors' input, as data, and their rendering.
//!
//! Every layer reports problems as [`Diagnostic`] values that name the file, line and
//! column, so `build` and `check` can print all of them at once.

mod collapse;
mod report;
mod source;

pub(crate) use report::{color_enabled, render_human, render_json, stderr_color};
pub(crate) use source::attach_source_lines;

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) enum Severity {
    Warning,
    Error,
}

/// A place in an input file (1-based line and column; 0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct Origin {
    pub(crate) file: PathBuf,
    pub(crate) line: u32,
    pub(crate) column: u32,
}

impl Origin {
    pub fn new(file: impl Into<PathBuf>, line: u32, column: u32) -> Self {
        Origin {
            file: file.into(),
            line,
            column,
        }
    }

    /// An origin naming a file with no known position.
    pub(crate) fn file(file: impl Into<PathBuf>) -> Self {
        Origin::new(file, 0, 0)
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        Ok(())
    }
}

/// One problem, written for editors: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub(crate) severity: Severity,
    pub(crate) origin: Origin,
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
    /// The offending source line, when known, for the caret display.
    pub(crate) source_line: Option<String>,
    /// The article (`city/topic`) or page (`/path`) being rendered or linted, if any;
    /// used to fold the same problem repeated across many articles into one report.
    /// (A thin box keeps `Diagnostic` small: it is returned in `Result`s everywhere.)
    #[allow(clippy::box_collection)]
    pub(crate) article: Option<Box<String>>,
}

impl Diagnostic {
    pub fn error(origin: Origin, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            origin,
            message: message.into(),
            hint: None,
            source_line: None,
            article: None,
        }
    }

    pub(crate) fn warning(origin: Origin, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(origin, message)
        }
    }

    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Names the article (`city/topic`) the problem was found in.
    pub(crate) fn in_article(mut self, article: impl Into<String>) -> Self {
        self.article = Some(Box::new(article.into()));
        self
    }

    /// Attaches the source line at `origin.line` taken from `source`.
    pub fn with_source(mut self, source: &str) -> Self {
        if self.origin.line > 0 {
            self.source_line = source
                .lines()
                .nth(self.origin.line as usize - 1)
                .map(|l| l.trim_end_matches('\r').to_string());
        }
        self
    }

    pub(crate) fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The problems collected by one run, kept in a stable order.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub(crate) fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// Sorted by file, line and column, duplicates removed, for stable output.
    pub(crate) fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            (&a.origin, b.severity, &a.message).cmp(&(&b.origin, a.severity, &b.message))
        });
        self.items.dedup();
        self.items
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Sorted like [`Diagnostics::into_sorted`], with the same problem at the same place
    /// repeated across articles folded into one that names the first article and the count.
    pub(crate) fn into_collapsed(self) -> Vec<Diagnostic> {
        collapse::collapse(self.into_sorted())
    }

    /// Sorted, repeats across articles folded, and each with its source line read from
    /// the site in `root`: ready to print.
    pub fn prepared(self, root: &Path) -> Vec<Diagnostic> {
        let mut items = self.into_collapsed();
        attach_source_lines(&mut items, root);
        items
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(items: I) -> Self {
        Diagnostics {
            items: items.into_iter().collect(),
        }
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics { items: vec![d] }
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// `text` safe to print to a terminal: control characters (terminal escapes such as
/// `\e]0;…\a`, carriage returns, backspaces), and characters that reorder or hide text
/// (bidirectional overrides, zero-width marks, line and paragraph separators) are shown
/// as `\u{…}` escapes; line feeds and tabs are kept. Text without them is borrowed.
pub(crate) fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

impl Diagnostic {
    /// This diagnostic with every text part made [`visible`], for printing to a terminal.
    pub(crate) fn visible(&self) -> Cow<'_, Diagnostic> {
        let file = self.origin.file.to_string_lossy();
        let parts = [
            Some(self.message.as_str()),
            self.hint.as_deref(),
            self.source_line.as_deref(),
            Some(file.as_ref()),
        ];
        if !parts
            .into_iter()
            .flatten()
            .any(|t| t.chars().any(needs_escape))
        {
            return Cow::Borrowed(self);
        }
        let mut d = self.clone();
        d.message = visible(&self.message).into_owned();
        d.hint = self.hint.as_deref().map(|h| visible(h).into_owned());
        d.source_line = self.source_line.as_deref().map(|l| visible(l).into_owned());
        d.origin.file = PathBuf::from(visible(&file).into_owned());
        Cow::Owned(d)
    }
}

/// The path shown to editors: relative to the site root when possible.
pub(crate) fn display_path(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// "Did you mean …?" for a misspelt name, when one candidate is close enough.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_name() {
        let hint = did_you_mean("materals", ["materials", "province", "name"]);
        assert_eq!(hint.as_deref(), Some("did you mean `materials`?"));
        assert_eq!(did_you_mean("zzz", ["materials"]), None);
    }

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(visible("北京\n\t市"), "北京\n\t市");
        assert!(matches!(visible("北京"), Cow::Borrowed(_)));
        assert_eq!(
            visible("a\u{1b}]0;x\u{7}\u{1b}[2Jb\r\u{202e}c"),
            "a\\u{1b}]0;x\\u{7}\\u{1b}[2Jb\\u{d}\\u{202e}c"
        );
        let d = Diagnostic::error(Origin::new("cities/\u{1b}c.yaml", 1, 1), "名\u{1b}[2J")
            .with_hint("\u{7}");
        let v = d.visible();
        assert_eq!(v.message, "名\\u{1b}[2J");
        assert_eq!(v.hint.as_deref(), Some("\\u{7}"));
        assert_eq!(v.origin.file, Path::new("cities/\\u{1b}c.yaml"));
    }

    #[test]
    fn origin_display_omits_unknown_parts() {
        assert_eq!(Origin::file("a.yaml").to_string(), "a.yaml");
        assert_eq!(Origin::new("a.yaml", 3, 0).to_string(), "a.yaml:3");
        assert_eq!(Origin::new("a.yaml", 3, 7).to_string(), "a.yaml:3:7");
    }
}
