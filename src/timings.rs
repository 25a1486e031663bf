//! Stage timings for profiling: with `-v` or `SITEGEN_TIMINGS=1` in the environment, `build` prints
//! how long each stage took to stderr. Off by default, and never part of the output.

use std::time::Instant;

/// A stopwatch that reports the time since its last mark, when enabled.
pub struct Timings {
    last: Option<Instant>,
}

impl Timings {
    /// Enabled when `on` (`-v`) or when `SITEGEN_TIMINGS` is set to anything but `0` or empty.
    pub fn new(on: bool) -> Timings {
        let env = std::env::var_os("SITEGEN_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0");
        Timings {
            last: (on || env).then(Instant::now),
        }
    }

    /// Prints the time spent in `stage` since the previous mark.
    pub fn mark(&mut self, stage: &str) {
        if let Some(last) = self.last {
            let now = Instant::now();
            say!(
                "sitegen: timing {stage:<10} {:8.1} ms",
                (now - last).as_secs_f64() * 1000.0
            );
            self.last = Some(now);
        }
    }

    /// Whether marks and notes are printed.
    pub fn enabled(&self) -> bool {
        self.last.is_some()
    }

    /// Prints `what` (a count of work done or saved), when enabled.
    pub fn note(&self, what: &str) {
        if self.last.is_some() {
            say!("sitegen: {what}");
        }
    }
}
