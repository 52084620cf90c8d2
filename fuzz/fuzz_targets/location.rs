//! The location-path parser on arbitrary text: never panics; what parses prints to a path that parses back to
//! the same nodes whenever the printed form is itself valid (upstream's quoting leaves some names unquoted).
#![no_main]

use guardrail_engine::mutation::path::Location;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(loc) = Location::parse(text) {
        let printed = loc.to_string();
        if let Ok(again) = Location::parse(&printed) {
            assert_eq!(again, loc, "{text:?} printed as {printed:?}");
        }
    }
});
