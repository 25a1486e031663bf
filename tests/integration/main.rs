//! Integration tests: the real `sitegen` binary on fixture sites under tests/fixtures/.

mod build;
mod check;
mod explain;
mod new;
mod real_site;
mod support;
