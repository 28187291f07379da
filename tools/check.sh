#!/bin/sh
# The README's second command (and what CI runs): installs what shoal
# needs (Debian 12, as root), builds it, and runs every test:
#   1. make check in a normal build (unit, fuzz-corpus replay, integration)
#   2. make check again with AddressSanitizer and UndefinedBehaviorSanitizer
#   3. make distcheck
#   4. the Debian package, lintian and hardening-check (tools/package.sh)
# SKIP_DEPS=1 skips apt-get; SKIP_ASAN=1, SKIP_DISTCHECK=1, SKIP_PACKAGE=1
# skip a step.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ "${SKIP_DEPS:-0}" = 1 ] || tools/deps.sh
jobs=$(nproc)

step() { printf '\n=== %s\n' "$*"; }
show_failures() {
	# Print the logs of failed tests so CI output says why.
	find "$1" -name '*.log' -path '*tests*' | while read -r f; do
		t=${f%.log}.trs
		[ -f "$t" ] && grep -q '^:test-result: \(FAIL\|ERROR\)' "$t" &&
		    { echo "--- $f"; tail -n 80 "$f"; }
	done
	return 1
}

step "build and test"
tools/build.sh _build/check
(cd _build/check && make -j"$jobs" check) || show_failures _build/check

if [ "${SKIP_ASAN:-0}" != 1 ]; then
	step "build and test with ASan and UBSan"
	tools/build.sh _build/asan --enable-sanitizers
	(cd _build/asan && ASAN_OPTIONS=detect_leaks=0 make -j"$jobs" check) ||
	    show_failures _build/asan
fi

if [ "${SKIP_DISTCHECK:-0}" != 1 ]; then
	step "distcheck"
	(cd _build/check && make -j"$jobs" distcheck)
fi

if [ "${SKIP_PACKAGE:-0}" != 1 ] && [ -x tools/package.sh ]; then
	step "Debian package"
	tools/package.sh
fi
step "all tests passed"
