#!/bin/sh
# quickstart: the README's first command without apt-get,
# `SKIP_DEPS=1 tools/run-default.sh --once`, builds shoal in _build/default
# of the source tree, starts NSD and shoald on 127.0.0.1:53 and prints the
# answers. It needs root (port 53) and a free 127.0.0.1:53, and a
# writable source tree (not so under distcheck): else it is skipped.
# When _build/default is not built yet, this scenario takes as long as a
# build.
. "$(dirname "$0")/../lib.sh"
need nsd kdig python

script=$SHOAL_SRCDIR/tools/run-default.sh
[ -f "$script" ] || skip "no tools/run-default.sh in this tree"
[ "$(id -u)" = 0 ] || skip "not root: port 53 needs root"
# Root may write anywhere: look at the mode too (distcheck removes u+w).
writable=$(find "$SHOAL_SRCDIR" -maxdepth 0 -perm -u+w)
[ -w "$SHOAL_SRCDIR" ] && [ -n "$writable" ] ||
    skip "the source tree is read-only (distcheck)"

# Free if both UDP and TCP bind; the quickstart's NSD port as well.
free() {
	"$PY" -c '
import socket, sys
for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    if kind == socket.SOCK_STREAM:    # past TIME_WAIT, not past LISTEN
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((sys.argv[1], int(sys.argv[2])))
    except OSError:
        sys.exit(1)
    finally:
        s.close()' "$1" "$2"
}
# Two make checks at once (two build directories) must not build
# _build/default together: one waits for the other.
mkdir -p "$SHOAL_SRCDIR/_build"
if command -v flock > /dev/null 2>&1; then
	exec 9> "$SHOAL_SRCDIR/_build/quickstart.lock"
	flock -w 900 9 || fail "waited 900 s for another quickstart test"
fi
free 127.0.0.1 53 || skip "127.0.0.1:53 is busy"
free 127.0.10.1 5300 || skip "127.0.10.1:5300 (the quickstart's NSD) is busy"

out=$T/run-default.out
SKIP_DEPS=1 timeout 900 sh "$script" --once > "$out" 2>&1
rc=$?
cat "$out"
[ $rc = 0 ] || fail "run-default.sh --once exited $rc"

# The answers from etc/zones/example.zone, through shoald.
expect() {
	grep -q -- "$1" "$out" || fail "the output lacks: $1"
}
expect "shoald (pid [0-9]*) answers on 127.0.0.1 port 53"
expect "^www\.example\.com\.[[:space:]].*IN[[:space:]]*A[[:space:]]*192\.0\.2\.80"
expect "^www\.example\.com\.[[:space:]].*AAAA[[:space:]]*2001:db8::80"
expect "^example\.com\.[[:space:]].*MX[[:space:]]*10 mail\.example\.com\."
expect "^ftp\.example\.com\.[[:space:]].*CNAME[[:space:]]*www\.example\.com\."
expect "^--- kdig @127.0.0.1 nope.example.com A"
expect "^--- kdig +tcp @127.0.0.1 www.example.com A"
expect "^192\.0\.2\.80$"

# It cleaned up after itself.
wait_for 50 free 127.0.0.1 53 || fail "127.0.0.1:53 still in use after --once"
log "done"
