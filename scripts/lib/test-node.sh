#!/usr/bin/env bash
# The Node package (issue 6), as a user gets it:
#   1. `npm ci` in bindings-node (the committed package-lock.json: @napi-rs/cli, typescript,
#      @types/node, fluent-ffmpeg for the benchmark) and `napi build` of the addon with the
#      `testing-hooks` feature (the panic hooks the suite needs);
#   2. the `node --test` suites in bindings-node/__test__ (ESM + CJS imports, every error code
#      through the Graph API emulator, sources, sendMany, bad options, event loop, token, audio,
#      panics, TypeScript types);
#   3. the addon built again without the hooks (only the svara-node crate recompiles), checked
#      for their absence, `npm pack`ed; the tarball installed into a fresh project, and
#      examples/node (send_voice_note.mjs, broadcast.mjs, test_with_emulator.mjs) run against
#      the emulator from that install.
# Needs: node 18+ with npm, Rust, a C compiler and cmake (fdk-aac/libopus are built from
# source), and the npm registry for the devDependencies. Work files land under target/node-ci.
#
# SVARA_NODE_RELEASE=1 builds the addon with --release (what `npm run build` does for users).
# The default is the dev profile every suite shares (scripts/lib/build.sh: one build of the core
# and its C libraries); it optimises the dependencies (opt-level 2), so the audio engine runs at
# close to release speed. Debug info is stripped before packing.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/common.sh

ROOT="$(pwd)"
WORK="$ROOT/target/node-ci"
fail() { echo "test-node: FAILED: $*" >&2; exit 1; }

step "Node: toolchain (node $(node --version 2>/dev/null || echo missing), npm $(npm --version 2>/dev/null || echo missing))"
command -v node >/dev/null || fail "no node on PATH"
command -v npm >/dev/null || fail "no npm on PATH"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' || fail "Node.js 18+ is required"
ensure_apt cmake

rm -rf "$WORK"
mkdir -p "$WORK"

step "Node: npm ci (bindings-node/package-lock.json)"
(cd bindings-node && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci"

if [ "${SVARA_NODE_RELEASE:-0}" = "1" ]; then PROFILE=(--release); else PROFILE=(); fi
step "Node: napi build ${PROFILE[*]} --features testing-hooks (the addon for the suite)"
build_addon "${PROFILE[@]}" --features testing-hooks || fail "napi build"
ls bindings-node/*.node >/dev/null 2>&1 || fail "napi build produced no .node file"

step "Node: node --test bindings-node/__test__"
(cd bindings-node && node --test --test-concurrency=1 __test__/) || fail "node --test"

step "Node: napi build ${PROFILE[*]} without the test hooks (the addon users get), npm pack"
build_addon "${PROFILE[@]}" || fail "napi build"
(cd bindings-node && node -e 'const n = require("./native.js"); if ("__panicForTesting" in n || "__panicInFutureForTesting" in n) { console.error("the test hooks are in the shipped addon"); process.exit(1) }') \
  || fail "the addon to pack exports the test-only hooks"
# Drop the debug info of a debug build from the packed addon; `napi build --strip` would change
# RUSTFLAGS and rebuild every dependency instead.
if [ ${#PROFILE[@]} -eq 0 ] && command -v strip >/dev/null; then strip --strip-debug bindings-node/*.node; fi
TARBALL=$(cd bindings-node && npm pack --silent --pack-destination "$WORK" | tail -n1)
[ -f "$WORK/$TARBALL" ] || fail "npm pack produced no tarball"
echo "tarball: $WORK/$TARBALL ($(du -h "$WORK/$TARBALL" | cut -f1))"
CONTENTS=$(tar -tzf "$WORK/$TARBALL")
grep -q '^package/svara\..*\.node$' <<<"$CONTENTS" || fail "the tarball has no built addon"
if grep -q '^package/__test__' <<<"$CONTENTS"; then fail "the tarball ships the test suite"; fi
APP="$WORK/app"
mkdir -p "$APP"
(cd "$APP" && npm init -y >/dev/null && npm pkg set type=module >/dev/null \
  && npm install --no-audit --no-fund --loglevel=error "$WORK/$TARBALL") || fail "npm install of the tarball"
cp examples/node/*.mjs bindings-node/scripts/run-examples.mjs "$APP/"

step "Node: examples/node against the emulator, from the installed tarball"
(cd "$APP" && node run-examples.mjs "$APP" "$ROOT/tests/fixtures/speech.opus.webm") || fail "examples/node"
echo "test-node: all Node checks passed"
