//! Locks that outlive a panic elsewhere: a thread that panicked while holding one (a bug,
//! reported on its own) must not take the build, the progress bar or the preview server
//! down with it, so the data is used as the panicking thread left it.

use std::sync::{Mutex, MutexGuard};

/// [`Mutex::lock`] and [`Mutex::into_inner`], poisoned or not.
pub(crate) trait Kept<T> {
    fn lock_kept(&self) -> MutexGuard<'_, T>;
    fn into_kept(self) -> T;
}

impl<T> Kept<T> for Mutex<T> {
    fn lock_kept(&self) -> MutexGuard<'_, T> {
        self.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn into_kept(self) -> T {
        self.into_inner().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poisoned_lock_still_gives_its_data() {
        let m = std::sync::Arc::new(Mutex::new(1));
        let held = m.clone();
        let _ = std::thread::spawn(move || {
            let _guard = held.lock().unwrap();
            panic!("poisons the lock");
        })
        .join();
        assert!(m.is_poisoned());
        *m.lock_kept() += 1;
        let m = std::sync::Arc::try_unwrap(m).unwrap();
        assert_eq!(m.into_kept(), 2);
    }
}
