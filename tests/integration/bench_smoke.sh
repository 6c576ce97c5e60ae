#!/bin/sh
# bench_smoke.sh - calcd-bench against calcd on every transport for a
# second each: answers served, no errors, exit 0; the --json report; a
# fake server that answers wrongly (errors, exit 1); a dead port (exit 2).
# TAP on stdout; about ten seconds.
#
# Run by "make check"; by hand:
#   top_builddir=. top_srcdir=. sh tests/integration/bench_smoke.sh

. "${top_srcdir:-.}/tests/lib.sh"

BENCH=${CALCD_BENCH:-${top_builddir:-.}/src/calcd-bench}
command -v certtool >/dev/null 2>&1 || skip_all "certtool not found"
"${top_srcdir:-.}/certs/mkcerts" "$T/certs" || bail_out "mkcerts failed"

tcp=%%tcp%%
tls=%%tls%%
http=%%http%%
https=%%https%%
udp=%%udp%%
dead=$(dead_port)	# nothing listens there, nor will
[ -n "$dead" ] || bail_out "no dead port"
calcd_start <<EOF || bail_out "calcd did not start"
user nobody
listen tcp 127.0.0.1:$tcp
listen tls 127.0.0.1:$tls
listen http 127.0.0.1:$http
listen https 127.0.0.1:$https
listen udp 127.0.0.1:$udp
tls-certificate $T/certs/server.crt
tls-key $T/certs/server.key
workers-min-spare 8
workers-max-spare 16
EOF

# bench ARG...: calcd-bench for one second on 4 connections, without
# warm-up; its report in $T/out, exit status in $rc, and the requests and
# errors of the table in $requests and $errors.
bench() {
	bounded 30 "$BENCH" -d 1 -w 0 -c 4 "$@" >"$T/out" 2>"$T/err"
	rc=$?
	requests=$(awk '$1 == "requests" { print $2 }' "$T/out")
	errors=$(awk '$1 == "requests" { print $4 }' "$T/out")
}

# served DESC: the last run answered requests, without errors, exit 0.
served() {
	is "$1: exit status 0" "$rc" 0 || diag "$(cat "$T/out" "$T/err")"
	ok "$1: requests served (${requests:-none})" \
	    test "${requests:-0}" -gt 0
	is "$1: no errors" "$errors" 0
}

ca=$T/certs/ca.crt

bench -t tcp -p "$tcp"
served "tcp"
bench -t tcp -p "$tcp" -P 8
served "tcp -P 8"
bench -t tcp -p "$tcp" --new-conn
served "tcp --new-conn"
bench -t tls -p "$tls" -h localhost --cafile "$ca"
served "tls"
bench -t udp -p "$udp"
served "udp"
bench -t http -p "$http"
served "http"
bench -t https -p "$https" -h localhost --cafile "$ca"
served "https"
bench -t https -p "$https" -h localhost --cafile "$ca" --new-conn
served "https --new-conn"

# has_fields FILE: FILE is one JSON object with the report's fields,
# requests served and no errors.
has_fields() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
need = ("requests errors seconds rps p50_us p90_us p99_us max_us "
    "transport connections pipeline new_conn").split()
missing = [k for k in need if k not in d]
if missing:
	sys.exit("missing: " + " ".join(missing))
if d["requests"] <= 0 or d["errors"] != 0 or d["transport"] != "tcp":
	sys.exit("unexpected: %r" % d)' "$1"
}

bench -t tcp -p "$tcp" -P 4 --json
if command -v python3 >/dev/null 2>&1; then
	is "--json: exit status 0" "$rc" 0
	ok "--json: one object with every field" has_fields "$T/out" ||
	    diag "$(cat "$T/out")"
else
	echo "ok $((tap_n += 1)) # SKIP python3 not found"
	echo "ok $((tap_n += 1)) # SKIP python3 not found"
fi

# fake_start: a fake line server on a port $fake it binds itself (port
# 0) and writes to a file once it listens: the greeting, then "11" to
# every line; it stops by itself after 20 seconds.
fake_start() {
	rm -f "$T/fake.port"
	python3 -c '
import os, socketserver, sys, threading
class Wrong(socketserver.StreamRequestHandler):
	def handle(self):
		self.wfile.write(b"welcome to the calculator! - type exit to leave\r\n")
		for line in self.rfile:
			self.wfile.write(b"11\r\n")
class Server(socketserver.ThreadingTCPServer):
	daemon_threads = True
	allow_reuse_address = True
s = Server(("127.0.0.1", 0), Wrong)
with open(sys.argv[1] + ".tmp", "w") as f:
	f.write("%d\n" % s.server_address[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
threading.Timer(20, s.shutdown).start()
s.serve_forever()' "$T/fake.port" </dev/null >/dev/null 2>&1 &
	fake_pid=$!
	if wait_for "$LIB_WAIT_S" test -s "$T/fake.port"; then
		read -r fake <"$T/fake.port"
		return 0
	fi
	kill "$fake_pid" 2>/dev/null
	wait "$fake_pid" 2>/dev/null
	return 1
}

if command -v python3 >/dev/null 2>&1; then
	fake_start || bail_out "the fake server did not start"
	bench -t tcp -p "$fake"
	kill "$fake_pid" 2>/dev/null
	wait "$fake_pid" 2>/dev/null
	is "wrong answers: exit status 1" "$rc" 1
	ok "wrong answers: counted as errors (${errors:-none})" \
	    test "${errors:-0}" -gt 0
	is "wrong answers: none served" "$requests" 0
	ok "wrong answers: the first one is shown" \
	    grep -q "wrong answer to '5+5': got '11', want '10'" "$T/err"
else
	for _ in 1 2 3 4; do
		echo "ok $((tap_n += 1)) # SKIP python3 not found"
	done
fi

bench -t tcp -p "$dead"
is "a dead port: exit status 2" "$rc" 2
ok "... with a message" grep -q 'refused' "$T/err"

bench -t tcp -p "$tcp" -P 0
is "a bad option: exit status 2" "$rc" 2

calcd_stop
is "calcd exits 0 on SIGTERM" "$CALCD_STATUS" 0
done_testing
