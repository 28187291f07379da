#!/bin/sh
# start.sh - start the recursor test world: seven NSD and three Python
# authoritative servers, each on port 53 of its own 127.77.x.y address
# (the table is in world.sh, the zones in zones/, the story in README.md).
#
# Usage: tests/world/start.sh DIR
#
# DIR (created if needed) receives root.hints (the world's root, for a
# resolver's hint file) and one subdirectory per server with its rendered
# configuration, log and pid file; tests/world/stop.sh DIR stops them all.
# It returns once every server answers (bounded wait). On any failure it
# stops what it started and exits 1; it exits 77 (skip) when not root or
# when nsd, dig or a python3 with dnspython is missing.
set -eu
WORLD_SRC=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/world/world.sh
. "$WORLD_SRC/world.sh"

[ $# -eq 1 ] || wdie "usage: start.sh DIR"
need_root
need_tool nsd nsd
need_tool nsd-checkconf nsd
need_tool dig bind9-dnsutils
find_python
mkdir -p "$1"
DIR=$(cd "$1" && pwd)

# On failure, stop whatever is already up.
started=0
cleanup() {
	if [ "$started" -eq 0 ]; then
		"$WORLD_SRC/stop.sh" "$DIR" || true
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# start_nsd NAME ADDR ORIGINS: render the NSD config and start it; it
# daemonizes and writes its pid file itself.
start_nsd() {
	d=$DIR/$1
	mkdir -p "$d"
	rm -f "$d/zone.list" "$d/xfrd.state" "$d/pid"
	render "$WORLD_SRC/nsd.conf.in" "$d/nsd.conf" "NAME=$1" "ADDR=$2" \
	    "DIR=$d" "ZONESDIR=$WORLD_SRC/zones" ||
	    wdie "cannot render $d/nsd.conf"
	for z in $3; do
		printf 'zone:\n    name: "%s"\n    zonefile: "%s"\n' \
		    "$z" "$(zone_file "$z")" >>"$d/nsd.conf"
	done
	nsd-checkconf "$d/nsd.conf" || wdie "bad NSD config $d/nsd.conf"
	nsd -c "$d/nsd.conf" || wdie "nsd $1 did not start (see $d/nsd.log)"
}

# start_py NAME ADDR ORIGINS: start authsrv.py in the mode NAME.
start_py() {
	d=$DIR/$1
	mkdir -p "$d"
	zones=""
	for z in $3; do
		zones="$zones $z.=$WORLD_SRC/zones/$(zone_file "$z")"
	done
	# $zones is split on purpose: one ORIGIN=FILE argument per zone.
	# shellcheck disable=SC2086
	"$PY" "$WORLD_SRC/authsrv.py" --addr "$2" --mode "$1" \
	    --pidfile "$d/pid" $zones </dev/null >"$d/log" 2>&1 &
	echo $! >"$d/pid"
}

# probe NAME ADDR ORIGINS: wait until the server answers for its first
# zone (the lame one refuses everything).
probe() {
	# shellcheck disable=SC2086
	set -- "$1" "$2" $3
	if [ $# -eq 2 ]; then
		wait_dns "$2" 53 . SOA REFUSED +norec ||
		    wdie "$1 on $2 does not answer"
	else
		wait_dns "$2" 53 "$3" SOA NOERROR +norec +noedns ||
		    wdie "$1 on $2 does not answer $3 SOA"
	fi
}

# each LIST FUNCTION: call FUNCTION NAME ADDR ORIGINS for each line.
each() {
	printf '%s\n' "$1" | while IFS=: read -r n a z; do
		"$2" "$n" "$a" "$z" || exit 1
	done
}

check_free() {
	if answers "$2" 53; then
		wdie "$2:53 already answers: is a world already running?"
	fi
}

each "$WORLD_NSD" check_free
each "$WORLD_PY" check_free
each "$WORLD_NSD" start_nsd
each "$WORLD_PY" start_py
each "$WORLD_NSD" probe
each "$WORLD_PY" probe

cat >"$DIR/root.hints" <<EOF
; The test world's root hints (tests/world/start.sh), in the format of
; IANA's named.root.
.                        3600000      NS    A.ROOT-SERVERS.
A.ROOT-SERVERS.          3600000      A     $WORLD_ROOT_ADDR
EOF
started=1
wlog "up: hints in $DIR/root.hints"
