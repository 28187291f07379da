# shellcheck shell=sh disable=SC2034
# world.sh - shared by start.sh, stop.sh and the test scripts (sourced,
# POSIX sh). Set WORLD_SRC to the directory of this file before sourcing.
#
# The world: every server listens on port 53 of its own 127.77.x.y address
# (a resolver's NS addresses carry no port). One NSD process per address,
# so that a resolver really iterates from server to server.
#
#   name         address      serves
#   root         127.77.0.1   .
#   tld-test     127.77.1.1   test.
#   tld-example  127.77.1.2   example.
#   auth1        127.77.2.1   one.test. glueless.test. g1.test.
#                             lame1.test. diff.test.
#   auth2        127.77.2.2   two.example. target.example. hosts.example.
#                             g2.example.
#   auth3        127.77.2.3   three.test. g3.test. wild.test. diff.test.
#   lame         127.77.5.1   nothing: REFUSED to every question
#   tcponly      127.77.4.1   tcponly.test. (authsrv.py --mode tcponly)
#   noedns       127.77.4.2   noedns.test.  (authsrv.py --mode noedns)
#   slow         127.77.4.3   slow.test.    (authsrv.py --mode slow)
#
# The resolvers under test listen on 127.77.8.x:53053 (test scripts).

WORLD_NSD="root:127.77.0.1:.
tld-test:127.77.1.1:test
tld-example:127.77.1.2:example
auth1:127.77.2.1:one.test glueless.test g1.test lame1.test diff.test
auth2:127.77.2.2:two.example target.example hosts.example g2.example
auth3:127.77.2.3:three.test g3.test wild.test diff.test
lame:127.77.5.1:"
WORLD_PY="tcponly:127.77.4.1:tcponly.test
noedns:127.77.4.2:noedns.test
slow:127.77.4.3:slow.test"
WORLD_ROOT_ADDR=127.77.0.1
UNBOUND_ADDR=127.77.8.1
SHOAL_ADDR=127.77.8.2
RESOLVER_PORT=53053
# How long one test may wait for another one's world to go away.
WORLD_LOCK_WAIT=120

wlog() {
	echo "world: $*" >&2
}

wdie() {
	echo "world: $*" >&2
	exit 1
}

# wskip MESSAGE: exit 77, the automake code for a skipped test.
wskip() {
	echo "world: SKIP: $*" >&2
	exit 77
}

# need_tool COMMAND PACKAGE: skip when COMMAND is missing.
need_tool() {
	command -v "$1" >/dev/null 2>&1 ||
	    wskip "$1 not found (Debian package $2)"
}

# need_root: port 53 on 127.77.x.y needs root.
need_root() {
	[ "$(id -u)" -eq 0 ] ||
	    wskip "the world listens on port 53 and needs root"
}

# find_python: sets PY to a python3 that has dnspython. Tries $PYTHON,
# python3 on the PATH, then Debian's own interpreter (python3-dnspython
# installs into it, a PATH python3 may be another one).
find_python() {
	for PY in "${PYTHON:-}" python3 /usr/bin/python3; do
		[ -n "$PY" ] || continue
		if "$PY" -c 'import dns.message, dns.zone' >/dev/null 2>&1; then
			return 0
		fi
	done
	wskip "no python3 with dnspython (Debian package python3-dnspython)"
}

# zone_file ORIGIN: the file name of a zone under zones/.
zone_file() {
	if [ "$1" = "." ]; then
		echo root.zone
	else
		echo "$1.zone"
	fi
}

# world_lock: serialise the tests that start the world (they share its
# addresses, also across build directories); the lock lasts as long as
# the calling shell. Needs flock (util-linux).
world_lock() {
	need_tool flock util-linux
	exec 9>"${TMPDIR:-/tmp}/shoal-world.lock"
	flock -w "$WORLD_LOCK_WAIT" 9 ||
	    wdie "another test world did not go away in ${WORLD_LOCK_WAIT}s"
}

