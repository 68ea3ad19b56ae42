#!/usr/bin/env bash
# The measurement behind [profile.release] (README, "Release artifacts"): for each svara CLI
# binary given, its size, the instructions three conversions of ~200 s of speech execute
# (callgrind: independent of the machine's load) and their median CPU time over 5 runs.
#
#   scripts/lib/bench-release-profile.sh BIN LABEL [BIN LABEL ...]
#
# Each BIN is the CLI built in the release environment with the profile under test, copied aside,
# e.g. `source scripts/lib/common.sh; source scripts/lib/release-env.sh; release_env;
# CARGO_PROFILE_RELEASE_LTO=thin cargo build --release -p svara-cli` then
# `cp target/x86_64-unknown-linux-gnu/release/svara target/profile-bench/svara-thin`.
# Needs valgrind and ffmpeg (the inputs are the test fixtures looped 80 times).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 2 ] && [ $(($# % 2)) -eq 0 ] || { echo "usage: $0 BIN LABEL [BIN LABEL ...]" >&2; exit 2; }
OUT=target/profile-bench
mkdir -p "$OUT"
[ -f "$OUT/long.mp3" ] || ffmpeg -v error -y -stream_loop 79 -i tests/fixtures/speech-stereo.mp3 -c copy "$OUT/long.mp3"
[ -f "$OUT/long.webm" ] || ffmpeg -v error -y -stream_loop 79 -i tests/fixtures/speech.opus.webm -c copy "$OUT/long.webm"
while [ $# -gt 0 ]; do
  BIN=$(realpath "$1"); LABEL=$2; shift 2
  printf '%s: size %d bytes\n' "$LABEL" "$(stat -c %s "$BIN")"
  for w in "long.mp3 m4a-aac m4a" "long.webm m4a-aac m4a" "long.mp3 ogg-opus ogg"; do
    read -r name fmt ext <<<"$w"
    in="$OUT/$name" out="$OUT/out.$ext"
    ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" convert "$in" "$out" --format "$fmt" 2>&1 \
         | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    ts=()
    for _ in 1 2 3 4 5; do
      ts+=("$( { /usr/bin/time -f '%U %S' "$BIN" convert "$in" "$out" --format "$fmt" >/dev/null; } 2>&1 | awk '{ print $1 + $2 }')")
    done
    med=$(printf '%s\n' "${ts[@]}" | sort -n | sed -n 3p)
    printf '%s: %-9s -> %-8s %6.2f G instructions, CPU %s s (median of 5)\n' "$LABEL" "$(basename "$in")" "$fmt" \
      "$(echo "$ir / 1000000000" | bc -l)" "$med"
  done
done
