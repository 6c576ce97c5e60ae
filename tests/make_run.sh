#!/bin/sh
# make_run.sh - "make run" builds every program the README uses next
# (calcc and calcd-bench as well as calcd).  make -n -W SOURCE run shows
# what make would do if SOURCE had changed, without building or running
# anything.  Speaks TAP.
#
# Run by "make check"; by hand: top_builddir=. top_srcdir=. sh tests/make_run.sh

builddir=${top_builddir:-.}
srcdir=${top_srcdir:-.}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/make_run.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 99' HUP INT TERM
n=0

# rebuilds SOURCE PROGRAM: make run would relink PROGRAM after SOURCE changed.
rebuilds() {
	n=$((n + 1))
	# Not the caller's make: no jobserver, no -k or -s of make check.
	(cd "$builddir" && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS \
	    ${MAKE:-make} -n -W "$srcdir/$1" run) >"$tmp/out" 2>&1
	if grep -q -- "-o $2 " "$tmp/out"; then
		echo "ok $n - make run builds $2"
	else
		echo "not ok $n - make run builds $2"
		sed 's/^/# /' "$tmp/out" | head -n 20
	fi
}

echo "1..3"
rebuilds src/calcd.c src/calcd
rebuilds src/calcc.c src/calcc
rebuilds src/bench.c src/calcd-bench
