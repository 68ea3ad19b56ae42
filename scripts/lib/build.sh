#!/usr/bin/env bash
# One build of the core and its C libraries for the CLI, the Python wheel and the Node addon
# (sourced by common.sh). Three things make cargo, maturin and napi share it:
#   - one profile: `dev` (the dependencies optimised, see Cargo.toml's [profile.dev.package."*"]);
#   - one target directory: napi always passes `--target <host triple>`, which gives builds
#     their own tree (target/<triple>/); every build here asks for the same triple through
#     CARGO_BUILD_TARGET, so cargo and maturin use that tree too;
#   - one set of features: workspace-hack/ (maturin and napi each build one package, and
#     cargo unifies features per invocation).
# `timed` prints how long each build took and fails when maturin or napi compiled the core
# again, which means one of the three drifted.

export CARGO_BUILD_TARGET="${CARGO_BUILD_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}"
BUILD_DIR="$PWD/target/$CARGO_BUILD_TARGET/debug"
SVARA_BIN="$BUILD_DIR/svara"

# The Python virtual environment and the Node project the demo installs the packages into.
PY_VENV="${PY_VENV:-$PWD/target/venv}"
NODE_APP="${NODE_APP:-$PWD/target/demo-node}"

# timed LABEL reuse|first CMD...: runs CMD and says how long it took; with `reuse`, fails when it
# compiled the svara core crate (it should have found it built). With SHOW=REGEX only the
# matching lines of CMD's output are shown (all of it when CMD fails).
timed() {
  local label=$1 expect=$2
  shift 2
  local start log status
  start=$(date +%s)
  log=$(mktemp)
  set +e
  "$@" > "$log" 2>&1 &
  local pid=$!
  tail -n +1 -f "$log" --pid="$pid" | grep --line-buffered -E "${SHOW:-.}"
  wait "$pid"
  status=$?
  set -e
  if [ "$status" -ne 0 ] && [ -n "${SHOW:-}" ]; then cat "$log"; fi
  echo "$label took $(( $(date +%s) - start )) s"
  if [ "$status" -eq 0 ] && [ "$expect" = reuse ] && grep -Eq 'Compiling svara v[0-9.]+ \(' "$log"; then
    echo "$label compiled the svara core again instead of reusing the shared build: a shared" \
         "crate resolved other features (compare \`cargo tree -e features -e normal,dev\` of the" \
         "workspace with that of the front end; add the difference to workspace-hack/Cargo.toml)." >&2
    if [ "${SVARA_ALLOW_REBUILD:-0}" != 1 ]; then
      echo "FAILED: the one-build rule (SVARA_ALLOW_REBUILD=1 makes this a warning)." >&2
      status=1
    fi
  fi
  rm -f "$log"
  return "$status"
}

# build_cli [CARGO ARGS...]: the svara CLI (and whatever else is asked) at $SVARA_BIN.
build_cli() {
  timed "cargo build -p svara-cli $*" first cargo build -p svara-cli "$@"
}

# build_wheel PYTHON OUT_DIR: `pip wheel ./bindings-python` (maturin's PEP 517 backend, the
# README's install path) in the shared profile; PYTHON's venv must have maturin. Sets WHEEL.
build_wheel() {
  local py=$1 out=$2
  mkdir -p "$out"
  rm -f "$out"/svara-*.whl
  # The backend runs the venv's `maturin`, found on PATH.
  SHOW='Compiling|Finished|warning|error' PATH="$(dirname "$py"):$PATH" \
    MATURIN_PEP517_ARGS="--profile dev --strip" timed "pip wheel ./bindings-python" reuse \
    "$py" -m pip wheel --verbose --no-deps --no-build-isolation ./bindings-python -w "$out"
  WHEEL=$(ls "$out"/svara-*-abi3-*.whl 2>/dev/null | head -n1)
  [ -n "$WHEEL" ] || { echo "no abi3 wheel in $out" >&2; return 1; }
  echo "wheel: $WHEEL ($(du -h "$WHEEL" | cut -f1))"
}

# build_addon [NAPI ARGS...]: `napi build` of bindings-node in the shared profile (npm ci first
# when its devDependencies are missing).
build_addon() {
  (cd bindings-node && { [ -x node_modules/.bin/napi ] || npm ci --no-audit --no-fund --loglevel=error; })
  (cd bindings-node && timed "napi build $*" reuse \
     node_modules/.bin/napi build --platform --js native.js --dts native.d.ts "$@")
}

# ensure_python_package: a venv at $PY_VENV with the package installed from the wheel built here.
ensure_python_package() {
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then ensure_apt python3-venv; fi
  [ -x "$PY_VENV/bin/python" ] || python3 -m venv "$PY_VENV"
  "$PY_VENV/bin/python" -m pip install --quiet --upgrade pip
  "$PY_VENV/bin/python" -m pip install --quiet "maturin>=1.9,<2"
  build_wheel "$PY_VENV/bin/python" "$PWD/target/wheels"
  "$PY_VENV/bin/python" -m pip install --quiet --force-reinstall --no-deps "$WHEEL"
}

# ensure_node_package: the addon built here, and a small project at $NODE_APP that depends on
# bindings-node, so `import { send } from "svara"` resolves there as for a user.
ensure_node_package() {
  build_addon
  mkdir -p "$NODE_APP"
  if [ ! -e "$NODE_APP/node_modules/svara" ]; then
    (cd "$NODE_APP" && printf '{"name":"svara-demo","private":true,"type":"module"}\n' > package.json \
       && npm install --no-audit --no-fund --loglevel=error "$OLDPWD/bindings-node" >/dev/null)
  fi
  cp examples/node/*.mjs "$NODE_APP/"
}
