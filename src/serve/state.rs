//! What the server shows: the last good site, the problems of the last failed rebuild, and
//! a generation number that live-reload clients wait on.

use crate::diag::Diagnostic;
use crate::pipeline::SiteFiles;
use crate::sync::Kept as _;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// One published state of the server.
#[derive(Clone, Default)]
pub struct Snapshot {
    /// Grows by one on every rebuild, good or failed.
    pub generation: u64,
    /// The last site that built without errors (empty until the first one does).
    pub files: Arc<SiteFiles>,
    /// The problems of the latest rebuild when it failed.
    pub problems: Option<Arc<Vec<Diagnostic>>>,
}

/// Shared between the rebuild loop and the request threads.
#[derive(Default)]
pub(crate) struct State {
    current: Mutex<Snapshot>,
    changed: Condvar,
}

impl State {
    fn lock(&self) -> MutexGuard<'_, Snapshot> {
        // A panicking request thread must not take the server down with it.
        self.current.lock_kept()
    }

    /// The state to answer a request with.
    pub(crate) fn snapshot(&self) -> Snapshot {
        self.lock().clone()
    }

    /// Publishes a newly built site and clears reported problems.
    pub(crate) fn publish_site(&self, files: SiteFiles) {
        let mut s = self.lock();
        s.generation += 1;
        s.files = Arc::new(files);
        s.problems = None;
        self.changed.notify_all();
    }

    /// Reports a failed rebuild; the last good site keeps being served.
    pub(crate) fn publish_problems(&self, problems: Vec<Diagnostic>) {
        let mut s = self.lock();
        s.generation += 1;
        s.problems = Some(Arc::new(problems));
        self.changed.notify_all();
    }

    /// Waits until the generation differs from `seen`, or `timeout` passes; returns the
    /// generation then.
    pub(crate) fn wait_past(&self, seen: u64, timeout: Duration) -> u64 {
        let guard = self.lock();
        let (guard, _) = self
            .changed
            .wait_timeout_while(guard, timeout, |s| s.generation == seen)
            .unwrap_or_else(|p| p.into_inner());
        guard.generation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_keep_the_last_good_site() {
        let state = State::default();
        let mut files = SiteFiles::new();
        files.insert("index.html".into(), Arc::from(&b"ok"[..]));
        state.publish_site(files);
        state.publish_problems(vec![Diagnostic::error(
            crate::diag::Origin::file("cities/a.yaml"),
            "broken",
        )]);
        let s = state.snapshot();
        assert_eq!(s.generation, 2);
        assert_eq!(&s.files["index.html"][..], b"ok");
        assert!(s.problems.is_some());
    }

    #[test]
    fn waiting_returns_at_once_when_behind() {
        let state = State::default();
        state.publish_problems(Vec::new());
        assert_eq!(state.wait_past(0, Duration::from_secs(60)), 1);
    }
}
