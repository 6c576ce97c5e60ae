#!/bin/sh
# engine_reference.sh - calcc --local against an independent reference, in TAP.
#
# Run by "make check"; by hand: top_builddir=. sh tests/engine_reference.sh
# tests/engine_ref.py generates ENGINE_REF_LINES expressions (default
# 20000) of the kinds where inexact results go wrong, with their true
# answers rounded to 34 digits (Python's fractions and mpmath, which share
# no code with the engine).  Each answer of calcc must be the reference's,
# character for character, or the documented error it names; where the
# reference at 700 and 1000 bits rounds apart ("?"), any answer passes.
# One TAP line per class of expression.  CALCC selects another binary;
# ENGINE_REF_SEED another batch.

CALCC=${CALCC:-${top_builddir:-.}/src/calcc}
here=$(cd "$(dirname "$0")" && pwd)
lines=${ENGINE_REF_LINES:-20000}
seed=${ENGINE_REF_SEED:-14}

if ! command -v python3 >/dev/null 2>&1 ||
    ! python3 -c 'import mpmath' 2>/dev/null; then
	echo "1..0 # SKIP python3 and its mpmath are needed"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/engine_reference.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 99' HUP INT TERM

python3 "$here/engine_ref.py" "$lines" --seed "$seed" >"$tmp/ref" || exit 99
cut -f2 "$tmp/ref" >"$tmp/exprs"
"$CALCC" --local <"$tmp/exprs" >"$tmp/out" 2>"$tmp/err"
if [ "$(wc -l <"$tmp/out")" -ne "$lines" ] || [ -s "$tmp/err" ]; then
	echo "1..1"
	echo "not ok 1 - calcc answered $(wc -l <"$tmp/out") of $lines lines"
	sed 's/^/# stderr: /' "$tmp/err" | head -n 5
	exit 0
fi

# One TAP line per class: every answer as the reference says, up to five
# differences shown; then one that the batch was as large as asked.
paste "$tmp/ref" "$tmp/out" | awk -F '\t' -v lines="$lines" '
{
	cls = $1
	if (!(cls in total))
		order[++nclass] = cls
	total[cls]++
	if ($3 == "?") {
		undecided[cls]++
		if ($4 == "error: precision exhausted")
			exhausted[cls]++
	} else if ($3 == $4) {
		equal[cls]++
	} else {
		bad[cls]++
		if (bad[cls] <= 5)
			diag[cls] = diag[cls] sprintf("# %s\n#   got:  %s\n#   want: %s\n",
			    $2, $4, $3)
	}
}
END {
	printf "1..%d\n", nclass + 1
	for (i = 1; i <= nclass; i++) {
		c = order[i]
		printf "%s %d - %s: %d of %d as the reference, %d undecided " \
		    "there (%d exhausted here), %d wrong\n",
		    bad[c] ? "not ok" : "ok", i, c, equal[c], total[c],
		    undecided[c], exhausted[c], bad[c]
		printf "%s", diag[c]
	}
	ok = NR == lines
	printf "%s %d - %d expressions\n", ok ? "ok" : "not ok", nclass + 1, NR
}'
