//! The progress bar of long builds (indicatif, on stderr). It is drawn only once the
//! command has run for about a second, so a quick build prints nothing but its summary,
//! and it is cleared when the last page is done, before anything else is printed.

use crate::progress::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long a command runs before its bar appears.
const DELAY: Duration = Duration::from_secs(1);

/// A handle drawing `<what> [bar] done/total pages` on stderr (the caller checked that
/// stderr is a terminal).
pub(crate) fn on_stderr(what: &'static str) -> Progress {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    if let Ok(style) =
        ProgressStyle::with_template("{msg} [{wide_bar}] {pos}/{len} pages, {elapsed}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what);
    let started = Instant::now();
    let shown = AtomicBool::new(false);
    Progress::new(move |done, total| {
        if done == 0 {
            bar.set_length(total as u64);
        }
        bar.set_position(done as u64);
        if done >= total {
            bar.finish_and_clear();
        } else if started.elapsed() >= DELAY && !shown.swap(true, Ordering::Relaxed) {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    })
}
