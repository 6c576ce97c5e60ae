#!/bin/sh
# cluster_haproxy.sh - two calcd nodes behind HAProxy, as calcd(8) shows
# an operator: "mode tcp" with send-proxy-v2 for tcp and tls, "mode http"
# with "option httpchk GET /healthz" for http.  The nodes share a
# tls-ticket-key-file, so a TLS session made on node A resumes on node B.
# calcd-bench runs through HAProxy over tcp, tls and http while node A is
# reloaded and node B is stopped gracefully: no request may be lost.
# TAP on stdout.
#
# Run by "make check"; by hand:
#   top_builddir=. top_srcdir=. sh tests/integration/cluster_haproxy.sh

. "${top_srcdir:-.}/tests/lib.sh"

HAPROXY=${HAPROXY:-/usr/sbin/haproxy}
BENCH=${BENCH:-${top_builddir:-.}/src/calcd-bench}
[ -x "$HAPROXY" ] || skip_all "no haproxy (package haproxy)"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not found"
command -v certtool >/dev/null 2>&1 || skip_all "certtool not found"
"$top_srcdir/certs/mkcerts" "$T/c" >/dev/null 2>&1 ||
    bail_out "mkcerts failed"
head -c 64 /dev/urandom >"$T/ticket.key"

for v in atcp atls ahttp btcp btls bhttp ftcp ftls fhttp; do
	p=$(free_port) || bail_out "no free port"
	eval "$v=$p"
done

# node CONF-FILE TCP TLS HTTP: a node's configuration.
node() {
	cat >"$1" <<EOF2
user nobody
listen tcp 127.0.0.1:$2 proxy
listen tls 127.0.0.1:$3 proxy
listen http 127.0.0.1:$4 proxy
tls-certificate $T/c/server.crt
tls-key $T/c/server.key
tls-ticket-key-file $T/ticket.key
max-connections-per-address 100%
workers-min-spare 4
workers-max-spare 16
EOF2
}
node "$T/a.conf" "$atcp" "$atls" "$ahttp"
node "$T/b.conf" "$btcp" "$btls" "$bhttp"
calcd_start <"$T/a.conf" || bail_out "node A did not start"
"$CALCD" -d -c "$T/b.conf" >"$T/b.log" 2>&1 &
bpid=$!

cat >"$T/haproxy.cfg" <<EOF2
global
	maxconn 400
	stats socket $T/haproxy.sock mode 600 level admin
defaults
	timeout connect 2s
	timeout client 30s
	timeout server 30s
	retries 3
	option redispatch
	default-server check inter 200ms fall 1 rise 1 check-send-proxy send-proxy-v2
frontend tcp
	mode tcp
	bind 127.0.0.1:$ftcp
	default_backend tcp
backend tcp
	mode tcp
	server a 127.0.0.1:$atcp
	server b 127.0.0.1:$btcp
frontend tls
	mode tcp
	bind 127.0.0.1:$ftls
	default_backend tls
backend tls
	mode tcp
	server a 127.0.0.1:$atls
	server b 127.0.0.1:$btls
frontend http
	mode http
	bind 127.0.0.1:$fhttp
	default_backend http
backend http
	mode http
	option httpchk GET /healthz
	retry-on all-retryable-errors
	server a 127.0.0.1:$ahttp
	server b 127.0.0.1:$bhttp
EOF2
"$HAPROXY" -c -q -f "$T/haproxy.cfg" || bail_out "haproxy refuses its file"
"$HAPROXY" -f "$T/haproxy.cfg" -db >"$T/haproxy.log" 2>&1 &
haproxy_pid=$!
trap 'kill "$haproxy_pid" "$bpid" 2>/dev/null; lib_cleanup' EXIT
for p in "$btcp" "$ftcp" "$ftls" "$fhttp"; do
	wait_port 127.0.0.1 "$p" || bail_out "port $p does not listen"
