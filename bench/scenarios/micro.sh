# shellcheck shell=bash
# Scenario "micro": bench/micro (Google Benchmark) pinned to CPU $SERVER_CPU — the
# user-space cost of parsing, writing a response, awaiting a task and one io_uring
# round trip, apart from the kernel's TCP work that dominates the other scenarios.
# Each benchmark runs ROUNDS repetitions; the median is shown.

scenario_micro() {
    local bin=$BIN_DIR/coring_micro
    [[ -x $bin ]] || die "$bin not found (Google Benchmark missing? apt-get install libbenchmark-dev)"
    MICRO_CSV=$LOG_DIR/micro.csv
    taskset -c "$SERVER_CPU" "$bin" --benchmark_repetitions="$ROUNDS" \
        --benchmark_min_time="$(awk -v d="$DURATION" 'BEGIN { printf "%.2f", d / 20 }')" \
        --benchmark_report_aggregates_only=true --benchmark_format=csv >"$MICRO_CSV" 2>"$LOG_DIR/micro.err" ||
        die "coring_micro failed: $(tail -3 "$LOG_DIR/micro.err")"
    log "micro: $(($(wc -l <"$MICRO_CSV") - 1)) rows"
}

scenario_micro_notes() {
    echo "\`coring_micro\` on CPU $SERVER_CPU, median of $ROUNDS repetitions (CPU time per iteration):"
    echo
    echo "| benchmark | ns per iteration | items/s |"
    echo "|---|---:|---:|"
    # CSV columns: name,iterations,real_time,cpu_time,time_unit,bytes_per_second,items_per_second,...
    # With one repetition Google Benchmark writes plain rows, with more the aggregates.
    awk -F, -v want="$( ((ROUNDS > 1)) && echo median || echo plain)" '
        NR == 1 { next }
        { name = $1; gsub(/"/, "", name) }
        want == "median" && name !~ /_median$/ { next }
        want == "plain" && name ~ /_(mean|median|stddev|cv)$/ { next }
        {
        sub(/_median$/, "", name)
        unit = $5; gsub(/"/, "", unit)
        ns = $4 * (unit == "us" ? 1000 : unit == "ms" ? 1e6 : 1)
        items = $7 == "" ? "" : sprintf("%.2f M", $7 / 1e6)
        printf "| %s | %.1f | %s |\n", name, ns, items
    }' "$MICRO_CSV"
    echo
    echo "NopRoundTrip is one SQE, one io_uring_enter and one CQE: on a VM it is mostly the"
    echo "system call; NopBatch/64 shares one io_uring_enter among 64 operations."
}
