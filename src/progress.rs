//! A hook through which the render stage says how far it got. The command layer decides
//! what to do with it (a progress bar on a terminal, nothing otherwise); by default it is
//! off and costs one branch per page group.

use crate::sync::Kept as _;
use std::fmt;
use std::sync::{Arc, Mutex};

/// Told `(pages done, pages in all)` each time some pages are done.
type Hook = dyn Fn(usize, usize) + Send + Sync;

/// A cheap, clonable handle to the hook; `Progress::default()` reports nothing.
#[derive(Clone, Default)]
pub struct Progress {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    hook: Box<Hook>,
    /// (done, total), locked while the hook runs, so it sees counts in order.
    count: Mutex<(usize, usize)>,
}

impl Progress {
    /// A handle that calls `hook(done, total)`; calls may come from any worker thread.
    pub fn new(hook: impl Fn(usize, usize) + Send + Sync + 'static) -> Progress {
        Progress {
            inner: Some(Arc::new(Inner {
                hook: Box::new(hook),
                count: Mutex::new((0, 0)),
            })),
        }
    }

    /// A stage with `total` pages starts.
    pub fn start(&self, total: usize) {
        if let Some(inner) = &self.inner {
            let mut count = inner.count.lock_kept();
            *count = (0, total);
            (inner.hook)(0, total);
        }
    }

    /// `n` more pages are done (called once per page group, so the lock is cheap).
    pub fn advance(&self, n: usize) {
        if let Some(inner) = &self.inner {
            let mut count = inner.count.lock_kept();
            count.0 += n;
            (inner.hook)(count.0, count.1);
        }
    }
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.inner.is_some() {
            "Progress(on)"
        } else {
            "Progress(off)"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_across_calls_and_starts_over() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let p = Progress::new(move |done, total| log.lock().unwrap().push((done, total)));
        p.start(5);
        p.advance(2);
        p.clone().advance(3);
        p.start(1);
        p.advance(1);
        assert_eq!(
            *seen.lock().unwrap(),
            [(0, 5), (2, 5), (5, 5), (0, 1), (1, 1)]
        );
    }

    /// Copies `from` into `to`, recursively.
    fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
        for entry in walkdir::WalkDir::new(from) {
            let entry = entry.unwrap();
            let target = to.join(entry.path().strip_prefix(from).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }

    /// The render stage ticks the hook: it starts at (0, pages) and ends at (pages, pages).
    #[test]
    fn a_build_reports_every_page() {
        let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        copy_tree(&repo.join("tests/fixtures/basic"), &root);
        for shared in ["templates", "static"] {
            copy_tree(&repo.join(shared), &root.join(shared));
        }
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let now = crate::load::parse_datetime("2026-01-06 00:00:00").unwrap();
        let opts = crate::pipeline::BuildOptions {
            progress: Progress::new(move |done, total| log.lock().unwrap().push((done, total))),
            ..crate::pipeline::BuildOptions::new(root.clone(), crate::pipeline::Now::Local(now))
        };
        let report = crate::pipeline::build(&opts).unwrap();
        let seen = seen.lock().unwrap();
        let pages = report.pages;
        assert!(pages > 10);
        assert_eq!(seen.first(), Some(&(0, pages)));
        assert_eq!(seen.last(), Some(&(pages, pages)));
        assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "{seen:?}");
    }

    #[test]
    fn the_default_reports_nothing() {
        let p = Progress::default();
        p.start(3);
        p.advance(3);
        assert_eq!(format!("{p:?}"), "Progress(off)");
    }
}
