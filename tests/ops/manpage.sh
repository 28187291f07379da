#!/bin/sh
# The man pages against the programs:
#  - shoald(8) has an ".It Fl" item for every option `shoald --help`
#    lists, and no option it does not list;
#  - shoalctl(8) has an ".It Cm" item for every command (and cache
#    subcommand) of shoalctl's usage, and none it does not list;
#  - check_manpage (directives, methods, values, options, counters) and
#    the two checks above fail on pages with one entry removed or one
#    unknown entry added, so that they are known to be able to fail.
: "${SHOAL_BUILDDIR:?run under make check or set SHOAL_BUILDDIR}"
: "${SHOAL_SRCDIR:?run under make check or set SHOAL_SRCDIR}"
MAN=$SHOAL_SRCDIR/man
CHECK=$SHOAL_BUILDDIR/tests/ops/check_manpage
LC_ALL=C
export LC_ALL
T=$(mktemp -d "${TMPDIR:-/tmp}/shoal-manpage.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
status=0

fail() { echo "manpage: FAIL: $*"; status=1; }

# The options of shoald's usage, one a line: "-C" and "--config" from
# "  -C, --config FILE   ...", the words of an option line up to the
# first that is no option.
shoald_options() {
	"$SHOAL_BUILDDIR/shoald" --help | awk '/^  -/ {
		for (i = 1; i <= NF; i++) {
			w = $i
			sub(/,$/, "", w)
			if (w !~ /^--?[A-Za-z]/)
				break
			print w
		}
	}' | sort -u
}

# The options a page documents: "Fl X" and "Fl -name" on ".It" lines.
page_options() {
	grep '^\.It ' "$1" | grep -o 'Fl -*[A-Za-z][a-z-]*' |
	    sed 's/^Fl /-/' | sort -u
}

# shoalctl's commands: "status", ..., and "cache stats" for the cache
# subcommands listed in the help of "cache".
shoalctl_commands() {
	"$SHOAL_BUILDDIR/shoalctl" -h 2>&1 | awk '
	/^commands:/ { on = 1; next }
	/^[^ ]/ { on = 0 }
	on && $1 == "cache" {
		sub(/^ *cache +/, "")
		n = split($0, sub_, /\|/)
		for (i = 1; i <= n; i++) {
			split(sub_[i], w, " ")
			print "cache " w[1]
		}
		next
	}
	on { print $1 }' | sort -u
}

# The commands a page documents: ".It Cm WORD [WORD]" where a second
# word follows "cache".
page_commands() {
	sed -n 's/^\.It Cm \(cache [a-z-]*\).*/\1/p; t
	    s/^\.It Cm \([a-z-]*\).*/\1/p' "$1" | sort -u
}

# check_list WHAT WANTED DOCUMENTED: both ways; returns 1 on a difference.
check_list() {
	rc=0
	for x in $(comm -23 "$2" "$3" | tr ' ' '@'); do
		echo "  $1 missing from the page: $(echo "$x" | tr '@' ' ')"
		rc=1
	done
	for x in $(comm -13 "$2" "$3" | tr ' ' '@'); do
		echo "  $1 documented but unknown: $(echo "$x" | tr '@' ' ')"
		rc=1
	done
	return $rc
}

check_shoald() {
	page_options "$1" >"$T/documented"
	check_list "shoald option" "$T/wanted.shoald" "$T/documented"
}

check_shoalctl() {
	page_commands "$1" >"$T/documented"
	check_list "shoalctl command" "$T/wanted.shoalctl" "$T/documented"
}

shoald_options >"$T/wanted.shoald"
shoalctl_commands >"$T/wanted.shoalctl"
# The usages themselves must have been understood.
[ "$(wc -l <"$T/wanted.shoald")" -ge 10 ] ||
    fail "cannot read the options of shoald --help"
grep -qx -- --check-config "$T/wanted.shoald" ||
    fail "shoald --help: no --check-config"
grep -qx 'cache wipe' "$T/wanted.shoalctl" ||
    fail "shoalctl -h: no cache wipe"

echo "shoald(8) against shoald --help:"
check_shoald "$MAN/shoald.8.in" || fail "shoald.8.in"
echo "shoalctl(8) against shoalctl -h:"
check_shoalctl "$MAN/shoalctl.8.in" || fail "shoalctl.8.in"

