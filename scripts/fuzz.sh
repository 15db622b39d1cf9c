#!/usr/bin/env bash
# Runs each fuzz target for a bounded time (default 60 s each) on a nightly
# toolchain with cargo-fuzz: `cargo install cargo-fuzz`,
# `rustup toolchain install nightly`. The corpus grows in fuzz/corpus/ (commit
# what it finds); a crash is saved in fuzz/artifacts/ and becomes a
# regression test in tests/hardening.rs or the crate it is in.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-60}"
for target in format_parser render json_reader unpack; do
    echo "== fuzzing $target for ${seconds}s"
    cargo +nightly fuzz run "$target" "corpus/$target" -- -max_total_time="$seconds" -max_len=4096
done
