#!/bin/sh
# console: dnsdist's console against a live shoald. Another key and an
# address outside setConsoleACL are closed at once; commands get dnsdist's
# replies over one connection (nonces kept in step); an expunge answers
# only once the entries are gone; setDown() reaches the workers (queries
# go to the other backend) and outlives a reload; shoald -c and shoalctl
# console talk to it too.
. "$(dirname "$0")/../lib.sh"
need kdig python
"$PY" -c 'import libnacl.utils' 2>/dev/null || skip "python3-libnacl missing"

CPORT=$((PORT + 1))
KEY=$("$PY" -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')
OTHER=$("$PY" -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')

# console [--source SRC] [--key KEY] COMMAND...: the replies, "--" after each.
console() {
	_k=$KEY
	_src=127.66.31.5
	while :; do
		case $1 in
		--source) _src=$2; shift 2 ;;
		--key) _k=$2; shift 2 ;;
		*) break ;;
		esac
	done
	"$PY" "$DIR/console.py" "$_k" 127.66.31.1 "$CPORT" --source "$_src" \
	    "$@"
}
# one COMMAND: its reply, without the final newline.
one() {
	console "$1" | sed '$d'
}
ask() {	# ask NAME: one query through shoald
	kdig +short +time=2 +retry=0 -p "$PORT" @127.66.31.1 "$1" A \
	    > /dev/null 2>&1
}
entries() {
	one 'getPool(""):getCache():getStats()["entries"]'
}

start_responder a 127.66.31.2 "$PORT"
start_responder b 127.66.31.3 "$PORT"
subst "$DIR/shoal.conf" "$T/console.conf"
sed -e "s|@KEY@|$KEY|" -e "s|@CPORT@|$CPORT|" "$T/console.conf" \
    > "$T/console.tmpl"
start_shoald "$T/console.tmpl"
wait_dns 127.66.31.1 "$PORT" www.test || fail "shoald does not answer"

# Refusals: the connection is closed, nothing is answered.
out=$(console --key "$OTHER" 'showVersion()')
[ $? = 3 ] || fail "another key was answered: $out"
out=$(console --source 127.66.31.9 'showVersion()')
[ $? = 3 ] || fail "an address outside setConsoleACL was answered: $out"
log "another key and a refused address: closed"

# Replies, several commands over one connection.
out=$(console 'showVersion()' 'getServer(0)' 'getServer(1):getName()' \
    '1 +' 'getServer(7)' 'x = 20' 'x * 2 + 2' \
    '{entries = 1, hits = 2}')
[ $? = 0 ] || fail "the console closed a good connection: $out"
echo "$out" | sed -n 1p | grep -q '^dnsdist 1\.7\.3 compatible shoal ' ||
    fail "showVersion(): $out"
want='a
--
b
--'
[ "$(echo "$out" | sed -n 3,6p)" = "$want" ] || fail "server names: $out"
echo "$out" | sed -n 7p | grep -q '^Error: ' || fail "a syntax error: $out"
echo "$out" | sed -n 9p | grep -q '^Error: .*no server 7' ||
    fail "getServer(7): $out"
[ "$(echo "$out" | sed -n 12p)" = 42 ] || fail "state kept: $out"
[ "$(echo "$out" | sed -n 14p)" = '{"entries": 1, "hits": 2}' ] ||
    fail "a table as JSON: $out"
log "replies as dnsdist's"
one 'showServers()' | grep -q '^0 *a  *127\.66\.31\.2:' ||
    fail "showServers(): $(one 'showServers()')"
one 'dumpStats()' | tr -s ' \t' '\n\n' | grep -qx 'no-policy' ||
    fail "dumpStats() has no no-policy"

# The cache: emptied, three answers, then expunges that the reply waits
# for.
one 'getPool(""):getCache():expunge(0)' | grep -q '^Expunged [0-9]* records$' ||
    fail "expunge(0) said nothing"
[ "$(entries)" = 0 ] || fail "the cache is not empty: $(entries)"
for n in 1 2 3; do
	ask "www$n.cache.test" || fail "www$n.cache.test not answered"
done
[ "$(entries)" = 3 ] || fail "3 entries expected, got $(entries)"
out=$(console 'getPool(""):getCache():expungeByName(newDNSName("www1.cache.test"))' \
    'getPool(""):getCache():getStats()["entries"]')
[ "$out" = "Expunged 1 records
--
2
--" ] || fail "expungeByName: $out"
out=$(console 'getPool(""):getCache():expunge(0)' \
    'getPool(""):getCache():getStats()["entries"]')
[ "$out" = "Expunged 2 records
--
0
--" ] || fail "expunge(0): $out"
log "expunges answered once done"

# setDown() reaches the workers: the next queries all go to b.
ask first.test || fail "first.test not answered"
[ "$(responder_count a first.test.)" = 1 ] || fail "a is not the first"
out=$(one 'getServer(0):setDown()')
[ -z "$out" ] || fail "setDown(): $out"
[ "$(one 'if getServer(0):isUp() then return "up" else return "down" end')" = down ] ||
    fail "a is not down"
for n in 1 2 3 4 5 6 7 8 9 10; do
	ask "down$n.test" || fail "down$n.test not answered"
done
for n in 1 2 3 4 5 6 7 8 9 10; do
	[ "$(responder_count a "down$n.test.")" = 0 ] ||
	    fail "a got down$n.test while down"
	[ "$(responder_count b "down$n.test.")" = 1 ] ||
	    fail "b did not get down$n.test"
done
log "setDown(): 10 of 10 queries to b"

# A reload keeps what the console set.
ctl reload > /dev/null || fail "reload failed"
wait_for 50 sh -c "\"$SHOALCTL\" -s \"$CTLSOCK\" status | grep -q '^generation 2'" ||
    fail "no generation 2"
[ "$(one 'if getServer(0):isUp() then return "up" else return "down" end')" = down ] ||
    fail "a came back up with the reload"
ask reload1.test || fail "reload1.test not answered"
[ "$(responder_count a reload1.test.)" = 0 ] || fail "a got a query after the reload"
log "the reload kept a down"

# setAuto(): the checks say a is up; the queries go to it again.
one 'getServer(0):setAuto()' > /dev/null
wait_for 30 sh -c "[ \"\$(\"$PY\" \"$DIR/console.py\" $KEY 127.66.31.1 $CPORT --source 127.66.31.5 'getServer(0):isUp()' | head -1)\" = true ]" ||
    fail "a not up after setAuto()"
ask back.test || fail "back.test not answered"
[ "$(responder_count a back.test.)" = 1 ] || fail "a did not get back.test"
log "setAuto(): a takes queries again"

# The clients of shoald and shoalctl read the key from the file.
out=$(printf 'showVersion()\ngetServer(1)\n' |
    "$SHOALD" --config "$T/shoal.conf" -c 2>&1)
[ "$(echo "$out" | sed -n 2p)" = b ] || fail "shoald -c: $out"
echo "$out" | grep -q '^dnsdist ' || fail "shoald -c: $out"
out=$(echo 'getServer(0)' |
    "$SHOALCTL" console -C "$T/shoal.conf" 127.66.31.1:$CPORT 2>&1)
[ "$out" = a ] || fail "shoalctl console: $out"
log "shoald -c and shoalctl console"
log "done"
