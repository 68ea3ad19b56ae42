#!/usr/bin/env bash
# Helpers shared by scripts/test and scripts/demo: loud steps and self-installing dependencies.

step() { printf '\n==> %s\n' "$*"; }

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

# The Python virtual environment the demo and the tests install the package into.
PY_VENV="${PY_VENV:-$PWD/target/venv}"

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

# ensure_python_package: a venv at $PY_VENV with ./bindings-python installed (pip builds the
# Rust core through maturin; cargo's cache in target/ makes a rebuild quick).
ensure_python_package() {
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then ensure_apt python3-venv; fi
  [ -x "$PY_VENV/bin/python" ] || python3 -m venv "$PY_VENV"
  "$PY_VENV/bin/python" -m pip install --quiet --upgrade pip
  "$PY_VENV/bin/python" -m pip install --quiet ./bindings-python
}

# The folder where the demo installs the Node package as a user would (npm install of the folder).
NODE_APP="${NODE_APP:-$PWD/target/demo-node}"

# ensure_node_package: npm ci + napi build in bindings-node, then a small project at $NODE_APP
# that depends on it, so `import { send } from "svara"` resolves there.
ensure_node_package() {
  (cd bindings-node && { [ -d node_modules/@napi-rs/cli ] || npm ci --no-audit --no-fund --loglevel=error; } \
     && npm run --silent build:debug >/dev/null)
  mkdir -p "$NODE_APP"
  if [ ! -e "$NODE_APP/node_modules/svara" ]; then
    (cd "$NODE_APP" && printf '{"name":"svara-demo","private":true,"type":"module"}\n' > package.json \
       && npm install --no-audit --no-fund --loglevel=error "$OLDPWD/bindings-node" >/dev/null)
  fi
  cp examples/node/*.mjs "$NODE_APP/"
}
