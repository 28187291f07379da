#!/bin/sh
#
# Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
#
# make check: replays the kept fuzz corpora (tests/fuzz/corpus/<name>/)
# through the harnesses built with the replay driver.

set -e
builddir=${SHOAL_BUILDDIR:-.}
srcdir=${SHOAL_SRCDIR:-.}

for name in packet name edns; do
	"$builddir/tests/fuzz/replay_$name" "$srcdir/tests/fuzz/corpus/$name"
done
