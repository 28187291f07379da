#!/bin/sh
# Builds shoal out of tree in _build/default (or $1) with configure
# arguments from the rest of the command line.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-_build/default}
[ $# -gt 0 ] && shift
cd "$top"
[ -x configure ] && [ configure -nt configure.ac ] || autoreconf -fi
mkdir -p "$dir"
cd "$dir"
[ -f Makefile ] || "$top/configure" "$@"
make -j"$(nproc)"
