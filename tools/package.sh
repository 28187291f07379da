#!/bin/sh
# Builds the Debian package (dpkg-buildpackage -us -uc -b) in a temporary
# copy of the tree, then checks it: lintian must report no error, every
# ELF file in it must pass hardening-check, its /etc/shoal/shoal.conf
# must be a conffile that shoald --check-config accepts and that sets the
# control socket the unit provides, and it must hold the unit, the
# sysusers.d and tmpfiles.d files and the man pages. Leaves the .deb, the
# .buildinfo and the .changes in _build/pkg/.
#
# Needs the packages tools/deps.sh installs. PKG_FROM_HEAD=1 packages the
# last commit (git archive) instead of the working tree.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/_build/pkg
for t in dpkg-buildpackage dh lintian hardening-check fakeroot readelf \
    objdump; do
	command -v "$t" >/dev/null 2>&1 || {
		echo "package.sh: $t is missing: run tools/deps.sh" >&2
		exit 1
	}
done
work=$(mktemp -d "${TMPDIR:-/tmp}/shoal-pkg.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$work/shoal
mkdir "$src"
if [ "${PKG_FROM_HEAD:-0}" = 1 ]; then
	git -C "$top" archive HEAD | tar -xf - -C "$src"
else
	(cd "$top" && tar -cf - --exclude=./.git --exclude=./_build \
	    --exclude=./autom4te.cache .) | tar -xf - -C "$src"
fi

echo "=== dpkg-buildpackage"
(cd "$src" && DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" \
    dpkg-buildpackage -us -uc -b)
mkdir -p "$out"
rm -f "$out"/shoal_* "$out"/shoal-dbgsym_*
cp "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes "$out"/
deb=$(ls "$out"/shoal_*.deb)
status=0

echo "=== lintian $deb"
lintian -I --fail-on error "$out"/shoal_*.changes | tee "$work/lintian" ||
    status=1
if grep -q '^E: ' "$work/lintian"; then
	echo "package.sh: lintian reports errors" >&2
	status=1
fi

# Every check of hardening-check but its control-flow one: that one wants
# the IBT and SHSTK property note, which the linker drops because Debian
# 12's C start files (crt1.o, crti.o, crtn.o) do not carry it, so that no
# executable of Debian 12 has it (nsd, systemd and ls fail it alike).
# shoal's objects are built with -fcf-protection and do carry it; what
# can be checked in the executables is the ENDBR64 landing pads it adds.
echo "=== hardening-check"
root=$work/root
dpkg-deb -x "$deb" "$root"
n=0
for f in $(find "$root" -type f | sort); do
	readelf -h "$f" >/dev/null 2>&1 || continue
	n=$((n + 1))
	hardening-check --nocfprotection "$f" || status=1
	if [ "$(dpkg-architecture -qDEB_HOST_ARCH)" = amd64 ] &&
	    ! objdump -d "$f" | grep -q endbr64; then
		echo " Control flow protection: no ENDBR64 in $f" >&2
		status=1
	fi
done
if [ $n -eq 0 ]; then
	echo "package.sh: no ELF file in $deb" >&2
	status=1
fi

echo "=== contents"
dpkg-deb -I "$deb" conffiles | grep -qx /etc/shoal/shoal.conf || {
	echo "package.sh: /etc/shoal/shoal.conf is no conffile" >&2
	status=1
}
grep -qx 'setControlSocket("/run/shoal/shoal.sock")' \
    "$root/etc/shoal/shoal.conf" || {
	echo "package.sh: shoal.conf does not set the control socket" >&2
	status=1
}
"$root/usr/sbin/shoald" --check-config -C "$root/etc/shoal/shoal.conf" ||
    status=1
for f in usr/sbin/shoald usr/sbin/shoalctl usr/libexec/shoal/shoal-worker \
    usr/libexec/shoal/shoal-cachesrv lib/systemd/system/shoal.service \
    usr/lib/sysusers.d/shoal.conf usr/lib/tmpfiles.d/shoal.conf \
    usr/share/man/man8/shoald.8.gz usr/share/man/man8/shoalctl.8.gz \
    usr/share/man/man5/shoal.conf.5.gz; do
	[ -e "$root/$f" ] || {
		echo "package.sh: /$f is missing from the package" >&2
		status=1
	}
done
dpkg-deb -I "$deb" postinst | grep -q systemd-sysusers || {
	echo "package.sh: postinst does not create the users" >&2
	status=1
}
if [ $status -ne 0 ]; then
	echo "package.sh: FAILED" >&2
	exit 1
fi
echo "package.sh: $deb: lintian clean of errors, $n ELF files hardened"
