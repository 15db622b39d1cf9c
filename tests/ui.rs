//! Compile-time behaviour of the macros: every error message (one case per
//! file under `tests/ui/`, with the expected output beside it) and a crate
//! that uses every form under `#![deny(warnings)]` without importing anything.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui-pass/*.rs");
}
