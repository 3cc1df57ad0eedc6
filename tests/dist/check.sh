#!/usr/bin/env bash
# make test-dist: checks what `make dist` wrote (run it first):
# - the library needs no GLIBC_ symbol version above 2.17, has the SONAME libalphapo.so.0,
#   exports only alphapo_ symbols and is stripped;
# - the tarball holds exactly the documented files, its links point at the versioned
#   library, its header is include/alphapo.h;
# - a C program compiled against the unpacked tarball's header (through its relocatable
#   pkg-config file) links with the tarball's shared library, and another with its static
#   library, and both sign the spec's vector;
# - the Python wheel carries that very library, `auditwheel show` finds it manylinux2014
#   (manylinux_2_17) compatible, and installed with pip outside the checkout (no
#   ALPHAPO_LIBRARY) it loads its own copy and signs the vector;
# - the PHP zip is a Composer artifact (composer.json with the version) holding the package,
#   that very library as lib/libalphapo.so and the PHP header as lib/alphapo.h, no tests;
#   unpacked outside the checkout, its autoloader finds its own library (no ALPHAPO_*) and
#   signs the vector. (tests/legacy/ installs it with Composer on PHP 7.4 and 8.2.)
# - the tarball, the wheel and the zip carry LICENSE-MIT and LICENSE-APACHE.
# Prints `dist checks: N passed, N failed`; any failure fails the run.
set -euo pipefail
cd "$(dirname "$0")/../.."

GLIBC_FLOOR=2.17
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
name=libalphapo-$version-x86_64-linux-gnu
tarball=dist/$name.tar.gz
[ -f "$tarball" ] || { echo "missing $tarball: run make dist" >&2; exit 1; }
wheel=dist/alphapo-$version-py3-none-manylinux2014_x86_64.whl
[ -f "$wheel" ] || { echo "missing $wheel: run make dist" >&2; exit 1; }
php_zip=dist/alphapo-php-$version.zip
[ -f "$php_zip" ] || { echo "missing $php_zip: run make dist" >&2; exit 1; }
python=${PYTHON:-python3}
for tool in objdump readelf nm tar gcc pkg-config unzip auditwheel patchelf php "$python"; do
    command -v "$tool" >/dev/null || { echo "$tool is required (make test-deps)" >&2; exit 1; }
done

