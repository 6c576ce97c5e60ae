#!/bin/sh
# proxy_haproxy.sh - the PROXY protocol with a real load balancer: HAProxy
# sends version 1 to one calcd listener and version 2 to another; calcd's
# /headers, its log and its fair share see the client HAProxy names, not
# HAProxy.  Connections without a header, and from outside proxy-allow,
# are refused.  TAP on stdout.
#
# Run by "make check"; by hand:
#   top_builddir=. top_srcdir=. sh tests/integration/proxy_haproxy.sh

. "${top_srcdir:-.}/tests/lib.sh"

HAPROXY=${HAPROXY:-/usr/sbin/haproxy}
[ -x "$HAPROXY" ] || skip_all "no haproxy (package haproxy)"
command -v curl >/dev/null 2>&1 || skip_all "curl not found"
command -v nc >/dev/null 2>&1 || skip_all "nc not found (netcat-openbsd)"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not found"

GREETING='welcome to the calculator! - type exit to leave'
http=%%http%%
tcp=%%tcp%%
plain=%%plain%%
tls=%%tls%%
"$top_srcdir/certs/mkcerts" "$T/certs" >/dev/null 2>&1 ||
    bail_out "mkcerts failed"

calcd_start <<EOF || bail_out "calcd did not start"
user nobody
listen tcp 127.0.0.1:$plain
listen http 127.0.0.1:$http proxy
listen tcp 127.0.0.1:$tcp proxy
listen tls 127.0.0.1:$tls proxy
tls-certificate $T/certs/server.crt
tls-key $T/certs/server.key
workers-min-spare 2
workers-max-spare 4
max-connections-per-address 1
proxy-timeout 2
EOF

# haproxy_start: HAProxy's four frontends on ports picked free now; it
# binds them itself, so when another process took one meanwhile it
# exits, and this tries again with new ones.
haproxy_start() {
	v1=$(free_port) && v2=$(free_port) && v2tcp=$(free_port) &&
	    v2tls=$(free_port) || return 1
	cat >"$T/haproxy.cfg" <<EOF
global
	maxconn 100
defaults
	mode tcp
	timeout connect 5s
	timeout client 10s
	timeout server 10s
frontend v1
	bind 127.0.0.1:$v1
	default_backend calcd_v1
backend calcd_v1
	server calcd 127.0.0.1:$http send-proxy
frontend v2
	bind 127.0.0.1:$v2
	default_backend calcd_v2
backend calcd_v2
	server calcd 127.0.0.1:$http send-proxy-v2
frontend v2tcp
	bind 127.0.0.1:$v2tcp
	default_backend calcd_v2tcp
backend calcd_v2tcp
	server calcd 127.0.0.1:$tcp send-proxy-v2
frontend v2tls
	bind 127.0.0.1:$v2tls
	default_backend calcd_v2tls
backend calcd_v2tls
	server calcd 127.0.0.1:$tls send-proxy-v2
EOF
	"$HAPROXY" -c -q -f "$T/haproxy.cfg" ||
	    bail_out "haproxy refuses its file"
	"$HAPROXY" -f "$T/haproxy.cfg" -db >>"$T/haproxy.log" 2>&1 &
	haproxy_pid=$!
	wait_for "$LIB_WAIT_S" haproxy_up && kill -0 "$haproxy_pid" 2>/dev/null
}
# haproxy_up: every frontend accepts, or HAProxy has exited.
haproxy_up() {
	kill -0 "$haproxy_pid" 2>/dev/null || return 0
	for hu_port in "$v1" "$v2" "$v2tcp" "$v2tls"; do
		nc -z -w 1 127.0.0.1 "$hu_port" 2>/dev/null || return 1
	done
}
haproxy_pid=
trap '[ -n "$haproxy_pid" ] && kill "$haproxy_pid" 2>/dev/null; lib_cleanup' \
    EXIT
haproxy_start || haproxy_start || haproxy_start ||
    bail_out "haproxy does not listen"

# client_of PORT: the "client" of /headers asked through HAProxy's
# frontend PORT, then the address we asked from (curl's local port).
client_of() {
	bounded 10 curl -s -o "$T/headers" -w '%{local_port}' \
	    "http://127.0.0.1:$1/headers" >"$T/lport"
	python3 -c 'import json, sys; print(json.load(sys.stdin)["client"])' \
	    <"$T/headers"
	echo "127.0.0.1:$(cat "$T/lport")"
}