done
# Both nodes up in HAProxy: its checks reach both.
b_checked() {
	grep -q 'http 127.0.0.1:[0-9]*: 127.0.0.1:[0-9]*: .*1 requests' \
	    "$T/b.log"
}
wait_for 20 b_checked || bail_out "HAProxy's checks do not reach node B"

# A TLS session from node A resumes on node B: one ticket key.
resumed=$(bounded 30 python3 - "$atls" "$btls" "$T/c/ca.crt" <<'EOF2'
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[3])
def ask(port, session=None):
    s = socket.create_connection(("127.0.0.1", int(port)), 10)
    # A PROXY v1 header first: the listeners sit behind a balancer.
    s.sendall(b"PROXY TCP4 127.0.0.9 127.0.0.1 5000 %d\r\n" % int(port))
    t = ctx.wrap_socket(s, server_hostname="localhost", session=session)
    f = t.makefile("rb")
    f.readline()
    t.sendall(b"6*7\n")
    assert f.readline().strip() == b"42"
    reused = t.session_reused
    session = t.session
    t.sendall(b"exit\n")
    t.close()
    return reused, session
n = 0
_, sess = ask(sys.argv[1])
for i in range(5):
    r, _ = ask(sys.argv[2], sess)
    n += r
print(n)
EOF2
)
is "TLS sessions of node A resume on node B (5 of 5)" "$resumed" 5

# Load through HAProxy, a reload of A and a graceful stop of B meanwhile.
for t in tcp tls http; do
	eval "port=\$f$t"
	ca=
	[ "$t" = tls ] && ca="--cafile $T/c/ca.crt"
	# Until told to stop (SIGTERM: it reports and exits), at most 90 s.
	# shellcheck disable=SC2086
	"$BENCH" -t "$t" -p "$port" -c 4 -d 90 -w 0 $ca \
	    >"$T/bench.$t" 2>&1 &
	eval "bench_$t=\$!"
done
b_serving() {
	[ "$(grep -c 'accepted' "$T/b.log")" -ge 12 ]
}
wait_for 20 b_serving || diag "node B saw little load"
kill -HUP "$CALCD_PID"
log_reloaded() {
	grep -q 'configuration reloaded, generation 1' "$CALCD_LOG"
}
wait_for 20 log_reloaded || diag "node A did not log its reload"
# An operator drains a node in HAProxy before stopping it: no new
# connection goes there, and calcd then ends the sessions it has without
# losing a request (a client may send again what the last line says was
# not read).
bounded 10 python3 - "$T/haproxy.sock" <<'EOF2' || diag "no drain"
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(b"set server tcp/b state drain; set server tls/b state drain; "
          b"set server http/b state drain\n")
s.shutdown(socket.SHUT_WR)
try:
    while s.recv(4096):
        pass
except socket.timeout:
    pass
EOF2
kill -TERM "$bpid"
b_stopped() {
	! kill -0 "$bpid" 2>/dev/null
}
ok "node B stops gracefully under load" wait_for 30 b_stopped
benches_running() {
	kill -0 "$bench_tcp" 2>/dev/null && kill -0 "$bench_tls" 2>/dev/null &&
	    kill -0 "$bench_http" 2>/dev/null
}
ok "node B stopped while the load went on" benches_running
kill -TERM "$bench_tcp" "$bench_tls" "$bench_http" 2>/dev/null
wait "$bpid"
is "node B exits 0" "$?" 0
for t in tcp tls http; do
	eval "wait \$bench_$t"
	status=$?
	requests=$(sed -n 's/^requests *\([0-9]*\) .*/\1/p' "$T/bench.$t")
	errors=$(sed -n 's/.* errors \([0-9]*\) .*/\1/p' "$T/bench.$t" |
	    head -1)
	ok "$t through HAProxy: ${requests:-no} requests, ${errors:-?} errors" \
	    test "$status" -eq 0 -a "${errors:-1}" -eq 0 -a "${requests:-0}" -gt 0
	[ "$status" -eq 0 ] || diag "$(cat "$T/bench.$t")"
done
calcd_stop
is "node A exits 0" "$CALCD_STATUS" 0
done_testing
