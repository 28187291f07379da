# shellcheck shell=sh
#
# tests/integration/lib.sh: sourced by every scenario's test.sh.
#
# It gives a scenario a fresh temporary directory ($T), a cleanup trap
# that stops everything the scenario started (and kills what is left of
# it by pid), and helpers to start NSD and shoald on loopback addresses,
# wait for a DNS server to answer and stop a process. Every loop is
# bounded in count and in time. Exit 77 means "skipped": only for a
# missing tool, never to hide a failure.
#
# The environment comes from `make check` (AM_TESTS_ENVIRONMENT):
#   SHOAL_BUILDDIR    where shoald, shoal-worker and shoalctl are
#   SHOAL_SRCDIR      the top of the source tree (read-only in distcheck)
#   SHOAL_LIBEXECDIR  where shoald finds shoal-worker
#
# Each scenario has its own 127.66.N.0/24 so scenarios run in parallel.

: "${SHOAL_BUILDDIR:?run under make check or set SHOAL_BUILDDIR}"
: "${SHOAL_SRCDIR:?run under make check or set SHOAL_SRCDIR}"
: "${SHOAL_LIBEXECDIR:=$SHOAL_BUILDDIR}"
export SHOAL_BUILDDIR SHOAL_SRCDIR SHOAL_LIBEXECDIR

INTEG=$SHOAL_SRCDIR/tests/integration
SHOALD=$SHOAL_BUILDDIR/shoald
SHOALCTL=$SHOAL_BUILDDIR/shoalctl
# The scenario's own directory (its shoal.conf, zones, check.py).
DIR=$(cd "$(dirname "$0")" && pwd)
NAME=$(basename "$DIR")

# Pids this scenario started, and the shoald/NSD log of each.
_pids=""
_logs=""
_cleaning=0

T=$(mktemp -d "${TMPDIR:-/tmp}/shoal-$NAME.XXXXXX") || {
	echo "$NAME: mktemp failed"; exit 99; }
CTLSOCK=$T/ctl.sock
export CTLSOCK SHOALCTL

# The port of every server in the scenario, random in 20000-49999: the
# same scenario may run in two build directories at once (two engineers,
# or a plain and a sanitizer build), on the same addresses.
PORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000))

log() { printf '%s: %s\n' "$NAME" "$*"; }
fail() { printf '%s: FAIL: %s\n' "$NAME" "$*"; exit 1; }
skip() { printf '%s: SKIP: %s\n' "$NAME" "$*"; exit 77; }

# True while pid $1 runs (a zombie does not).
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	_al_st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$_al_st" ] && [ "$_al_st" != Z ]
}

# The pids descending from $1 (children, their children...), from one
# look at /proc. NSD forks twice: its first pid is xfrd, the parent of
# main, the parent of the server processes.
descendants_of() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v top="$1" '{
		s = $0
		sub(/.*\) /, "", s)
		split(s, f, " ")
		parent[$1] = f[2]
	}
	END {
		for (p in parent) {
			q = p
			for (i = 0; i < 64 && q != "" && q != top; i++)
				q = parent[q]
			if (q == top && p != top)
				print p
		}
	}'
}

# wait_exit PID SECONDS: waits until pid $1 ends, $2 seconds at most.
# Returns its exit status when it is our child, 124 if it still runs.
wait_exit() {
	_we_i=0
	while alive "$1" && [ $_we_i -lt $(($2 * 10)) ]; do
		sleep 0.1
		_we_i=$((_we_i + 1))
	done
	alive "$1" && return 124
	_pids=$(echo "$_pids" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' ')
	wait "$1" 2>/dev/null
}

# stop PID: SIGTERM, then SIGKILL after 5 s. Returns its exit status when
# it is our child.
stop() {
	kill -TERM "$1" 2>/dev/null
	kill -CONT "$1" 2>/dev/null	# a stopped one could not act on it
	wait_exit "$1" 5
	_s_rc=$?
	[ $_s_rc = 124 ] || return $_s_rc
	log "pid $1 did not stop in 5 s: killing it"
	kill -KILL "$1" 2>/dev/null
	wait_exit "$1" 2
	return 124
}

