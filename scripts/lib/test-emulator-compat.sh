#!/usr/bin/env bash
# Compatibility of `svara emulator` with real third-party Messenger clients, used the way their
# READMEs use them (issue 13): messaging-api-messenger (npm, its `origin` option) and
# pymessenger + fbmessenger (PyPI, base URL overridden) send typing indicators, text, an MP3
# by URL and an M4A upload, and the emulator's record must show each step.
# Installs what it needs itself (npm ci from tests/compat/node's lock file; a venv under
# target/compat from tests/compat/python/requirements.txt), builds the CLI when needed, and
# fails loudly.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/common.sh

ROOT="$(pwd)"
WORK="target/compat"
PYTHON="${PYTHON:-python3}"
fail() { echo "test-emulator-compat: FAILED: $*" >&2; exit 1; }
unset VIRTUAL_ENV CONDA_PREFIX PYTHONPATH

step "Emulator compat: the svara CLI (cargo build -p svara-cli)"
cargo build -p svara-cli || fail "cargo build -p svara-cli"
export SVARA_BIN
[ -x "$SVARA_BIN" ] || fail "no $SVARA_BIN after the build"
command -v curl >/dev/null || ensure_apt curl

step "Emulator compat: messaging-api-messenger (npm ci, node --test)"
command -v node >/dev/null || fail "node is not installed (Node 20+ is needed)"
(cd tests/compat/node && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci in tests/compat/node"
(cd tests/compat/node && node --test) || fail "messaging-api-messenger against the emulator"

step "Emulator compat: pymessenger and fbmessenger (venv under $WORK, pytest)"
if ! "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then
  ensure_apt python3-venv
fi
mkdir -p "$WORK"
[ -x "$WORK/venv/bin/python" ] || "$PYTHON" -m venv "$WORK/venv" || fail "python3 -m venv $WORK/venv"
"$WORK/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  -r tests/compat/python/requirements.txt || fail "pip install -r tests/compat/python/requirements.txt"
"$WORK/venv/bin/python" -m pytest -q -p no:cacheprovider tests/compat/python \
  || fail "pymessenger / fbmessenger against the emulator"

step "Emulator compat: passed"
