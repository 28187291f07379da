#!/bin/sh
# The README's first command: installs what shoal needs (Debian 12, as
# root), builds it, starts NSD with the sample zone on 127.0.10.1:5300,
# starts shoald on 127.0.0.1:53 in front of it, shows a few answers with
# kdig, and keeps shoald in the foreground until Ctrl-C.
#   --once   stop after showing the answers (used by the tests)
#   SKIP_DEPS=1  do not run apt-get
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
once=0
[ "${1:-}" = "--once" ] && once=1
cd "$top"
[ "${SKIP_DEPS:-0}" = 1 ] || tools/deps.sh
tools/build.sh _build/default
build="$top/_build/default"

work=$(mktemp -d /tmp/shoal-run.XXXXXX)
cleanup() {
	[ -n "${shoal_pid:-}" ] && kill "$shoal_pid" 2>/dev/null
	[ -n "${nsd_pid:-}" ] && kill "$nsd_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

cat > "$work/nsd.conf" <<NSDCONF
server:
	ip-address: 127.0.10.1@5300
	username: ""
	chroot: ""
	zonesdir: "$top/etc/zones"
	database: ""
	zonelistfile: "$work/zone.list"
	xfrdfile: "$work/xfrd.state"
	pidfile: "$work/nsd.pid"
	logfile: "$work/nsd.log"
	server-count: 1
	verbosity: 1
zone:
	name: example.com
	zonefile: example.zone
NSDCONF
nsd -d -c "$work/nsd.conf" &
nsd_pid=$!
i=0
until kdig +short +time=1 +retry=0 @127.0.10.1 -p 5300 example.com SOA \
    >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 50 ] || { echo "NSD did not start: $work/nsd.log"; exit 1; }
	sleep 0.1
done
echo "NSD serves example.com on 127.0.10.1 port 5300"

"$build/shoald" --config etc/examples/quickstart.conf &
shoal_pid=$!
i=0
until kdig +short +time=1 +retry=0 @127.0.0.1 example.com SOA >/dev/null 2>&1
do
	i=$((i + 1))
	[ $i -lt 50 ] || { echo "shoald did not answer"; exit 1; }
	sleep 0.1
done
echo "shoald (pid $shoal_pid) answers on 127.0.0.1 port 53:"
for q in "www.example.com A" "www.example.com AAAA" "example.com MX" \
    "ftp.example.com A" "nope.example.com A"; do
	echo "--- kdig @127.0.0.1 $q"
	# shellcheck disable=SC2086
	kdig +noall +answer +comments @127.0.0.1 $q |
	    grep -v '^;; \(Received\|Time\|From\)' || true
done
echo "--- kdig +tcp @127.0.0.1 www.example.com A"
kdig +tcp +short @127.0.0.1 www.example.com A
[ $once = 1 ] && exit 0
echo "shoald runs in the foreground; Ctrl-C stops it and NSD."
wait "$shoal_pid"