out=$(client_of "$v1")
lp1=$(cat "$T/lport")
is "PROXY v1 from HAProxy: /headers names the client" "$out" \
    "127.0.0.1:$lp1
127.0.0.1:$lp1"
out=$(client_of "$v2")
lp2=$(cat "$T/lport")
is "PROXY v2 from HAProxy: /headers names the client" "$out" \
    "127.0.0.1:$lp2
127.0.0.1:$lp2"
is "answers through HAProxy" "$(bounded 10 curl -s \
    "http://127.0.0.1:$v2/calc?expr=2%5E10")" 1024
ok "the log names the client and HAProxy" log_wait \
    "http 127.0.0.1:$http: 127.0.0.1:$lp2: closed, via 127.0.0.1:"

# line PORT INPUT: INPUT to the line protocol through HAProxy's frontend
# PORT, our side shut down after it; the answers, our local port in
# $T/lport.
line() {
	bounded 10 python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
open(sys.argv[2], "w").write("%d\n" % s.getsockname()[1])
s.sendall(sys.argv[3].encode())
s.shutdown(socket.SHUT_WR)
s.settimeout(10)
out = b""
while True:
    d = s.recv(4096)
    if not d:
        break
    out += d
sys.stdout.write(out.decode().replace("\r", ""))' "$1" "$T/lport" "$2"
}

is "line protocol through HAProxy, PROXY v2" "$(line "$v2tcp" '5+5
')" "$GREETING
10"
lp3=$(cat "$T/lport")
ok "the line protocol's log names the client" log_wait \
    "tcp 127.0.0.1:$tcp: 127.0.0.1:$lp3: eof, via 127.0.0.1:"

is "TLS through HAProxy: the header, then the handshake" "$(bounded 10 \
    "$top_builddir/src/calcc" --tls --cafile "$T/certs/ca.crt" \
    -h localhost -p "$v2tls" 6*7)" 42
ok "the TLS connection's log names the client" log_wait \
    "tls 127.0.0.1:$tls: 127.0.0.1:[0-9]*: quit, via 127.0.0.1:[0-9]*, TLS"

# Without a header: no answer, and calcd says why.
is "a client that sends no header gets nothing" "$(bounded 10 curl -s \
    "http://127.0.0.1:$http/healthz")" ""
ok "calcd logged the missing header" log_wait "no PROXY protocol header"
is "a header sent by hand is taken" "$(printf \
    'PROXY TCP4 192.0.2.7 127.0.0.1 40000 80\r\nGET /headers HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
    bounded 10 nc -N 127.0.0.1 "$http" | tail -n 1 |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["client"])')" \
    "192.0.2.7:40000"

# Fair share counts the client HAProxy names: with
# max-connections-per-address 1, a second connection for the same client
# is refused while the first is held, one for another client is not.
python3 - "$tcp" >"$T/fair.out" 2>&1 <<'PY' &
import socket, sys, time
port = int(sys.argv[1])
def conn(client):
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.sendall(b"PROXY TCP4 %s 127.0.0.1 40000 80\r\n" % client.encode())
    s.settimeout(5)
    return s, s.recv(200).decode().strip()
a, ga = conn("192.0.2.7")
b, gb = conn("192.0.2.7")
c, gc = conn("198.51.100.9")
print(ga == gc, gb)
PY
fair=$!
wait "$fair"
is "the same client twice: the second is refused" "$(cat "$T/fair.out")" \
    "True error: too many connections from your address"

# From outside proxy-allow: refused before any byte is read.  A reload,
# so that HAProxy's backends stay on calcd's ports; the listen lines are
# the same, so the sockets are kept.
cat >"$CALCD_CONF" <<EOF
user nobody
listen tcp 127.0.0.1:$plain
listen http 127.0.0.1:$http proxy
listen tcp 127.0.0.1:$tcp proxy
listen tls 127.0.0.1:$tls proxy
tls-certificate $T/certs/server.crt
tls-key $T/certs/server.key
proxy-allow 192.0.2.0/24
EOF
calcd_reload 1 || bail_out "calcd did not reload"
is "a balancer outside proxy-allow gets nothing" "$(bounded 10 curl -s \
    "http://127.0.0.1:$v2/healthz")" ""
ok "calcd logged why" log_wait "the address is not in proxy-allow"
calcd_stop
is "calcd exits 0 on SIGTERM" "$CALCD_STATUS" 0
kill "$haproxy_pid" 2>/dev/null
done_testing
