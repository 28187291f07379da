#!/bin/sh
# shoald under the restrictions of shoal.service, as far as they can be
# had without systemd as PID 1. As root, in a mount namespace: every file
# system read-only but a runtime, a state and a log directory
# (ProtectSystem=strict, ReadWritePaths), empty /tmp and /var/tmp
# (PrivateTmp), a /dev of pseudo devices (PrivateDevices), /proc with
# hidepid=invisible and subset=pid (ProtectProc, ProcSubset); the unit's
# capability bounding set and no_new_privs (setpriv). shoald starts as
# root on a port below 1024, becomes user shoal, serves, reloads on
# SIGHUP and drains on SIGTERM, under strace. Then every system call it
# and its children made must be allowed by the unit's SystemCallFilter
# (expanded by systemd-analyze), every socket must be of a family in
# RestrictAddressFamilies, no mapping may be writable and executable
# (MemoryDenyWriteExecute), no namespace may be made (RestrictNamespaces)
# and nothing may have met a read-only file system.
#
# Exit 77 when not root or without unshare, setpriv, strace,
# systemd-analyze or the user shoal (tools/deps.sh makes it).
: "${SHOAL_BUILDDIR:?run under make check or set SHOAL_BUILDDIR}"
: "${SHOAL_SRCDIR:?run under make check or set SHOAL_SRCDIR}"
LC_ALL=C
export LC_ALL
NAME=unit-sandbox
# Addresses of this run alone (127.69/16 and 127.70/16, by pid), so that
# builds running at once do not meet.
ADDR=127.69.$(($$ / 250 % 250 + 1)).$(($$ % 250 + 1))
DEAD=127.70.$(($$ / 250 % 250 + 1)).$(($$ % 250 + 1))
UNIT=$SHOAL_BUILDDIR/systemd/shoal.service
SHOALD=$SHOAL_BUILDDIR/shoald
SHOALCTL=$SHOAL_BUILDDIR/shoalctl

log() { printf '%s: %s\n' "$NAME" "$*"; }
skip() { log "SKIP: $*"; exit 77; }
fail() { log "FAIL: $*"; status=1; }

[ "$(id -u)" = 0 ] || skip "needs root (mount namespaces, port 53)"
for tool in unshare setpriv strace systemd-analyze; do
	command -v $tool >/dev/null 2>&1 || skip "$tool is missing"
done
getent passwd shoal >/dev/null || skip "no user shoal (tools/deps.sh)"
[ -s "$UNIT" ] || { log "FAIL: $UNIT was not built"; exit 1; }
unshare -m true 2>/dev/null || skip "cannot make a mount namespace here"

# In the build tree: the namespace replaces /tmp.
T=$(mktemp -d "$SHOAL_BUILDDIR/tests/ops/sandbox.XXXXXX") || exit 99
pid=""
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
status=0
chmod 755 "$T"
mkdir "$T/run" "$T/state" "$T/log"
# As the unit leaves them: RuntimeDirectory given to root (group shoal),
# StateDirectory user shoal's.
chown root:shoal "$T/run"
chown shoal:shoal "$T/state"
chmod 750 "$T/state"
cpu=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*\([0-9]*\).*/\1/p' \
    /proc/self/status)
sed -e "s|@ADDR@|$ADDR|g" -e "s|@DEAD@|$DEAD|g" -e "s|@RUN@|$T/run|g" \
    -e "s|@CPU@|${cpu:-0}|g" "$SHOAL_SRCDIR/tests/ops/sandbox.conf.in" \
    >"$T/shoal.conf"

# The unit's capability bounding set, in setpriv's words.
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT" | tr ' ' '\n' |
    sed -n 's/^CAP_\(.*\)/+\1/p' | tr 'A-Z\n' 'a-z,' | sed 's/,$//')
[ -n "$caps" ] || { log "FAIL: no CapabilityBoundingSet in the unit"; exit 1; }

# The namespace: bind the writable directories onto themselves, make
# every other mount read-only, then fresh /tmp, /var/tmp, /dev and /proc.
inner='
set -e
T=$1
shift
for d in run state log; do mount --bind "$T/$d" "$T/$d"; done
mount --make-rprivate /
awk -v t="$T" '\''$5 !~ /\\/ && $5 !~ "^/(proc|sys|dev)(/|$)" &&
    $5 != t "/run" && $5 != t "/state" && $5 != t "/log" { print $5 }'\'' \
    /proc/self/mountinfo | while read -r mp; do
	mount -o remount,bind,ro "$mp" 2>/dev/null || true
