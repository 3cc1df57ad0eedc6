#!/usr/bin/env bash
# Runs the cargo-fuzz targets of libalphapo, each seeded from fuzz/corpus/<target>/
# (committed) and growing fuzz/work/<target>/ (not committed). Any crash, panic, failed
# assertion, leak or input slower than 10 s fails the run; the crashing input is left in
# fuzz/artifacts/<target>/ (report it, then copy it to fuzz/corpus/<target>/).
#
#   fuzz/run.sh                    every target for 20 s (what `make stress` runs)
#   fuzz/run.sh --time 600         the long run recorded in RELIABILITY.md
#   fuzz/run.sh --time 60 callback one target
#
# Uses the stable toolchain with RUSTC_BOOTSTRAP=1 (cargo-fuzz needs -Z flags) and
# installs cargo-fuzz with `cargo install --locked` when it is missing. Builds in
# fuzz/target (a workspace of its own), with AddressSanitizer and debug assertions.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=20
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --time) seconds="$2"; shift 2 ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) targets+=("$1"); shift ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || targets=(decode_reply callback request_json signature large_documents http_reply)

export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz/run.sh: installing cargo-fuzz (cargo install cargo-fuzz --locked)"
    cargo install cargo-fuzz --locked
fi

started=$(date +%s)
mkdir -p fuzz/work
if ! cargo fuzz build --fuzz-dir fuzz --debug-assertions >fuzz/work/build.log 2>&1; then
    tail -n 40 fuzz/work/build.log >&2
    echo "fuzz/run.sh: build failed" >&2
    exit 1
fi
echo "fuzz/run.sh: built in $(( $(date +%s) - started )) s"

summary=()
failed=0
for t in "${targets[@]}"; do
    mkdir -p "fuzz/work/$t"
    log="fuzz/work/$t.log"
    echo "== fuzz $t for ${seconds} s"
    if cargo fuzz run --fuzz-dir fuzz --debug-assertions "$t" "fuzz/work/$t" "fuzz/corpus/$t" -- \
        -max_total_time="$seconds" -timeout=10 -max_len=8388608 -rss_limit_mb=2048 \
        -print_final_stats=1 >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        corpus=$(ls "fuzz/work/$t" | wc -l)
        summary+=("$(printf '%-13s %8s s %12s executions  0 crashes  %6s corpus entries' \
            "$t" "$seconds" "${runs:-?}" "$corpus")")
    else
        failed=$((failed + 1))
        echo "fuzz/run.sh: $t FAILED; the log follows, the input is in fuzz/artifacts/$t/" >&2
        grep -v '^#' "$log" | tail -n 60 >&2
        summary+=("$(printf '%-13s FAILED (see fuzz/artifacts/%s/)' "$t" "$t")")
    fi
done
echo "== fuzz summary (cargo-fuzz $(cargo fuzz --version | awk '{print $2}'), $(rustc --version | awk '{print $2}'))"
printf '%s\n' "${summary[@]}"
[ "$failed" -eq 0 ]
