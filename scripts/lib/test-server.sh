#!/usr/bin/env bash
# The Svara API server as a user runs it (issue 12): `svara serve` with the test key it prints,
# then the three documented examples in server/examples/http (curl, JavaScript fetch on Node
# 18+, Python requests), each run verbatim but for the base URL (https://api.svarapi.io ->
# the local server) and the audio link (https://cdn.example.com/notes -> a file server on
# 127.0.0.1, since nothing else is reachable here). Each must answer a msg_ id (the JS and
# Python ones print "Voice note queued: msg_…"), GET /v1/status/{id} must reach `sent` with an
# m_ id, and the built-in emulator must list that m_ id. Then SIGTERM: a graceful exit 0.
#
# Then the same server at scale (issue 15): a throw-away PostgreSQL cluster
# (scripts/lib/test-postgres.sh: Debian's postgresql, installed when missing; initdb into a temp
# folder as the `postgres` user; a free port), two `svara serve` processes on one database (the
# second uses the test key the first generated), the documented curl through one and its status
# through the other, and the webhook receivers of server/examples/webhooks in Python, Node and
# Rust, each verifying signatures with its language's helper: a test event signed with curl and
# openssl is accepted, one signed with a wrong secret refused, and a real note's
# voice_note.sent and voice_note.delivered arrive verified at all three. /metrics and the JSON
# log format are checked on the way.
#
# The Rust suites cover the rest: cargo test -p svara-server (every story on SQLite and on
# PostgreSQL: crash rule, idempotency, limits, memory under hostile input, live keys, every error
# code, webhooks, receipts) and cargo test -p svara-cli --test serve_processes (kill -9 on
# SQLite; three processes on PostgreSQL, 1,000 notes, one killed).
# Installs what it needs: the requests package in a venv under target/server-venv, PostgreSQL.
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

# check_sent ID [BASE_URL EMULATOR_URL]: polls the status until `sent` (or `delivered`: test
# mode reports deliveries too), then checks the emulator received its m_ id.
check_sent() {
  local id=$1 status="" base=${2:-$BASE_URL} emu=${3:-$EMULATOR_URL}
  for _ in $(seq 1 150); do
    status=$(curl -fsS "$base/v1/status/$id" -H "Authorization: Bearer $SVARA_API_KEY")
    case "$status" in *'"status":"sent"'*|*'"status":"delivered"'*|*'"status":"read"'*|*'"status":"failed"'*) break;; esac
    sleep 0.2
  done
  echo "  status: $status"
  local mid
  mid=$(sed -nE 's/.*"message_id":"(m_[A-Za-z0-9_-]+)".*/\1/p' <<<"$status")
  [ -n "$mid" ] || fail "$id did not reach sent with an m_ id"
  curl -fsS "$emu/__emulator/messages" | grep -q "\"$mid\"" || fail "the emulator did not receive $mid"
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

