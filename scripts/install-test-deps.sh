#!/bin/sh
# Installs the system packages the test suite runs against (real servers, not mocks).
# Idempotent: installed packages are left alone. As root it installs what is missing; as
# anyone else it names what is missing and exits 1.
set -eu

# One Debian package per line; later needs (postgresql, chromium) are added here.
PACKAGES="
dovecot-imapd
openssl
systemd
chromium
postgresql
"

is_installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = "installed" ]
}

missing=""
for package in $PACKAGES; do
    is_installed "$package" || missing="$missing $package"
done

if [ -z "$missing" ]; then
    echo "test dependencies present:" $PACKAGES
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "missing test dependencies:$missing" >&2
    echo "install them as root: apt-get install -y$missing   (or run: sudo make test)" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086  # word splitting of the package list is intended
apt-get install -y -q --no-install-recommends $missing
echo "installed test dependencies:$missing"
