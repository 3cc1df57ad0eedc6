#!/usr/bin/env bash
# Runs every PHP test of libalphapo (PHPUnit against the real library and the sandbox,
# the preload mode included). Installs Debian's php-cli and phpunit when they are missing;
# fails loudly, never skips. Extra arguments go to phpunit (e.g. --filter Callback).
#
#   bindings/php/run-tests.sh
#
# Environment: ALPHAPO_LIBRARY / ALPHAPO_HEADER (default: target/release/libalphapo.so of
# this repository and the package's alphapo_ffi.h), ALPHAPO_SANDBOX (default:
# target/release/examples/sandbox).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

die() {
    echo "bindings/php/run-tests.sh: ERROR: $*" >&2
    exit 1
}

missing=()
command -v php >/dev/null 2>&1 || missing+=(php-cli)
command -v phpunit >/dev/null 2>&1 || missing+=(phpunit)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "bindings/php/run-tests.sh: installing ${missing[*]} with apt-get" >&2
    command -v apt-get >/dev/null 2>&1 || die "${missing[*]} missing and no apt-get: install PHP >= 7.4 with FFI and phpunit"
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "${missing[*]} missing: run as root or install them: apt-get install -y php-cli phpunit"
        sudo=(sudo)
    fi
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get update -q || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q php-cli phpunit || die "apt-get install php-cli phpunit failed"
fi

php -r 'exit(PHP_VERSION_ID >= 70400 ? 0 : 1);' || die "PHP >= 7.4 needed, found $(php -r 'echo PHP_VERSION;')"
php -r 'exit(extension_loaded("ffi") ? 0 : 1);' \
    || die "the PHP FFI extension is not loaded (Debian: phpX.Y-common provides it; check ffi.ini)"
php -r 'exit(extension_loaded("Zend OPcache") ? 0 : 1);' \
    || die "OPcache is not loaded (needed by the preload test; Debian: phpX.Y-opcache)"

library="${ALPHAPO_LIBRARY:-$root/target/release/libalphapo.so}"
[ -f "$library" ] || die "$library is missing: build it with 'cargo build --release' (or set ALPHAPO_LIBRARY)"
header="${ALPHAPO_HEADER:-$here/alphapo_ffi.h}"
[ -f "$header" ] || die "$header is missing (or set ALPHAPO_HEADER)"
sandbox="${ALPHAPO_SANDBOX:-$root/target/release/examples/sandbox}"
[ -x "$sandbox" ] || die "$sandbox is missing: build it with 'cargo build --release --example sandbox' (or set ALPHAPO_SANDBOX)"
absolute() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
library="$(absolute "$library")" header="$(absolute "$header")" sandbox="$(absolute "$sandbox")"
# Test exactly this build, never a stale copy in bindings/php/lib/.
export ALPHAPO_LIBRARY="$library" ALPHAPO_HEADER="$header" ALPHAPO_SANDBOX="$sandbox"

cd "$here"
exec phpunit --configuration phpunit.xml.dist "$@"
