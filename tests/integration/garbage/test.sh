#!/bin/sh
# garbage: a few thousand malformed packets over UDP and malformed streams
# over TCP leave shoald and both workers running (same pids, no restart),
# a good query still gets its answer, and the counters show the drops and
# FORMERRs.
. "$(dirname "$0")/../lib.sh"
need nsd kdig python

start_nsd nsd 127.66.6.2 $PORT "$DIR/zones" junk.test
start_shoald "$DIR/shoal.conf"
"$PY" "$DIR/check.py" 127.66.6.1 $PORT || fail "garbage checks failed"
alive "$SHOALD_PID" || fail "shoald died"
grep -i "fatal\|sanitizer\|runtime error" "$SHOALD_LOG" &&
    fail "shoald logged an error"
stop "$SHOALD_PID" || fail "shoald did not exit 0"
log "done"
