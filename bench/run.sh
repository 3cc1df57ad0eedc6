#!/usr/bin/env bash
# `make bench`: every benchmark of issue 7 side by side in one run, then BENCHMARKS.md.
#
#   bash bench/run.sh [--quick] [--unpinned] [--out FILE] [--keep DIR]
#
# 1. Installs what is missing (Debian: gcc, libssl-dev, openssl, php-cli, php-curl,
#    binutils; PyPI: requests) and fails loudly when it cannot.
# 2. Builds the library, the sandbox, the Rust micro-benchmarks (benches/core.rs, release
#    profile) and the C drivers (bench/c, into a temporary directory).
# 3. Runs, in this order: signing (Rust, C, Python, PHP; each against what a merchant
#    writes by hand, alternating round by round), 1 MiB signing interleaved with
#    `openssl speed -evp sha512`, the library's work per invoice (Rust), create_invoice on
#    one loopback sandbox (C, Python vs requests, PHP vs curl, each beside a raw-socket
#    floor in the same rounds; C with 1/2/4/8 threads), memory after 1 000 000 signatures
#    and 100 000 invoices (C, Python, PHP), the stripped library's size and its cold start.
# 4. Writes BENCHMARKS.md (bench/report.py): the machine, the command, every figure, every
#    ratio and its target.
#
# Pinning: for the one-thread invoice comparisons the sandbox and the client share one
# core (taskset). On these virtual machines a wake-up across cores costs tens of
# microseconds and varies with whatever else runs (a raw socket client measured from
# 10 000 to 48 000 round trips/s across runs); on one core a round trip costs the client's
# CPU time plus the server's, and the figures repeat. The thread curve runs unpinned.
# --unpinned runs everything unpinned; the floor is measured across cores either way.
#
# --quick runs short rounds (a smoke test, a few times faster); its numbers are not for
# BENCHMARKS.md, so it writes to a temporary file unless --out is given. --keep DIR keeps
# the raw figures (results.jsonl, meta.json) for `python3 bench/report.py` to re-render.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/listening.sh
root=$PWD

quick=0
out=BENCHMARKS.md
out_given=0
keep=
pinned=1
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1 ;;
        --unpinned) pinned=0 ;;
        --keep)
            keep=$2
            shift
            ;;
        --out)
            out=$2
            out_given=1
            shift
            ;;
        *)
            echo "usage: bench/run.sh [--quick] [--unpinned] [--out FILE] [--keep DIR]" >&2
            exit 2
            ;;
    esac
    shift
done
quick_flag=()
[ "$quick" = 1 ] && quick_flag=(--quick)

die() {
    echo "bench/run.sh: ERROR: $*" >&2
    exit 1
}
step() { echo "== $*" >&2; }

started=$(date +%s)
# The code measured: the commit, and whether what is measured (the library, the bindings,
# the sandbox, the drivers) differs from it.
commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
dirty=0
if [ -n "$(git status --porcelain --untracked-files=no -- src include bindings examples/sandbox \
    bench benches Cargo.toml Cargo.lock build.rs 2>/dev/null)" ]; then
    dirty=1
fi

# ---- 1. dependencies --------------------------------------------------------------------
need_apt=()
command -v gcc >/dev/null 2>&1 || need_apt+=(gcc)
command -v strip >/dev/null 2>&1 || need_apt+=(binutils)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
[ -f /usr/include/openssl/hmac.h ] || need_apt+=(libssl-dev)
command -v php >/dev/null 2>&1 || need_apt+=(php-cli)
if ! command -v php >/dev/null 2>&1 || ! php -r 'exit(extension_loaded("curl") ? 0 : 1);'; then
    need_apt+=(php-curl)
