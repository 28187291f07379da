#!/bin/sh
# spread: the share of queries each backend gets under roundrobin (50% +-
# 3%), wrandom with weights 1 and 3 (25% and 75%, +- 4%) and
# firstAvailable (all to the lowest order), counted by `shoalctl servers`,
# where health checks do not count.
. "$(dirname "$0")/../lib.sh"
need nsd kdig python

N=2000
start_nsd nsd-a 127.66.4.2 $PORT "$DIR/zones" spread.test
start_nsd nsd-b 127.66.4.3 $PORT "$DIR/zones" spread.test

# run POLICY COUNT: starts shoald with POLICY.conf, sends COUNT queries,
# sets A and B to the queries each backend took, stops shoald.
run() {
	start_shoald "$DIR/$1.conf"
	a0=$(server_field nsd-a queries)
	b0=$(server_field nsd-b queries)
	"$PY" "$INTEG/dnstest.py" blast 127.66.4.1 $PORT --count "$2" \
	    --name "q%d.spread.test." --window 64 ||
	    fail "$1: not every query was answered"
	A=$(($(server_field nsd-a queries) - a0))
	B=$(($(server_field nsd-b queries) - b0))
	log "$1: nsd-a $A, nsd-b $B of $2"
	stop "$SHOALD_PID" || fail "$1: shoald did not exit 0"
	[ $((A + B)) = "$2" ] || fail "$1: $((A + B)) queries forwarded, not $2"
}

# within SHARE TARGET TOLERANCE (all in per mille of N)
within() {
	[ $(($1 * 1000 / N)) -ge $(($2 - $3)) ] &&
	    [ $(($1 * 1000 / N)) -le $(($2 + $3)) ]
}

run roundrobin $N
within "$A" 500 30 || fail "roundrobin: nsd-a got $A of $N, not 50% +- 3%"
within "$B" 500 30 || fail "roundrobin: nsd-b got $B of $N, not 50% +- 3%"

run wrandom $N
within "$A" 250 40 || fail "wrandom: nsd-a got $A of $N, not 25% +- 4%"
within "$B" 750 40 || fail "wrandom: nsd-b got $B of $N, not 75% +- 4%"

run firstAvailable 500
[ "$A" = 500 ] && [ "$B" = 0 ] ||
    fail "firstAvailable: nsd-a got $A and nsd-b $B, not all and none"
log "done"
