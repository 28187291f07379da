#!/bin/sh
# test-shoal.sh - start the test world, shoald with its built-in recursor
# (shoal.conf.in) and Unbound; ask shoald every question of expected.txt
# and compare each of its answers with Unbound's (check.py --compare).
#
# A configuration shoald rejects, a shoald that does not answer or
# answers wrongly is a failure; like the world, the test skips (77) when
# not root or when a tool is missing.
# WORLD_KEEP=1 keeps the state directory (configs, logs) after the test.
set -eu
WORLD_SRC=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/world/world.sh
. "$WORLD_SRC/world.sh"

[ -n "${SHOAL_BUILDDIR:-}" ] || wdie "SHOAL_BUILDDIR is not set"
SHOALD=$SHOAL_BUILDDIR/shoald
[ -x "$SHOALD" ] || wdie "$SHOALD is not built"
# shoald starts its children from here (make check sets it too).
SHOAL_LIBEXECDIR=${SHOAL_LIBEXECDIR:-$SHOAL_BUILDDIR}
export SHOAL_LIBEXECDIR

DIR=$(mktemp -d "${TMPDIR:-/tmp}/shoal-world.XXXXXX")
status=1
cleanup() {
	if [ -d "$DIR/world" ]; then
		"$WORLD_SRC/stop.sh" "$DIR/world" || true
		if [ "$status" -ne 0 ]; then
			show_logs "$DIR/world"
		fi
	fi
	if [ "${WORLD_KEEP:-0}" = 1 ]; then
		wlog "state kept in $DIR"
	else
		rm -rf "$DIR"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

need_root
need_tool unbound unbound
need_tool unbound-checkconf unbound
need_tool nsd nsd
need_tool dig bind9-dnsutils
find_python
world_lock

W=$DIR/world
"$WORLD_SRC/start.sh" "$W"
# The configuration (its hint file is the world's root.hints).
mkdir -p "$W/shoal"
render "$WORLD_SRC/shoal.conf.in" "$W/shoal/shoal.conf" \
    "ADDR=$SHOAL_ADDR" "PORT=$RESOLVER_PORT" "DIR=$W/shoal" \
    "HINTS=$W/root.hints" || wdie "cannot render shoal.conf"
if ! "$SHOALD" --check-config --config "$W/shoal/shoal.conf" \
    >"$W/shoal/check-config.log" 2>&1; then
	cat "$W/shoal/check-config.log" >&2
	wdie "shoald --check-config rejects $W/shoal/shoal.conf"
fi
start_unbound "$W" || wdie "Unbound did not start"
if answers "$SHOAL_ADDR" "$RESOLVER_PORT"; then
	wdie "$SHOAL_ADDR:$RESOLVER_PORT already answers"
fi
"$SHOALD" --config "$W/shoal/shoal.conf" </dev/null >"$W/shoal/log" 2>&1 &
echo $! >"$W/shoal/pid"
wait_dns "$SHOAL_ADDR" "$RESOLVER_PORT" . SOA NOERROR ||
    wdie "shoald does not resolve . SOA on $SHOAL_ADDR:$RESOLVER_PORT"

# Every question against expected.txt; the comparison with Unbound leaves
# out the questions Unbound is known to answer differently (see
# expected.txt).
"$PY" "$WORLD_SRC/check.py" --compare "$UNBOUND_ADDR:$RESOLVER_PORT" \
    --compare-skip unbound "$WORLD_SRC/expected.txt" \
    "$SHOAL_ADDR:$RESOLVER_PORT"
status=0
