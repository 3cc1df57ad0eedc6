#!/usr/bin/env bash
# make dist: what a shop installs without a Rust toolchain or this checkout, in dist/
# (ignored by git):
#
#   dist/libalphapo-<version>-x86_64-linux-gnu.tar.gz   the C package:
#       lib/libalphapo.so.<version>, links lib/libalphapo.so.0 (the SONAME) and lib/libalphapo.so,
#       lib/libalphapo.a, lib/pkgconfig/alphapo.pc (relocatable), include/alphapo.h,
#       README.md, and LICENSE* when the repository has one
#   dist/libalphapo-<version>-x86_64-linux-gnu/          the same tree, unpacked
#   dist/alphapo-<version>-py3-none-manylinux2014_x86_64.whl   the Python package with that
#       library inside (bindings/python built as bundle-library.sh does, then retagged)
#   dist/alphapo-php-<version>.zip   the PHP package as a Composer artifact (composer.json
#       with its version, for an `artifact` repository): bindings/php as `composer archive`
#       would pack it, plus lib/libalphapo.so (that library) and lib/alphapo.h (the PHP
#       header), where the package looks for them, so `require 'vendor/autoload.php'` works
#       with no environment variable
# Each carries LICENSE-MIT and LICENSE-APACHE.
#
# The library is built with cargo-zigbuild for x86_64-unknown-linux-gnu with glibc 2.17 as
# the floor (CentOS 7, RHEL 7+, Debian 8+, Ubuntu 14.04+), in its own target directory
# (target/zig, or $ALPHAPO_DIST_TARGET_DIR) so that target/release is untouched, then
# stripped. ziglang and cargo-zigbuild (and setuptools and wheel for the wheel) are installed
# from PyPI when missing.
# tests/dist/check.sh checks the result (make test-dist).
set -euo pipefail
cd "$(dirname "$0")/.."

die() {
    echo "scripts/dist.sh: ERROR: $*" >&2
    exit 1
}

GLIBC_FLOOR=2.17
TRIPLE=x86_64-unknown-linux-gnu
python=${PYTHON:-python3}
target_dir=${ALPHAPO_DIST_TARGET_DIR:-target/zig}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
[ -n "$version" ] || die "no version in Cargo.toml"
name=libalphapo-$version-x86_64-linux-gnu

for tool in cargo strip tar gzip "$python"; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
done

# pip puts cargo-zigbuild into the interpreter's scripts directory, which may not be on PATH.
PATH="$PATH:$("$python" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
PATH="$PATH:$("$python" -c 'import site; print(site.getuserbase())')/bin"
missing=()
"$python" -m ziglang version >/dev/null 2>&1 || missing+=(ziglang)
command -v cargo-zigbuild >/dev/null 2>&1 || missing+=(cargo-zigbuild)
"$python" -c 'import setuptools' >/dev/null 2>&1 || missing+=("setuptools>=61")
"$python" -m wheel version >/dev/null 2>&1 || missing+=(wheel)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "scripts/dist.sh: installing ${missing[*]} with pip"
    PIP_ROOT_USER_ACTION=ignore "$python" -m pip install --quiet "${missing[@]}" \
        || die "pip install ${missing[*]} failed: install them from PyPI for $python"
    hash -r
fi
"$python" -m ziglang version >/dev/null 2>&1 || die "ziglang is not importable by $python"
"$python" -m wheel version >/dev/null 2>&1 || die "the wheel package is not importable by $python"
command -v cargo-zigbuild >/dev/null 2>&1 || die "cargo-zigbuild is not on PATH"
# Without a `zig` on PATH, cargo-zigbuild runs `<python> -m ziglang`: this python.
export CARGO_ZIGBUILD_PYTHON_PATH="${CARGO_ZIGBUILD_PYTHON_PATH:-$(command -v "$python")}"

echo "scripts/dist.sh: building libalphapo $version for $TRIPLE, glibc >= $GLIBC_FLOOR ($target_dir)"
CARGO_TARGET_DIR="$target_dir" cargo zigbuild --release --lib --target "$TRIPLE.$GLIBC_FLOOR"
built=$target_dir/$TRIPLE/release
[ -f "$built/libalphapo.so" ] && [ -f "$built/libalphapo.a" ] || die "cargo zigbuild left no library in $built"

stage=dist/$name
rm -rf "$stage" "dist/$name.tar.gz" dist/alphapo-*.whl
mkdir -p "$stage/lib/pkgconfig" "$stage/include"
install -m 0755 "$built/libalphapo.so" "$stage/lib/libalphapo.so.$version"
strip --strip-all "$stage/lib/libalphapo.so.$version"
ln -s "libalphapo.so.$version" "$stage/lib/libalphapo.so.0"
ln -s "libalphapo.so.$version" "$stage/lib/libalphapo.so"
install -m 0644 "$built/libalphapo.a" "$stage/lib/libalphapo.a"
strip --strip-debug "$stage/lib/libalphapo.a"
install -m 0644 include/alphapo.h "$stage/include/alphapo.h"
# Relocatable: the prefix is wherever the tree is unpacked or copied to.
sed -e 's|@PREFIX@|${pcfiledir}/../..|' -e 's|@LIBDIR@|${prefix}/lib|' \
    -e 's|@INCDIR@|${prefix}/include|' -e "s|@VERSION@|$version|" \
    alphapo.pc.in >"$stage/lib/pkgconfig/alphapo.pc"
licenses=(LICENSE-MIT LICENSE-APACHE)
for license in "${licenses[@]}"; do
    [ -f "$license" ] || die "$license is missing"
    install -m 0644 "$license" "$stage/$license"
