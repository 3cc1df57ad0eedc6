#!/usr/bin/env bash
# Builds every C test (C99) and C++ test (C++11) against include/alphapo.h and
# target/release/libalphapo.so with strict warnings, starts the sandbox, and runs each test
# and example under valgrind (--error-exitcode=1 --leak-check=full). Any failure fails the run.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/listening.sh

LIB_DIR=target/release
SANDBOX=${ALPHAPO_SANDBOX:-target/release/examples/sandbox}
BUILD=tests/c/build
CFLAGS=(-std=c99 -Wall -Wextra -Wpedantic -Werror -g -O1 -Iinclude -Itests/c)
CXXFLAGS=(-std=c++11 -Wall -Wextra -Wpedantic -Werror -g -O1 -Iinclude -Itests/c)
LDFLAGS=(-L"$LIB_DIR" -lalphapo -Wl,-rpath,"$PWD/$LIB_DIR" -lpthread)

[ -f "$LIB_DIR/libalphapo.so" ] || { echo "missing $LIB_DIR/libalphapo.so: run make lib" >&2; exit 1; }
[ -x "$SANDBOX" ] || { echo "missing $SANDBOX: run make sandbox" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind is required (make test-deps)" >&2; exit 1; }
# Programs linked with -lalphapo need the SONAME link (make lib makes it too).
ln -sf libalphapo.so "$LIB_DIR/libalphapo.so.0"

mkdir -p "$BUILD"
for src in tests/c/test_*.c examples/c/*.c; do
    name=$(basename "$src" .c)
    gcc "${CFLAGS[@]}" "$src" -o "$BUILD/$name" "${LDFLAGS[@]}"
done
command -v g++ >/dev/null || { echo "g++ is required for the C++ test and example (make test-deps)" >&2; exit 1; }
g++ "${CXXFLAGS[@]}" tests/c/test_cpp.cpp -o "$BUILD/test_cpp" "${LDFLAGS[@]}"
g++ "${CXXFLAGS[@]}" examples/cpp/create_invoice.cpp -o "$BUILD/cpp_create_invoice" "${LDFLAGS[@]}"

log=$(mktemp)
"$SANDBOX" --listen 127.0.0.1:0 --key c-test-key --secret c-test-secret >"$log" 2>&1 &
sandbox_pid=$!
trap 'kill $sandbox_pid 2>/dev/null || true; rm -f "$log"' EXIT
base=$(listening "$log") || { echo "sandbox did not start" >&2; exit 1; }
export ALPHAPO_BASE_URL="$base" ALPHAPO_KEY=c-test-key ALPHAPO_SECRET=c-test-secret

passed=0
failed=0
for test in "$BUILD"/test_*; do
    echo "== $(basename "$test") (valgrind)"
    if valgrind --quiet --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
        "$test"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
done
echo "== hostile replies (native: time and RSS bounds mean nothing under valgrind)"
gcc "${CFLAGS[@]}" tests/c/hostile_replies.c -o "$BUILD/hostile_replies" "${LDFLAGS[@]}"
if "$BUILD/hostile_replies"; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
fi
echo "== examples"
for example in sign create_invoice cpp_create_invoice; do
    if [ -x "$BUILD/$example" ]; then
        if valgrind --quiet --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
            "$BUILD/$example" >/dev/null; then
            passed=$((passed + 1))
        else
            echo "example $example failed" >&2
            failed=$((failed + 1))
        fi
    fi
done
echo "== callback flow: invoice created from C, paid on the sandbox, callback verified in C"
control() { # METHOD PATH JSON: a call to the sandbox's control API
    python3 -c 'import sys, urllib.request as u
r = u.Request(sys.argv[2], data=sys.argv[3].encode(), method=sys.argv[1], headers={"Content-Type": "application/json"})
print(u.urlopen(r, timeout=10).read().decode())' "$1" "${base%/api/v2}$2" "$3"
}
receiver_log=$(mktemp)
valgrind --quiet --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect "$BUILD/callback_server" --until-paid >"$receiver_log" 2>&1 &
receiver_pid=$!
callback_url=$(listening "$receiver_log") || true
fid="c-flow-$$"
if [ -n "$callback_url" ] \
    && control POST /_sandbox/callback-url "{\"url\": \"$callback_url\"}" >/dev/null \
    && ALPHAPO_FOREIGN_ID="$fid" "$BUILD/create_invoice" \
    && control POST "/_sandbox/invoices/$fid/pay" '{}' >/dev/null \
    && timeout 60 tail --pid="$receiver_pid" -f /dev/null \
    && wait "$receiver_pid"; then
    cat "$receiver_log"
    grep -q "^verified invoice callback .*status confirmed, foreign_id $fid.* (fully paid)" "$receiver_log"
    passed=$((passed + 1))
else
    echo "callback flow failed:" >&2
    cat "$receiver_log" >&2
    kill "$receiver_pid" 2>/dev/null || true
    failed=$((failed + 1))
fi
rm -f "$receiver_log"

echo "== withdraw example: a lost reply is OUTCOME_UNKNOWN, sent once, then reconciled"
wfid="c-withdraw-$$"
wlog=$(mktemp)
if control POST /_sandbox/faults '{"mode": "drop_after", "path": "/withdrawal/crypto"}' >/dev/null \
    && valgrind --quiet --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --show-leak-kinds=definite,indirect "$BUILD/withdraw" "$wfid" >"$wlog" 2>&1 \
    && grep -q "^outcome unknown (ALPHAPO_STATUS_TRANSPORT)" "$wlog" \
    && grep -q "^withdrawal $wfid: .* (reconciled)$" "$wlog" \
    && [ "$(control GET /_sandbox/state '' | python3 -c 'import json, sys
s = json.load(sys.stdin)
print(sum(1 for w in s["withdrawals"] if w["foreign_id"] == sys.argv[1]))' "$wfid")" = 1 ]; then
    cat "$wlog"
    passed=$((passed + 1))
else
    echo "withdraw example failed:" >&2
    cat "$wlog" >&2
    failed=$((failed + 1))
fi
rm -f "$wlog"

echo "== payment requests: created from C (valgrind), paid, failed and expired callbacks verified in C"
prlog=$(mktemp)
created=$(mktemp)
"$BUILD/callback_server" >"$prlog" 2>&1 &
pr_receiver=$!
pr_url=$(listening "$prlog") || true
uuid='[0-9a-f]\{8\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{12\}'
pr_ok=1
[ -n "$pr_url" ] && control POST /_sandbox/callback-url "{\"url\": \"$pr_url\"}" >/dev/null || pr_ok=0
for kind in paid short idle; do
    ALPHAPO_FOREIGN_ID="c-pr-$kind-$$" valgrind --quiet --error-exitcode=1 --leak-check=full \
        --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
        "$BUILD/payment_request" >>"$created" 2>&1 || pr_ok=0
done
grep -c "^payment request $uuid (created): 100.00 EUR until [0-9]*, pay at http" "$created" | grep -qx 3 || pr_ok=0
if [ "$pr_ok" = 1 ] \
    && control POST "/_sandbox/payment-requests/c-pr-paid-$$/pay" '{}' >/dev/null \
    && control POST "/_sandbox/payment-requests/c-pr-short-$$/pay" '{"amount": "0.0001"}' >/dev/null \
    && control POST "/_sandbox/payment-requests/c-pr-short-$$/expire" '{}' >/dev/null \
    && control POST "/_sandbox/payment-requests/c-pr-idle-$$/expire" '{}' >/dev/null; then
    for _ in $(seq 150); do
        [ "$(grep -cE "^verified payment_request callback .*status (paid|failed|expired), foreign_id c-pr-" "$prlog")" -ge 3 ] && break
        sleep 0.1
    done
fi
kill "$pr_receiver" 2>/dev/null || true
wait "$pr_receiver" 2>/dev/null || true
if [ "$pr_ok" = 1 ] \
    && grep -q "^verified payment_request callback .*status paid, foreign_id c-pr-paid-$$,.* key payment_request:$uuid:paid:.* (fully paid)" "$prlog" \
    && grep -q "^verified payment_request callback .*status failed, foreign_id c-pr-short-$$," "$prlog" \
    && grep -q "^verified payment_request callback .*status expired, foreign_id c-pr-idle-$$," "$prlog" \
    && ! grep -q "status failed.*(fully paid)\|status expired.*(fully paid)" "$prlog"; then
    cat "$created"
    grep "c-pr-" "$prlog"
    passed=$((passed + 1))
else
    echo "payment request flow failed:" >&2
    cat "$created" "$prlog" >&2
    failed=$((failed + 1))
fi
rm -f "$prlog" "$created"

echo "== make install (libalphapo.so.<version>, links .so.0 and .so) + pkg-config"
prefix=$(mktemp -d)
if make -s install PREFIX="$prefix" >/dev/null \
    && PKG_CONFIG_PATH="$prefix/lib/pkgconfig" gcc "${CFLAGS[@]}" examples/c/sign.c -o "$BUILD/sign_installed" \
        $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs alphapo) -Wl,-rpath,"$prefix/lib" \
    && "$BUILD/sign_installed" | grep "^verify: ALPHAPO_STATUS_OK$" >/dev/null \
    && [ "$(readlink "$prefix/lib/libalphapo.so.0")" = "libalphapo.so.$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)" ] \
    && [ "$(readlink "$prefix/lib/libalphapo.so")" = "$(readlink "$prefix/lib/libalphapo.so.0")" ] \
    && readelf -d "$BUILD/sign_installed" | grep "NEEDED.*\[libalphapo.so.0\]" >/dev/null; then
    passed=$((passed + 1))
else
    echo "installed library, header or pkg-config file unusable" >&2
    failed=$((failed + 1))
fi
rm -rf "$prefix"

echo "C tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
