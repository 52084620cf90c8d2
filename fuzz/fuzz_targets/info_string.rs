//! The example info-string parser (`yaml expect=deny violates="..."`) on arbitrary text: never panics, and an
//! error's span stays inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code, unreachable_pub)]
#[path = "../../src/site/examples.rs"]
mod examples;

fuzz_target!(|text: &str| {
    if let Err(e) = examples::parse_info(text) {
        assert!(e.offset <= text.len() && e.offset + e.len <= text.len(), "{text:?}: {e:?}");
    }
});
