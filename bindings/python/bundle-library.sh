#!/usr/bin/env bash
# Builds a wheel of the Python package that bundles the built libalphapo
# (`make python-wheel`, after `make lib`).
#
#   bindings/python/bundle-library.sh [--keep]
#
# Copies target/release/libalphapo.so (.dylib on macOS) into bindings/python/alphapo/, builds
# a platform-tagged wheel (py3-none-<platform>) into bindings/python/dist/ without network
# (pip --no-build-isolation: needs setuptools >= 61, plus the `wheel` package below
# setuptools 70.1), then removes the copy again unless --keep is given: a stale copy inside
# the source tree would win over a newer target/release build when importing from source.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3}"
keep=0
[ "${1:-}" = "--keep" ] && keep=1

case "$(uname -s)" in
    Darwin) name=libalphapo.dylib ;;
    MINGW* | MSYS* | CYGWIN*) name=alphapo.dll ;;
    *) name=libalphapo.so ;;
esac
lib="$repo/target/release/$name"
if [ ! -f "$lib" ]; then
    echo "bundle-library.sh: $lib is missing; build it first (make lib, or cargo build --release)" >&2
    exit 1
fi
if ! "$python" -c 'import setuptools' >/dev/null 2>&1; then
    echo "bundle-library.sh: setuptools is missing for $python (pip install setuptools)" >&2
    exit 1
fi
if ! "$python" -c 'import setuptools.command.bdist_wheel' >/dev/null 2>&1 \
    && ! "$python" -c 'import wheel' >/dev/null 2>&1; then
    echo "bundle-library.sh: setuptools < 70.1 needs the wheel package (pip install wheel)" >&2
    exit 1
fi

copy="$here/alphapo/$name"
if [ "$keep" -eq 0 ]; then
    trap 'rm -f "$copy"' EXIT
fi
install -m 0755 "$lib" "$copy"
rm -rf "$here/build"
PIP_ROOT_USER_ACTION=ignore "$python" -m pip wheel --quiet --no-build-isolation --no-deps --no-index -w "$here/dist" "$here"
ls -1 "$here"/dist/alphapo-*.whl
