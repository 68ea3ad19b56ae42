#!/usr/bin/env bash
# The body of scripts/test, kept apart so that scripts/test stays a one-line front door.
set -euo pipefail
source scripts/lib/common.sh

step "Installing system packages (cmake, ffmpeg for verification)"
ensure_apt cmake ffmpeg

step "Rust: cargo fmt --check"
cargo fmt --all --check

step "Rust: cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "Rust: cargo test"
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
