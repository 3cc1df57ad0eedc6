#!/usr/bin/env bash
# Sanitizers (issue 8; figures in RELIABILITY.md).
#
#   scripts/sanitizers.sh              every tests/c/test_*.c built with clang
#                                      -fsanitize=address,undefined -fno-sanitize-recover=all
#                                      and run against a fresh sandbox (part of `make stress`)
#   scripts/sanitizers.sh --rust-tsan  ThreadSanitizer on the Rust concurrency tests
#                                      (tests/stress.rs, tests/transport.rs); needs the
#                                      rust-src component for -Zbuild-std; a long build,
#                                      not part of `make test`
#
# ASan/UBSan: the C test programs are instrumented; libalphapo.so (Rust) is not. Every
# allocation the library makes still goes through the intercepted malloc, so leaks of
# library objects (LeakSanitizer, detect_leaks=1) and C code reading or writing past a
# buffer the library returned are caught; a bad access made inside the Rust code itself
# is not (that is what the Rust type system, the fuzzers and valgrind cover). Any
# sanitizer report makes the run fail. Installs clang with apt-get when it is missing.
#
# Environment: ALPHAPO_SANDBOX (default target/release/examples/sandbox),
# ALPHAPO_TEST_SECRET (the sandbox secret, default c-test-secret).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/listening.sh

die() {
    echo "scripts/sanitizers.sh: $*" >&2
    exit 1
}

rust_tsan() {
    local host
    host=$(rustc -vV | sed -n 's/^host: //p')
    if ! rustup component list --installed 2>/dev/null | grep '^rust-src' >/dev/null; then
        echo "scripts/sanitizers.sh: ThreadSanitizer needs the standard library rebuilt with it"
        echo "(-Zbuild-std), which needs the rust-src component; trying rustup component add rust-src"
        rustup component add rust-src \
            || die "rust-src is not installed and cannot be (offline?): Rust TSan cannot run here"
    fi
    [ -x "${ALPHAPO_SANDBOX:-target/release/examples/sandbox}" ] \
        || die "missing the sandbox: run make sandbox"
    # Instrumented std and dependencies go to target/<host>/ (the shared target dir; build
    # scripts and proc macros stay uninstrumented).
    RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zsanitizer=thread" \
        TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}" \
        cargo test -Zbuild-std --target "$host" --release --test stress --test transport \
        -- --test-threads=1
}

if [ "${1:-}" = "--rust-tsan" ]; then
    rust_tsan
    exit
fi
[ $# -eq 0 ] || die "unknown argument $1 (see the top of this script)"

LIB_DIR=target/release
SANDBOX=${ALPHAPO_SANDBOX:-target/release/examples/sandbox}
SECRET=${ALPHAPO_TEST_SECRET:-c-test-secret}
BUILD=tests/c/build/sanitizers
[ -f "$LIB_DIR/libalphapo.so" ] || die "missing $LIB_DIR/libalphapo.so: run make lib"
[ -x "$SANDBOX" ] || die "missing $SANDBOX: run make sandbox"

if ! command -v clang >/dev/null; then
    echo "scripts/sanitizers.sh: installing clang with apt-get"
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null \
        || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -q clang >/dev/null \
        || die "apt-get install clang failed"
fi

mkdir -p "$BUILD"
CFLAGS=(-std=c99 -Wall -Wextra -Wpedantic -Werror -g -O1 -fno-omit-frame-pointer
    -fsanitize=address,undefined -fno-sanitize-recover=all -Iinclude -Itests/c)
LDFLAGS=(-L"$LIB_DIR" -lalphapo -Wl,-rpath,"$PWD/$LIB_DIR" -lpthread)
# Programs linked with -lalphapo need the SONAME link (make lib makes it too).
ln -sf libalphapo.so "$LIB_DIR/libalphapo.so.0"
for src in tests/c/test_*.c; do
    clang "${CFLAGS[@]}" "$src" -o "$BUILD/$(basename "$src" .c)" "${LDFLAGS[@]}"
done

log=$(mktemp)
"$SANDBOX" --listen 127.0.0.1:0 --key c-test-key --secret "$SECRET" >"$log" 2>&1 &
sandbox_pid=$!
trap 'kill $sandbox_pid 2>/dev/null || true; rm -f "$log"' EXIT
base=$(listening "$log") || die "the sandbox did not start"
export ALPHAPO_BASE_URL="$base" ALPHAPO_KEY=c-test-key ALPHAPO_SECRET="$SECRET"
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

passed=0
failed=0
for test in "$BUILD"/test_*; do
    name=$(basename "$test")
    out=$(mktemp)
    if "$test" >"$out" 2>&1 && ! grep -q 'Sanitizer' "$out"; then
        passed=$((passed + 1))
        echo "== $name (ASan+UBSan): $(grep -E ' passed, ' "$out" | tail -n 1)"
        grep -E '^test_threads: 16 threads' "$out" || true
    else
        failed=$((failed + 1))
        echo "== $name (ASan+UBSan) FAILED:" >&2
        grep -v -E '^(  |stack backtrace|note: |thread .* panicked|alphapo_test_panic: deliberate)' \
            "$out" | tail -n 60 >&2
    fi
    cat "$out" >>"${ALPHAPO_SANITIZER_LOG:-/dev/null}"
    rm -f "$out"
done
echo "sanitizers: $passed C test programs clean under ASan+UBSan, $failed failed"
[ "$failed" -eq 0 ]
