//! Case tables: (input, normalised form or error kind and byte range).

use super::*;

fn summary(format: &Format) -> Vec<String> {
    format
        .pieces
        .iter()
        .map(|p| match p {
            Piece::Literal(t) => format!("lit {t:?}"),
            Piece::Field(f) => format!(
                "field {} conv={:?} spec={:?} call={} span={:?}",
                f.name,
                f.conversion.map(Conversion::letter),
                f.spec,
                f.call,
                f.span
            ),
        })
        .collect()
}

#[test]
fn accepted_brace_formats() {
    let cases: &[(&str, &[&str])] = &[
        ("", &[]),
        ("plain text", &["lit \"plain text\""]),
        ("{{x}}", &["lit \"{x}\""]),
        ("{x}", &["field x conv=None spec=\"\" call=false span=0..3"]),
        (
            "a{x!r}b",
            &[
                "lit \"a\"",
                "field x conv=Some('r') spec=\"\" call=false span=1..6",
                "lit \"b\"",
            ],
        ),
        (
            "{x!s:>8}",
            &["field x conv=Some('s') spec=\">8\" call=false span=0..8"],
        ),
        (
            "{f:.3}",
            &["field f conv=None spec=\".3\" call=false span=0..6"],
        ),
        (
            "{n:08}",
            &["field n conv=None spec=\"08\" call=false span=0..6"],
        ),
        (
            "{n:x}",
            &["field n conv=None spec=\"x\" call=false span=0..5"],
        ),
        (
            "{v:?}",
            &["field v conv=None spec=\"?\" call=false span=0..5"],
        ),
        (
            "{v:#?}",
            &["field v conv=None spec=\"#?\" call=false span=0..6"],
        ),
        (
            "{req.summary()}",
            &["field req.summary() conv=None spec=\"\" call=true span=0..15"],
        ),
        (
            "{a.b[0].c}",
            &["field a.b[0].c conv=None spec=\"\" call=false span=0..10"],
        ),
        (
            "{log_source.value!r}",
            &["field log_source.value conv=Some('r') spec=\"\" call=false span=0..20"],
        ),
        (
            "é{ü}",
            &[
                "lit \"é\"",
                "field ü conv=None spec=\"\" call=false span=2..6",
            ],
        ),
        (
            "{a}{b}",
            &[
                "field a conv=None spec=\"\" call=false span=0..3",
                "field b conv=None spec=\"\" call=false span=3..6",
            ],
        ),
        (
            "{x:*<5}",
            &["field x conv=None spec=\"*<5\" call=false span=0..7"],
        ),
        (
            "{pair.0.1}",
            &["field pair.0.1 conv=None spec=\"\" call=false span=0..10"],
        ),
    ];
    for (input, expected) in cases {
        let format = parse(input).unwrap_or_else(|e| panic!("{input:?}: {e:?}"));
        assert_eq!(summary(&format), *expected, "input {input:?}");
        assert_eq!(
            parse(&format.to_brace_string()).unwrap(),
            format_without_spans(&format, input),
            "{input:?}"
        );
    }
}

/// Re-parsing the normalised form gives the same pieces (spans aside, which
/// shift when a format is normalised).
fn format_without_spans(format: &Format, input: &str) -> Format {
    let reparsed = parse(&format.to_brace_string()).unwrap();
    assert_eq!(summary_names(&reparsed), summary_names(format), "{input:?}");
    reparsed
}

fn summary_names(format: &Format) -> Vec<String> {
    summary(format)
        .into_iter()
        .map(|s| s.split(" span=").next().unwrap().to_string())
        .collect()
}

#[test]
fn rejected_brace_formats() {
    use ErrorKind::*;
    type Case<'a> = (&'a str, &'a [(ErrorKind, std::ops::Range<usize>)]);
    let cases: &[Case<'_>] = &[
        ("{}", &[(Positional, 0..2)]),
        ("a {0} b", &[(Positional, 2..5)]),
        ("{:x}", &[(Positional, 0..4)]),
        ("{!r}", &[(Positional, 0..4)]),
        ("open {", &[(UnclosedBrace, 5..6)]),
        ("{x", &[(UnclosedBrace, 0..1)]),
        ("close }", &[(UnmatchedClose, 6..7)]),
        ("{x!z}", &[(UnknownConversion("z".into()), 2..4)]),
        ("{x!}", &[(UnknownConversion("".into()), 2..3)]),
        ("{x!rr}", &[(UnknownConversion("rr".into()), 2..5)]),
        ("{f(1)}", &[(CallWithArguments, 2..5)]),
        ("{a.f(x, y).b}", &[(CallWithArguments, 4..10)]),
        ("{a.f().b}", &[(CallNotLast, 6..8)]),
        ("{a..b}", &[(InvalidPath("a name is missing".into()), 1..5)]),
        (
            "{a.}",
            &[(InvalidPath("a name is missing after `.`".into()), 2..3)],
        ),
        (
            "{ x }",
            &[(InvalidPath("` x ` is not an identifier".into()), 1..4)],
        ),
        (
            "{a-b}",
            &[(InvalidPath("`a-b` is not an identifier".into()), 1..4)],
        ),
        ("{a[0}", &[(UnclosedBrace, 0..1)]),
        ("{a[]}", &[(InvalidPath("an index is empty".into()), 2..4)]),
        ("{x:{w}}", &[(NestedPlaceholder, 0..7)]),
        (
            "{x:zz}",
            &[(InvalidSpec("unknown format type `zz` in `zz`".into()), 3..5)],
        ),
        (
            "{x:1$}",
            &[(
                InvalidSpec("width and precision arguments (`$`, `*`) are not supported".into()),
                3..5,
            )],
        ),
        (
            "{x:99999999999999999999999}",
            &[(
                InvalidSpec("the width `99999999999999999999999` is too large".into()),
                3..26,
            )],
        ),
        (
            "{log_level}",
            &[(
                InvalidPath(
                    "`log_level` is a reserved system key; only `log_source` can be a placeholder"
                        .into(),
                ),
                1..10,
            )],
        ),
        // several errors are reported together
        (
            "{} } {x!q}",
            &[
                (Positional, 0..2),
                (UnmatchedClose, 3..4),
                (UnknownConversion("q".into()), 7..9),
            ],
        ),
        (
            "{x!q:zz}",
            &[
                (UnknownConversion("q".into()), 2..4),
                (InvalidSpec("unknown format type `zz` in `zz`".into()), 5..7),
            ],
        ),
    ];
    for (input, expected) in cases {
        let errors = parse(input).expect_err(input);
        let got: Vec<_> = errors
            .iter()
            .map(|e| (e.kind.clone(), e.span.clone()))
            .collect();
        assert_eq!(got, *expected, "input {input:?}");
        for e in &errors {
            assert!(e.hint().is_some(), "{input:?} has a hint");
            assert!(!e.to_string().is_empty());
        }
    }
}

