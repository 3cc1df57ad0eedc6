#!/usr/bin/env bash
# make test-legacy: the dist/ artifacts on the real old stack and on the host's PHP, as a
# shop would install them. Needs root (debootstrap, chroot, mounts), `make dist`, the
# sandbox (target/release/examples/sandbox) and the host packages of make test-deps.
#
# 1. tests/legacy/root.sh builds (once; cached in .cache/legacy/, ignored by git) a Debian
#    bullseye root with its own PHP 7.4, php-fpm, nginx, Apache + mod_php 7.4, Python 3.9,
#    composer and phpunit 9.5; /proc and /dev are mounted into it while this runs.
# 2. Python 3.9: the dist/ wheel installed with pip into a bullseye venv runs the Python
#    package's tests (a copy of bindings/python/tests only: no checkout on sys.path, no
#    ALPHAPO_LIBRARY; the tests marked `checkout` need one and are left out).
# 3. PHP 7.4: the dist/ zip installed with bullseye's composer from a local artifact
#    repository into a fresh project; the PHP suite, copied into it, runs with bullseye's
#    phpunit against vendor/ (the @group checkout tests are left out).
# 4. php-fpm 7.4 + nginx, Apache 2.4 + mod_php 7.4 (prefork) in the root, and php-fpm 8.2 +
#    nginx on the host: examples/php/fpm/ (the documented recipe: preload, pool, server
#    configurations) on that project, checked by tests/legacy/load.py (real sandbox
#    callbacks verified, 1000 requests from 8 clients with 0 errors, worker RSS steady).
# The suites start their own sandboxes inside the root: the host's sandbox binary with the
# host's loader and libc copied next to it (it is a test tool built on the host, not under
# test). The web server checks use one sandbox on the host (loopback is shared). Ports are
# picked free on 127.0.0.1; every service is stopped and everything unmounted on exit.
# Prints `legacy checks: N passed, N failed`; any failure fails the run.
set -euo pipefail
cd "$(dirname "$0")/../.."

die() {
    echo "tests/legacy/run.sh: ERROR: $*" >&2
    exit 1
}
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mounts)"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
wheel=dist/alphapo-$version-py3-none-manylinux2014_x86_64.whl
php_zip=dist/alphapo-php-$version.zip
sandbox=${ALPHAPO_SANDBOX:-target/release/examples/sandbox}
for file in "$wheel" "$php_zip"; do [ -f "$file" ] || die "missing $file: run make dist"; done
[ -x "$sandbox" ] || die "missing $sandbox: run make sandbox"
for tool in php-fpm8.2 nginx composer python3; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is missing on the host (make test-deps)"
done

root=${ALPHAPO_LEGACY_ROOT:-.cache/legacy/bullseye}
started=$(date +%s)
bash tests/legacy/root.sh "$root"
root=$(realpath "$root")
echo "tests/legacy/run.sh: bullseye root ready after $(($(date +%s) - started)) s"

key=legacy-key
secret=legacy-secret-$$
srv=/srv/alphapo # inside the root
host_run=$(mktemp -d "${TMPDIR:-/tmp}/alphapo-legacy-XXXXXX")
chmod 0755 "$host_run"
mounts=()
pidfiles=()
sandbox_pid=

