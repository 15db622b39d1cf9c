//! The format parser, in all three modes, on any string.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|src: &str| {
    if let Ok(format) = logformat::parse(src) {
        let again = logformat::parse(&format.to_brace_string()).expect("a normalised format parses");
        assert_eq!(again.fields().count(), format.fields().count());
        let _ = logformat::flattened_keys(&format);
    }
    let _ = logformat::parse_lenient(src);
    let _ = logformat::parse_mixed(src, &|root| root.len() % 2 == 0);
    if let Err(errors) = logformat::parse(src) {
        for e in errors {
            assert!(e.span.end <= src.len() && src.is_char_boundary(e.span.start) && src.is_char_boundary(e.span.end));
        }
    }
});
