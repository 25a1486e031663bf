//! Integration tests: the real `sitegen` binary on fixture sites under tests/fixtures/.

mod build;
mod crash;
mod escaping;
mod hostile;
mod real_site;
mod support;