# wait_dns ADDR PORT NAME TYPE STATUS [DIGOPTS]: wait (at most about ten
# seconds) until ADDR:PORT answers NAME TYPE with status STATUS.
wait_dns() {
	_addr=$1 _port=$2 _name=$3 _type=$4 _status=$5
	shift 5
	_i=0
	while [ $_i -lt 20 ]; do
		if dig @"$_addr" -p "$_port" +tries=1 +time=2 "$@" \
		    "$_name" "$_type" 2>/dev/null |
		    grep -q "status: $_status,"; then
			return 0
		fi
		sleep 0.25
		_i=$((_i + 1))
	done
	return 1
}

# answers ADDR PORT: true when something answers DNS on ADDR:PORT now.
answers() {
	dig @"$1" -p "$2" +tries=1 +time=1 +noedns . SOA 2>/dev/null |
	    grep -q 'status: '
}

# alive PID: true while PID runs. A zombie counts as gone: it holds no
# socket any more, and who reaps it (init, for a daemon) may take its time.
alive() {
	_st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $_st in
	'' | Z*) return 1 ;;
	esac
	return 0
}

# stop_pidfile FILE: TERM the process in FILE, wait for it (bounded),
# KILL it if it stays, and remove FILE.
stop_pidfile() {
	_pid=$(cat "$1" 2>/dev/null) || return 0
	case $_pid in
	'' | *[!0-9]*)
		rm -f "$1"
		return 0
		;;
	esac
	if ! kill "$_pid" 2>/dev/null; then
		rm -f "$1"
		return 0
	fi
	_i=0
	while alive "$_pid" && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	if alive "$_pid"; then
		wlog "pid $_pid ignored TERM, killing it"
		kill -9 "$_pid" 2>/dev/null || true
	fi
	rm -f "$1"
}

# render TEMPLATE OUT KEY=VALUE...: copy TEMPLATE, replacing each @KEY@
# with VALUE; fails when a placeholder is left.
render() {
	_in=$1 _out=$2
	shift 2
	_expr=""
	for _kv in "$@"; do
		_expr="$_expr s|@${_kv%%=*}@|${_kv#*=}|g;"
	done
	sed -e "$_expr" "$_in" >"$_out" || return 1
	if grep -q '@[A-Z_]*@' "$_out"; then
		wlog "unrendered placeholder in $_out"
		return 1
	fi
}

# start_unbound DIR: render unbound.conf.in into DIR/unbound/ (DIR is a
# started world's directory, holding root.hints), start Unbound in the
# foreground on UNBOUND_ADDR:RESOLVER_PORT and wait until it resolves the
# world's root SOA. stop.sh DIR stops it with the world.
start_unbound() {
	_d=$1/unbound
	mkdir -p "$_d"
	if answers "$UNBOUND_ADDR" "$RESOLVER_PORT"; then
		wlog "$UNBOUND_ADDR:$RESOLVER_PORT already answers"
		return 1
	fi
	render "$WORLD_SRC/unbound.conf.in" "$_d/unbound.conf" \
	    "ADDR=$UNBOUND_ADDR" "PORT=$RESOLVER_PORT" "DIR=$_d" \
	    "HINTS=$1/root.hints" || return 1
	unbound-checkconf "$_d/unbound.conf" >/dev/null || return 1
	unbound -d -c "$_d/unbound.conf" </dev/null >"$_d/log" 2>&1 &
	echo $! >"$_d/pid"
	if ! wait_dns "$UNBOUND_ADDR" "$RESOLVER_PORT" . SOA NOERROR; then
		wlog "Unbound does not answer (see $_d/log)"
		return 1
	fi
}

# world_addr NAME: the address of the world's server NAME.
world_addr() {
	printf '%s\n%s\n' "$WORLD_NSD" "$WORLD_PY" |
	    while IFS=: read -r _n _a _z; do
		if [ "$_n" = "$1" ]; then
			echo "$_a"
		fi
	done
}

# show_logs DIR: the ends of every log under DIR, for a failed test's log.
show_logs() {
	for _f in "$1"/*/log "$1"/*/nsd.log; do
		[ -s "$_f" ] || continue
		echo "--- $_f (last lines)" >&2
		tail -n 20 "$_f" >&2
	done
}
