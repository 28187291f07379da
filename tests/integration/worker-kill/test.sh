#!/bin/sh
# worker-kill: kill -9 one of two workers under a steady stream of
# queries: the master starts it again (new pid, restarts 1, same CPU), the
# stream keeps being answered (a handful lost at most) and afterwards both
# workers answer.
. "$(dirname "$0")/../lib.sh"
need nsd kdig python
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
[ "$ncpu" -ge 2 ] || skip "two CPUs needed to pin two workers"

start_nsd nsd 127.66.7.2 $PORT "$DIR/zones" wk.test
start_shoald "$DIR/shoal.conf"
wait_dns 127.66.7.1 $PORT www.wk.test || fail "shoald does not answer"
"$PY" "$DIR/check.py" 127.66.7.1 $PORT || fail "worker-kill checks failed"
ctl workers
grep "worker 1 (cpu 1) killed by signal 9" "$SHOALD_LOG" > /dev/null ||
    fail "the master did not log the kill"
alive "$SHOALD_PID" || fail "shoald died"
stop "$SHOALD_PID" || fail "shoald did not exit 0"
log "done"
