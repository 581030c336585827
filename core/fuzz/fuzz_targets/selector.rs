//! Label selector parsing: never a panic; a parsed selector re-parses from its canonical form.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(sel) = kroute::Selector::parse(&text) {
        let again = kroute::Selector::parse(&sel.to_string());
        assert!(again.is_ok(), "canonical form {sel} does not re-parse");
    }
});
