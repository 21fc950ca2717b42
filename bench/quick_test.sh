#!/usr/bin/env bash
# usage: bench/quick_test.sh BIN_DIR WORK_DIR
# ctest's smoke test of the bench: `bench/run.sh --quick` of every scenario by name
# (soak and cluster included; one round of 1 s runs) with our binaries from BIN_DIR,
# the floors (built here: one cc call each) and whichever peers bench/run.sh or
# scripts/bench.sh already built in build/peers — the others are skipped with their
# reason, so CI does not pay for Boost or cargo. It runs in a private network
# namespace: the bench's fixed ports cannot collide with anything on the machine.
# Fails when a scenario or a peer fails, when a peer's bytes differ from ours, or when
# any run completed no request, saw a non-2xx status or a socket error.
# Exit 77 (skipped) when it cannot run here: a missing tool, or no network namespace.
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
bin_dir=$(realpath "${1:?usage: quick_test.sh BIN_DIR WORK_DIR}")
work=$(realpath -m "${2:?usage: quick_test.sh BIN_DIR WORK_DIR}")
skip() { echo "bench_quick: skipped: $*"; exit 77; }

if [[ -z ${BENCH_QUICK_IN_NETNS:-} ]]; then
    for tool in wrk nginx node curl taskset ip unshare python3; do
        command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/setup.sh installs it)"
    done
    # As root a network namespace is enough; otherwise a user namespace that maps us to
    # ourselves (not to root, under which nginx would try to switch to "nobody").
    ns=(--net)
    (($(id -u) == 0)) || ns+=(--map-current-user)
    unshare "${ns[@]}" true 2>/dev/null ||
        skip "cannot create a private network namespace (unshare ${ns[*]}); run bench/run.sh --quick by hand"
    BENCH_QUICK_IN_NETNS=1 exec unshare "${ns[@]}" bash "$0" "$@"
fi

ip link set lo up
rm -rf "$work"
mkdir -p "$work"
scenarios=()
for scenario in "$bench"/scenarios/*.sh; do scenarios+=("$(basename "$scenario" .sh)"); done
# Named, so the separate jobs (soak, cluster) run too, which a bare --quick leaves out.
BIN_DIR=$bin_dir RESULTS_DIR=$work SKIP_BUILD=1 BUILD_PEERS=floor BENCH_OFFLINE=1 \
    bash "$bench/run.sh" --quick "${scenarios[@]}"

# Every scenario wrote its report, and no run saw an error.
for name in "${scenarios[@]}"; do
    compgen -G "$work/*-$name.md" >/dev/null || { echo "bench_quick: no report for $name"; exit 1; }
done
# The rounds' tables (the soak's own samples file is a time series, judged by the soak).
tables=()
for f in "$work"/*.tsv; do [[ $f == *-samples.tsv ]] || tables+=("$f"); done
bad=$(awk -F'\t' 'FNR > 1 && ($8 == 0 || $10 != 0 || $11 != 0) { print FILENAME ": " $0 }' "${tables[@]}")
[[ -z $bad ]] || { echo "bench_quick: runs with no request, socket errors or non-2xx statuses:"; echo "$bad"; exit 1; }
grep -q '^| [0-9]' "$work/README.md" || { echo "bench_quick: the index has no row"; exit 1; }
grep -q 'CPU ÷ floor' "$work"/*-hello.md || { echo "bench_quick: the hello table has no floor column"; exit 1; }
if python3 -c 'import matplotlib' 2>/dev/null || /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
    compgen -G "$work/*.svg" >/dev/null || { echo "bench_quick: matplotlib is there but no chart was written"; exit 1; }
fi
echo "bench_quick: every scenario ran; servers: $(awk -F'\t' 'FNR > 1 { print $3 }' "${tables[@]}" | sort -u | paste -sd ' ' -)"
