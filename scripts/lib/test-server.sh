#!/usr/bin/env bash
# The Svara API server as a user runs it (issue 12): `svara serve` with the test key it prints,
# then the three documented examples in server/examples/http (curl, JavaScript fetch on Node
# 18+, Python requests), each run verbatim but for the base URL (https://api.svarapi.io ->
# the local server) and the audio link (https://cdn.example.com/notes -> a file server on
# 127.0.0.1, since nothing else is reachable here). Each must answer a msg_ id (the JS and
# Python ones print "Voice note queued: msg_…"), GET /v1/status/{id} must reach `sent` with an
# m_ id, and the built-in emulator must list that m_ id. Then SIGTERM: a graceful exit 0.
# The Rust suite (cargo test -p svara-server) covers the rest: crash, idempotency, limits,
# memory under hostile input, live keys and every error code.
# Installs what it needs: the requests package in a venv under target/server-venv.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/common.sh
fail() { echo "test-server: FAILED: $*" >&2; exit 1; }

WORK="$PWD/target/server-ci"
VENV="$PWD/target/server-venv"
rm -rf "$WORK"
mkdir -p "$WORK/files"

step "Server: cargo build -p svara-cli (svara serve)"
cargo build -q -p svara-cli
SVARA="$SVARA_BIN"

step "Server: node $(node --version 2>/dev/null || echo missing) for the fetch example, Python requests in $VENV"
command -v node >/dev/null || fail "no node on PATH (Node.js 18+ is needed for the fetch example)"
node -e 'process.exit(typeof fetch === "function" ? 0 : 1)' || fail "this Node.js has no global fetch (18+ needed)"
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then ensure_apt python3-venv; fi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c 'import requests' 2>/dev/null || "$VENV/bin/python" -m pip install --quiet requests

PIDS=""
cleanup() { for pid in $PIDS; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

# The examples link https://cdn.example.com/notes/update.m4a: serve an M4A under that name.
cp tests/fixtures/speech-aac.m4a "$WORK/files/update.m4a"
start_file_server "$WORK/files"
PIDS="$PIDS $FILE_SERVER_PID"

step "Server: svara serve --port 0 (fresh database, no key configured: it creates a test key)"
"$SVARA" serve --port 0 --database "sqlite://$WORK/data/svara.db" --allow-private-urls \
  > "$WORK/serve.out" 2> "$WORK/serve.log" &
SERVER_PID=$!
PIDS="$PIDS $SERVER_PID"
BASE_URL=$(wait_for_line "$WORK/serve.out")
case "$BASE_URL" in http://127.0.0.1:*) ;; *) cat "$WORK/serve.out" "$WORK/serve.log"; fail "no base URL on the first line";; esac
for _ in $(seq 1 100); do grep -q '^Press Ctrl-C' "$WORK/serve.out" && break; sleep 0.1; done
SVARA_API_KEY=$(sed -n 's/^test key (shown once, keep it): //p' "$WORK/serve.out")
EMULATOR_URL=$(sed -nE 's/^test mode: .* emulator at (http:[^ ]+) .*/\1/p' "$WORK/serve.out")
[[ "$SVARA_API_KEY" =~ ^sk_test_[A-Za-z0-9]{32}$ ]] || { cat "$WORK/serve.out"; fail "no test key printed"; }
[ -n "$EMULATOR_URL" ] || fail "no emulator URL printed"
export SVARA_API_KEY
export META_PAGE_TOKEN="EAAGm0PX4ZCps-test-mode-token"
echo "svara serve at $BASE_URL, test key ${SVARA_API_KEY:0:12}…, built-in emulator at $EMULATOR_URL"

# localize FILE: the example with only the two base URLs changed.
localize() {
  sed -e "s#https://api.svarapi.io#$BASE_URL#g" -e "s#https://cdn.example.com/notes#$FILE_SERVER_URL#g" "$1"
}

# check_sent ID: polls the status until `sent`, then checks the emulator received its m_ id.
check_sent() {
  local id=$1 status=""
  for _ in $(seq 1 150); do
    status=$(curl -fsS "$BASE_URL/v1/status/$id" -H "Authorization: Bearer $SVARA_API_KEY")
    case "$status" in *'"status":"sent"'*|*'"status":"failed"'*) break;; esac
    sleep 0.2
  done
  echo "  status: $status"
  local mid
  mid=$(sed -nE 's/.*"message_id":"(m_[A-Za-z0-9_-]+)".*/\1/p' <<<"$status")
  [ -n "$mid" ] || fail "$id did not reach sent with an m_ id"
  curl -fsS "$EMULATOR_URL/__emulator/messages" | grep -q "\"$mid\"" || fail "the emulator did not receive $mid"
  echo "  the built-in emulator received $mid"
}

step "Server: 1/3 the documented curl (server/examples/http/send.sh)"
out=$(bash <(localize server/examples/http/send.sh))
echo "$out"
id=$(sed -nE 's/.*"id":"(msg_[0-9a-z]{26})".*/\1/p' <<<"$out")
[ -n "$id" ] || fail "curl got no msg_ id"
grep -q '"status":"queued"' <<<"$out" || fail "curl's answer is not queued"
check_sent "$id"

step "Server: 2/3 the documented JavaScript fetch (server/examples/http/send.mjs, node $(node --version))"
localize server/examples/http/send.mjs > "$WORK/send.mjs"
out=$(node "$WORK/send.mjs")
echo "$out"
[[ "$out" =~ ^Voice\ note\ queued:\ (msg_[0-9a-z]{26})$ ]] || fail "the fetch example printed no id"
check_sent "${BASH_REMATCH[1]}"

step "Server: 3/3 the documented Python requests (server/examples/http/send.py)"
out=$(localize server/examples/http/send.py | "$VENV/bin/python" -)
echo "$out"
[[ "$out" =~ ^Voice\ note\ queued:\ (msg_[0-9a-z]{26})$ ]] || fail "the requests example printed no id"
check_sent "${BASH_REMATCH[1]}"

step "Server: SIGTERM, graceful shutdown"
kill -TERM "$SERVER_PID"
set +e
wait "$SERVER_PID"
code=$?
set -e
PIDS="$FILE_SERVER_PID"
[ "$code" = 0 ] || { cat "$WORK/serve.log"; fail "svara serve exited $code after SIGTERM"; }
grep -q '^stopped' "$WORK/serve.log" || fail "no 'stopped' line"
for secret in "$SVARA_API_KEY" "$META_PAGE_TOKEN"; do
  if grep -qF "$secret" "$WORK/serve.log"; then fail "a secret is in the server's log"; fi
done
echo "3 passed, 0 failed"
