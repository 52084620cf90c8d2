//! The example info-string parser (`yaml expect=deny violates="..."`) on arbitrary text: never panics, and an
//! error is placed inside the text, its marker no wider than what is left of it.
#![no_main]

use guardrail_site::diagnostics::At;
use guardrail_site::examples::parse_info;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Err(e) = parse_info(text, At { file: "fuzz.md", text, offset: 0 }) {
        // The error's first character, counted in the whole text, from its line and column.
        let lines: Vec<&str> = text.split('\n').collect();
        assert!(e.line >= 1 && e.line <= lines.len(), "{text:?}: {e:?}");
        let before: usize = lines[..e.line - 1].iter().map(|l| l.chars().count() + 1).sum();
        assert!(e.column >= 1 && e.column - 1 <= lines[e.line - 1].chars().count(), "{text:?}: {e:?}");
        let start = before + e.column - 1;
        // The marker covers text that is there (a marker on nothing is one character wide).
        assert!(start + e.width <= text.chars().count().max(start + 1), "{text:?}: {e:?}");
    }
});