# ---- Several processes on PostgreSQL, and webhooks verified in three languages ----
step "Server: a throw-away PostgreSQL (scripts/lib/test-postgres.sh start)"
PG_OUT=$(bash scripts/lib/test-postgres.sh start --watch $$) || fail "no PostgreSQL cluster (see above)"
PG_URL=$(head -n1 <<<"$PG_OUT")
PG_DIR=$(sed -n 2p <<<"$PG_OUT")
echo "PostgreSQL at $PG_URL (data in $PG_DIR; stopped when this script exits)"
cleanup() {
  for pid in $PIDS; do kill "$pid" 2>/dev/null || true; done
  bash scripts/lib/test-postgres.sh stop "$PG_DIR" || true
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
unset SVARA_API_KEY
SVARA_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export SVARA_SECRET_KEY

# serve NAME: starts svara serve on the PostgreSQL database; sets NAME_URL, NAME_EMU, NAME_PID.
serve() {
  local name=$1
  "$SVARA" serve --port 0 --database "$PG_URL" --data-dir "$WORK/pg-$name" --allow-private-urls \
    --log-format json > "$WORK/pg-$name.out" 2> "$WORK/pg-$name.log" &
  local pid=$!
  PIDS="$PIDS $pid"
  local url
  url=$(wait_for_line "$WORK/pg-$name.out")
  case "$url" in http://127.0.0.1:*) ;; *) cat "$WORK/pg-$name.out" "$WORK/pg-$name.log"; fail "process $name did not start";; esac
  for _ in $(seq 1 100); do grep -q '^Press Ctrl-C' "$WORK/pg-$name.out" && break; sleep 0.1; done
  printf -v "${name}_URL" '%s' "$url"
  printf -v "${name}_PID" '%s' "$pid"
  printf -v "${name}_EMU" '%s' "$(sed -nE 's/^test mode: .* emulator at (http:[^ ]+) .*/\1/p' "$WORK/pg-$name.out")"
}

step "Server: two svara serve processes on one PostgreSQL database"
serve A
SVARA_API_KEY=$(sed -n 's/^test key (shown once, keep it): //p' "$WORK/pg-A.out")
[[ "$SVARA_API_KEY" =~ ^sk_test_[A-Za-z0-9]{32}$ ]] || { cat "$WORK/pg-A.out"; fail "process A printed no test key"; }
export SVARA_API_KEY
serve B
grep -q "^test key ${SVARA_API_KEY:0:12}" "$WORK/pg-B.out" || { cat "$WORK/pg-B.out"; fail "process B does not use the database's test key"; }
grep -q '^database: postgres://svara@127.0.0.1' "$WORK/pg-A.out" || fail "no database line"
echo "process A at $A_URL, process B at $B_URL, one test key ${SVARA_API_KEY:0:12}…"

step "Server: the documented curl through process A, its status through process B"
out=$(bash <(sed -e "s#https://api.svarapi.io#$A_URL#g" -e "s#https://cdn.example.com/notes#$FILE_SERVER_URL#g" server/examples/http/send.sh))
echo "$out"
id=$(sed -nE 's/.*"id":"(msg_[0-9a-z]{26})".*/\1/p' <<<"$out")
[ -n "$id" ] || fail "curl got no msg_ id from process A"
check_sent "$id" "$B_URL" "$A_EMU"

step "Server: webhook receivers in Python, Node and Rust (server/examples/webhooks, server/examples/webhook_receiver.rs)"
# The receiver example is built by `cargo test --workspace` (it builds every example, with the
# dev-dependencies' features); asking for the same build again is a no-op there, and builds it
# when this script runs on its own. (`cargo build -p svara-server` resolves other features and
# recompiled svara-server, ~3 minutes.)
cargo test -q --workspace --no-run
# The receivers as a user writes them; only the import of the pure helpers points at this
# checkout (the native packages are tested by test-python.sh and test-node.sh).
SHIM="$WORK/pyshim"
mkdir -p "$SHIM/svara"
: > "$SHIM/svara/__init__.py"
cp bindings-python/python/svara/webhooks.py "$SHIM/svara/webhooks.py"
sed "s#from 'svara/webhooks'#from '$PWD/bindings-node/webhooks.mjs'#" server/examples/webhooks/receiver.mjs > "$WORK/receiver.mjs"
declare -A PORT SECRET
for lang in python node rust; do
  PORT[$lang]=$(free_port)
  path=/hook; [ "$lang" = rust ] && path=/
  made=$(curl -fsS -X POST "$B_URL/v1/webhooks" -H "Authorization: Bearer $SVARA_API_KEY" \
    -H "Content-Type: application/json" \
    -d "{\"url\":\"http://127.0.0.1:${PORT[$lang]}$path\",\"description\":\"$lang receiver\"}")
  SECRET[$lang]=$(sed -nE 's/.*"secret":"(whsec_[A-Za-z0-9]+)".*/\1/p' <<<"$made")
  [ -n "${SECRET[$lang]}" ] || fail "no secret in $made"
done
SVARA_WEBHOOK_SECRET=${SECRET[python]} PYTHONPATH="$SHIM" python3 -u server/examples/webhooks/receiver.py "${PORT[python]}" > "$WORK/rx-python.out" 2>&1 &
PIDS="$PIDS $!"
SVARA_WEBHOOK_SECRET=${SECRET[node]} node "$WORK/receiver.mjs" "${PORT[node]}" > "$WORK/rx-node.out" 2>&1 &
PIDS="$PIDS $!"
SVARA_WEBHOOK_SECRET=${SECRET[rust]} "$BUILD_DIR/examples/webhook_receiver" "${PORT[rust]}" > "$WORK/rx-rust.out" 2>&1 &
PIDS="$PIDS $!"
for lang in python node rust; do
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:${PORT[$lang]}/" && break; sleep 0.1; done
done

# wait_line FILE TEXT: waits (up to 30 s) for a line containing TEXT.
wait_line() {
  for _ in $(seq 1 300); do grep -qF -- "$2" "$1" && return 0; sleep 0.1; done
  echo "--- $1:"; cat "$1"; fail "no line with '$2' in $1"
}
for lang in python node rust; do
  path=/hook; [ "$lang" = rust ] && path=/
  code=$(SVARA_WEBHOOK_SECRET=${SECRET[$lang]} RECEIVER_URL="http://127.0.0.1:${PORT[$lang]}$path" sh server/examples/webhooks/sign-test-event.sh)
  [ "$code" = 200 ] || fail "$lang: a test event signed with curl and openssl got HTTP $code"
  wait_line "$WORK/rx-$lang.out" "verified voice_note.sent msg_test sent"
  code=$(SVARA_WEBHOOK_SECRET=whsec_wrong RECEIVER_URL="http://127.0.0.1:${PORT[$lang]}$path" sh server/examples/webhooks/sign-test-event.sh)
  [ "$code" = 400 ] || fail "$lang: an event signed with a wrong secret got HTTP $code"
  wait_line "$WORK/rx-$lang.out" "refused: invalid_signature"
  echo "  $lang: curl+openssl-signed test event verified; wrong secret refused"
done

out=$(bash <(sed -e "s#https://api.svarapi.io#$A_URL#g" -e "s#https://cdn.example.com/notes#$FILE_SERVER_URL#g" server/examples/http/send.sh))
id=$(sed -nE 's/.*"id":"(msg_[0-9a-z]{26})".*/\1/p' <<<"$out")
[ -n "$id" ] || fail "no msg_ id for the webhook note"
for lang in python node rust; do
  wait_line "$WORK/rx-$lang.out" "verified voice_note.sent $id sent"
  wait_line "$WORK/rx-$lang.out" "verified voice_note.delivered $id delivered"
  echo "  $lang: voice_note.sent and voice_note.delivered of $id verified"
done
deliveries=$(curl -fsS "$A_URL/v1/webhooks" -H "Authorization: Bearer $SVARA_API_KEY")
grep -q '"description":"rust receiver"' <<<"$deliveries" || fail "the endpoints are not listed by process A"

step "Server: GET /metrics, JSON logs, SIGTERM"
metrics=$(curl -fsS "$A_URL/metrics")
grep -q '^svara_queue_depth{status="queued"} ' <<<"$metrics" || fail "no queue depth in /metrics"
grep -q '^svara_webhook_deliveries_total{outcome="delivered"} ' <<<"$metrics" || fail "no webhook outcomes in /metrics"
for p in "$A_PID" "$B_PID"; do
  kill -TERM "$p"
  set +e; wait "$p"; code=$?; set -e
  [ "$code" = 0 ] || fail "a PostgreSQL-backed process exited $code after SIGTERM"
done
python3 - "$WORK/pg-A.log" "$WORK/pg-B.log" "$SVARA_API_KEY" "$SVARA_SECRET_KEY" "${SECRET[python]}" <<'PY' || fail "the JSON logs are not what they should be"
import json, sys
logs, secrets = sys.argv[1:3], sys.argv[3:]
lines = [l for f in logs for l in open(f) if l.strip()]
assert lines, "no log lines"
for l in lines:
    v = json.loads(l)                       # every line is one JSON object
    assert not any(s in l for s in secrets), "a secret in a log line"
    if v.get("target", "").startswith(("svara_server::send", "svara_server::worker")):
        assert (v.get("id") or v.get("span", {}).get("id", "")).startswith("msg_"), l
print(f"{len(lines)} JSON log lines, each about a note with its id, no secret")
PY
echo "PostgreSQL: 2 processes, 3 receivers, all passed"