done
sed "s|@VERSION@|$version|g" >"$stage/README.md" <<'README'
# libalphapo @VERSION@ for Linux x86_64 (glibc >= 2.17)

The AlphaPo / CoinsPaid / CryptoProcessing merchant API v2 client library with its C ABI,
built for any x86_64 Linux with glibc 2.17 or newer (CentOS 7, RHEL 7+, Debian 8+,
Ubuntu 14.04+). No Rust toolchain is needed to use it.

- `lib/libalphapo.so.@VERSION@`: the shared library (SONAME `libalphapo.so.0`), with the
  links `lib/libalphapo.so.0` and `lib/libalphapo.so`
- `lib/libalphapo.a`: the static library
- `include/alphapo.h`: the header, for C (C99) and C++ (`extern "C"`)
- `lib/pkgconfig/alphapo.pc`: pkg-config file; relocatable (its prefix is the folder two
  levels above it), so it works wherever this tree is unpacked

Install system-wide (keeps the links):

    cp -a lib include /usr/local/ && ldconfig

or use it where it is unpacked:

    export PKG_CONFIG_PATH=$PWD/lib/pkgconfig
    cc -std=c99 app.c $(pkg-config --cflags --libs alphapo) -Wl,-rpath,$PWD/lib

Static linking: `cc app.c $(pkg-config --static --cflags --libs alphapo)` with
`lib/libalphapo.so*` out of the linker's way (or `-Wl,-Bstatic -lalphapo -Wl,-Bdynamic`).

The API, the Python and PHP packages and the examples: the project's README.md.
README
# Reproducible: fixed order, owner and time (the last commit's, else the epoch).
mtime=$(git log -1 --format=%ct 2>/dev/null || echo 0)
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" -C dist -cf - "$name" \
    | gzip -n -9 >"dist/$name.tar.gz"
echo "scripts/dist.sh: wrote dist/$name.tar.gz"

# The Python wheel: a copy of bindings/python with the library inside (where the package
# looks first after ALPHAPO_LIBRARY), built offline like bundle-library.sh does, then tagged
# manylinux2014 (glibc 2.17): the library is its only native file and needs nothing newer.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r bindings/python "$work/python"
rm -rf "$work/python/tests" "$work/python/build" "$work/python/dist" "$work/python"/*.egg-info \
    "$work/python"/alphapo/libalphapo.*
install -m 0755 "$stage/lib/libalphapo.so.$version" "$work/python/alphapo/libalphapo.so"
cp "${licenses[@]}" "$work/python/" # setuptools puts LICEN[CS]E* into the .dist-info
SOURCE_DATE_EPOCH=$mtime PIP_ROOT_USER_ACTION=ignore "$python" -m pip wheel --quiet \
    --no-build-isolation --no-deps --no-index -w "$work/wheel" "$work/python"
set -- "$work"/wheel/alphapo-*.whl
[ "$#" -eq 1 ] && [ -f "$1" ] || die "pip wheel did not build one wheel: $*"
(cd "$work/wheel" && "$python" -m wheel tags --remove --platform-tag manylinux2014_x86_64 "$(basename "$1")" >/dev/null)
wheel=alphapo-$version-py3-none-manylinux2014_x86_64.whl
[ -f "$work/wheel/$wheel" ] || die "no $wheel (is bindings/python's version $version?): $(ls "$work/wheel")"
mv "$work/wheel/$wheel" "dist/$wheel"
echo "scripts/dist.sh: wrote dist/$wheel"

# The PHP package: a Composer artifact archive. Composer's artifact repository reads
# composer.json at the archive's root and needs its "version" there.
php_zip=dist/alphapo-php-$version.zip
rm -f dist/alphapo-php-*.zip
"$python" - "$php_zip" "$version" "$mtime" "$stage/lib/libalphapo.so.$version" "${licenses[@]}" <<'PY'
import json, os, subprocess, sys, time, zipfile

out, version, mtime, library, licenses = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5:]
package = "bindings/php"
with open(os.path.join(package, "composer.json")) as f:
    composer = json.load(f)
# What `composer archive` leaves out (the archive.exclude list), and what git ignores.
excluded = [e.strip("/") for e in composer["archive"]["exclude"]]
tracked = subprocess.run(["git", "ls-files", "-z", "--", package], check=True,
                         capture_output=True).stdout.decode().split("\0")
files = {}
for path in filter(None, tracked):
    relative = os.path.relpath(path, package)
    if relative == "composer.json" or any(relative == e or relative.startswith(e + "/") for e in excluded):
        continue
    files[relative] = path
composer["version"] = version
entries = {"composer.json": (json.dumps(composer, indent=4).encode() + b"\n", 0o644)}
for relative, path in files.items():
    with open(path, "rb") as f:
        entries[relative] = (f.read(), 0o755 if os.access(path, os.X_OK) else 0o644)
with open(library, "rb") as f:
    entries["lib/libalphapo.so"] = (f.read(), 0o755)
with open(os.path.join(package, "alphapo_ffi.h"), "rb") as f:
    entries["lib/alphapo.h"] = (f.read(), 0o644)
for license in licenses:
    with open(license, "rb") as f:
        entries[license] = (f.read(), 0o644)
stamp = time.gmtime(max(mtime, 315532800))[:6]  # zip dates start in 1980
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for name in sorted(entries):
        data, mode = entries[name]
        info = zipfile.ZipInfo(name, stamp)
        info.external_attr = (0o100000 | mode) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, data)
PY
echo "scripts/dist.sh: wrote $php_zip"
