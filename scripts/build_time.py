#!/usr/bin/env python3
"""Build time of a crate with 1000 log calls: spindle against tracing.

Generates two crates under target/build-time/ with the same 1000 calls
(a message and three fields, in 20 functions), builds each once so their
dependencies are compiled, then times a rebuild of the crate alone
(`touch src/lib.rs`, debug profile, no incremental compilation), best of 3.

usage: python3 scripts/build_time.py
"""
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "target", "build-time")
CALLS, FUNCTIONS = 1000, 20

CALL = {
    "spindle": 'spindle::info!("request {{path}} answered {{status}} with {{bytes}} bytes ({n})", path, status, bytes);',
    "tracing": 'tracing::info!(path, status, bytes, "request answered ({n})");',
}
DEPS = {
    "spindle": f'spindle = {{ path = "{ROOT}" }}',
    "tracing": 'tracing = "0.1"',
}


def generate(lib):
    crate = os.path.join(OUT, lib)
    os.makedirs(os.path.join(crate, "src"), exist_ok=True)
    with open(os.path.join(crate, "Cargo.toml"), "w") as f:
        f.write(f'[package]\nname = "calls-{lib}"\nversion = "0.0.0"\nedition = "2024"\n\n'
                f'[dependencies]\n{DEPS[lib]}\n\n[workspace]\n')
    per = CALLS // FUNCTIONS
    body = []
    for fn in range(FUNCTIONS):
        body.append(f"pub fn handler_{fn}(path: &str, status: u16, bytes: usize) {{")
        for i in range(per):
            body.append("    " + CALL[lib].format(n=fn * per + i))
        body.append("}\n")
    with open(os.path.join(crate, "src", "lib.rs"), "w") as f:
        f.write("\n".join(body))
    return crate


def build(crate):
    env = dict(os.environ, CARGO_INCREMENTAL="0", CARGO_TARGET_DIR=os.path.join(OUT, "target"))
    subprocess.run(["cargo", "build", "-q", "--manifest-path", os.path.join(crate, "Cargo.toml")], check=True, env=env)


def main():
    times = {}
    for lib in ("spindle", "tracing"):
        crate = generate(lib)
        build(crate)  # dependencies
        best = None
        for _ in range(3):
            os.utime(os.path.join(crate, "src", "lib.rs"))
            start = time.perf_counter()
            build(crate)
            elapsed = time.perf_counter() - start
            best = elapsed if best is None else min(best, elapsed)
        times[lib] = best
        print(f"{lib}: {best:.2f} s for {CALLS} calls")
    print(f"spindle / tracing: {times['spindle'] / times['tracing']:.2f}x (target: <= 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