#[test]
fn angle_notation() {
    let captured = |root: &str| matches!(root, "req" | "data" | "n");
    let cases: &[(&str, &str)] = &[
        (
            "<req.uri> answered <req.status>",
            "{req.uri} answered {req.status}",
        ),
        ("Vec<u8> and <data!r>", "Vec<u8> and {data!r}"),
        ("a << b, 1 < 2 > 0", "a < b, 1 < 2 > 0"),
        ("<log_source.value>", "{log_source.value}"),
        ("<n:x> {n} {{<n>}}", "{n:x} {n} {{{n}}}"),
        ("<req.summary()>", "{req.summary()}"),
        ("<nope> <", "<nope> <"),
        ("<req[0]>", "{req[0]}"),
    ];
    for (input, expected) in cases {
        let format = parse_mixed(input, &captured).unwrap_or_else(|e| panic!("{input:?}: {e:?}"));
        assert_eq!(format.to_brace_string(), *expected, "input {input:?}");
    }
    let errors = parse_mixed("x <0> <req.uri", &captured).unwrap_err();
    let got: Vec<_> = errors
        .iter()
        .map(|e| (e.kind.clone(), e.span.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (ErrorKind::Positional, 2..5),
            (ErrorKind::UnclosedAngle, 6..7)
        ]
    );
    let errors = parse_mixed("<req.f(1)>", &captured).unwrap_err();
    assert_eq!(errors[0].kind, ErrorKind::CallWithArguments);
    assert_eq!(errors[0].span, 6..9);
}

#[test]
fn lenient_accepts_python_names_and_specs() {
    let format = parse_lenient("{a-b:03d} {c[key name]} {d.e:,.2f} {f()}").unwrap();
    let names: Vec<_> = format
        .fields()
        .map(|f| (f.name.as_str(), f.spec.as_str(), f.call))
        .collect();
    assert_eq!(
        names,
        [
            ("a-b", "03d", false),
            ("c[key name]", "", false),
            ("d.e", ",.2f", false),
            ("f()", "", true)
        ]
    );
    assert_eq!(parse_lenient("{}").unwrap_err().kind, ErrorKind::Positional);
    assert_eq!(
        parse_lenient("{").unwrap_err().kind,
        ErrorKind::UnclosedBrace
    );
}

#[test]
fn flattened_keys_number_repeats_like_twisted() {
    let format = parse("{a} {a:>3} {a} {b!r} {b}").unwrap();
    let keys = flattened_keys(&format);
    assert_eq!(
        keys,
        [
            ("a!s:".into(), "a!:".into()),
            ("a!s:>3".into(), "a!:>3".into()),
            ("a!s:/2".into(), "a!:/2".into()),
            ("b!r:".into(), "b!:".into()),
            ("b!s:".into(), "b!:/2".into()),
        ]
    );
}

#[test]
fn specs() {
    let cases: &[(&str, SpecFlavor, bool)] = &[
        ("", SpecFlavor::Rust, true),
        (">8", SpecFlavor::Rust, true),
        ("x?", SpecFlavor::Rust, true),
        ("+.3e", SpecFlavor::Rust, true),
        ("=10", SpecFlavor::Rust, false),
        ("=10", SpecFlavor::Python, true),
        (" d", SpecFlavor::Python, true),
        ("_x", SpecFlavor::Python, true),
        ("%", SpecFlavor::Python, true),
        ("?", SpecFlavor::Python, false),
        (".", SpecFlavor::Rust, false),
        ("<>", SpecFlavor::Rust, true), // fill `<`, align `>`
    ];
    for (spec, flavor, ok) in cases {
        assert_eq!(
            parse_spec(spec, *flavor).is_ok(),
            *ok,
            "{spec:?} {flavor:?}"
        );
    }
    let s = parse_spec("_<10,", SpecFlavor::Python).unwrap();
    assert_eq!(
        (s.fill, s.align, s.width, s.grouping),
        ('_', Some(Align::Left), Some(10), Some(','))
    );
}
