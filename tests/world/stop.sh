#!/bin/sh
# stop.sh - stop the test world started by start.sh DIR, by its pid files
# (and anything else that left a pid file in a subdirectory of DIR, such
# as the resolvers the test scripts start). Each process gets TERM, then
# KILL if it is still there after five seconds.
#
# Usage: tests/world/stop.sh DIR
set -eu
WORLD_SRC=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/world/world.sh
. "$WORLD_SRC/world.sh"

[ $# -eq 1 ] || wdie "usage: stop.sh DIR"
[ -d "$1" ] || exit 0
for f in "$1"/*/pid; do
	[ -f "$f" ] || continue
	stop_pidfile "$f"
done
