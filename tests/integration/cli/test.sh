#!/bin/sh
# cli: --check-config's verdict and exit status, an unknown directive named
# by file:line, -l replacing the configuration's listeners, -a adding to
# the ACL, and SIGTERM: in-flight queries answered, exit 0, workers gone.
. "$(dirname "$0")/../lib.sh"
need kdig python

ask() {	# ask ADDR [SRC]: one UDP query, true if answered NOERROR
	"$PY" -c '
import sys, dnstest as t
a = t.udp(t.query("www.cli.test.", "A"), sys.argv[1], int(sys.argv[2]),
          timeout=1, src=sys.argv[3])
sys.exit(0 if a is not None and t.rcode(a) == 0 else 1)' \
	    "$1" "$PORT" "${2:-127.0.0.1}"
}

# --check-config, from the configuration's directory as an operator would.
subst "$DIR/shoal.conf" "$T/ok.conf"
cp "$DIR/bad.conf" "$T/bad.conf"
out=$(cd "$T" && "$SHOALD" --check-config -C ok.conf 2>"$T/check.err")
rc=$?
[ $rc = 0 ] || fail "--check-config of a good file exited $rc"
[ "$out" = "Configuration 'ok.conf' OK!" ] ||
    fail "--check-config printed '$out'"
log "--check-config: $out"
out=$(cd "$T" && "$SHOALD" --check-config -C bad.conf 2>&1)
rc=$?
[ $rc != 0 ] || fail "--check-config of a bad file exited 0"
echo "$out" | grep -q "bad.conf:3" ||
    fail "the error does not name bad.conf:3: $out"
echo "$out" | grep -q "OK!" && fail "a bad file was called OK: $out"
log "--check-config of bad.conf: exit $rc, $out"

start_responder slow 127.66.9.2 $PORT --delay slow.cli.test.=1.0

# -a replaces the default ACL: with only 192.0.2.1/32 (and the file's
# 192.0.2.0/24), 127.0.0.1 is not in it.
start_shoald "$DIR/shoal.conf" -a 192.0.2.1/32
ask 127.66.9.1 && fail "with -a 192.0.2.1/32, 127.0.0.1 was answered"
[ "$(counter acl_drops)" = 1 ] || fail "acl_drops is not 1"
stop "$SHOALD_PID" || fail "shoald did not exit 0"

# -l replaces the listener, -a adds 127.0.0.1 (and only it).
start_shoald "$DIR/shoal.conf" -l 127.66.9.4:$PORT -a 127.0.0.1/32
ask 127.66.9.4 || fail "-l 127.66.9.4: no answer there from 127.0.0.1"
ask 127.66.9.4 127.0.0.2 && fail "-a 127.0.0.1/32 let 127.0.0.2 in"
ask 127.66.9.1 && fail "-l did not replace the listener of the file"
kdig +tcp +time=1 +retry=0 -p $PORT @127.66.9.1 www.cli.test > /dev/null \
    2>&1 && fail "-l: TCP still answered on the file's listener"
stop "$SHOALD_PID" || fail "shoald did not exit 0"
log "-l and -a: ok"

# SIGTERM with queries in flight: answered, exit 0, workers gone.
start_shoald "$DIR/stop.conf"
workers=$(ctl workers | awk 'NR > 1 { print $2 }')
[ -n "$workers" ] || fail "no worker pids"
"$PY" "$DIR/inflight.py" 127.66.9.1 $PORT > "$T/inflight.out" 2>&1 &
client=$!
# Both slow queries have reached the backend: they are in flight.
both_sent() { [ "$(responder_count slow slow.cli.test.)" = 2 ]; }
wait_for 50 both_sent || fail "the slow queries did not reach the backend"
kill -TERM "$SHOALD_PID"
wait_exit "$SHOALD_PID" 8
rc=$?
[ $rc = 0 ] || fail "shoald exited $rc after SIGTERM"
wait_exit "$client" 5
crc=$?
cat "$T/inflight.out"
[ $crc = 0 ] || fail "in-flight queries were not answered"
for p in $workers; do
	alive "$p" && fail "worker $p is still running"
done
grep -q "signal 15: stopping" "$SHOALD_LOG" || fail "no stop in the log"
log "SIGTERM: in-flight answered, exit 0, workers gone"
log "done"