# Each check must notice one entry removed and one unknown entry added.
# expect_fail NAME OUTPUT-PATTERN COMMAND...: the command must fail and
# print the pattern.
expect_fail() {
	name=$1 pattern=$2
	shift 2
	if out=$("$@" 2>&1); then
		fail "$name: the check passed a broken page"
	elif ! printf '%s\n' "$out" | grep -q -- "$pattern"; then
		fail "$name: the check failed without naming $pattern:"
		printf '%s\n' "$out"
	else
		echo "self-test $name: fails as it should"
	fi
}

cp "$MAN/shoal.conf.5.in" "$MAN/shoalctl.8.in" "$MAN/shoald.8.in" "$T/"
sed '/^\.It Ic setLocal /d' "$T/shoal.conf.5.in" >"$T/no-directive.5"
sed '/^\.It Cm checkInterval /d' "$T/shoal.conf.5.in" >"$T/no-key.5"
sed '/^\.It Ic server:setQPS /d' "$T/shoal.conf.5.in" >"$T/no-method.5"
sed '/^\.It Ic chashed$/d' "$T/shoal.conf.5.in" >"$T/no-value.5"
sed 's/^\.It Ic setUser /.It Ic setUserName /' "$T/shoal.conf.5.in" \
    >"$T/unknown.5"
sed 's/^\.It Cm rise /.It Cm raise /' "$T/shoal.conf.5.in" \
    >"$T/unknown-key.5"
sed '/^\.It Li queries_udp$/d' "$T/shoalctl.8.in" >"$T/no-counter.8"
sed 's/^\.It Li formerr$/.It Li formerrs/' "$T/shoalctl.8.in" \
    >"$T/unknown-counter.8"
for f in no-directive.5 no-key.5 no-method.5 no-value.5 unknown.5 \
    unknown-key.5 no-counter.8 unknown-counter.8; do
	cmp -s "$T/$f" "$T/shoal.conf.5.in" || cmp -s "$T/$f" \
	    "$T/shoalctl.8.in" || continue
	fail "self-test $f: the edit changed nothing"
done
C5=$T/shoal.conf.5.in
C8=$T/shoalctl.8.in
expect_fail directive "missing directive setLocal" \
    "$CHECK" "$T/no-directive.5" "$C8"
expect_fail option "missing option checkInterval of newServer" \
    "$CHECK" "$T/no-key.5" "$C8"
expect_fail method "missing method server:setQPS" \
    "$CHECK" "$T/no-method.5" "$C8"
expect_fail value "missing value chashed" "$CHECK" "$T/no-value.5" "$C8"
expect_fail unknown-directive "setUserName is no directive" \
    "$CHECK" "$T/unknown.5" "$C8"
expect_fail unknown-option "raise is no option of newServer" \
    "$CHECK" "$T/unknown-key.5" "$C8"
expect_fail counter "missing counter queries_udp" \
    "$CHECK" "$C5" "$T/no-counter.8"
expect_fail unknown-counter "formerrs is no counter" \
    "$CHECK" "$C5" "$T/unknown-counter.8"

sed '/^\.It Fl -check-config$/d' "$T/shoald.8.in" >"$T/no-option.8"
sed 's/^\.It Fl -supervised$/.It Fl -supervise/' "$T/shoald.8.in" \
    >"$T/unknown-option.8"
sed '/^\.It Cm cache wipe-suffix /d' "$T/shoalctl.8.in" >"$T/no-cmd.8"
sed 's/^\.It Cm nsspeeds$/.It Cm nsspeed/' "$T/shoalctl.8.in" \
    >"$T/unknown-cmd.8"
expect_fail shoald-option "missing from the page: --check-config" \
    check_shoald "$T/no-option.8"
expect_fail shoald-unknown "documented but unknown: --supervise" \
    check_shoald "$T/unknown-option.8"
expect_fail shoalctl-command "missing from the page: cache wipe-suffix" \
    check_shoalctl "$T/no-cmd.8"
expect_fail shoalctl-unknown "documented but unknown: nsspeed" \
    check_shoalctl "$T/unknown-cmd.8"
exit $status
