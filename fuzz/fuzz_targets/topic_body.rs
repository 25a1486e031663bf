//! Fuzzes rendering an article from a topic body: the fuzzed bytes are the markdown (and
//! Tera) body of `topics/alpha.md` under fixed front matter; every page is rendered.
#![no_main]

#[path = "../common.rs"]
#[allow(dead_code)]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    let topic = format!("{}{body}", common::TOPIC_FRONT);
    let input = sitegen::load::Parts::from_texts(
        common::SITE,
        &[("topics/alpha.md", &topic), ("topics/beta.md", common::BETA)],
        &[("cities/aaa.yaml", common::CITY)],
        common::templates(),
    )
    .input();
    if let Ok(input) = input {
        common::render_all(&input);
    }
});
