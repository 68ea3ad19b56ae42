#!/usr/bin/env bash
# The one release build environment (sourced by scripts/release and scripts/lib/test-release.sh,
# after common.sh): the wheel, the Node addon and the standalone CLI are compiled by zig against
# glibc 2.17, in the `release` profile, for one target and one feature set, so that cargo, maturin
# and napi share one build of FDK AAC, libopus and every Rust dependency.
#
# How the compiler is shared: cargo-zigbuild knows how to make `zig cc` a C/C++ compiler and a
# linker for cargo, the cc crate and cmake (its wrappers filter the arguments zig rejects). Each
# tool that embeds it (maturin --zig, napi -x) would write its own wrappers under its own path, a
# different CC for the cc crate, and so a second build of every C library and of everything above
# them. So cargo-zigbuild is asked once for its environment (CC_/CXX_/AR_/RANLIB_<target>, the
# linker, the cmake toolchain file), which is then exported for all three builds; maturin and napi
# run as plain cargo front ends in it. Everything (tools, zig's cache, wrappers) lives under
# target/, so a fresh clone is a cold start and a warm target/ a warm one.

RELEASE_TRIPLE=x86_64-unknown-linux-gnu
# The glibc the artifacts require at most (manylinux2014 is glibc 2.17).
GLIBC_FLOOR=2.17
MANYLINUX_TAG=manylinux_2_17_x86_64
RELEASE_TOOLS="$PWD/target/release-tools"
RELEASE_BUILD_DIR="$PWD/target/$RELEASE_TRIPLE/release"
ZIG_HOME="$PWD/target/zig"

# ensure_release_tools: the pinned tools of scripts/lib/release-tools.txt in a venv under target/,
# on PATH from then on.
ensure_release_tools() {
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then ensure_apt python3-venv; fi
  if [ ! -x "$RELEASE_TOOLS/bin/python" ]; then python3 -m venv "$RELEASE_TOOLS"; fi
  if ! cmp -s scripts/lib/release-tools.txt "$RELEASE_TOOLS/.installed" 2>/dev/null; then
    "$RELEASE_TOOLS/bin/python" -m pip install --quiet --upgrade pip
    "$RELEASE_TOOLS/bin/python" -m pip install --quiet -r scripts/lib/release-tools.txt
    cp scripts/lib/release-tools.txt "$RELEASE_TOOLS/.installed"
  fi
  export PATH="$RELEASE_TOOLS/bin:$PATH"
  export CARGO_ZIGBUILD_PYTHON_PATH="$RELEASE_TOOLS/bin/python"
}

# release_env: exports the zig toolchain environment for $RELEASE_TRIPLE with glibc $GLIBC_FLOOR
# (and CARGO_BUILD_TARGET), as cargo-zigbuild would set it for `cargo build`.
release_env() {
  ensure_release_tools
  export CARGO_ZIGBUILD_CACHE_DIR="$ZIG_HOME/cargo-zigbuild"
  export ZIG_GLOBAL_CACHE_DIR="$ZIG_HOME/cache"
  export ZIG_LOCAL_CACHE_DIR="$ZIG_HOME/cache"
  export CARGO_BUILD_TARGET="$RELEASE_TRIPLE"
  mkdir -p "$ZIG_HOME"
  local probe="$ZIG_HOME/print-env" dump="$ZIG_HOME/env.bin"
  printf '#!/bin/sh\nexec env -0 > "%s"\n' "$dump" > "$probe"
  chmod +x "$probe"
  # cargo-zigbuild runs $CARGO with the environment it prepared; the probe only records it.
  CARGO="$probe" cargo-zigbuild zigbuild --release --target "$RELEASE_TRIPLE.$GLIBC_FLOOR" >/dev/null
  local kv name value n=0
  while IFS= read -r -d '' kv; do
    name=${kv%%=*}
    value=${kv#*=}
    case "$name" in
      CC_* | CXX_* | AR_* | RANLIB_* | CMAKE_TOOLCHAIN_FILE_* | CARGO_TARGET_*_LINKER | CARGO_ZIGBUILD_* \
        | CARGO_UNSTABLE_TARGET_APPLIES_TO_HOST | CARGO_TARGET_APPLIES_TO_HOST | __CARGO_TEST_CHANNEL_OVERRIDE_DO_NOT_USE_THIS)
        export "$name=$value"
        n=$((n + 1))
        ;;
    esac
  done < "$dump"
  [ "$n" -ge 6 ] && [ -n "${CC_x86_64_unknown_linux_gnu:-}" ] || {
    echo "release_env: cargo-zigbuild did not provide the zig toolchain environment" >&2
    return 1
  }
  echo "release toolchain: zig $("$RELEASE_TOOLS/bin/python" -m ziglang version), $(cargo-zigbuild --version)," \
       "$(maturin --version), target $RELEASE_TRIPLE with glibc $GLIBC_FLOOR"
}
