#!/bin/sh
# errors: QDCOUNT=2 and QDCOUNT=0 get FORMERR, opcode STATUS gets NOTIMP,
# a response (QR=1) is dropped, none of them is forwarded, and the
# counters say so; with an ACL that excludes 127.0.0.1, queries from it get
# no answer over UDP or TCP and acl_drops counts them.
. "$(dirname "$0")/../lib.sh"
need nsd kdig python

start_nsd nsd 127.66.5.2 $PORT "$DIR/zones" err.test
start_shoald "$DIR/shoal.conf"
"$PY" "$DIR/check.py" errors 127.66.5.1 $PORT || fail "error answers"
stop "$SHOALD_PID" || fail "shoald did not exit 0"

start_shoald "$DIR/acl.conf"
"$PY" "$DIR/check.py" acl 127.66.5.1 $PORT || fail "ACL"
log "done"
