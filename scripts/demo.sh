#!/usr/bin/env bash
# make demo: the main job on the sandbox, from C, Python and PHP. Each language creates an
# invoice and a payment request, the sandbox pays them, and that language's example endpoint
# verifies the signed callbacks over the raw bytes until the fully paid one arrives.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/listening.sh

SANDBOX=${ALPHAPO_SANDBOX:-target/release/examples/sandbox}
BUILD=target/demo
export ALPHAPO_KEY=sandbox-key ALPHAPO_SECRET=sandbox-secret
export PYTHONPATH="$PWD/bindings/python${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p "$BUILD"
# Programs linked with -lalphapo need the SONAME link (make lib makes it too).
ln -sf libalphapo.so target/release/libalphapo.so.0
rm -f "$BUILD"/*.jsonl
for example in create_invoice payment_request callback_server; do
    gcc -std=c99 -O2 -Iinclude "examples/c/$example.c" -o "$BUILD/$example" \
        -Ltarget/release -lalphapo -Wl,-rpath,"$PWD/target/release"
done

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

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

# run LANG RECEIVER_LOG RECEIVER_URL PAY_PATH CREATE_COMMAND...: the receiver was started
# by the caller; PAY_PATH is the control action that pays what was created.
run() {
    local lang=$1 log=$2 url=$3 pay=$4
    shift 4
    control POST /_sandbox/callback-url "{\"url\": \"$url\"}"
    echo "--- $lang: $("$@")"
    control POST "$pay" '{}'
    local done='fully paid|callback [a-z_]+:[^ ]*:(confirmed|paid):'
    for _ in $(seq 300); do
        grep -qE "$done" "$log" && break
        sleep 0.1
    done
    grep -iE "verified" "$log" | sed "s/^/    $lang endpoint: /"
    grep -qE "$done" "$log" || { echo "$lang: no fully paid callback verified" >&2; exit 1; }
}

# serve LANG LOG: starts LANG's example endpoint with its output in LOG; sets $url.
serve() {
    case $1 in
        C) "$BUILD/callback_server" --until-paid >"$2" 2>&1 & ;;
        Python) python3 -u examples/python/callback_server.py --until-paid >"$2" 2>&1 & ;;
        PHP)
            local port
            port=$(free_port)
            ALPHAPO_CALLBACK_LOG="$2.jsonl" php -d ffi.enable=1 -S "127.0.0.1:$port" \
                examples/php/callback.php >"$2" 2>&1 &
            ;;
    esac
    pids+=($!)
    url=$(listening "$2")
    # php -S prints its address without the endpoint's path.
    [ "$1" = PHP ] && url="http://127.0.0.1:$port/callback"
    return 0
}

serve C "$BUILD/c.log"
run C "$BUILD/c.log" "$url" "/_sandbox/invoices/demo-c-$$/pay" \
    env ALPHAPO_FOREIGN_ID="demo-c-$$" "$BUILD/create_invoice"
serve C "$BUILD/c-pr.log"
run C "$BUILD/c-pr.log" "$url" "/_sandbox/payment-requests/demo-c-pr-$$/pay" \
    env ALPHAPO_FOREIGN_ID="demo-c-pr-$$" "$BUILD/payment_request"

serve Python "$BUILD/python.log"
run Python "$BUILD/python.log" "$url" "/_sandbox/invoices/demo-py-$$/pay" \
    env ALPHAPO_FOREIGN_ID="demo-py-$$" python3 examples/python/create_invoice.py
serve Python "$BUILD/python-pr.log"
run Python "$BUILD/python-pr.log" "$url" "/_sandbox/payment-requests/demo-py-pr-$$/pay" \
    env ALPHAPO_FOREIGN_ID="demo-py-pr-$$" python3 examples/python/payment_request.py

serve PHP "$BUILD/php.log"
run PHP "$BUILD/php.log" "$url" "/_sandbox/invoices/demo-php-$$/pay" \
    php examples/php/create_invoice.php "demo-php-$$"
serve PHP "$BUILD/php-pr.log"
run PHP "$BUILD/php-pr.log" "$url" "/_sandbox/payment-requests/demo-php-pr-$$/pay" \
    php examples/php/payment_request.php "demo-php-pr-$$"

echo "demo: invoices and payment requests created and their fully paid callbacks verified from C, Python and PHP"
