#!/bin/sh
# systemd-analyze verify on the built unit, with its programs taken from
# the build tree (verify wants them to exist): any message fails, since
# verify reports unknown or misspelt settings on stderr and still exits
# 0. A copy with a misspelt setting must draw a message, which shows the
# check can fail. Exit 77 without systemd-analyze.
: "${SHOAL_BUILDDIR:?run under make check or set SHOAL_BUILDDIR}"
unit=$SHOAL_BUILDDIR/systemd/shoal.service
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "unit-verify: SKIP: systemd-analyze is missing"
	exit 77
fi
[ -s "$unit" ] || { echo "unit-verify: FAIL: $unit was not built"; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/shoal-unit-verify.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
mkdir "$T/good" "$T/bad"
# The unit's name must stay shoal.service; only the program paths move.
sed "s|=\(!*\)/[^ ]*/shoald |=\1$SHOAL_BUILDDIR/shoald |" "$unit" \
    >"$T/good/shoal.service"
sed 's/^ProtectSystem=/ProtectSytem=/' "$T/good/shoal.service" \
    >"$T/bad/shoal.service"
grep '^Exec' "$T/good/shoal.service"
out=$(systemd-analyze verify --man=no "$T/bad/shoal.service" 2>&1)
if [ -z "$out" ]; then
	echo "unit-verify: FAIL: a misspelt setting drew no message"
	exit 1
fi
out=$(systemd-analyze verify --man=no "$T/good/shoal.service" 2>&1)
rc=$?
if [ $rc -ne 0 ] || [ -n "$out" ]; then
	echo "unit-verify: FAIL (status $rc):"
	printf '%s\n' "$out"
	exit 1
fi
echo "unit-verify: clean"
