#!/usr/bin/env bash
# Fuzzes Parley's readers (WAV, style, pack manifest, .npy) at once, each for the given time, and writes
# the figures (executions, corpus size, crashes, hangs, out-of-memory errors) as JSON.
# Usage: scripts/fuzz.sh DURATION [OUT_DIR]    e.g. scripts/fuzz.sh 30m   (DURATION: 90s, 30m, 1h)
#   OUT_DIR (default ${TMPDIR:-/tmp}/parley-fuzz) receives fuzz.json and findings/ (crashing inputs, outcomes).
#   FUZZ_SEED=N picks another seed. The JVM gets a 512 MB heap, so an input that makes a reader
#   allocate what a header claims fails as an OutOfMemoryError finding instead of swapping.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
duration=${1:?usage: scripts/fuzz.sh DURATION [OUT_DIR], e.g. 30m}
out=${2:-${TMPDIR:-/tmp}/parley-fuzz}
case "$duration" in
  *h) seconds=$(( ${duration%h} * 3600 )) ;;
  *m) seconds=$(( ${duration%m} * 60 )) ;;
  *s) seconds=${duration%s} ;;
  *) seconds=$duration ;;
esac
mkdir -p "$out"


echo "fuzzing each reader for ${seconds} s; figures -> $out/fuzz.json"
mvn -B -ntp -q -o -pl tools -am test -Dtest=FuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dparley.fuzz.seconds="$seconds" -Dparley.fuzz.seed="${FUZZ_SEED:-20261205}" \
  -Dparley.fuzz.out="$out/fuzz.json" -Dparley.fuzz.findings="$out/findings" \
  -DargLine=-Xmx512m
cat "$out/fuzz.json"
