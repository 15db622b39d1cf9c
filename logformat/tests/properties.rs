//! Properties of the parser on arbitrary input: it never panics, its error
//! spans lie on character boundaries inside the input, and normalising a
//! parsed format gives a format that parses to the same pieces.

use logformat::{Piece, parse, parse_lenient, parse_mixed};
use proptest::prelude::*;

/// Format-like strings: mostly the characters the grammar cares about.
fn formats() -> impl Strategy<Value = String> {
    proptest::string::string_regex(r"([{}<>!:.\[\]()a-z0-9_ é\n]|log_source|\{\{|\}\}|<<){0,40}")
        .unwrap()
}

fn shape(pieces: &[Piece]) -> Vec<String> {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Literal(t) => format!("L{t}"),
            Piece::Field(f) => format!("F{}!{:?}:{}", f.name, f.conversion, f.spec),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parse_normalise_parse_is_stable(src in formats()) {
        if let Ok(format) = parse(&src) {
            let again = parse(&format.to_brace_string()).expect("a normalised format parses");
            prop_assert_eq!(shape(&format.pieces), shape(&again.pieces));
        }
        let captured = |root: &str| root.len() < 3;
        if let Ok(format) = parse_mixed(&src, &captured) {
            let again = parse(&format.to_brace_string()).expect("a normalised mixed format parses");
            prop_assert_eq!(shape(&format.pieces), shape(&again.pieces));
        }
    }

    #[test]
    fn errors_point_inside_the_input(src in formats()) {
        for errors in [parse(&src).err(), parse_mixed(&src, &|_| true).err()].into_iter().flatten() {
            prop_assert!(!errors.is_empty());
            for e in errors {
                prop_assert!(e.span.start <= e.span.end && e.span.end <= src.len(), "{:?} in {:?}", e, src);
                prop_assert!(src.is_char_boundary(e.span.start) && src.is_char_boundary(e.span.end));
            }
        }
        let _ = parse_lenient(&src);
    }

    #[test]
    fn any_string_at_all_is_handled(src in any::<String>()) {
        let _ = parse(&src);
        let _ = parse_lenient(&src);
        let _ = parse_mixed(&src, &|_| true);
        let _ = logformat::parse_spec(&src, logformat::SpecFlavor::Python);
    }
}
