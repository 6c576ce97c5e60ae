#!/bin/sh
# man_lint.sh - the manual pages: clean mdoc, renderable by man(1), and
# complete: every calcd.conf keyword and every option of calcd, calcc
# and calcd-bench is documented.  Speaks TAP.
#
# Run by "make check"; by hand: top_srcdir=. sh tests/man_lint.sh

srcdir=${top_srcdir:-.}
man_dir=$srcdir/man
pages="calcd.8 calcd.conf.5 calcc.1 calcd-bench.1"
conf_c=$srcdir/src/conf.c
tmp=$(mktemp -d "${TMPDIR:-/tmp}/man_lint.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 99' HUP INT TERM
n=0

# result DESC OK [FILE]: print TAP line n for DESC, passed when OK is 0;
# on a failure, show FILE (what went wrong) as TAP diagnostics.
result() {
	n=$((n + 1))
	if [ "$2" -eq 0 ]; then
		echo "ok $n - $1"
		return
	fi
	echo "not ok $n - $1"
	[ -n "$3" ] && [ -s "$3" ] && sed 's/^/# /' "$3" | head -n 40
}

# skip DESC WHY: print TAP line n for DESC as skipped.
skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# The keywords of conf.c's table: the first argument of its entries.
keywords() {
	sed -n -E 's/^[[:space:]]*(ULONG|STRING|NETLIST)\("([^"]*)".*/\2/p' \
	    "$conf_c"
}

# The long options of the struct option table of a C file.
long_options() {
	sed -n '/struct option/,/};/p' "$1" |
	    sed -n 's/^[[:space:]]*{[[:space:]]*"\([^"]*\)".*/\1/p'
}

# The option letters of a C file's getopt optstring: the string passed to
# getopt_long() or getopt(), or else one named shortopts or optstring.
short_options() {
	s=$(sed -n 's/.*getopt\(_long\)\{0,1\}([^"]*"\([^"]*\)".*/\2/p' "$1" |
	    head -n 1)
	[ -n "$s" ] || s=$(sed -n -E \
	    's/.*(shortopts|optstring)[^=]*=[[:space:]]*"([^"]*)".*/\2/p' \
	    "$1" | head -n 1)
	printf '%s' "$s" | tr -d ':+-' | fold -w 1
	echo
}

# The SYNOPSIS section of a page, and its option list: lines ".It Fl ...".
synopsis() {
	sed -n '/^\.Sh SYNOPSIS/,/^\.Sh /p' "$1"
}

# documented PAGE SOURCE: write to $tmp/missing each option of SOURCE
# that the page neither shows in its SYNOPSIS nor lists with ".It Fl".
documented() {
	: >"$tmp/missing"
	synopsis "$1" >"$tmp/synopsis"
	grep '^\.It Fl ' "$1" >"$tmp/items"
	for o in $(long_options "$2"); do
		grep -Eq "(Fl |[|] )-$o( |$)" "$tmp/synopsis" "$tmp/items" ||
		    echo "--$o is not documented" >>"$tmp/missing"
	done
	[ -n "$(short_options "$2")" ] ||
	    echo "no getopt optstring found in $2" >>"$tmp/missing"
	for o in $(short_options "$2"); do
		grep -Eq "(^|[ |])Fl [A-Za-z0-9]*$o" "$tmp/synopsis" ||
		    grep -Eq "^\.It Fl $o( |$)" "$tmp/items" ||
		    echo "-$o is not documented" >>"$tmp/missing"
	done
	[ ! -s "$tmp/missing" ]
}

kw=$(keywords)
nkw=$(printf '%s\n' "$kw" | grep -c .)
npages=$(printf '%s\n' $pages | grep -c .)
echo "1..$((npages * 2 + 1 + nkw + 1 + 3))"

if command -v mandoc >/dev/null 2>&1; then
	lint="mandoc -Tlint -W warning"
elif command -v groff >/dev/null 2>&1; then
	echo "# mandoc not found: checking with groff -ww -z -mandoc"
	lint="groff -ww -z -mandoc"
else
	lint=
fi
for page in $pages; do
	if [ -z "$lint" ]; then
		skip "$page: lint" "neither mandoc nor groff found"
		continue
	fi
	# shellcheck disable=SC2086
	$lint "$man_dir/$page" >"$tmp/lint" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] && [ ! -s "$tmp/lint" ]
	result "$page: $lint is silent" $? "$tmp/lint"
done

for page in $pages; do
	if ! command -v man >/dev/null 2>&1; then
		skip "$page: man -l renders it" "man not found"
		continue
	fi
	MANWIDTH=80 man -l "$man_dir/$page" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 0 ] && [ -s "$tmp/out" ] &&
	    ! grep -q 'troff\|warning\|error' "$tmp/err"
	result "$page: man -l renders it" $? "$tmp/err"
done

[ "$nkw" -gt 20 ]
result "found the keyword table of src/conf.c ($nkw keywords)" $?
for k in $kw; do
	grep -Eq "^\.It Ic $k( |$)" "$man_dir/calcd.conf.5"
	result "calcd.conf.5 documents $k" $?
done
grep -Eq '^\.It Ic listen( |$)' "$man_dir/calcd.conf.5"
result "calcd.conf.5 documents listen" $?

documented "$man_dir/calcd.8" "$srcdir/src/calcd.c"
result "calcd.8 documents every option of src/calcd.c" $? "$tmp/missing"
documented "$man_dir/calcc.1" "$srcdir/src/calcc.c"
result "calcc.1 documents every option of src/calcc.c" $? "$tmp/missing"
documented "$man_dir/calcd-bench.1" "$srcdir/src/bench.c"
result "calcd-bench.1 documents every option of src/bench.c" $? \
    "$tmp/missing"
