//! Fuzzes loading and merging a city file: the fuzzed bytes are `cities/fuzz.yaml` in a
//! small fixed site, then every page is planned and rendered.
#![no_main]

#[path = "../common.rs"]
#[allow(dead_code)]
mod common;

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = sitegen::load::decode(data.to_vec(), Path::new("cities/fuzz.yaml")) else {
        return;
    };
    let topic = format!("{}{}", common::TOPIC_FRONT, common::TOPIC_BODY);
    let input = sitegen::load::Parts::from_texts(
        common::SITE,
        &[("topics/alpha.md", &topic), ("topics/beta.md", common::BETA)],
        &[("cities/aaa.yaml", common::CITY), ("cities/fuzz.yaml", &text)],
        common::templates(),
    )
    .input();
    if let Ok(input) = input {
        common::render_all(&input);
    }
});
