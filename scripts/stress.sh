#!/usr/bin/env bash
# `make stress`: the quick form of the hardening checks that `make test` does not already
# run (issue 8; figures in RELIABILITY.md). Needs `make lib sandbox`.
#
#   1. C concurrency: tests/c/test_threads.c at full count (16 threads x 1000 mixed calls
#      on one client) without valgrind (tests/c/run.sh runs it under valgrind with 100
#      calls per thread), and tests/c/test_faults.c, against a fresh sandbox;
#   2. every C test under ASan + UBSan (scripts/sanitizers.sh);
#   3. every fuzz target for ALPHAPO_FUZZ_SECONDS seconds (default 20; fuzz/run.sh);
#   4. the output of steps 1 and 2 searched for the sandbox secret and for any full
#      signature (128 hex digits): none may appear.
#
# Any failure fails the run. Environment: ALPHAPO_FUZZ_SECONDS, ALPHAPO_STRESS_CALLS
# (calls per thread for step 1), ALPHAPO_SANDBOX.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/listening.sh

LIB_DIR=target/release
SANDBOX=${ALPHAPO_SANDBOX:-target/release/examples/sandbox}
BUILD=tests/c/build/stress
# Distinctive, so that a leak is found by a plain search of the output.
SECRET="stress-secret-$(date +%s)-Zq7"
die() {
    echo "scripts/stress.sh: $*" >&2
    exit 1
}
[ -f "$LIB_DIR/libalphapo.so" ] || die "missing $LIB_DIR/libalphapo.so: run make lib"
[ -x "$SANDBOX" ] || die "missing $SANDBOX: run make sandbox"

logs=$(mktemp -d)
sandbox_pid=
cleanup() {
    [ -z "$sandbox_pid" ] || kill "$sandbox_pid" 2>/dev/null || true
    rm -rf "$logs"
}
trap cleanup EXIT
step() {
    echo
    echo "#### stress: $*"
}
t0=$(date +%s)

step "1. C: 16 threads x ${ALPHAPO_STRESS_CALLS:-1000} calls on one client, and faults (no valgrind)"
mkdir -p "$BUILD"
# Programs linked with -lalphapo need the SONAME link (make lib makes it too).
ln -sf libalphapo.so "$LIB_DIR/libalphapo.so.0"
for t in test_threads test_faults; do
    gcc -std=c99 -Wall -Wextra -Wpedantic -Werror -g -O2 -Iinclude -Itests/c "tests/c/$t.c" \
        -o "$BUILD/$t" -L"$LIB_DIR" -lalphapo -Wl,-rpath,"$PWD/$LIB_DIR" -lpthread
done
"$SANDBOX" --listen 127.0.0.1:0 --key stress-key --secret "$SECRET" >"$logs/sandbox" 2>&1 &
sandbox_pid=$!
base=$(listening "$logs/sandbox") || die "the sandbox did not start"
for t in test_threads test_faults; do
    if ! ALPHAPO_BASE_URL="$base" ALPHAPO_KEY=stress-key ALPHAPO_SECRET="$SECRET" \
        ALPHAPO_STRESS_CALLS="${ALPHAPO_STRESS_CALLS:-1000}" "$BUILD/$t" >"$logs/$t" 2>&1; then
        cat "$logs/$t" >&2
        die "$t failed"
    fi
    grep -v '^$' "$logs/$t"
done
kill "$sandbox_pid" 2>/dev/null || true
sandbox_pid=
t1=$(date +%s)

step "2. every C test under ASan + UBSan"
ALPHAPO_TEST_SECRET="$SECRET" ALPHAPO_SANITIZER_LOG="$logs/sanitizers" bash scripts/sanitizers.sh
t2=$(date +%s)

step "3. fuzzing, ${ALPHAPO_FUZZ_SECONDS:-20} s per target"
bash fuzz/run.sh --time "${ALPHAPO_FUZZ_SECONDS:-20}"
t3=$(date +%s)

step "4. the secret and full signatures in the output of steps 1 and 2"
cat "$logs"/test_* "$logs/sanitizers" >"$logs/all"
lines=$(wc -l <"$logs/all")
if grep -n -F -- "$SECRET" "$logs/all"; then
    die "the secret appears in the output above"
fi
if grep -n -E '[0-9a-fA-F]{128}' "$logs/all"; then
    die "a full signature appears in the output above"
fi
echo "searched $lines lines of C test output: no secret, no signature"

echo
echo "stress: all passed (C stress $((t1 - t0)) s, sanitizers $((t2 - t1)) s, fuzzing $((t3 - t2)) s)"