fi
command -v python3 >/dev/null 2>&1 || need_apt+=(python3 python3-pip)
command -v taskset >/dev/null 2>&1 || need_apt+=(util-linux)
if [ ${#need_apt[@]} -gt 0 ]; then
    step "installing with apt-get: ${need_apt[*]}"
    command -v apt-get >/dev/null 2>&1 || die "missing ${need_apt[*]} and no apt-get to install them"
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "missing ${need_apt[*]}: run as root or install them"
        sudo=(sudo)
    fi
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq \
        || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
        "${need_apt[@]}" >/dev/null || die "apt-get install ${need_apt[*]} failed"
fi
if ! python3 -c 'import requests' >/dev/null 2>&1; then
    step "installing requests with pip"
    python3 -m pip install --quiet requests \
        || python3 -m pip install --quiet --break-system-packages requests \
        || die "pip install requests failed"
fi
for tool in gcc strip openssl php python3 cargo taskset; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is missing"
done
[ -f /usr/include/openssl/hmac.h ] || die "libssl-dev is missing (no openssl/hmac.h)"
php -r 'exit(extension_loaded("curl") && extension_loaded("ffi") ? 0 : 1);' \
    || die "PHP needs the curl and FFI extensions (php-curl; FFI comes with php-cli)"
python3 -c 'import requests' || die "the Python package requests is missing"

# ---- 2. build -----------------------------------------------------------------------------
step "building the library, the sandbox and the micro-benchmarks (release)"
cargo build --release --quiet
cargo build --release --quiet --example sandbox
cargo bench --profile release --quiet --bench core --no-run
target=${CARGO_TARGET_DIR:-$root/target}
lib=$target/release/libalphapo.so
sandbox=$target/release/examples/sandbox
[ -f "$lib" ] || die "$lib is missing"
[ -x "$sandbox" ] || die "$sandbox is missing"

work=$(mktemp -d)
sandbox_pid=
cleanup() {
    [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
results=$work/results.jsonl
: >"$results"

cflags=(-std=c11 -O2 -Wall -Wextra -Wpedantic -Werror -Iinclude)
ldflags=(-L"$target/release" -lalphapo -Wl,-rpath,"$target/release")
# Programs linked with -lalphapo need the SONAME link (make lib makes it too).
ln -sf libalphapo.so "$target/release/libalphapo.so.0"
gcc "${cflags[@]}" bench/c/sign.c -o "$work/sign" "${ldflags[@]}" -lcrypto
gcc "${cflags[@]}" bench/c/client.c -o "$work/client" "${ldflags[@]}" -lpthread
gcc "${cflags[@]}" bench/c/rss.c -o "$work/rss" "${ldflags[@]}"
gcc "${cflags[@]}" bench/c/dlopen.c -o "$work/dlopen" -ldl

export ALPHAPO_LIBRARY=$lib
export ALPHAPO_HEADER=$root/bindings/php/alphapo_ffi.h
export PYTHONPATH=$root/bindings/python${PYTHONPATH:+:$PYTHONPATH}
py=(python3 bench/python/bench.py)
php=(php bench/php/bench.php)

load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- 3. signing ---------------------------------------------------------------------------
step "Rust micro-benchmarks (signing, library work per invoice)"
cargo bench --profile release --quiet --bench core -- "${quick_flag[@]}" >>"$results"
step "C: alphapo_signer_sign vs OpenSSL HMAC(), 300 bytes; 1 MiB vs EVP_Digest"
"$work/sign" "${quick_flag[@]}" >>"$results"
step "Python: Signer.sign vs hmac.new"
"${py[@]}" sign "${quick_flag[@]}" >>"$results"
step "PHP: Signer->sign vs hash_hmac"
"${php[@]}" sign "${quick_flag[@]}" >>"$results"

step "C: 1 MiB signing interleaved with openssl speed -evp sha512"
rounds=9
seconds=1
[ "$quick" = 1 ] && rounds=3
for _ in $(seq "$rounds"); do
    "$work/sign" --big "$seconds" >>"$results"
    bps=$(openssl speed -mr -evp sha512 -bytes 1048576 -seconds "$seconds" 2>/dev/null \
        | sed -n 's/^+F:[0-9]*:sha512:\([0-9.]*\).*/\1/p')
    [ -n "$bps" ] || die "could not read openssl speed's output"
    python3 -c "import json,sys; print(json.dumps({'key':'openssl.speed.sha512_mbps','value':round(float(sys.argv[1])/1e6,3),'unit':'MB/s'}))" "$bps" >>"$results"
done

# ---- 4. the sandbox -----------------------------------------------------------------------
key=bench-key
secret=bench-secret
cores=$(nproc)
last=$((cores - 1))
pin=()
[ "$pinned" = 1 ] && pin=(taskset -c "$last")
"${pin[@]}" "$sandbox" --listen 127.0.0.1:0 --key "$key" --secret "$secret" >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
base=$(listening "$work/sandbox.log") || die "the sandbox did not start"
reset() { python3 -c "import urllib.request,sys; urllib.request.urlopen(urllib.request.Request(sys.argv[1].rsplit('/api/v2',1)[0]+'/_sandbox/reset',data=b'{}',method='POST',headers={'Content-Type':'application/json'}),timeout=10).read()" "$base"; }

inv_seconds=7
thread_seconds=3
[ "$quick" = 1 ] && inv_seconds=1.4 && thread_seconds=1
# The same raw-socket floor as the C run's, with the client on another core than the
# sandbox: what a wake-up across cores costs on this machine.
if [ "$cores" -gt 1 ] && [ "$pinned" = 1 ]; then
    taskset -c 0 "$work/client" "$base" "$key" "$secret" floor 2 floor.other_core >>"$results"
fi
step "C: create_invoice, one thread, beside a raw socket"
"${pin[@]}" "$work/client" "$base" "$key" "$secret" single "$inv_seconds" >>"$results"
step "Python: Client.create_invoice vs requests + hmac (and a raw socket)"
"${pin[@]}" "${py[@]}" invoices "$base" "$key" "$secret" "${quick_flag[@]}" >>"$results"
step "PHP: Client->createInvoice vs curl + hash_hmac (and a raw socket)"
"${pin[@]}" "${php[@]}" invoices "$base" "$key" "$secret" "${quick_flag[@]}" >>"$results"
step "C: 1, 2, 4, 8 threads sharing one client (sandbox and client on every core)"
if [ "$pinned" = 1 ]; then
    taskset -a -p -c "0-$last" "$sandbox_pid" >/dev/null
fi
"$work/client" "$base" "$key" "$secret" threads "$thread_seconds" 1,2,4,8 >>"$results"

step "memory: 1 000 000 signatures and 100 000 invoices (C, Python, PHP)"
"$work/rss" "$base" "$key" "$secret" "${quick_flag[@]}" >>"$results"
"${py[@]}" rss "$base" "$key" "$secret" "${quick_flag[@]}" >>"$results"
"${php[@]}" rss "$base" "$key" "$secret" "${quick_flag[@]}" >>"$results"

kill "$sandbox_pid" 2>/dev/null || true
wait "$sandbox_pid" 2>/dev/null || true
sandbox_pid=

# ---- 5. size and cold start ---------------------------------------------------------------
step "stripped size, dlopen and the first signature"
strip -o "$work/libalphapo.so" "$lib"
echo "{\"key\":\"lib.size_bytes\",\"value\":$(stat -c %s "$lib"),\"unit\":\"bytes\"}" >>"$results"
echo "{\"key\":\"lib.stripped_bytes\",\"value\":$(stat -c %s "$work/libalphapo.so"),\"unit\":\"bytes\"}" >>"$results"
runs=21
[ "$quick" = 1 ] && runs=7
for _ in $(seq "$runs"); do
    read -r t_open t_first t_total < <("$work/dlopen" "$work/libalphapo.so")
    {
        echo "{\"key\":\"lib.dlopen_us\",\"value\":$(awk "BEGIN{print $t_open/1000}"),\"unit\":\"us\"}"
        echo "{\"key\":\"lib.first_signature_us\",\"value\":$(awk "BEGIN{print $t_first/1000}"),\"unit\":\"us\"}"
        echo "{\"key\":\"lib.cold_total_us\",\"value\":$(awk "BEGIN{print $t_total/1000}"),\"unit\":\"us\"}"
    } >>"$results"
done

# ---- 6. the report ------------------------------------------------------------------------
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
elapsed=$(($(date +%s) - started))
meta=$work/meta.json
python3 - "$meta" <<EOF
import json, platform, subprocess, sys

def run(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except Exception:
        return "?"

def cpu():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "?"

def mem():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return "?"

import requests
meta = {
    "date": run("date", "-u", "+%Y-%m-%d %H:%M UTC"),
    "cpu": cpu(),
    "cores": run("nproc"),
    "memory": mem(),
    "kernel": run("uname", "-sr"),
    "commit": "$commit",
    "dirty": bool($dirty),
    "rustc": run("rustc", "--version"),
    "gcc": run("gcc", "-dumpfullversion"),
    "openssl": run("openssl", "version"),
    "python": platform.python_version(),
    "requests": requests.__version__,
    "php": run("php", "-r", "echo PHP_VERSION;"),
    "php_curl": run("php", "-r", "echo curl_version()['version'];"),
    "load_before": "$load_before",
    "load_after": "$load_after",
    "elapsed_s": $elapsed,
    "quick": bool($quick),
    "pinned": bool($pinned),
    "command": "make bench" + (" (bench/run.sh --quick)" if $quick else ""),
}
json.dump(meta, open(sys.argv[1], "w"), indent=1)
EOF
if [ "$quick" = 1 ] && [ "$out_given" = 0 ]; then
    out=$work/BENCHMARKS.quick.md
fi
if [ -n "$keep" ]; then
    mkdir -p "$keep"
    cp "$results" "$meta" "$keep/"
fi
python3 bench/report.py "$results" "$meta" >"$out.tmp"
mv "$out.tmp" "$out"
if [ "$quick" = 1 ] && [ "$out_given" = 0 ]; then
    cat "$out"
else
    echo "bench/run.sh: wrote $out in ${elapsed} s (load average before: $load_before, after: $load_after)" >&2
fi
