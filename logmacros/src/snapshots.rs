//! Expansion snapshots: what the main macro forms turn into, formatted with
//! rustfmt, in `tests/expand/*.expanded.rs`. Run with `SPINDLE_BLESS=1` to
//! write them after a deliberate change, and read the diff.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::Parser as _;

use crate::args::{Kind, LogCall};

fn expand(kind: Kind, input: TokenStream) -> String {
    let call = (|s: syn::parse::ParseStream<'_>| LogCall::parse(s, kind))
        .parse2(input)
        .expect("parses");
    let tokens = crate::expand::expand(call).expect("expands");
    rustfmt(&format!("fn expansion() {{ {tokens} }}"))
}

fn expand_derive(input: TokenStream) -> String {
    let tokens = crate::derive::expand(syn::parse2(input).expect("parses")).expect("expands");
    rustfmt(&tokens.to_string())
}

fn rustfmt(code: &str) -> String {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("rustfmt runs (rustup component add rustfmt)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(code.as_bytes())
        .expect("writes");
    let out = child.wait_with_output().expect("rustfmt finishes");
    assert!(out.status.success(), "rustfmt failed on:\n{code}");
    String::from_utf8(out.stdout).expect("utf-8")
}

fn check(name: &str, expanded: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/expand")
        .join(format!("{name}.expanded.rs"));
    if std::env::var_os("SPINDLE_BLESS").is_some() {
        std::fs::write(&path, expanded).expect("writes the snapshot");
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        want == expanded,
        "{name}: the expansion changed (SPINDLE_BLESS=1 writes it):\n{expanded}\n--- was:\n{want}"
    );
}

#[test]
fn snapshots() {
    check(
        "info_fields",
        &expand(
            Kind::Level("Info"),
            quote!(
                "{req.uri}: status={req.status}, bytes={size}",
                req,
                size = body.len()
            ),
        ),
    );
    check(
        "info_angle_call",
        &expand(
            Kind::Level("Info"),
            quote!("<req.uri> useful but expensive: <req.summary()!r>", req),
        ),
    );
    check(
        "debug_display_debug",
        &expand(
            Kind::Level("Debug"),
            quote!("{addr} {p:>8?}", %addr, p = ?point),
        ),
    );
    check(
        "info_logger_source",
        &expand(
            Kind::Level("Info"),
            quote!(logger: &log, source: &worker, "value {log_source.value}"),
        ),
    );
    check(
        "info_logger_plain",
        &expand(
            Kind::Level("Info"),
            quote!(logger: log, "handled {path} status={status}", path, status),
        ),
    );
    check("emit_level", &expand(Kind::Emit, quote!(level, "plain")));
    check(
        "failure",
        &expand(Kind::Failure, quote!("Math is hard!", err, n = 1)),
    );
    check(
        "derive_log_source",
        &expand_derive(quote! {
            struct Request<T> { uri: String, #[log(redact)] token: String, #[log(skip)] extra: T, #[log(rename = "size")] bytes: usize }
        }),
    );
}