done
# Where read-only mounts cannot be had, there is nothing to test.
if touch /.shoal-sandbox-probe 2>/dev/null; then
	rm -f /.shoal-sandbox-probe
	touch "$T/log/no-ro"
	exit 1
fi
for d in /tmp /var/tmp; do
	# Not over the build tree itself.
	case "$T/" in $d/*) continue ;; esac
	[ -d $d ] && mount -t tmpfs -o mode=1777 tmpfs $d
done
mkdir -p "$T/log/dev"
mount --rbind /dev "$T/log/dev"
mount -t tmpfs -o mode=755 tmpfs /dev
for n in null zero full random urandom tty; do
	touch /dev/$n
	mount --bind "$T/log/dev/$n" /dev/$n
done
mkdir /dev/shm /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
umount -l "$T/log/dev"
mount -t proc -o hidepid=invisible,subset=pid proc /proc ||
    echo "unit-sandbox: /proc without hidepid and subset" >&2
cd /
exec "$@"
'
# LeakSanitizer cannot work under ptrace (sanitizer builds).
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export ASAN_OPTIONS
log "starting shoald (bounding set $caps) on $ADDR"
unshare -m sh -c "$inner" sh "$T" \
    strace -f -qq -o "$T/log/trace" \
    setpriv --bounding-set=-all,"$caps" --inh-caps=-all --no-new-privs -- \
    "$SHOALD" --supervised --disable-syslog -C "$T/shoal.conf" \
    >"$T/log/shoald.log" 2>&1 &
pid=$!

# shoald's pid: strace's child.
shoald_pid() {
	for s in /proc/[0-9]*/stat; do
		sed -n "s/^\([0-9]*\) (shoald) [A-Z] $pid .*/\1/p" "$s" \
		    2>/dev/null
	done | head -n 1
}

# wait_status KEY VALUE: until shoalctl status says it, 30 s at most.
wait_status() {
	i=0
	while [ $i -lt 300 ]; do
		kill -0 "$pid" 2>/dev/null || return 1
		"$SHOALCTL" -s "$T/run/shoal.sock" status 2>/dev/null |
		    grep -qx "$1 $2" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# ask: one query over UDP and one over TCP; SERVFAIL is the answer (the
# default pool has no server). Without kdig or dig, not asked.
ask() {
	if command -v kdig >/dev/null 2>&1; then
		for p in +notcp +tcp; do
			kdig @"$ADDR" $p +retry=0 +timeout=3 example.test A |
			    grep -q 'status: SERVFAIL' ||
			    fail "kdig $p: no SERVFAIL from $ADDR"
		done
	elif command -v dig >/dev/null 2>&1; then
		for p in +notcp +tcp; do
			dig @"$ADDR" $p +tries=1 +time=3 example.test A |
			    grep -q 'status: SERVFAIL' ||
			    fail "dig $p: no SERVFAIL from $ADDR"
		done
	else
		log "no kdig or dig: no query asked"
	fi
}

if wait_status workers-ready 2; then
	log "serving"
	ask
	"$SHOALCTL" -s "$T/run/shoal.sock" counters >"$T/log/counters" ||
	    fail "shoalctl counters"
	"$SHOALCTL" -s "$T/run/shoal.sock" cache stats >/dev/null ||
	    fail "shoalctl cache stats"
	spid=$(shoald_pid)
	if [ -z "$spid" ]; then
		fail "cannot find shoald's pid"
	else
		kill -HUP "$spid"
		wait_status generation 2 && wait_status workers-ready 2 ||
		    fail "no second generation after SIGHUP"
		ask
		kill -TERM "$spid"
	fi
elif [ -e "$T/log/no-ro" ]; then
	skip "cannot remount the file systems read-only here"
else
	fail "shoald did not get ready"
fi
# strace exits with shoald's status.
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 150 ]; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 "$pid" 2>/dev/null; then
	fail "shoald did not stop within 15 s of SIGTERM"
	kill -KILL "$pid"
