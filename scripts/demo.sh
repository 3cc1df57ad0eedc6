#!/usr/bin/env bash
# make demo: the main job on the sandbox, from C, Python and PHP. Each language creates an
# invoice, the sandbox pays it, and that language's example endpoint verifies the signed
# callbacks over the raw bytes until the "confirmed" one arrives.
set -euo pipefail
cd "$(dirname "$0")/.."

SANDBOX=${ALPHAPO_SANDBOX:-target/release/examples/sandbox}
BUILD=target/demo
export ALPHAPO_KEY=sandbox-key ALPHAPO_SECRET=sandbox-secret
export PYTHONPATH="$PWD/bindings/python${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p "$BUILD"
# Programs linked with -lalphapo need the SONAME link (make lib makes it too).
ln -sf libalphapo.so target/release/libalphapo.so.0
rm -f "$BUILD/php-callbacks.jsonl"
for example in create_invoice callback_server; do
    gcc -std=c99 -O2 -Iinclude "examples/c/$example.c" -o "$BUILD/$example" \
        -Ltarget/release -lalphapo -Wl,-rpath,"$PWD/target/release"
done

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# Waits for a "listening on URL" line in a log file; prints the URL.
listening() {
    for _ in $(seq 150); do
        url=$(sed -n -e 's/^.*listening on //p' -e 's/^.*Development Server (\(.*\)) started.*/\1/p' "$1" | head -n 1)
        [ -n "$url" ] && { echo "$url"; return 0; }
        sleep 0.1
    done
    echo "no 'listening on' line in $1:" >&2
    cat "$1" >&2
    return 1
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

control() { # METHOD PATH JSON
    python3 -c 'import sys, urllib.request as u
r = u.Request(sys.argv[2], data=sys.argv[3].encode(), method=sys.argv[1], headers={"Content-Type": "application/json"})
u.urlopen(r, timeout=10).read()' "$1" "${base%/api/v2}$2" "$3"
}

"$SANDBOX" --listen 127.0.0.1:0 >"$BUILD/sandbox.log" 2>&1 &
pids+=($!)
base=$(listening "$BUILD/sandbox.log")
export ALPHAPO_BASE_URL="$base"
echo "sandbox: $base"

# run LANG RECEIVER_LOG RECEIVER_URL FOREIGN_ID CREATE_COMMAND...: the receiver was started
# by the caller.
run() {
    local lang=$1 log=$2 url=$3 fid=$4
    shift 4
    control POST /_sandbox/callback-url "{\"url\": \"$url\"}"
    echo "--- $lang: $("$@")"
    control POST "/_sandbox/invoices/$fid/pay" '{}'
    for _ in $(seq 300); do
        grep -qiE "status confirmed|:confirmed" "$log" && break
        sleep 0.1
    done
    grep -iE "verified|confirmed" "$log" | sed "s/^/    $lang endpoint: /"
    grep -qiE "(status confirmed|:confirmed)" "$log" || { echo "$lang: no confirmed callback verified" >&2; exit 1; }
}

"$BUILD/callback_server" --until-paid >"$BUILD/c.log" 2>&1 &
pids+=($!)
run C "$BUILD/c.log" "$(listening "$BUILD/c.log")" "demo-c-$$" env ALPHAPO_FOREIGN_ID="demo-c-$$" "$BUILD/create_invoice"

python3 -u examples/python/callback_server.py --until-paid >"$BUILD/python.log" 2>&1 &
pids+=($!)
run Python "$BUILD/python.log" "$(listening "$BUILD/python.log")" "demo-py-$$" env ALPHAPO_FOREIGN_ID="demo-py-$$" python3 examples/python/create_invoice.py

port=$(free_port)
ALPHAPO_CALLBACK_LOG="$BUILD/php-callbacks.jsonl" php -d ffi.enable=1 -S "127.0.0.1:$port" \
    examples/php/callback.php >"$BUILD/php.log" 2>&1 &
pids+=($!)
listening "$BUILD/php.log" >/dev/null  # "Development Server (http://…) started"
run PHP "$BUILD/php.log" "http://127.0.0.1:$port/callback" "demo-php-$$" php examples/php/create_invoice.php "demo-php-$$"

echo "demo: invoices created and confirmed callbacks verified from C, Python and PHP"
