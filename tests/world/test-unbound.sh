#!/bin/sh
# test-unbound.sh - start the test world and Unbound iterating in it, check
# the world's misbehaving servers directly, then ask Unbound every
# question of expected.txt (check.py). This proves the world and the
# expected answers: it must pass whenever the tools are there.
#
# Skips (77) when not root (the world needs port 53) or when nsd, dig,
# unbound, flock or a python3 with dnspython is missing.
# WORLD_KEEP=1 keeps the state directory (configs, logs) after the test.
set -eu
WORLD_SRC=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/world/world.sh
. "$WORLD_SRC/world.sh"

need_root
need_tool unbound unbound
need_tool unbound-checkconf unbound
need_tool nsd nsd
need_tool dig bind9-dnsutils
find_python
world_lock

DIR=$(mktemp -d "${TMPDIR:-/tmp}/shoal-world.XXXXXX")
status=1
cleanup() {
	"$WORLD_SRC/stop.sh" "$DIR/world" || true
	if [ "$status" -ne 0 ]; then
		show_logs "$DIR/world"
	fi
	if [ "${WORLD_KEEP:-0}" = 1 ]; then
		wlog "state kept in $DIR"
	else
		rm -rf "$DIR"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

"$WORLD_SRC/start.sh" "$DIR/world"
start_unbound "$DIR/world" || wdie "Unbound did not start"

"$PY" "$WORLD_SRC/check.py" --servers \
    "tcponly=$(world_addr tcponly)" "noedns=$(world_addr noedns)" \
    "slow=$(world_addr slow)" "lame=$(world_addr lame)"
# www.noedns.test. is left out: see expected.txt.
"$PY" "$WORLD_SRC/check.py" --skip unbound "$WORLD_SRC/expected.txt" \
    "$UNBOUND_ADDR:$RESOLVER_PORT"
status=0
