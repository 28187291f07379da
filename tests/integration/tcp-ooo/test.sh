#!/bin/sh
# tcp-ooo: on one TCP connection a slow query does not hold back the fast
# ones behind it, and many pipelined queries are all answered.
. "$(dirname "$0")/../lib.sh"
need kdig python

start_responder slow 127.66.2.2 $PORT --delay slow.test.=1.0
start_shoald "$DIR/shoal.conf"
wait_dns 127.66.2.1 $PORT www.test || fail "shoald does not answer"

"$PY" "$DIR/check.py" 127.66.2.1 $PORT || fail "TCP checks failed"
n=$(responder_count slow slow.test.)
[ "$n" = 1 ] || fail "the backend saw slow.test. $n times, not once"
[ "$(counter tcp_accepted)" -ge 2 ] || fail "tcp_accepted did not count"
alive "$SHOALD_PID" || fail "shoald died"
log "done"
