#!/bin/sh
# calcc_local.sh - calcc --local: arguments, pipes and exit status, in TAP.
#
# Run by "make check"; by hand: top_builddir=. sh tests/calcc_local.sh
# CALCC selects another binary.

CALCC=${CALCC:-${top_builddir:-.}/src/calcc}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/calcc_local.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 99' HUP INT TERM
: >"$tmp/in"
n=0

# input FORMAT [ARG...]: the next run reads printf FORMAT ARG... on stdin.
input() {
	# shellcheck disable=SC2059
	printf "$@" >"$tmp/in"
}

# run [ARG...]: run calcc with ARGs; stdout goes to $tmp/out, stderr to
# $tmp/err, the exit status to $rc.  Standard input is reset afterwards.
run() {
	"$CALCC" "$@" <"$tmp/in" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	: >"$tmp/in"
}

# result DESC OK: print TAP line n for DESC, passed when OK is 0; on a
# failure, show what calcc did as TAP diagnostics.
result() {
	n=$((n + 1))
	if [ "$2" -eq 0 ]; then
		echo "ok $n - $1"
		return
	fi
	echo "not ok $n - $1"
	echo "# exit status $rc"
	sed 's/^/# stdout: /' "$tmp/out" | head -n 20
	sed 's/^/# stderr: /' "$tmp/err" | head -n 20
}

# expect DESC STATUS OUTPUT: the last run exited with STATUS and printed
# exactly OUTPUT (lines separated by newlines) on stdout.
expect() {
	[ "$rc" -eq "$2" ] && [ "$(cat "$tmp/out")" = "$3" ]
	result "$1" $?
}

nl='
'

echo "1..14"

run --local 5+5
expect "one argument" 0 "10"

run --local 'x = 2' 'x * 3' 'ans + 1'
expect "arguments share one session" 0 "2${nl}6${nl}7"

input '1+2\n\nx = 4\n   \nx^2\n'
run --local
expect "a pipe, blank lines unanswered, exit 0" 0 "3${nl}4${nl}16"

input '6*7\r\n'
run --local
expect "CRLF line ends" 0 "42"

input '2^64'
run --local
expect "a last line without a newline" 0 "18446744073709551616"

run --local '1+1' '1/0' '2+2'
expect "an error answer: exit 1, other answers kept" 1 \
    "2${nl}error: division by zero${nl}4"

input '1\n(2\n3\n'
run --local
[ "$rc" -eq 1 ] && [ "$(sed -n 1p "$tmp/out")" = 1 ] &&
    sed -n 2p "$tmp/out" | grep -q '^error: ' &&
    [ "$(sed -n 3p "$tmp/out")" = 3 ] && [ "$(wc -l <"$tmp/out")" -eq 3 ]
result "an error in a pipe: exit 1, other answers kept" $?

input '1\n  exit \n2\n'
run --local
expect "exit ends a piped session" 0 "1"

run --local -- -3^2
expect "an expression after -- may start with a minus" 0 "-9"

run --local --no-such-option
[ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] && grep -q '^usage: ' "$tmp/err"
result "a bad option: exit 2, usage on stderr" $?

run --help
[ "$rc" -eq 0 ] && grep -q '^usage: calcc' "$tmp/out"
result "--help: usage on stdout, exit 0" $?

run --version
[ "$rc" -eq 0 ] && grep -q '^calcc .*[0-9]\.[0-9]' "$tmp/out"
result "--version" $?

awk 'BEGIN { for (i = 1; i <= 10000; i++) print i " * 3 + 1" }' \
    >"$tmp/in"
awk 'BEGIN { for (i = 1; i <= 10000; i++) print i * 3 + 1 }' \
    >"$tmp/expected"
run --local
[ "$rc" -eq 0 ] && cmp -s "$tmp/out" "$tmp/expected"
result "10000 piped lines, 10000 answers" $?

input '1\n'
"$CALCC" --local <"$tmp/in" >/dev/full 2>"$tmp/err"
rc=$?
: >"$tmp/out"
[ "$rc" -eq 2 ]
result "a write error: exit 2" $?
