#!/usr/bin/env bash
# The Python package's tests (`make test-python`, part of `make test`).
#
#   bindings/python/run-tests.sh [pytest arguments]
#
# 1. Installs pytest, and Flask, Django, FastAPI and uvicorn (the recipes' frameworks), with
#    pip when they are missing (and `wheel`, needed to build with a setuptools older than
#    70.1); fails loudly when that is impossible.
# 2. Installs the package from source into a temporary directory, offline
#    (pip --no-build-isolation --no-index): the install path users take is tested too.
# 3. Runs pytest on bindings/python/tests against that installed copy, with
#    ALPHAPO_LIBRARY=target/release/libalphapo.so. Nothing is started here: the tests start
#    the sandbox ($ALPHAPO_SANDBOX or target/release/examples/sandbox) and fail, never skip,
#    when it is missing.
# Exits non-zero when anything fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3}"

fail() {
    echo "bindings/python/run-tests.sh: $*" >&2
    exit 1
}

case "$(uname -s)" in
    Darwin) name=libalphapo.dylib ;;
    *) name=libalphapo.so ;;
esac
lib="$repo/target/release/$name"
sandbox="${ALPHAPO_SANDBOX:-$repo/target/release/examples/sandbox}"
[ -f "$lib" ] || fail "$lib is missing: run make lib (cargo build --release)"
[ -x "$sandbox" ] || fail "$sandbox is missing: run make sandbox (cargo build --release --example sandbox)"

"$python" -c 'import sys; assert sys.version_info >= (3, 9), sys.version' \
    || fail "$python is older than Python 3.9"

need() {  # need MODULE PACKAGE: import MODULE, installing PACKAGE with pip when missing
    if ! "$python" -c "import $1" >/dev/null 2>&1; then
        echo "installing $2 with pip"
        "$python" -m pip install --quiet --disable-pip-version-check "$2" \
            || fail "could not install $2 with pip"
        "$python" -c "import $1" || fail "$2 is still missing after pip install"
    fi
}
need pytest pytest
# The web frameworks of the callback recipes (examples/python/frameworks, tests/test_frameworks.py):
# the last releases that still run on Python 3.9.
need flask "Flask==3.1.3"
need django "Django==4.2.30"
need fastapi "fastapi==0.128.8"
need uvicorn "uvicorn==0.39.0"
"$python" -c 'import setuptools' >/dev/null 2>&1 \
    || fail "setuptools is missing for $python; it is needed to install the package offline"
if ! "$python" -c 'import setuptools.command.bdist_wheel' >/dev/null 2>&1; then
    need wheel wheel
fi

install_dir="$(mktemp -d "${TMPDIR:-/tmp}/alphapo-python-XXXXXX")"
trap 'rm -rf "$install_dir"' EXIT
PIP_ROOT_USER_ACTION=ignore "$python" -m pip install --quiet --disable-pip-version-check --no-build-isolation --no-deps \
    --no-index --target "$install_dir" "$here" \
    || fail "pip install of bindings/python failed"

export PIP_ROOT_USER_ACTION=ignore
export PYTHONPATH="$install_dir${PYTHONPATH:+:$PYTHONPATH}"
export ALPHAPO_LIBRARY="$lib"
export ALPHAPO_SANDBOX="$sandbox"
cd "$install_dir"  # never import the package from the working directory by accident
"$python" - "$install_dir" <<'PY' || fail "the installed package does not import"
import sys, alphapo
assert alphapo.__file__.startswith(sys.argv[1]), alphapo.__file__
print(f"alphapo {alphapo.__version__} from {alphapo.__file__}; libalphapo {alphapo.library_version()} from {alphapo.LIBRARY_PATH}")
PY
"$python" -m pytest -p no:cacheprovider --rootdir "$here" -c "$here/pyproject.toml" "$here/tests" "$@"