cleanup() {
	_rc=$?
	[ $_cleaning = 1 ] && return
	_cleaning=1
	trap - EXIT INT TERM HUP
	# Children first listed, so that none is missed when a parent goes.
	_left=""
	for _p in $_pids; do
		_left="$_left $(descendants_of "$_p" | tr '\n' ' ')"
	done
	# The last started first: shoald before its backends.
	_rev=""
	for _p in $_pids; do
		_rev="$_p $_rev"
	done
	for _p in $_rev; do
		stop "$_p" >/dev/null 2>&1
	done
	for _p in $_left; do
		alive "$_p" && kill -KILL "$_p" 2>/dev/null
	done
	if [ $_rc != 0 ] && [ $_rc != 77 ]; then
		for _l in $_logs; do
			[ -s "$_l" ] || continue
			echo "--- $_l (last 40 lines)"
			tail -n 40 "$_l"
		done
	fi
	if [ -n "${KEEP_TMP:-}" ]; then
		echo "kept $T"
	else
		rm -rf "$T"
	fi
	exit $_rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Tools the scenario needs: "need nsd kdig python".
need() {
	for _t in "$@"; do
		case $_t in
		python)
			PY=""
			for _c in python3 /usr/bin/python3; do
				if "$_c" -c 'import dns.message' \
				    >/dev/null 2>&1; then
					PY=$_c
					break
				fi
			done
			[ -n "$PY" ] ||
			    skip "python3 with dnspython (python3-dnspython) missing"
			PYTHONPATH=$INTEG${PYTHONPATH:+:$PYTHONPATH}
			# No __pycache__ in the (maybe read-only) source tree.
			PYTHONDONTWRITEBYTECODE=1
			export PYTHONPATH PYTHONDONTWRITEBYTECODE
			;;
		nsd)
			command -v nsd >/dev/null 2>&1 ||
			    [ -x /usr/sbin/nsd ] ||
			    skip "nsd missing (package nsd)"
			command -v nsd >/dev/null 2>&1 ||
			    PATH=$PATH:/usr/sbin
			;;
		kdig)
			command -v kdig >/dev/null 2>&1 ||
			    skip "kdig missing (package knot-dnsutils)"
			;;
		*)
			command -v "$_t" >/dev/null 2>&1 ||
			    skip "$_t missing"
			;;
		esac
	done
	[ -x "$SHOALD" ] || fail "no $SHOALD: build first"
}

# Copies a template, replacing @T@ (the temp dir), @PORT@, @DIR@ (the
# scenario's directory) and @INTEG@ (tests/integration).
subst() {
	sed -e "s|@T@|$T|g" -e "s|@PORT@|$PORT|g" -e "s|@DIR@|$DIR|g" \
	    -e "s|@INTEG@|$INTEG|g" "$1" > "$2"
}

# start_nsd NAME ADDR PORT ZONEDIR ZONE...: NSD in the foreground (-d),
# one server process, everything in $T/NAME. Each ZONE is served from
# ZONEDIR/ZONE.zone. Sets NSD_PID and waits until it answers for the
# first zone's SOA.
start_nsd() {
	_n=$1 _a=$2 _port=$3 _zd=$4
	shift 4
	_d=$T/$_n
	mkdir -p "$_d"
	{
		echo "server:"
		echo "	ip-address: $_a@$_port"
		echo "	port: $_port"
		echo "	do-ip6: no"
		echo "	username: \"\""
		echo "	chroot: \"\""
		echo "	database: \"\""
		echo "	zonesdir: \"$_zd\""
		echo "	zonelistfile: \"$_d/zone.list\""
		echo "	xfrdfile: \"$_d/xfrd.state\""
		echo "	xfrdir: \"$_d\""
		echo "	pidfile: \"$_d/nsd.pid\""
		echo "	logfile: \"$_d/nsd.log\""
		echo "	server-count: 1"
		echo "	verbosity: 1"
		echo "	hide-version: yes"
		# NSD 4.6 answers at most 1232 bytes over UDP by default;
		# the scenarios need large answers with EDNS too.
		echo "	ipv4-edns-size: 4096"
		# Response rate limiting would drop the load tests' answers.
		echo "	rrl-ratelimit: 0"
		echo "	rrl-whitelist-ratelimit: 0"
		echo "remote-control:"
		echo "	control-enable: no"
		for _z in "$@"; do
			echo "zone:"
			echo "	name: \"$_z\""
			echo "	zonefile: \"$_z.zone\""
		done
	} > "$_d/nsd.conf"
	nsd -d -c "$_d/nsd.conf" > "$_d/nsd.out" 2>&1 &
	NSD_PID=$!
	_pids="$_pids $NSD_PID"
	_logs="$_logs $_d/nsd.out $_d/nsd.log"
	wait_dns "$_a" "$_port" "$1" SOA ||
	    fail "NSD $_n did not answer on $_a port $_port"
}