passed=0
failed=0
check() { # DESCRIPTION COMMAND...: runs the command, counts and reports the result
    local what=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
        echo "ok   $what"
    else
        failed=$((failed + 1))
        echo "FAIL $what" >&2
    fi
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work"
root=$work/$name
lib=$root/lib/libalphapo.so.$version

# The tarball's listing: exactly these entries, in one top folder.
expected="$name/
$name/README.md
$name/include/
$name/include/alphapo.h
$name/lib/
$name/lib/libalphapo.a
$name/lib/libalphapo.so
$name/lib/libalphapo.so.$version
$name/lib/libalphapo.so.0
$name/lib/pkgconfig/
$name/lib/pkgconfig/alphapo.pc"
licenses="LICENSE-APACHE LICENSE-MIT"
for license in $licenses; do
    expected="$expected
$name/$license"
done
listing() { tar -tzf "$tarball" | LC_ALL=C sort; }
same_listing() { [ "$(listing)" = "$(printf '%s\n' "$expected" | LC_ALL=C sort)" ] || { listing >&2; false; }; }
check "the tarball holds exactly lib/, include/, the pkg-config file, README, LICENSE-*" same_listing
links_ok() {
    [ -f "$lib" ] && [ ! -L "$lib" ] \
        && [ "$(readlink "$root/lib/libalphapo.so.0")" = "libalphapo.so.$version" ] \
        && [ "$(readlink "$root/lib/libalphapo.so")" = "libalphapo.so.$version" ]
}
check "libalphapo.so.0 and libalphapo.so link to libalphapo.so.$version" links_ok
check "include/alphapo.h is the repository's header" cmp -s "$root/include/alphapo.h" include/alphapo.h
check "the unpacked copy in dist/ equals the tarball" diff -r "$root" "dist/$name"

glibc_max() {
    objdump -T "$lib" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1
}
max=$(glibc_max)
echo "     highest GLIBC_ version required: $max"
glibc_ok() { [ -n "$max" ] && [ "$(printf '%s\n%s\n' "$max" "$GLIBC_FLOOR" | sort -V | tail -n 1)" = "$GLIBC_FLOOR" ]; }
check "no GLIBC_ symbol above $GLIBC_FLOOR (highest: $max)" glibc_ok
soname() { readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p'; }
check "SONAME is libalphapo.so.0 ($(soname))" test "$(soname)" = libalphapo.so.0
foreign() { nm -D --defined-only "$lib" | awk '{print $3}' | grep -v '^alphapo_' || true; }
exports_ok() {
    [ -z "$(foreign)" ] || { foreign >&2; return 1; }
    nm -D --defined-only "$lib" | grep ' alphapo_sign$' >/dev/null
}
check "exports only alphapo_ symbols" exports_ok
stripped() { ! readelf -S "$lib" | grep -e '\.symtab' -e '\.debug_' >/dev/null; }
check "the shared library is stripped" stripped

# A C program built only from the tarball: header and flags through its pkg-config file.
cat >"$work/vector.c" <<'C'
#include <stdio.h>
#include <string.h>

#include <alphapo.h>

int main(void) {
    const char *secret = "AbCdEfG123456";
    const char *body = "{\"currency\":\"BTC\",\"foreign_id\":\"123456\"}";
    char signature[129];
    alphapo_status st = alphapo_sign((const uint8_t *)secret, strlen(secret),
                                     (const uint8_t *)body, strlen(body), signature,
                                     sizeof signature);
    if (st != ALPHAPO_STATUS_OK) return 1;
    printf("%s %s\n", signature, alphapo_version());
    return 0;
}
C
want="03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba55b90815f20e2bb10f82c7a9e9d865546fda58989c2ae9e8e2ff7bc29195fa1ec $version"
export PKG_CONFIG_PATH=$root/lib/pkgconfig
shared_vector() {
    gcc -std=c99 -Wall -Wextra -Wpedantic -Werror "$work/vector.c" -o "$work/vector" \
        $(pkg-config --cflags --libs alphapo) -Wl,-rpath,"$root/lib" \
        && readelf -d "$work/vector" | grep 'NEEDED.*\[libalphapo.so.0\]' >/dev/null \
        && [ "$("$work/vector")" = "$want" ] \
        && ldd "$work/vector" | grep "libalphapo.so.0 => $root/lib/libalphapo.so.0" >/dev/null
}
check "a C program links with the tarball's shared library (pkg-config) and signs the vector" shared_vector
static_vector() {
    gcc -std=c99 -Wall -Wextra -Wpedantic -Werror "$work/vector.c" -o "$work/vector-static" \
        $(pkg-config --cflags alphapo) "$root/lib/libalphapo.a" \
        $(pkg-config --static --libs-only-l alphapo | sed 's/-lalphapo//') \
        && ! readelf -d "$work/vector-static" | grep 'libalphapo' >/dev/null \
        && [ "$("$work/vector-static")" = "$want" ]
}
check "a C program links with the tarball's static library and signs the vector" static_vector

# The wheel.
same_library() { unzip -p "$wheel" alphapo/libalphapo.so | cmp -s - "$lib"; }
check "the wheel carries the dist library as alphapo/libalphapo.so" same_library
auditwheel show "$wheel" >"$work/auditwheel" 2>&1 || true
policy=$(tr -s ' \n' '  ' <"$work/auditwheel" | sed -n 's/.*consistent with the following platform tag: "manylinux_2_\([0-9]*\)_x86_64".*/\1/p')
echo "     auditwheel show: consistent with manylinux_2_${policy:-?}_x86_64"
manylinux2014() { [ -n "$policy" ] && [ "$policy" -le 17 ] || { cat "$work/auditwheel" >&2; false; }; }
check "auditwheel show: manylinux2014 (manylinux_2_17) compatible" manylinux2014
wheel_signs() {
    PIP_ROOT_USER_ACTION=ignore "$python" -m pip install --quiet --no-index --no-deps \
        --target "$work/site" "$wheel" || return 1
    # Run from outside the checkout, with no library hint in the environment.
    (cd "$work" && env -u ALPHAPO_LIBRARY PYTHONPATH="$work/site" "$python" -c '
import sys, alphapo
site = sys.argv[1]
assert str(alphapo.LIBRARY_PATH).startswith(site), alphapo.LIBRARY_PATH
print(alphapo.sign(b"AbCdEfG123456", b"{\"currency\":\"BTC\",\"foreign_id\":\"123456\"}"), alphapo.library_version())
' "$work/site") >"$work/wheel-out" || return 1
    [ "$(cat "$work/wheel-out")" = "$want" ] || { cat "$work/wheel-out" >&2; false; }
}
check "the wheel installed with pip (no checkout, no ALPHAPO_LIBRARY) signs the vector" wheel_signs

wheel_licenses() {
    local license
    for license in $licenses; do
        unzip -Z1 "$wheel" | grep "^alphapo-$version\.dist-info/\(licenses/\)\?$license\$" >/dev/null \
            || { echo "no $license in the wheel's .dist-info" >&2; return 1; }
    done
}
check "the wheel's .dist-info carries LICENSE-MIT and LICENSE-APACHE" wheel_licenses

# The PHP package (Composer artifact).
mkdir "$work/php"
unzip -q "$php_zip" -d "$work/php"
zip_layout() {
    local license
    php -r '$c = json_decode(file_get_contents($argv[1]), true);
        exit($c["name"] === "alphapo/alphapo" && $c["version"] === $argv[2] ? 0 : 1);' \
        "$work/php/composer.json" "$version" || { echo "composer.json: no name/version $version" >&2; return 1; }
    cmp -s "$work/php/lib/libalphapo.so" "$lib" || { echo "lib/libalphapo.so is not the dist library" >&2; return 1; }
    [ -x "$work/php/lib/libalphapo.so" ] && [ -x "$work/php/bin/alphapo-install-lib" ] || return 1
    cmp -s "$work/php/lib/alphapo.h" bindings/php/alphapo_ffi.h || { echo "lib/alphapo.h is not alphapo_ffi.h" >&2; return 1; }
    for license in $licenses; do cmp -s "$work/php/$license" "$license" || return 1; done
    [ -f "$work/php/preload.php" ] && [ -f "$work/php/src/Client.php" ] || return 1
    [ ! -e "$work/php/tests" ] && [ ! -e "$work/php/run-tests.sh" ] || { echo "the zip holds the tests" >&2; return 1; }
}
check "the PHP zip: composer.json $version, the dist library, the PHP header, LICENSE-*, no tests" zip_layout
zip_signs() {
    (cd "$work" && env -u ALPHAPO_LIBRARY -u ALPHAPO_HEADER php -d ffi.enable=1 -r '
require $argv[1] . "/autoload.php";
$library = AlphaPo\Internal\Native::locate()[0];
if ($library !== realpath($argv[1] . "/lib/libalphapo.so")) { fwrite(STDERR, "loaded $library\n"); exit(1); }
echo AlphaPo\Signature::sign("AbCdEfG123456", "{\"currency\":\"BTC\",\"foreign_id\":\"123456\"}"), " ",
    AlphaPo\Internal\Native::ffi()->alphapo_version(), "\n";
' "$work/php") >"$work/php-out" || return 1
    [ "$(cat "$work/php-out")" = "$want" ] || { cat "$work/php-out" >&2; false; }
}
check "the PHP zip unpacked (no checkout, no ALPHAPO_*) loads its own library and signs the vector" zip_signs

echo "dist checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
