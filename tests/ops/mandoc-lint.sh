#!/bin/sh
# mandoc -T lint on the three generated man pages: any message at the
# warning level or above (or a non-zero status) fails. Exit 77 without
# mandoc (Debian package mandoc).
: "${SHOAL_BUILDDIR:?run under make check or set SHOAL_BUILDDIR}"
if ! command -v mandoc >/dev/null 2>&1; then
	echo "mandoc-lint: SKIP: mandoc is missing (apt-get install mandoc)"
	exit 77
fi
status=0
for page in man/shoald.8 man/shoalctl.8 man/shoal.conf.5; do
	f=$SHOAL_BUILDDIR/$page
	if [ ! -s "$f" ]; then
		echo "mandoc-lint: FAIL: $f was not built"
		status=1
		continue
	fi
	out=$(mandoc -T lint -W warning "$f" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] || [ -n "$out" ]; then
		echo "mandoc-lint: FAIL: $page (status $rc):"
		printf '%s\n' "$out"
		status=1
	else
		echo "mandoc-lint: $page clean"
	fi
done
exit $status
