#!/usr/bin/env bash
# The release artifacts (issue 16), as users get them, on a PATH without cargo, rustc or a C
# compiler:
#   1. ./scripts/release writes dist/ (one zig/glibc 2.17 release build for wheel, addon, CLI;
#      `cargo package --no-verify` of every crate: SVARA_RELEASE_CRATES=package);
#   2. the glibc symbol versions the wheel's module, the addon and the CLI require are no newer
#      than the tag (2.17), they need no libstdc++ and only the libraries of the manylinux policy;
#      every artifact carries the licences of the native code;
#   3. a fresh venv: `pip install` of the wheel, then the README's Python example (a WebM/Opus
#      recording converted on the way) and the broadcast example against the emulator;
#   4. a fresh npm project: `npm install` of the two tarballs, then the README's JS example as
#      ESM (examples/node via run-examples.mjs) and as CommonJS, against the emulator; the loader's
#      errors when the platform package is missing and on a platform without one;
#   5. the standalone CLI from its tarball converts a recording and sends it to the emulator;
#   6. the sdist builds from source (pip wheel of it, in the release profile and environment and
#      the release build's target directory: nothing but the sdist's own crates may compile, and
#      those cargo takes from the release build must have the checkout's sources, byte for byte)
#      and its wheel, installed in a fresh venv, converts audio;
#   7. the .crate files hold what `cargo add svara` / `cargo install svara-cli` need, resolve to
#      the versions of Cargo.lock, and their sources type-check together (`cargo check` of the
#      unpacked crates, their registry dependencies on each other patched to the unpacked ones;
#      the build scripts and C libraries are those of the release build). This replaces
#      `cargo package`'s verification build (every crate compiled on its own in a fresh target
#      directory, ~12 minutes on 2 cores), which `./scripts/release` alone still runs.
# SVARA_RELEASE_REUSE=1 checks an existing dist/ instead of running scripts/release.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/common.sh
source scripts/lib/release-env.sh

ROOT=$PWD
CHECK_START=$(date +%s)
DIST="$ROOT/dist"
WORK="$ROOT/target/release-check"
fail() { echo "test-release: FAILED: $*" >&2; exit 1; }
VERSION=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)

if [ "${SVARA_RELEASE_REUSE:-0}" = 1 ] && [ -f "$DIST/SHA256SUMS" ]; then
  step "Release check: reusing dist/ (SVARA_RELEASE_REUSE=1)"
else
  step "Release check: ./scripts/release (SVARA_RELEASE_CRATES=package)"
  SVARA_RELEASE_CRATES=package ./scripts/release
fi
RELEASE_SECONDS=$(( $(date +%s) - CHECK_START ))
ensure_apt binutils unzip
# The release toolchain (auditwheel; zig for the sdist and crate builds below).
release_env

WHEEL=$(ls "$DIST"/svara-"$VERSION"-cp39-abi3-*manylinux*_x86_64.whl 2>/dev/null | head -n1)
SDIST="$DIST/svara-$VERSION.tar.gz"
NPM_MAIN="$DIST/svara-$VERSION.tgz"
NPM_PLATFORM="$DIST/svara-linux-x64-gnu-$VERSION.tgz"
CLI_NAME="svara-$VERSION-$RELEASE_TRIPLE"
CLI_TARBALL="$DIST/$CLI_NAME.tar.gz"
for f in "$WHEEL" "$SDIST" "$NPM_MAIN" "$NPM_PLATFORM" "$CLI_TARBALL"; do
  [ -f "$f" ] || fail "dist/ lacks ${f#"$DIST"/} (have: $(ls "$DIST" | tr '\n' ' '))"
done
case "$(basename "$WHEEL")" in *manylinux2014_x86_64*) ;; *) fail "the wheel is not tagged manylinux2014: $WHEEL";; esac
case "$(basename "$WHEEL")" in *manylinux_2_17_x86_64*) ;; *) fail "the wheel is not tagged manylinux_2_17: $WHEEL";; esac