fi
wait "$pid"
rc=$?
pid=""
[ $rc -eq 0 ] || fail "shoald exited $rc"
if [ ! -s "$T/log/trace" ]; then
	fail "no trace"
	cat "$T/log/shoald.log"
	exit 1
fi

# The system calls after shoald's execve, by name, one a line.
awk -v prog="$SHOALD" '
$1 !~ /^[0-9]+$/ { next }
main == "" { main = $1 }
$1 == main && !started {
	if (index($0, "execve(\"" prog "\"") && $0 ~ /= 0$/)
		started = 1
	next
}
{
	line = $0
	sub(/^[0-9]+ +/, "", line)
	if (match(line, /^[a-z_0-9]+\(/))
		print substr(line, 1, RLENGTH - 1) >"'"$T/log/calls"'"
	print line
}' "$T/log/trace" >"$T/log/after"
[ -s "$T/log/calls" ] || fail "no system call traced after shoald's execve"

# What the unit's SystemCallFilter allows, expanded.
allow=$(sed -n 's/^SystemCallFilter=\([^~]\)/\1/p' "$UNIT" | tr '\n' ' ')
deny=$(sed -n 's/^SystemCallFilter=~//p' "$UNIT" | tr '\n' ' ')
systemd-analyze syscall-filter --no-pager 2>/dev/null | awk \
    -v allow="$allow" -v deny="$deny" '
/^@/ { g = $1; next }
/^$/ { g = ""; next }
g != "" && /^    [^#]/ { m[g] = m[g] " " $1 }
function expand(x, out,    n, a, i) {
	if (x !~ /^@/) {
		out[x] = 1
		return
	}
	if (x in seen)
		return
	seen[x] = 1
	n = split(m[x], a, " ")
	for (i = 1; i <= n; i++)
		expand(a[i], out)
}
END {
	n = split(allow, a, " ")
	for (i = 1; i <= n; i++)
		expand(a[i], ok)
	split("", seen)
	n = split(deny, a, " ")
	for (i = 1; i <= n; i++)
		expand(a[i], no)
	for (s in ok)
		if (!(s in no))
			print s
}' | sort -u >"$T/log/allowed"
[ "$(wc -l <"$T/log/allowed")" -gt 100 ] ||
    fail "cannot expand the unit's SystemCallFilter"
sort -u "$T/log/calls" >"$T/log/used"
bad=$(comm -23 "$T/log/used" "$T/log/allowed" | tr '\n' ' ')
[ -z "$bad" ] || fail "system calls SystemCallFilter denies: $bad"
log "$(wc -l <"$T/log/used") distinct system calls, all allowed"

families=$(sed -n 's/^RestrictAddressFamilies=//p' "$UNIT")
used=$(sed -n 's/^socket\(pair\)*(\(AF_[A-Z0-9]*\).*/\2/p' "$T/log/after" |
    sort -u | tr '\n' ' ')
for f in $used; do
	case " $families " in
	*" $f "*) ;;
	*) fail "a socket of family $f (RestrictAddressFamilies)" ;;
	esac
done
log "socket families: $used"

grep -E '^(mmap|mprotect|pkey_mprotect)\(.*PROT_WRITE\|PROT_EXEC' \
    "$T/log/after" >"$T/log/wx"
grep -E '^(mprotect|pkey_mprotect)\(.*PROT_EXEC' "$T/log/after" \
    >>"$T/log/wx"
[ -s "$T/log/wx" ] && fail "MemoryDenyWriteExecute: $(head -n 3 "$T/log/wx")"
grep -E '^(clone|clone3|unshare|setns)\(.*CLONE_NEW' "$T/log/after" \
    >"$T/log/ns"
[ -s "$T/log/ns" ] && fail "RestrictNamespaces: $(head -n 3 "$T/log/ns")"
grep 'EROFS' "$T/log/after" >"$T/log/erofs"
[ -s "$T/log/erofs" ] &&
    fail "writes outside the writable directories: $(head -n 3 "$T/log/erofs")"

if [ $status -ne 0 ]; then
	log "shoald's log:"
	tail -n 40 "$T/log/shoald.log"
fi
[ $status -eq 0 ] && log "PASS"
exit $status
