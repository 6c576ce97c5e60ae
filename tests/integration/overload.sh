#!/bin/sh
# overload.sh - a pool of 16 workers under a flood of 128 idle, half-sent
# and handshake-stalled connections from 32 loopback addresses on every
# stream protocol (tests/integration/overload.py): new clients from fresh
# addresses are answered within a second, and sessions from before the
# flood keep their answers and variables.  TAP on stdout.
#
# Run by "make check"; by hand:
#   top_builddir=. top_srcdir=. sh tests/integration/overload.sh

. "${top_srcdir:-.}/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 not found"
command -v certtool >/dev/null 2>&1 || skip_all "certtool not found"
"$top_srcdir/certs/mkcerts" "$T/c" >/dev/null 2>&1 ||
    bail_out "mkcerts failed"

calcd_start <<EOF2 || bail_out "calcd did not start"
user nobody
listen tcp 127.0.0.1:%%tport%%
listen tls 127.0.0.1:%%sport%%
listen http 127.0.0.1:%%hport%%
listen https 127.0.0.1:%%hsport%%
tls-certificate $T/c/server.crt
tls-key $T/c/server.key
workers-max 16
workers-min-spare 4
workers-max-spare 8
EOF2

bounded 150 python3 "$top_srcdir/tests/integration/overload.py" 127.0.0.1 \
    "$tport" "$sport" "$hport" "$hsport" "$T/c/ca.crt" >"$T/tap" 2>"$T/err"
status=$?
grep -v '^1\.\.' "$T/tap" | while IFS= read -r line; do
	echo "$line"
done
tap_n=$(grep -c '^\(not \)\?ok ' "$T/tap")
tap_failed=$(grep -c '^not ok ' "$T/tap")
[ -s "$T/err" ] && diag "$(tail -n 5 "$T/err")"
[ "$status" -eq 0 ] || { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1));
    echo "not ok $tap_n - overload.py exited with status $status"; }

# /metrics counts what was shed and refused; the log has them in
# aggregate, a line a second per network, not a line a connection.
python3 -c 'import sys, urllib.request
print(urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1],
    timeout=10).read().decode())' "$hport" >"$T/metrics" 2>&1
sum_of() {
	awk -v re="$1" '$0 ~ re { n += $NF } END { print n + 0 }' "$T/metrics"
}
ok "/metrics counts sessions shed" test "$(sum_of \
    '^calcd_shed_connections_total')" -gt 0
ok "/metrics counts connections refused as busy" test "$(sum_of \
    '^calcd_refused_connections_total.*reason="busy"')" -gt 0
agg=$(grep -c 'refused in the last second' "$CALCD_LOG")
ok "refusals are logged in aggregate ($agg lines for the whole flood)" \
    test "$agg" -gt 0 -a "$agg" -lt 3000

calcd_stop
is "calcd exits 0 on SIGTERM" "$CALCD_STATUS" 0
done_testing
