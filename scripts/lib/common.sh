#!/usr/bin/env bash
# Helpers shared by scripts/test and scripts/demo: loud steps and self-installing dependencies.

# Every step says how far into the run it starts (the scripts call each other; the clock is shared).
export SVARA_RUN_START="${SVARA_RUN_START:-$(date +%s)}"
step() { printf '\n==> %s  [+%ss]\n' "$*" "$(( $(date +%s) - SVARA_RUN_START ))"; }

# ensure_apt PKG...: installs the Debian packages that are missing, saying which.
ensure_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# wait_for_line FILE: waits (up to 60 s) until FILE has a first line, then prints it.
wait_for_line() {
  local file=$1
  for _ in $(seq 1 600); do
    if [ -s "$file" ] && [ "$(wc -l < "$file")" -ge 1 ]; then head -1 "$file"; return 0; fi
    sleep 0.1
  done
  echo "timed out waiting for $file" >&2
  return 1
}

# start_emulator SVARA_BIN: starts `svara emulator` on a free loopback port; sets EMULATOR_PID,
# EMULATOR_URL, EMULATOR_TOKEN (the default Page's token) and EMULATOR_PSID.
start_emulator() {
  local out
  out=$(mktemp)
  "$1" emulator --port 0 > "$out" 2> "$out.log" &
  EMULATOR_PID=$!
  EMULATOR_URL=$(wait_for_line "$out")
  sleep 0.2
  EMULATOR_TOKEN=$(awk '$1 == "token" { print $2; exit }' "$out")
  EMULATOR_PSID=$(awk '$1 == "psid" { print $2; exit }' "$out")
  case "$EMULATOR_URL" in http://127.0.0.1:*) ;; *) echo "emulator did not start:"; cat "$out"; return 1;; esac
}

# start_file_server DIR: serves DIR on a free loopback port; sets FILE_SERVER_PID and FILE_SERVER_URL.
start_file_server() {
  local out
  out=$(mktemp)
  python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$1" > "$out" 2>&1 &
  FILE_SERVER_PID=$!
  local line
  line=$(wait_for_line "$out")
  FILE_SERVER_URL="http://127.0.0.1:$(echo "$line" | sed -E 's/.* port ([0-9]+).*/\1/')"
}

# One build for everything (scripts/lib/build.sh): cargo, maturin and napi all compile for the
# host triple given explicitly, which napi always does, so they share one target directory.
source "$(dirname "${BASH_SOURCE[0]}")/build.sh"