# start_responder NAME ADDR PORT [dnstest.py responder options]: the
# Python responder in the background, its per-name query counts in
# $T/NAME.counts. Sets RESPONDER_PID and waits until it answers.
start_responder() {
	_n=$1 _a=$2 _port=$3
	shift 3
	"$PY" "$INTEG/dnstest.py" responder "$_a" "$_port" \
	    --counts "$T/$_n.counts" "$@" > "$T/$_n.log" 2>&1 &
	RESPONDER_PID=$!
	_pids="$_pids $RESPONDER_PID"
	_logs="$_logs $T/$_n.log"
	wait_dns "$_a" "$_port" ready.test ||
	    fail "responder $_n did not answer on $_a port $_port"
}

# responder_count NAME QNAME: queries responder NAME has seen for QNAME.
responder_count() {
	awk -v q="$2" '$1 == q { n = $2 } END { print n + 0 }' \
	    "$T/$1.counts" 2>/dev/null || echo 0
}

# start_shoald CONF [args]: shoald in the background with CONF (a
# template: see subst) and the arguments, its log in $T/shoald.log. Sets
# SHOALD_PID and waits (5 s at most) until every worker is ready.
start_shoald() {
	_conf=$1
	shift
	subst "$_conf" "$T/shoal.conf"
	SHOALD_LOG=$T/shoald.log
	_n=2
	while [ -e "$SHOALD_LOG" ]; do
		SHOALD_LOG=$T/shoald.$_n.log
		_n=$((_n + 1))
	done
	"$SHOALD" --config "$T/shoal.conf" "$@" > "$SHOALD_LOG" 2>&1 &
	SHOALD_PID=$!
	_pids="$_pids $SHOALD_PID"
	_logs="$_logs $SHOALD_LOG"
	wait_ready "$SHOALD_PID" || {
		echo "--- $SHOALD_LOG"
		cat "$SHOALD_LOG"
		fail "shoald did not start"
	}
}

# Waits (5 s at most) until shoald pid $1 reports all its workers ready.
wait_ready() {
	_wr_i=0
	while [ $_wr_i -lt 50 ]; do
		alive "$1" || return 1
		_st=$("$SHOALCTL" -s "$CTLSOCK" status 2>/dev/null)
		_w=$(echo "$_st" | awk '$1 == "workers" { print $2 }')
		_r=$(echo "$_st" | awk '$1 == "workers-ready" { print $2 }')
		[ -n "$_w" ] && [ "$_w" = "$_r" ] && return 0
		sleep 0.1
		_wr_i=$((_wr_i + 1))
	done
	return 1
}

# wait_dns ADDR PORT NAME [TYPE]: until ADDR answers (any rcode), 5 s at
# most, one second per try.
wait_dns() {
	_wd_start=$(date +%s)
	_wd_i=0
	while [ $_wd_i -lt 25 ]; do
		kdig +time=1 +retry=0 -p "$2" "@$1" "$3" "${4:-A}" \
		    > /dev/null 2>&1 && return 0
		[ $(($(date +%s) - _wd_start)) -ge 5 ] && return 1
		sleep 0.2
		_wd_i=$((_wd_i + 1))
	done
	return 1
}

# shoalctl against this scenario's shoald.
ctl() {
	"$SHOALCTL" -s "$CTLSOCK" "$@"
}

# counter NAME: one counter from `shoalctl counters`.
counter() {
	ctl counters | awk -v n="$1" '$1 == n { print $2 }'
}

# server_field NAME COLUMN: a column of `shoalctl servers` for the
# backend called NAME (columns: # name address state queries responses
# outst lat_ms timeouts drops).
server_field() {
	ctl servers | awk -v n="$1" -v c="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$2 == n { print $(col[c]) }'
}

# worker_field SLOT COLUMN: a column of `shoalctl workers` (slot pid cpu
# gen state restarts queries responses) for the running worker in SLOT.
worker_field() {
	ctl workers | awk -v s="$1" -v c="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == s && $5 != "dead" { print $(col[c]) }'
}

# Waits (at most $1 tenths of a second) until the command after it
# succeeds.
wait_for() {
	_wf_max=$1
	shift
	_wf_i=0
	while [ $_wf_i -lt "$_wf_max" ]; do
		"$@" && return 0
		sleep 0.1
		_wf_i=$((_wf_i + 1))
	done
	return 1
}
