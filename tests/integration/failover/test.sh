#!/bin/sh
# failover: stop one of two NSDs; within seconds it is down and every query
# is answered by the other; start it again; within seconds it is up and
# takes queries again.
. "$(dirname "$0")/../lib.sh"
need nsd kdig python

blast() {
	"$PY" "$INTEG/dnstest.py" blast 127.66.3.1 10053 --name "q%d.fo.test." \
	    --timeout 1 "$@"
}
is_state() { [ "$(server_field "$1" state)" = "$2" ]; }

start_nsd nsd-a 127.66.3.2 10053 "$DIR/zones" fo.test
a_pid=$NSD_PID
start_nsd nsd-b 127.66.3.3 10053 "$DIR/zones" fo.test
start_shoald "$DIR/shoal.conf"
wait_dns 127.66.3.1 10053 www.fo.test || fail "shoald does not answer"

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
start_nsd nsd-a 127.66.3.2 10053 "$DIR/zones" fo.test
wait_for 50 is_state nsd-a up || fail "nsd-a not up within 5 s"
a2=$(server_field nsd-a queries)
blast --count 100 || fail "with both up again, not every query answered"
a3=$(server_field nsd-a queries)
ctl servers
log "nsd-a up again: it took $((a3 - a2)) of 100 queries"
[ $((a3 - a2)) -ge 30 ] || fail "nsd-a does not get queries again"
[ "$(server_field nsd-a state)" = up ] || fail "nsd-a went down again"
[ "$(server_field nsd-b state)" = up ] || fail "nsd-b went down"
log "done"
