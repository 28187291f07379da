#!/bin/sh
# systemd-analyze security --offline on the built unit: its overall
# exposure must be 2.0 or less ("OK" or better). The same unit without
# its sandboxing must rate worse, which shows the level is read right.
# Exit 77 without systemd-analyze (Debian package systemd; no running
# systemd is needed).
: "${SHOAL_BUILDDIR:?run under make check or set SHOAL_BUILDDIR}"
MAX=2.0
unit=$SHOAL_BUILDDIR/systemd/shoal.service
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "unit-security: SKIP: systemd-analyze is missing"
	exit 77
fi
[ -s "$unit" ] || { echo "unit-security: FAIL: $unit was not built"; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/shoal-unit-security.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT

# exposure UNIT: prints the overall exposure level, or nothing.
exposure() {
	systemd-analyze security --offline=yes --no-pager "$1" >"$T/out" 2>&1
	# "→ Overall exposure level for shoal.service: 1.8 OK 🙂"
	sed -n 's/.*Overall exposure level for [^:]*: *\([0-9][0-9.]*\).*/\1/p' \
	    "$T/out"
}

# le A B: A <= B, as decimals.
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }

level=$(exposure "$unit")
grep -v '^✓' "$T/out"
if [ -z "$level" ]; then
	echo "unit-security: FAIL: no exposure level"
	exit 1
fi
mkdir "$T/bare"
grep -v -e '^Protect' -e '^Private' -e '^Restrict' -e '^SystemCall' \
    -e '^Capability' -e '^NoNewPrivileges' -e '^MemoryDeny' \
    -e '^LockPersonality' "$unit" >"$T/bare/shoal.service"
bare=$(exposure "$T/bare/shoal.service")
if [ -z "$bare" ] || le "$bare" "$MAX"; then
	echo "unit-security: FAIL: without sandboxing the unit rates" \
	    "'$bare': the level is not read right"
	exit 1
fi
if le "$level" "$MAX"; then
	echo "unit-security: exposure $level <= $MAX (without sandboxing $bare)"
	exit 0
fi
echo "unit-security: FAIL: exposure $level > $MAX"
exit 1
