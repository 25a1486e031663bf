//! sitegen: a static-site generator for city × topic knowledge sites.
//!
//! The pipeline is `load → merge → plan → render → write`; see [`pipeline`].

/// `eprintln!` that drops what a closed stderr cannot take (`sitegen serve 2>&1 | head`)
/// instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod cli;
pub mod cmd;
pub mod content;
pub(crate) mod coverage;
pub mod diag;
pub(crate) mod keyed_text;
pub(crate) mod lint;
pub mod load;
pub mod merge;
pub mod model;
pub mod pipeline;
pub mod plan;
pub mod progress;
pub mod render;
pub(crate) mod search;
pub mod serve;
pub mod site_files;
pub(crate) mod sync;
pub mod timings;
pub mod write;
