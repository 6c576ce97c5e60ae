#!/bin/sh
# http_rfc.sh - calcd's HTTP against a table of RFC 9112 MUSTs (request
# line, field syntax, Host, framing, chunked, Connection, HEAD, 405 with
# Allow, Date, Content-Length), each answer re-read by python3-h11, a
# strict third-party parser (tests/integration/http_rfc.py).  TAP on
# stdout; skipped without h11.
#
# Run by "make check"; by hand:
#   top_builddir=. top_srcdir=. sh tests/integration/http_rfc.sh

. "${top_srcdir:-.}/tests/lib.sh"

# The first Python that has h11 (the Debian package installs it for
# /usr/bin/python3, which another python3 on PATH may not see).
PY=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import h11' >/dev/null 2>&1; then
		PY=$p
		break
	fi
done
[ -n "$PY" ] || skip_all "python3-h11 not installed"

port=$(free_port) || bail_out "no free port"
calcd_start <<EOF || bail_out "calcd did not start"
user nobody
listen http 127.0.0.1:$port
workers-min-spare 2
workers-max-spare 4
EOF

# The table's TAP lines, counted as this script's own.
bounded 300 "$PY" "$top_srcdir/tests/integration/http_rfc.py" 127.0.0.1 \
    "$port" >"$T/tap"
grep -v '^1\.\.' "$T/tap"
tap_n=$(grep -c '^ok \|^not ok ' "$T/tap")
tap_failed=$(grep -c '^not ok ' "$T/tap")

calcd_stop
is "calcd exits 0 on SIGTERM" "$CALCD_STATUS" 0
done_testing
