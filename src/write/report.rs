//! The build report beside the output: which page URLs this build added, changed and
//! removed (for pushing to search engines) and when the next article is due (for a
//! scheduled rebuild). It lives outside the output folder, so it is never uploaded with
//! the site by accident.

use super::{WriteError, err, replace_file_if_changed, sibling};
use std::fs;
use std::path::{Path, PathBuf};

/// What the report says; URLs are absolute, one per line in the files.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub(crate) added: Vec<String>,
    pub(crate) changed: Vec<String>,
    pub(crate) removed: Vec<String>,
    /// ISO 8601 datetime of the next scheduled article, if any.
    pub(crate) next_publish: Option<String>,
    /// Further files of the report folder: (file name, text).
    pub(crate) extra: Vec<(String, String)>,
}

/// The report folder used for `output` when none is given: `public` → `public-report`.
pub(crate) fn default_report_dir(output: &Path) -> PathBuf {
    sibling(output, |name| format!("{name}-report"))
}

/// Creates the report folder (before the swap, so a report folder that cannot exist
/// fails the build while the output is still unchanged).
pub(crate) fn prepare(dir: &Path) -> Result<(), WriteError> {
    fs::create_dir_all(dir).map_err(|e| err(dir, format!("cannot create folder: {e}")))?;
    if !dir.is_dir() {
        return Err(err(dir, "the report path is not a folder"));
    }
    super::durable::remove_leftovers(dir);
    Ok(())
}

/// Writes `added.txt`, `changed.txt`, `removed.txt`, `submit.txt` (added + changed: what
/// to push to a search engine) and `next-publish.txt` (empty when nothing is scheduled).
/// Files whose text did not change are left alone.
pub(crate) fn write_report(dir: &Path, report: &Report) -> Result<(), WriteError> {
    fs::create_dir_all(dir).map_err(|e| err(dir, format!("cannot create folder: {e}")))?;
    let files = [
        ("added.txt", lines(&report.added)),
        ("changed.txt", lines(&report.changed)),
        ("removed.txt", lines(&report.removed)),
        (
            "submit.txt",
            lines(report.added.iter().chain(&report.changed)),
        ),
        (
            "next-publish.txt",
            report
                .next_publish
                .as_ref()
                .map(|t| format!("{t}\n"))
                .unwrap_or_default(),
        ),
    ];
    for (name, text) in files {
        replace_file_if_changed(&dir.join(name), &text, dir, name)?;
    }
    for (name, text) in &report.extra {
        replace_file_if_changed(&dir.join(name), text, dir, name)?;
    }
    Ok(())
}

fn lines<'a>(urls: impl IntoIterator<Item = &'a String>) -> String {
    urls.into_iter().map(|u| format!("{u}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_files_hold_one_url_per_line() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("public-report");
        let report = Report {
            added: vec!["https://a.org/x/".into()],
            changed: vec!["https://a.org/y/".into(), "https://a.org/z/".into()],
            removed: vec![],
            next_publish: Some("2026-01-05T10:00:00+08:00".into()),
            extra: vec![],
        };
        write_report(&dir, &report).unwrap();
        let read = |n: &str| fs::read_to_string(dir.join(n)).unwrap();
        assert_eq!(
            read("submit.txt"),
            "https://a.org/x/\nhttps://a.org/y/\nhttps://a.org/z/\n"
        );
        assert_eq!(read("removed.txt"), "");
        assert_eq!(read("next-publish.txt"), "2026-01-05T10:00:00+08:00\n");
        assert_eq!(
            default_report_dir(Path::new("/s/public")),
            Path::new("/s/public-report")
        );
    }
}
