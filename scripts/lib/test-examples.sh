#!/usr/bin/env bash
# The Rust examples (examples/rust) against `svara emulator`, then ./scripts/demo, whose three
# sends (CLI, Python, Node) must each print a message id that the emulator then lists.
# (The Python and Node examples also run in test-python.sh and test-node.sh, from the packages
# as users install them.)
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/common.sh
fail() { echo "test-examples: FAILED: $*" >&2; exit 1; }

step "Examples: examples/rust against svara emulator"
cargo build -q -p svara-cli -p svara --examples
cleanup() { for pid in ${PIDS:-}; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT
start_emulator "$SVARA_BIN"
PIDS="$EMULATOR_PID"
start_file_server tests/fixtures
PIDS="$PIDS $FILE_SERVER_PID"

out=$(SVARA_GRAPH_URL="$EMULATOR_URL" META_PAGE_TOKEN="$EMULATOR_TOKEN" RECIPIENT_PSID="$EMULATOR_PSID" \
      AUDIO_URL="$FILE_SERVER_URL/speech.opus.webm" cargo run -q -p svara --example send_voice_note)
echo "$out"
grep -Eq '^Voice note sent: m_[A-Za-z0-9_-]+$' <<<"$out" || fail "send_voice_note printed no message id"

out=$(SVARA_GRAPH_URL="$EMULATOR_URL" META_PAGE_TOKEN="$EMULATOR_TOKEN" \
      cargo run -q -p svara --example broadcast -- tests/fixtures/speech-stereo.mp3 6128493027184956 6128493027184957 6128493027184960)
echo "$out"
[ "$(grep -c $'\tsent\tm_' <<<"$out")" = 2 ] || fail "broadcast did not reach the two reachable PSIDs"
grep -q $'^6128493027184960\tmessage_not_allowed\t' <<<"$out" || fail "broadcast did not report the blocked PSID"

step "Examples: ./scripts/demo (emulator mode)"
demo=$(env -u META_PAGE_TOKEN -u SVARA_RECIPIENT ./scripts/demo 2>&1) || { echo "$demo"; fail "scripts/demo"; }
echo "$demo"
ids=$(grep -Eo 'm_[A-Za-z0-9_-]{40,}' <<<"$demo" | sort -u | wc -l)
[ "$ids" -eq 4 ] || fail "the demo printed $ids distinct message ids, expected 4 (CLI, Python, Node, svara serve)"
[ "$(grep -c 'mp4/aac-lc' <<<"$demo")" -eq 3 ] || fail "the emulator did not list 3 M4A/AAC deliveries"
echo "test-examples: the Rust examples and the demo passed"
