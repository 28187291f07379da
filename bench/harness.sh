#!/bin/sh
# Measures shoal with the reference benchmark harness, beside the daemons
# operators run today, in one go (ratios within one run are what count).
#
#   bench/harness.sh BENCHDIR [table.sh arguments]
#
# BENCHDIR is the reference harness (its README explains it). This script
# installs shoal's start hook and configuration templates into its
# anchors/ (targets shoal-fwd: forwarding, no cache; shoal: with the
# packet cache; shoal-rec: the built-in resolver) and runs its table.sh,
# e.g.:
#   bench/harness.sh BENCHDIR -s cold,hot reflector dnsdist-nsd shoal-fwd shoal
# SHOALD defaults to the shoald of this tree's _build/default.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { sed -n '2,14p' "$0"; exit 2; }
bench=$(cd "$1" && pwd)
shift
: "${SHOALD:=$top/_build/default/shoald}"
[ -x "$SHOALD" ] || { echo "harness.sh: no $SHOALD (tools/build.sh)"; exit 1; }
SHOAL_LIBEXECDIR=${SHOAL_LIBEXECDIR:-$(dirname "$SHOALD")}
export SHOALD SHOAL_LIBEXECDIR
for t in shoal-fwd shoal shoal-rec; do
	cp "$top/bench/shoal.start" "$bench/anchors/$t.start"
done
cp "$top/bench/"shoal*.conf.in "$bench/anchors/"
cd "$bench"
exec ./table.sh "$@"
