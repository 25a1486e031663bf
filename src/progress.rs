//! A hook through which the render stage says how far it got. The command layer decides
//! what to do with it (a progress bar on a terminal, nothing otherwise); by default it is
//! off and costs one branch per page group.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Told `(pages done, pages in all)` each time some pages are done.
type Hook = dyn Fn(usize, usize) + Send + Sync;

/// A cheap, clonable handle to the hook; `Progress::default()` reports nothing.
#[derive(Clone, Default)]
pub struct Progress {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    hook: Box<Hook>,
    done: AtomicUsize,
    total: AtomicUsize,
}

impl Progress {
    /// A handle that calls `hook(done, total)`; calls may come from any worker thread.
    pub fn new(hook: impl Fn(usize, usize) + Send + Sync + 'static) -> Progress {
        Progress {
            inner: Some(Arc::new(Inner {
                hook: Box::new(hook),
                done: AtomicUsize::new(0),
                total: AtomicUsize::new(0),
            })),
        }
    }

    /// A stage with `total` pages starts.
    pub fn start(&self, total: usize) {
        if let Some(inner) = &self.inner {
            inner.done.store(0, Ordering::Relaxed);
            inner.total.store(total, Ordering::Relaxed);
            (inner.hook)(0, total);
        }
    }

    /// `n` more pages are done.
    pub fn advance(&self, n: usize) {
        if let Some(inner) = &self.inner {
            let done = inner.done.fetch_add(n, Ordering::Relaxed) + n;
            (inner.hook)(done, inner.total.load(Ordering::Relaxed));
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
    use std::sync::Mutex;

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

    #[test]
    fn the_default_reports_nothing() {
        let p = Progress::default();
        p.start(3);
        p.advance(3);
        assert_eq!(format!("{p:?}"), "Progress(off)");
    }
}
