#!/bin/sh
# forward: answers through shoald equal NSD's byte for byte apart from the
# ID, over UDP (with and without EDNS), TCP, for NXDOMAIN, NODATA, a
# referral, a wildcard and a truncated answer (TC passed through).
. "$(dirname "$0")/../lib.sh"
need nsd kdig python

start_nsd nsd-a 127.66.1.2 $PORT "$DIR/zones" fwd.test
start_nsd nsd-b 127.66.1.3 $PORT "$DIR/zones" fwd.test
start_shoald "$DIR/shoal.conf"
wait_dns 127.66.1.1 $PORT www.fwd.test || fail "shoald does not answer"

"$PY" "$DIR/check.py" 127.66.1.1 $PORT 127.66.1.2 127.66.1.3 $PORT ||
    fail "answers differ"
[ "$(counter forwarded)" -gt 0 ] || fail "nothing was forwarded"
alive "$SHOALD_PID" || fail "shoald died"
log "done"
