#!/bin/sh
# Installs every Debian package shoal needs to build, test and package.
# Run as root on Debian 12 (bookworm).
set -eu
PKGS="build-essential autoconf automake pkg-config
libev-dev libssl-dev libsodium-dev liblua5.4-dev libprotobuf-c-dev
protobuf-c-compiler libsqlite3-dev libcap-ng-dev check libedit-dev
nsd knot-dnsutils dnsutils python3 python3-dnspython
clang libclang-rt-14-dev mandoc iproute2 procps psmisc
systemd strace util-linux debhelper dpkg-dev fakeroot devscripts lintian"
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: run as root (apt-get)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $PKGS
# NSD from the package starts a service where systemd runs; the tests
# start their own servers on 127.x addresses and need none.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
	systemctl disable --now nsd >/dev/null 2>&1 || true
fi
# The unprivileged user shoald runs as when started as root.
if ! getent passwd shoal >/dev/null; then
	useradd --system --user-group --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin shoal
fi