rm -rf "$WORK"
mkdir -p "$WORK/unpacked"
(cd "$WORK/unpacked" && unzip -q "$WHEEL" -d wheel && mkdir npm-main npm-platform cli \
  && tar -xzf "$NPM_MAIN" -C npm-main && tar -xzf "$NPM_PLATFORM" -C npm-platform && tar -xzf "$CLI_TARBALL" -C cli)
U="$WORK/unpacked"
SO=$(ls "$U"/wheel/svara/_native*.so)
ADDON="$U/npm-platform/package/svara.linux-x64-gnu.node"
CLI="$U/cli/$CLI_NAME/svara"

step "Release check: glibc symbol versions and libraries (floor $GLIBC_FLOOR)"
# newest_glibc FILE: the newest GLIBC_x.y version FILE requires (its undefined dynamic symbols).
newest_glibc() {
  objdump -T "$1" | awk '$0 ~ /\*UND\*/' | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -n1
}
# The libraries of the manylinux2014 policy that a module may need (PEP 599), nothing else.
ALLOWED_LIBS='^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|librt\.so\.1|libpthread\.so\.0|libgcc_s\.so\.1|libutil\.so\.1|ld-linux-x86-64\.so\.2)$'
for f in "$SO" "$ADDON" "$CLI"; do
  newest=$(newest_glibc "$f")
  [ -n "$newest" ] || fail "no GLIBC symbol versions found in $f"
  [ "$(printf '%s\n%s\n' "$newest" "$GLIBC_FLOOR" | sort -V | tail -n1)" = "$GLIBC_FLOOR" ] \
    || fail "${f#"$U"/} requires GLIBC_$newest, newer than $GLIBC_FLOOR: $(objdump -T "$f" | grep "GLIBC_$newest" | head -3)"
  if objdump -T "$f" | grep -Eq 'GLIBCXX_|CXXABI_'; then fail "${f#"$U"/} needs libstdc++ (GLIBCXX/CXXABI symbols)"; fi
  needed=$(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  for lib in $needed; do
    [[ "$lib" =~ $ALLOWED_LIBS ]] || fail "${f#"$U"/} needs $lib, which is not in the manylinux2014 policy"
  done
  echo "${f#"$U"/}: newest symbol version GLIBC_$newest (<= $GLIBC_FLOOR); needs $(echo $needed | tr ' ' ',')"
done
auditwheel show "$WHEEL" | tr -s '\n ' '  ' | grep 'is consistent with the following platform tag: "manylinux_2_17_x86_64"' >/dev/null \
  || fail "auditwheel show does not confirm manylinux_2_17_x86_64"
if readelf -d "$CLI" | grep 'RPATH\|RUNPATH' >/dev/null; then fail "the CLI binary carries an RPATH"; fi

step "Release check: licences inside every artifact"
for dir in "$U/wheel/svara-$VERSION.dist-info/licenses" "$U/npm-main/package" "$U/npm-platform/package" "$U/cli/$CLI_NAME"; do
  for lic in LICENSE-MIT LICENSE-APACHE LICENSES/FDK-AAC.txt LICENSES/libopus.txt LICENSES/LLVM-libcxx.txt; do
    [ -s "$dir/$lic" ] || fail "${dir#"$U"/} has no $lic"
  done
done
grep -q 'Fraunhofer FDK AAC Codec' "$U/cli/$CLI_NAME/LICENSES/FDK-AAC.txt" || fail "the FDK AAC licence text is wrong"
grep -q '^fdk-aac-sys v' "$U/cli/$CLI_NAME/THIRD-PARTY-CRATES.txt" || fail "THIRD-PARTY-CRATES.txt does not list fdk-aac-sys"
grep -q '^symphonia-core v.*MPL-2.0' "$U/npm-platform/package/THIRD-PARTY-CRATES.txt" || fail "the addon's crate list lacks symphonia (MPL-2.0)"
tar -tzf "$SDIST" | grep "^svara-$VERSION/LICENSES/FDK-AAC.txt$" >/dev/null || fail "the sdist has no LICENSES/FDK-AAC.txt"
for c in "$DIST"/crates/*.crate; do
  tar -tzf "$c" | grep '/LICENSE-MIT$' >/dev/null || fail "$(basename "$c") has no LICENSE-MIT"
done
echo "LICENSE-MIT, LICENSE-APACHE and LICENSES/ (FDK AAC, libopus, LLVM libc++) in the wheel, both npm packages, the CLI tarball; licence files in the sdist and crates"

# A PATH with only what a user without a Rust toolchain has: python3, node and npm, a shell and
# the basic tools; cargo, rustc, cc, gcc, c++, cmake and zig are not on it.
step "Release check: a PATH without cargo, rustc or a C compiler"
NOBIN="$WORK/bin"
mkdir -p "$NOBIN"
ln -s "$(python3 -c 'import sys; print(sys.executable)')" "$NOBIN/python3"
ln -s "$(command -v node)" "$NOBIN/node"
ln -s "$(readlink -f "$(command -v npm)")" "$NOBIN/npm"
for t in sh bash env cat grep sed head tail mkdir rm ls dirname basename sleep cp mv tar gzip uname \
         readlink realpath sort wc tr cut date id touch chmod ln mktemp find xargs sha256sum; do
  p=$(command -v "$t") && ln -sf "$p" "$NOBIN/$t"
done
for t in cargo rustc rustup cc gcc c++ g++ clang cmake zig maturin ld; do
  if PATH="$NOBIN" command -v "$t" >/dev/null 2>&1; then fail "$t is on the restricted PATH"; fi
done
# run_user CMD...: CMD in a clean environment whose PATH is $NOBIN (plus EXTRA_PATH).
run_user() { env -i HOME="$HOME" LANG=C.UTF-8 TMPDIR="${TMPDIR:-/tmp}" PATH="${EXTRA_PATH:+$EXTRA_PATH:}$NOBIN" "$@"; }
echo "PATH=$NOBIN: python3, node, npm and shell tools; no cargo, rustc, cc, gcc, c++, cmake, zig"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

AUDIO_DIR="$WORK/audio"
mkdir -p "$AUDIO_DIR/notes"
cp tests/fixtures/speech.opus.webm "$AUDIO_DIR/notes/update.webm"
python3 -u -m http.server --bind 127.0.0.1 --directory "$AUDIO_DIR" 0 > "$WORK/audio-server.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q "Serving HTTP" "$WORK/audio-server.out" 2>/dev/null && break; sleep 0.1; done
AUDIO_PORT=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$WORK/audio-server.out" | head -n1)
[ -n "$AUDIO_PORT" ] || fail "the local audio server did not start"
AUDIO_URL="http://127.0.0.1:$AUDIO_PORT/notes/update.webm"

# delivered_voice_note EMULATOR_URL MESSAGE_ID: fails unless the emulator holds MESSAGE_ID as an
# AAC voice note (what Messenger plays as a voice bubble).
delivered_voice_note() {
  python3 - "$1" "$2" <<'EOF' || fail "the emulator has no AAC voice note $2"
import json, sys, urllib.request
snap = json.load(urllib.request.urlopen(sys.argv[1] + "/__emulator/messages"))
for log in snap["recipients"].values():
    for m in log["messages"]:
        if m["message_id"] == sys.argv[2]:
            audio = m.get("audio") or {}
            print(f"emulator: {m['message_id']} is a voice note: {m['voice_note']}, {audio.get('container')}/{audio.get('codec')}")
            sys.exit(0 if m["voice_note"] and audio.get("codec") == "aac-lc" else 1)
sys.exit(1)
EOF
}

step "Release check: Python: pip install of the wheel into a fresh venv, the README example against the emulator"
run_user python3 -m venv "$WORK/venv"
VPY="$WORK/venv/bin/python"
run_user "$VPY" -m pip install --quiet --no-index "$WHEEL"
(cd "$WORK" && run_user "$VPY" -c 'import svara, sys; print("svara", svara.__version__, "from", svara.__file__); sys.exit(0 if "site-packages" in svara.__file__ else 1)') \
  || fail "svara is not imported from the installed wheel"
(cd "$WORK" && exec env -i HOME="$HOME" PATH="$NOBIN" "$VPY" -u -m svara.testing) > "$WORK/py-emulator.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q '^page token: ' "$WORK/py-emulator.out" 2>/dev/null && break; sleep 0.1; done
PY_EMULATOR_URL=$(head -n1 "$WORK/py-emulator.out")
PY_EMULATOR_TOKEN=$(sed -n 's/^page token: //p' "$WORK/py-emulator.out")
case "$PY_EMULATOR_URL" in http://127.0.0.1:*) ;; *) cat "$WORK/py-emulator.out"; fail "the emulator of the wheel did not start";; esac
out=$(cd "$WORK" && run_user META_PAGE_TOKEN="$PY_EMULATOR_TOKEN" SVARA_GRAPH_URL="$PY_EMULATOR_URL" AUDIO_URL="$AUDIO_URL" \
      "$VPY" "$ROOT/examples/python/send_voice_note.py")
echo "$out"
id=$(sed -n 's/^Voice note sent: \(m_[A-Za-z0-9_-]*\)$/\1/p' <<<"$out")
[ -n "$id" ] || fail "send_voice_note.py did not print a message id"
delivered_voice_note "$PY_EMULATOR_URL" "$id"
out=$(cd "$WORK" && run_user META_PAGE_TOKEN="$PY_EMULATOR_TOKEN" SVARA_GRAPH_URL="$PY_EMULATOR_URL" \
      "$VPY" "$ROOT/examples/python/broadcast.py" "$ROOT/tests/fixtures/speech-stereo.mp3" 6128493027184956 6128493027184957 || true)
echo "$out"
grep -q '^2 sent, 0 failed$' <<<"$out" || fail "broadcast.py did not reach both recipients"

step "Release check: Node: npm install of the two tarballs into a fresh project, the README example (ESM, CJS)"
APP="$WORK/node-app"
mkdir -p "$APP"
(cd "$APP" && run_user npm init -y >/dev/null && run_user npm pkg set type=module >/dev/null \
  && run_user npm install --offline --no-audit --no-fund --loglevel=error "$NPM_MAIN" "$NPM_PLATFORM") \
  || fail "npm install of the release tarballs"
if find "$APP/node_modules/svara" -name '*.node' | grep . >/dev/null; then fail "the main svara package contains an addon"; fi
[ -f "$APP/node_modules/@svara/linux-x64-gnu/svara.linux-x64-gnu.node" ] || fail "@svara/linux-x64-gnu did not install its addon"
grep -q "\"@svara/linux-x64-gnu\": \"$VERSION\"" "$APP/node_modules/svara/package.json" \
  || fail "svara's package.json has no optionalDependencies on @svara/linux-x64-gnu $VERSION"
cp examples/node/*.mjs bindings-node/scripts/run-examples.mjs "$APP/"
(cd "$APP" && run_user node run-examples.mjs "$APP" "$ROOT/tests/fixtures/speech.opus.webm") || fail "examples/node (ESM) from the tarballs"
cat > "$APP/send_voice_note.cjs" <<'EOF'
// The README's JS example through require() (CommonJS), against the emulator of svara/testing.
const { send, RateLimitedError } = require("svara");
const { startEmulator } = require("svara/testing");
(async () => {
  const emulator = await startEmulator();
  try {
    const result = await send({
      platform: "messenger",
      recipient: emulator.psid,
      audio_url: process.env.AUDIO_URL,
      session: { page_access_token: emulator.token },
      graph_url: emulator.url,
    });
    console.log(`Voice note sent: ${result.id}`);
    const got = emulator.deliveries(emulator.psid).find((d) => d.message_id === result.id);
    if (!got || !got.voice_note || got.audio.codec !== "aac-lc") throw new Error(`no AAC voice note ${result.id} in the emulator`);
    if (RateLimitedError.code !== "rate_limited") throw new Error("RateLimitedError.code");
    console.log(`ok: CommonJS send delivered ${result.id} (${got.audio.container}/${got.audio.codec})`);
  } finally {
    await emulator.stop();
  }
})().catch((e) => { console.error(e); process.exit(1); });
EOF
(cd "$APP" && run_user AUDIO_URL="$AUDIO_URL" node send_voice_note.cjs) | tee "$WORK/cjs.out"
grep -q '^ok: CommonJS send delivered m_' "$WORK/cjs.out" || fail "the CommonJS example"

# The loader: without the platform package it names it; on a platform without one it says so.
APP2="$WORK/node-app-no-platform"
mkdir -p "$APP2"
(cd "$APP2" && run_user npm init -y >/dev/null && run_user npm install --offline --no-audit --no-fund --loglevel=error "$NPM_MAIN") \
  || fail "npm install of the main tarball alone"
msg=$(cd "$APP2" && run_user node -e 'try { require("svara"); console.log("loaded") } catch (e) { console.log(e.code + ": " + e.message) }')
echo "without the platform package: ${msg%%$'\n'*}"
grep -q '^ERR_SVARA_NATIVE_ADDON_NOT_FOUND: .*the platform package @svara/linux-x64-gnu is missing' <<<"$msg" \
  || fail "the loader's error does not name the missing @svara/linux-x64-gnu: $msg"
grep -q "npm install @svara/linux-x64-gnu@$VERSION" <<<"$msg" || fail "the loader's error does not say how to install it"
cat > "$APP/other-platform.cjs" <<'EOF'
// Pretends to be Linux on arm64 (no platform package is published for it).
Object.defineProperty(process, "arch", { value: "arm64" });
EOF
msg=$(cd "$APP" && run_user node -r ./other-platform.cjs -e 'try { require("svara"); console.log("loaded") } catch (e) { console.log(e.code + ": " + e.message) }')
echo "on linux-arm64-gnu: ${msg%%$'\n'*}"
grep -q '^ERR_SVARA_NATIVE_ADDON_NOT_FOUND: svara has no prebuilt native addon for this platform (linux-arm64-gnu' <<<"$msg" \
  || fail "the loader's error on an unsupported platform: $msg"
grep -q 'the published platform packages are @svara/linux-x64-gnu, and @svara/linux-arm64-gnu does not exist' <<<"$msg" \
  || fail "the loader's error does not name the published platform packages: $msg"

step "Release check: the standalone CLI converts and sends to the emulator"
run_user "$CLI" --version | grep "$VERSION" >/dev/null || fail "svara --version does not print $VERSION"
run_user "$CLI" convert tests/fixtures/speech-stereo.mp3 "$WORK/cli-note.m4a"
probe=$(ffprobe -v error -select_streams a:0 -show_entries stream=codec_name,channels:format=duration -of default=nw=1 "$WORK/cli-note.m4a")
grep -q '^codec_name=aac$' <<<"$probe" && grep -q '^channels=1$' <<<"$probe" || fail "svara convert did not write mono AAC: $probe"
in_dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 tests/fixtures/speech-stereo.mp3)
out_dur=$(sed -n 's/^duration=//p' <<<"$probe")
python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if abs(a - b) < 0.1 else 1)" "$in_dur" "$out_dur" \
  || fail "the converted note lasts $out_dur s, the recording $in_dur s"
echo "svara convert: $(tr '\n' ' ' <<<"$probe")(input $in_dur s)"
run_user "$CLI" emulator --port 0 > "$WORK/cli-emulator.out" 2> "$WORK/cli-emulator.log" &
pids+=($!)
CLI_EMULATOR_URL=$(wait_for_line "$WORK/cli-emulator.out")
sleep 0.2
CLI_TOKEN=$(awk '$1 == "token" { print $2; exit }' "$WORK/cli-emulator.out")
CLI_PSID=$(awk '$1 == "psid" { print $2; exit }' "$WORK/cli-emulator.out")
case "$CLI_EMULATOR_URL" in http://127.0.0.1:*) ;; *) cat "$WORK/cli-emulator.out"; fail "svara emulator did not start";; esac
id=$(run_user META_PAGE_TOKEN="$CLI_TOKEN" SVARA_GRAPH_URL="$CLI_EMULATOR_URL" \
     "$CLI" send --recipient "$CLI_PSID" --audio tests/fixtures/speech.opus.webm)
echo "svara send: $id"
[[ "$id" =~ ^m_[A-Za-z0-9_-]+$ ]] || fail "svara send printed no message id: $id"
delivered_voice_note "$CLI_EMULATOR_URL" "$id"

step "Release check: the sdist builds from source, reusing the release build's dependencies"
tar -tzf "$SDIST" > "$WORK/sdist.txt"
for f in pyproject.toml Cargo.toml Cargo.lock core/Cargo.toml core/src/lib.rs emulator/Cargo.toml \
         workspace-hack/Cargo.toml bindings-python/Cargo.toml bindings-python/src/lib.rs \
         python/svara/__init__.py LICENSE-MIT; do
  grep -qx "svara-$VERSION/$f" "$WORK/sdist.txt" || fail "the sdist has no $f"
done
# A from-source install: pip runs maturin's PEP 517 backend on the sdist (the release profile, as
# pip always builds it). The release environment and target directory are those of the wheel, so
# the dependencies, FDK AAC and libopus come from the release build: only the sdist's own crates
# may compile. Cargo identifies a path crate by its path relative to the workspace root, and the
# sdist keeps the checkout's layout, so it also takes the release build of a crate whose files are
# all present and not newer (maturin writes 2006 mtimes): sound only if the sdist's Rust sources
# are the checkout's, byte for byte, which is checked first.
mkdir -p "$WORK/sdist-src"
tar -xzf "$SDIST" -C "$WORK/sdist-src"
for f in $(cd "$WORK/sdist-src/svara-$VERSION" && find core emulator workspace-hack bindings-python -name '*.rs'); do
  cmp -s "$WORK/sdist-src/svara-$VERSION/$f" "$ROOT/$f" || fail "the sdist's $f differs from the checkout's"
done
# The crates whose manifests maturin rewrites are builds of their own, which an earlier run of
# this check may have left: new mtimes make cargo compile them from this sdist, always.
find "$WORK/sdist-src/svara-$VERSION/bindings-python" "$WORK/sdist-src/svara-$VERSION/workspace-hack" -type f -exec touch {} +
SDIST_LOG="$WORK/sdist-build.log"
t=$(date +%s)
# --offline: the sdist's Cargo.lock (the workspace's; cargo drops the entries of the crates the
# sdist leaves out) must resolve everything without fetching another version.
CARGO_TARGET_DIR="$ROOT/target" MATURIN_PEP517_ARGS="--offline" \
  "$RELEASE_TOOLS/bin/python" -m pip wheel -v --no-deps --no-build-isolation --no-index "$WORK/sdist-src/svara-$VERSION" -w "$WORK/sdist-wheel" \
  > "$SDIST_LOG" 2>&1 || { tail -n 60 "$SDIST_LOG"; fail "pip wheel of the sdist"; }
SDIST_SECONDS=$(( $(date +%s) - t ))
compiled=$(sed -n 's/^ *Compiling \([A-Za-z0-9_-]*\) v.*/\1/p' "$SDIST_LOG" | sort -u | tr '\n' ' ')
rebuilt=$(tr ' ' '\n' <<<"$compiled" | grep -Evx 'svara|svara-emulator|svara-workspace-hack|svara-python|' || true)
[ -n "$compiled" ] || { tail -n 30 "$SDIST_LOG"; fail "the sdist build compiled nothing (is the log complete?)"; }
[ -z "$rebuilt" ] || fail "the sdist build compiled dependencies again instead of reusing the release build: $(echo $rebuilt)"
echo "pip wheel of the sdist: $SDIST_SECONDS s; compiled ${compiled% }; every dependency and the other svara crates" \
     "(their sources identical to the checkout's) from the release build"
SDIST_VENV="$WORK/venv-sdist"
run_user python3 -m venv "$SDIST_VENV"
run_user "$SDIST_VENV/bin/python" -m pip install --quiet --no-index "$WORK"/sdist-wheel/svara-*.whl
(cd "$WORK" && run_user "$SDIST_VENV/bin/python" - "$ROOT/tests/fixtures/speech-stereo.mp3" <<'PY') || fail "the wheel built from the sdist does not convert"
import sys, svara
info = svara.probe(sys.argv[1])
m4a = svara.transcode(sys.argv[1])
out = svara.probe(m4a)
print(f"from the sdist: {info['container']}/{info['codec']} -> {out['container']}/{out['codec']}, {len(m4a)} bytes, "
      f"{out['duration_ms']} ms of {info['duration_ms']} ms")
sys.exit(0 if out["codec"] == "aac-lc" and abs(out["duration_ms"] - info["duration_ms"]) < 100 else 1)
PY

step "Release check: the crates (contents, versions, and a type check of the packaged sources)"
CRATE_NAMES=(svara svara-emulator svara-server svara-workspace-hack svara-cli)
for c in "${CRATE_NAMES[@]}"; do
  crate="$DIST/crates/$c-$VERSION.crate"
  [ -f "$crate" ] || fail "no $c-$VERSION.crate"
  manifest=$(tar -xzOf "$crate" "$c-$VERSION/Cargo.toml")
  if grep -q '^path = "\.\.' <<<"$manifest"; then fail "$c's packaged Cargo.toml still has a path dependency"; fi
done
cli_manifest=$(tar -xzOf "$DIST/crates/svara-cli-$VERSION.crate" "svara-cli-$VERSION/Cargo.toml")
for dep in svara svara-emulator svara-server svara-workspace-hack; do
  grep -A1 -x "\[dependencies.$dep\]" <<<"$cli_manifest" | grep "version = \"$VERSION\"" >/dev/null \
    || fail "svara-cli's packaged manifest does not depend on $dep $VERSION"
done
core_manifest=$(tar -xzOf "$DIST/crates/svara-$VERSION.crate" "svara-$VERSION/Cargo.toml")
if grep -q 'svara-emulator\|svara-workspace-hack' <<<"$core_manifest"; then fail "the svara crate depends on a workspace-internal crate"; fi
tar -tzf "$DIST/crates/svara-cli-$VERSION.crate" | grep -x "svara-cli-$VERSION/Cargo.lock" >/dev/null || fail "svara-cli.crate has no Cargo.lock (cargo install --locked)"
# `cargo install svara-cli --locked` builds with the .crate's Cargo.lock: the versions must be
# those this release was built and tested with.
python3 - "$ROOT/Cargo.lock" <(tar -xzOf "$DIST/crates/svara-cli-$VERSION.crate" "svara-cli-$VERSION/Cargo.lock") <<'PY' \
  || fail "svara-cli.crate's Cargo.lock differs from the workspace's"
import sys, tomllib
ws = {(p["name"], p["version"]) for p in tomllib.load(open(sys.argv[1], "rb"))["package"]}
cli = [(p["name"], p["version"]) for p in tomllib.load(open(sys.argv[2], "rb"))["package"]]
other = [f"{n} {v}" for n, v in cli if (n, v) not in ws]
print(f"svara-cli.crate's Cargo.lock: {len(cli)} packages, all at the workspace's locked versions" if not other
      else f"not in the workspace's Cargo.lock: {', '.join(other)}")
sys.exit(1 if other else 0)
PY
# The packaged sources, unpacked side by side as crates.io would serve them; the registry
# dependencies on each other are patched to these copies (they are not on crates.io yet).
CRATES_WS="$WORK/crates"
mkdir -p "$CRATES_WS"
for c in "${CRATE_NAMES[@]}"; do tar -xzf "$DIST/crates/$c-$VERSION.crate" -C "$CRATES_WS"; done
# cargo package stamps every file 2006: without new mtimes cargo would take an earlier run's check
# of the same paths for this one.
find "$CRATES_WS" -type f -exec touch {} +
python3 - "$ROOT/Cargo.toml" "$CRATES_WS/Cargo.toml" "$VERSION" "${CRATE_NAMES[@]}" <<'PY'
import sys, tomllib
root = tomllib.load(open(sys.argv[1], "rb"))
out, version, names = sys.argv[2], sys.argv[3], sys.argv[4:]
def value(v):
    if isinstance(v, bool): return "true" if v else "false"
    if isinstance(v, (int, float)): return str(v)
    return '"' + str(v) + '"'
lines = ["# The packaged crates as one workspace (scripts/lib/test-release.sh).", "[workspace]", 'resolver = "2"',
         "members = [" + ", ".join(f'"{n}-{version}"' for n in names) + "]", "", "[patch.crates-io]"]
lines += [f'{n} = {{ path = "{n}-{version}" }}' for n in names]
# The root's profiles, so that the build scripts and C libraries of the release build are reused.
def table(name, t):
    scalars = {k: v for k, v in t.items() if not isinstance(v, dict)}
    lines.extend(["", f"[{name}]"] + [f"{k} = {value(v)}" for k, v in scalars.items()])
    for k, v in t.items():
        if isinstance(v, dict): table(f'{name}.{k if k.replace("-", "").replace("_", "").isalnum() else chr(34) + k + chr(34)}', v)
for prof, t in root.get("profile", {}).items():
    table(f"profile.{prof}", t)
open(out, "w").write("\n".join(lines) + "\n")
PY
cp "$ROOT/Cargo.lock" "$CRATES_WS/Cargo.lock"
CHECK_LOG="$WORK/crates-check.log"
t=$(date +%s)
(cd "$CRATES_WS" && CARGO_TARGET_DIR="$ROOT/target" cargo check --release --offline --workspace --message-format short) \
  > "$CHECK_LOG" 2>&1 || { tail -n 60 "$CHECK_LOG"; fail "cargo check of the packaged crates"; }
CHECK_SECONDS=$(( $(date +%s) - t ))
if grep -E '^(warning|error)' "$CHECK_LOG"; then fail "cargo check of the packaged crates warns"; fi
# Every version the packaged crates resolved to is the workspace's (no other version crept in).
python3 - "$ROOT/Cargo.lock" "$CRATES_WS/Cargo.lock" <<'PY' || fail "the packaged crates resolve to other versions than Cargo.lock"
import sys, tomllib
ws = {(p["name"], p["version"]) for p in tomllib.load(open(sys.argv[1], "rb"))["package"]}
got = [(p["name"], p["version"]) for p in tomllib.load(open(sys.argv[2], "rb"))["package"]]
other = [f"{n} {v}" for n, v in got if (n, v) not in ws]
if other: print("resolved outside Cargo.lock:", ", ".join(other))
sys.exit(1 if other else 0)
PY
echo "cargo check of the 5 unpacked crates: $CHECK_SECONDS s; $(grep -c '^ *Checking' "$CHECK_LOG") crates checked," \
     "$(grep -c '^ *Compiling' "$CHECK_LOG") compiled (build scripts, proc macros and C libraries from the release build)"

echo "test-release: all release checks passed in $(( $(date +%s) - CHECK_START )) s" \
     "(scripts/release $RELEASE_SECONDS s, the sdist build $SDIST_SECONDS s, the crates' check $CHECK_SECONDS s)"