stop_pidfile() { # PIDFILE: TERM the process it names (a master we started), wait for it
    local pid
    pid=$(cat "$1" 2>/dev/null) || return 0
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
    local i
    for ((i = ${#pidfiles[@]} - 1; i >= 0; i--)); do stop_pidfile "${pidfiles[i]}"; done
    if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount "${mounts[i]}" || umount -l "${mounts[i]}" || true; done
    rm -rf "$host_run"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mount -t proc proc "$root/proc" && mounts+=("$root/proc")
mount --bind /dev "$root/dev" && mounts+=("$root/dev")

inroot() { # COMMAND...: run inside the root as root, with a clean environment
    chroot "$root" env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root \
        LC_ALL=C.UTF-8 "$@"
}
onhost() { env "$@"; }

passed=0
failed=0
check() { # DESCRIPTION COMMAND...: runs the command, counts and reports the result
    local what=$1 t0=$SECONDS
    shift
    echo "---- $what"
    if "$@"; then
        passed=$((passed + 1))
        echo "ok   $what ($((SECONDS - t0)) s)"
    else
        failed=$((failed + 1))
        echo "FAIL $what ($((SECONDS - t0)) s)" >&2
    fi
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The work tree inside the root, fresh each run.
rm -rf "$root$srv"
mkdir -p "$root$srv/dist" "$root$srv/artifacts" "$root$srv/sandbox"
cp "$wheel" "$root$srv/dist/"
cp "$php_zip" "$root$srv/artifacts/"
# The sandbox for the suites: the host binary with the host's loader and libraries.
for file in "$sandbox" $(ldd "$sandbox" | awk '/=>/ { print $3 } /ld-linux/ { print $1 }'); do
    cp -L "$file" "$root$srv/sandbox/"
done
[ -f "$root$srv/sandbox/ld-linux-x86-64.so.2" ] || die "no ld-linux-x86-64.so.2 among the sandbox's libraries"
cat >"$root$srv/sandbox/run" <<SH
#!/bin/sh
exec $srv/sandbox/ld-linux-x86-64.so.2 --library-path $srv/sandbox $srv/sandbox/$(basename "$sandbox") "\$@"
SH
chmod 0755 "$root$srv/sandbox/run"

python_suite() {
    cp -r bindings/python/tests "$root$srv/python-tests"
    find "$root$srv/python-tests" -name __pycache__ -prune -exec rm -rf {} +
    inroot sh -ec "
        python3 -m venv --system-site-packages $srv/venv
        $srv/venv/bin/pip install --quiet --no-index --no-deps $srv/dist/$(basename "$wheel")
        cd $srv/python-tests
        $srv/venv/bin/python -c 'import sys, alphapo; assert sys.version_info[:2] == (3, 9), sys.version; assert alphapo.__file__.startswith(\"$srv/venv/\") and str(alphapo.LIBRARY_PATH).startswith(\"$srv/venv/\"), (alphapo.__file__, alphapo.LIBRARY_PATH)'
        ALPHAPO_SANDBOX=$srv/sandbox/run $srv/venv/bin/python -m pytest -p no:cacheprovider -q -m 'not checkout' .
    "
}
check "Python 3.9 (bullseye): the dist/ wheel in a venv runs the package's tests" python_suite

composer_project() { # RUN DIR ARTIFACTS: a fresh Composer project requiring the package
    local run=$1 dir=$2 artifacts=$3
    mkdir -p "$dir"
    cat >"$dir/composer.json" <<JSON
{
    "name": "shop/legacy-test",
    "description": "A fresh project that installs alphapo/alphapo from dist/ (tests/legacy)",
    "repositories": [
        {"type": "artifact", "url": "$artifacts"},
        {"packagist.org": false}
    ],
    "require": {"alphapo/alphapo": "$version"}
}
JSON
}
php_suite() {
    composer_project inroot "$root$srv/shop" "$srv/artifacts"
    inroot sh -ec "cd $srv/shop && COMPOSER_ALLOW_SUPERUSER=1 composer install --no-interaction --no-progress --quiet"
    cp -r bindings/php/tests "$root$srv/shop/tests"
    cp bindings/php/phpunit.xml.dist "$root$srv/shop/"
    inroot sh -ec "
        cd $srv/shop
        php -r 'require \"vendor/autoload.php\"; \$l = AlphaPo\Internal\Native::locate()[0];
            if (\$l !== \"$srv/shop/vendor/alphapo/alphapo/lib/libalphapo.so\") { fwrite(STDERR, \"loads \$l\n\"); exit(1); }
            echo \"PHP \", PHP_VERSION, \": vendor/autoload.php loads \$l\n\";'
        ALPHAPO_SANDBOX=$srv/sandbox/run phpunit --configuration phpunit.xml.dist --exclude-group checkout
    "
}
check "PHP 7.4 (bullseye): the dist/ zip installed with composer runs the PHP suite (phpunit 9.5)" php_suite

# The host's sandbox for the web servers.
"$sandbox" --listen 127.0.0.1:0 --key "$key" --secret "$secret" --callback-time-scale 0.001 \
    >"$host_run/sandbox.out" 2>"$host_run/sandbox.err" &
sandbox_pid=$!
for _ in $(seq 100); do grep -q . "$host_run/sandbox.out" 2>/dev/null && break; sleep 0.1; done
first=$(head -n 1 "$host_run/sandbox.out")
case "$first" in
    "listening on http://"*/api/v2) base_url=${first#listening on } ;;
    *) die "the sandbox did not start: '$first' $(cat "$host_run/sandbox.err")" ;;
esac
origin=${base_url%/api/v2}

render() { # TEMPLATE OUT APP RUN PORT: a file of examples/php/fpm with its placeholders set
    sed -e "s|@APP@|$3|g" -e "s|@RUN@|$4|g" -e "s|@PORT@|$5|g" -e "s|@KEY@|$key|g" \
        -e "s|@SECRET@|$secret|g" -e "s|@BASE_URL@|$base_url|g" \
        -e "s|@CALLBACK_LOG@|$4/callbacks.jsonl|g" -e "s|@PACKAGE@|$3/vendor/alphapo/alphapo|g" \
        "examples/php/fpm/$1" >"$2"
    if grep '@[A-Z_]*@' "$2" >&2; then
        echo "^ an unreplaced placeholder in $2" >&2
        return 1
    fi
}
wait_port() { # PORT: until something listens on 127.0.0.1:PORT (10 s)
    for _ in $(seq 100); do
        python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listens on 127.0.0.1:$1" >&2
    return 1
}
clean_log() { # FILE...: no PHP message, server warning or error, or failed preload in the logs
    # (php-fpm logs a worker's PHP messages as "NOTICE: PHP message: PHP Warning: ...".
    # Apache's AH00161 "server reached MaxRequestWorkers" only says all 8 children were busy
    # with the 8 clients at once: the connection waits, and load.py counts any failure.)
    if grep -i -E 'PHP (warning|fatal|parse|notice|deprecated)|alphapo preload|(warning|error|alert):|:(warn|error|crit|alert|emerg)\]' "$@" \
        | grep -v 'AH00161' >&2; then
        echo "^ in $*" >&2
        return 1
    fi
}

# web_stack KIND IN HOST_ROOT APP RUN PHP_FPM: the project at APP (its public/ from
# examples/php/fpm), the run directory RUN (paths as the servers see them; HOST_ROOT
# prefixes them on the host), KIND fpm (PHP_FPM + nginx) or apache; IN runs a command there.
web_stack() {
    local kind=$1 in=$2 host_root=$3 app=$4 run=$5 php_fpm=${6:-} port master
    port=$(free_port)
    mkdir -p "$host_root$run/conf.d"
    cp -r examples/php/fpm/public "$host_root$app/public"
    render alphapo.ini "$host_root$run/conf.d/99-alphapo.ini" "$app" "$run" "$port" || return 1
    "$in" sh -ec "cd $app && php vendor/bin/alphapo-install-lib >/dev/null && touch $run/callbacks.jsonl && chown www-data $run/callbacks.jsonl" || return 1
    if [ "$kind" = fpm ]; then
        render php-fpm.conf "$host_root$run/php-fpm.conf" "$app" "$run" "$port" \
            && render nginx.conf "$host_root$run/nginx.conf" "$app" "$run" "$port" || return 1
        pidfiles+=("$host_root$run/php-fpm.pid")
        # Preloading happens before php-fpm opens its error_log: its messages go to stderr.
        "$in" PHP_INI_SCAN_DIR=":$run/conf.d" "$php_fpm" -y "$run/php-fpm.conf" \
            >"$host_root$run/php-fpm-start.log" 2>&1 || { cat "$host_root$run/php-fpm-start.log" >&2; return 1; }
        pidfiles+=("$host_root$run/nginx.pid")
        "$in" nginx -c "$run/nginx.conf" >"$host_root$run/nginx-start.log" 2>&1 \
            || { cat "$host_root$run/nginx-start.log" >&2; return 1; }
        master=$host_root$run/php-fpm.pid
    else
        render apache.conf "$host_root$run/apache.conf" "$app" "$run" "$port" || return 1
        pidfiles+=("$host_root$run/apache.pid")
        "$in" PHP_INI_SCAN_DIR=":$run/conf.d" apache2 -f "$run/apache.conf" \
            >"$host_root$run/apache-start.log" 2>&1 || { cat "$host_root$run/apache-start.log" >&2; return 1; }
        master=$host_root$run/apache.pid
    fi
    wait_port "$port" || return 1
    for _ in $(seq 50); do [ -s "$master" ] && break; sleep 0.1; done
    sleep 0.5 # the workers fork after the pid file
    python3 tests/legacy/load.py --server "http://127.0.0.1:$port" --sandbox "$origin" \
        --master-pid "$(cat "$master")" --log "$host_root$run/callbacks.jsonl" \
        --key "$key" --secret "$secret" --requests 1000 --clients 8 || return 1
    clean_log "$host_root$run"/*.log
}

php_fpm_74() {
    web_stack fpm inroot "$root" "$srv/shop" "$srv/run-fpm" php-fpm7.4
}
check "php-fpm 7.4 + nginx (bullseye), preload recipe, pool www-data: 1000 requests, callbacks, RSS" php_fpm_74
apache_74() {
    rm -rf "$root$srv/shop/public"
    web_stack apache inroot "$root" "$srv/shop" "$srv/run-apache"
}
check "Apache 2.4 + mod_php 7.4 prefork (bullseye), preload recipe: 1000 requests, callbacks, RSS" apache_74
php_fpm_82() {
    local app=$host_run/shop
    mkdir -p "$host_run/artifacts"
    cp "$php_zip" "$host_run/artifacts/"
    composer_project onhost "$app" "$host_run/artifacts"
    (cd "$app" && COMPOSER_ALLOW_SUPERUSER=1 composer install --no-interaction --no-progress --quiet) || return 1
    php -r 'exit(PHP_MAJOR_VERSION === 8 && PHP_MINOR_VERSION === 2 ? 0 : 1);' || { echo "the host's php is not 8.2" >&2; return 1; }
    web_stack fpm onhost "" "$app" "$host_run/run-fpm" php-fpm8.2
}
check "php-fpm 8.2 + nginx (host), preload recipe, pool www-data: 1000 requests, callbacks, RSS" php_fpm_82

echo "legacy checks: $passed passed, $failed failed ($(($(date +%s) - started)) s)"
[ "$failed" -eq 0 ]
