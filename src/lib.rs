//! sitegen: a static-site generator for city × topic knowledge sites.
//!
//! The pipeline is `load → merge → plan → render → write`; see [`pipeline`].

pub mod cli;
pub mod cmd;
pub mod content;
pub mod coverage;
pub mod diag;
pub mod lint;
pub mod load;
pub mod merge;
pub mod model;
pub mod pipeline;
pub mod plan;
pub mod progress;
pub mod render;
pub mod search;
pub mod serve;
pub mod site_files;
pub mod timings;
pub mod write;
