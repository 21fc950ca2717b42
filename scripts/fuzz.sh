#!/usr/bin/env bash
# usage: scripts/fuzz.sh [seconds]   (default 60)
# Builds the libFuzzer targets (the `fuzz` preset: clang, tests/fuzz/), replays each
# committed corpus (tests/fuzz/corpus/<target>/: every case must pass), then fuzzes each
# target for [seconds] from that corpus. New inputs go to a scratch directory, never
# into the repository; a crash leaves its input in build/fuzz/findings/ and fails.
# seconds = 0: build and replay only.
set -euo pipefail
seconds=${1:-60}
[[ $seconds =~ ^[0-9]+$ ]] || { echo "fuzz.sh: seconds must be a whole number, got '$seconds'" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "${CORING_JOBS:-2}"
bin=build/fuzz/fuzz
findings=build/fuzz/findings
mkdir -p "$findings"
targets=()
for f in "$bin"/fuzz_*; do targets+=("$(basename "$f")"); done
((${#targets[@]})) || { echo "fuzz.sh: no fuzz targets built" >&2; exit 1; }
for t in "${targets[@]}"; do
  name=${t#fuzz_}
  corpus=tests/fuzz/corpus/$name
  [[ -d $corpus ]] || { echo "fuzz.sh: no corpus for $name ($corpus)" >&2; exit 1; }
  echo "== $name: replaying $(find "$corpus" -type f | wc -l) corpus inputs"
  "$bin/$t" -runs=0 "$corpus" 2>&1 | tail -n 2
  ((seconds > 0)) || continue
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  echo "== $name: fuzzing for ${seconds}s"
  "$bin/$t" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$findings/$name-" \
    "$scratch" "$corpus" 2>&1 | grep -E '^(stat::number_of_executed_units|#[0-9]+ +DONE)|ERROR|invariant|differs' || true
  rm -rf "$scratch"
  if compgen -G "$findings/$name-*" >/dev/null; then
    echo "fuzz.sh: $name found a failing input: $(ls "$findings/$name-"*)" >&2
    exit 1
  fi
done
echo "fuzz.sh: ${#targets[@]} targets OK"
