#!/bin/sh
# failover: stop one of two NSDs; within seconds it is down and every query
# is answered by the other; start it again; within seconds it is up and
# takes queries again. Then the same with a backend that hangs (SIGSTOP,
# so its health checks time out rather than fail at once) and recovers
# (SIGCONT).
. "$(dirname "$0")/../lib.sh"
need nsd kdig python

blast() {
	"$PY" "$INTEG/dnstest.py" blast 127.66.3.1 $PORT --name "q%d.fo.test." \
	    --timeout 1 "$@"
}
is_state() { [ "$(server_field "$1" state)" = "$2" ]; }

start_nsd nsd-a 127.66.3.2 $PORT "$DIR/zones" fo.test
a_pid=$NSD_PID
start_nsd nsd-b 127.66.3.3 $PORT "$DIR/zones" fo.test
start_shoald "$DIR/shoal.conf"
wait_dns 127.66.3.1 $PORT www.fo.test || fail "shoald does not answer"

blast --count 100 || fail "not every query answered with both up"
a0=$(server_field nsd-a queries)
b0=$(server_field nsd-b queries)
log "both up: nsd-a $a0 queries, nsd-b $b0"
[ "$a0" -ge 30 ] && [ "$b0" -ge 30 ] || fail "round robin did not use both"

log "stopping nsd-a"
stop "$a_pid"
wait_for 50 is_state nsd-a down || fail "nsd-a not down within 5 s"
ctl servers
blast --count 100 || fail "with nsd-a down, not every query was answered"
a1=$(server_field nsd-a queries)
b1=$(server_field nsd-b queries)
log "nsd-a down: nsd-a $a1 queries, nsd-b $b1"
[ $((b1 - b0)) -ge 100 ] || fail "nsd-b did not take the queries"

log "starting nsd-a again"
start_nsd nsd-a 127.66.3.2 $PORT "$DIR/zones" fo.test
a_pid=$NSD_PID
wait_for 50 is_state nsd-a up || fail "nsd-a not up within 5 s"
a2=$(server_field nsd-a queries)
blast --count 100 || fail "with both up again, not every query answered"
a3=$(server_field nsd-a queries)
ctl servers
log "nsd-a up again: it took $((a3 - a2)) of 100 queries"
[ $((a3 - a2)) -ge 30 ] || fail "nsd-a does not get queries again"
[ "$(server_field nsd-a state)" = up ] || fail "nsd-a went down again"
[ "$(server_field nsd-b state)" = up ] || fail "nsd-b went down"

# A hung backend: no ICMP error, its checks time out.
a_all="$a_pid $(descendants_of "$a_pid" | tr '\n' ' ')"
log "freezing nsd-a (SIGSTOP to $a_all)"
# shellcheck disable=SC2086
kill -STOP $a_all
wait_for 50 is_state nsd-a down || {
	kill -CONT $a_all; fail "a hung nsd-a not down within 5 s"; }
b2=$(server_field nsd-b queries)
blast --count 100 || {
	kill -CONT $a_all; fail "with nsd-a hung, not every query answered"; }
b3=$(server_field nsd-b queries)
[ $((b3 - b2)) -ge 100 ] || {
	kill -CONT $a_all; fail "nsd-b did not take the queries"; }
log "thawing nsd-a"
# shellcheck disable=SC2086
kill -CONT $a_all
wait_for 50 is_state nsd-a up ||
    fail "nsd-a not up within 5 s after it answers again"
a4=$(server_field nsd-a queries)
blast --count 100 || fail "after the thaw, not every query answered"
a5=$(server_field nsd-a queries)
log "nsd-a thawed: it took $((a5 - a4)) of 100 queries"
[ $((a5 - a4)) -ge 30 ] || fail "nsd-a does not get queries after the thaw"
log "done"
