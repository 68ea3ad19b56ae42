#!/usr/bin/env bash
# The body of scripts/test, kept apart so that scripts/test stays a one-line front door.
set -euo pipefail
source scripts/lib/common.sh

step "Installing system packages (cmake, ffmpeg for verification)"
ensure_apt cmake ffmpeg

step "Rust: cargo fmt --check"
cargo fmt --all --check

# clippy lints the workspace's crates while they are built for the tests (and while maturin and
# napi build the bindings below): clippy-driver compiles them, code and lints, with
# `-D warnings`. A separate `cargo clippy` would compile every dependency once more, in check
# mode; this way the one build of scripts/lib/build.sh serves everything.
CLIPPY_DRIVER=$(command -v clippy-driver || true)
[ -n "$CLIPPY_DRIVER" ] || { echo "clippy-driver not found: rustup component add clippy" >&2; exit 1; }
export RUSTC_WORKSPACE_WRAPPER="$CLIPPY_DRIVER"
export CLIPPY_ARGS="-Dwarnings__CLIPPY_HACKERY__"

step "Rust: cargo test (linted by clippy -D warnings as it builds)"
cargo test --workspace

step "Python package (scripts/lib/test-python.sh)"
bash scripts/lib/test-python.sh

step "Node package (scripts/lib/test-node.sh)"
bash scripts/lib/test-node.sh

step "Examples and the demo (scripts/lib/test-examples.sh)"
bash scripts/lib/test-examples.sh

step "Emulator compatibility with third-party clients (scripts/lib/test-emulator-compat.sh)"
bash scripts/lib/test-emulator-compat.sh

step "Server: svara serve and the documented HTTP examples (scripts/lib/test-server.sh)"
bash scripts/lib/test-server.sh

# Last: the release artifacts (issue 16). A separate build (zig, glibc 2.17, the release profile),
# so it does not take clippy's wrapper: the artifacts are those `./scripts/release` alone makes.
step "Release artifacts, installed and run without a Rust toolchain (scripts/lib/test-release.sh)"
env -u RUSTC_WORKSPACE_WRAPPER -u CLIPPY_ARGS bash scripts/lib/test-release.sh
