//! Integration tests: the real `sitegen` binary on fixture sites under tests/fixtures/.

mod build;
mod check;
mod cli;
mod coverage;
mod coverage_memo;
mod crash;
mod datetimes;
mod escaping;
mod explain;
mod hostile;
mod hosting;
mod lifecycle;
mod memo;
mod new;
mod real_site;
mod run_memo;
mod scale;
mod serve;
mod support;
