#!/usr/bin/env bash
# The Debian bullseye (Debian 11) root of the legacy stage, built once and cached:
#
#   tests/legacy/root.sh DIR
#
# Builds DIR with `debootstrap --variant=minbase bullseye` from deb.debian.org and installs
# bullseye's own PHP 7.4 (cli, fpm, opcache, FFI), nginx, Apache 2.4 with mod_php 7.4,
# Python 3.9 with venv and pytest, composer and phpunit 9.5. Services are never started by
# the package scripts (policy-rc.d). DIR/.alphapo-root records the package list; a DIR
# without it (an interrupted build) or with another list is rebuilt from scratch. Meant to
# be called by tests/legacy/run.sh (as root); fails loudly. ALPHAPO_DEBIAN_MIRROR overrides
# the mirror (default http://deb.debian.org/debian).
set -euo pipefail

die() {
    echo "tests/legacy/root.sh: ERROR: $*" >&2
    exit 1
}
[ "$#" -eq 1 ] || die "usage: tests/legacy/root.sh DIR"
[ "$(id -u)" -eq 0 ] || die "debootstrap and chroot need root"
dir=$1
mirror=${ALPHAPO_DEBIAN_MIRROR:-http://deb.debian.org/debian}
packages=(php7.4-cli php7.4-fpm php7.4-opcache php7.4-zip libapache2-mod-php7.4 apache2 nginx
    python3 python3-venv python3-pytest composer phpunit tinyproxy unzip ca-certificates)
stamp="bullseye minbase: ${packages[*]}"

if [ -f "$dir/.alphapo-root" ] && [ "$(cat "$dir/.alphapo-root")" = "$stamp" ]; then
    exit 0
fi
command -v debootstrap >/dev/null 2>&1 || die "debootstrap is missing (make test-deps)"
build=$dir.build
# Nothing may stay mounted inside a tree that is about to be deleted.
for tree in "$build" "$dir"; do
    if [ -d "$tree" ] && grep -q " $(realpath "$tree")/" /proc/mounts; then
        die "$tree has mounts ($(grep " $(realpath "$tree")/" /proc/mounts | awk '{print $2}' | tr '\n' ' ')): unmount them first"
    fi
done
rm -rf "$build" "$dir"
mkdir -p "$(dirname "$dir")"
echo "tests/legacy/root.sh: debootstrap bullseye into $dir ($mirror)"
debootstrap --variant=minbase bullseye "$build" "$mirror" >"$build.log" 2>&1 \
    || { tail -n 30 "$build.log" >&2; die "debootstrap failed (log above)"; }
rm -f "$build.log"

# No service starts inside the root while packages install.
printf '#!/bin/sh\nexit 101\n' >"$build/usr/sbin/policy-rc.d"
chmod 0755 "$build/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$build/etc/resolv.conf"
mount -t proc proc "$build/proc"
trap 'umount "$build/proc"' EXIT
echo "tests/legacy/root.sh: apt-get install ${packages[*]}"
chroot "$build" env DEBIAN_FRONTEND=noninteractive LC_ALL=C apt-get -q update >/dev/null \
    || die "apt-get update in the bullseye root failed"
chroot "$build" env DEBIAN_FRONTEND=noninteractive LC_ALL=C \
    apt-get install -y -q --no-install-recommends "${packages[@]}" >"$dir.apt.log" 2>&1 \
    || { tail -n 30 "$dir.apt.log" >&2; die "apt-get install in the bullseye root failed (log above)"; }
rm -f "$dir.apt.log"
chroot "$build" apt-get clean
umount "$build/proc"
trap - EXIT
echo "$stamp" >"$build/.alphapo-root"
mv "$build" "$dir"
echo "tests/legacy/root.sh: bullseye root ready in $dir"
