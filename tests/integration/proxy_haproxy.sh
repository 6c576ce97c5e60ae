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
http=$(free_port) || bail_out "no free port"
tcp=$(free_port) || bail_out "no free port"
plain=$(free_port) || bail_out "no free port"
v1=$(free_port) || bail_out "no free port"
v2=$(free_port) || bail_out "no free port"
v2tcp=$(free_port) || bail_out "no free port"
tls=$(free_port) || bail_out "no free port"
v2tls=$(free_port) || bail_out "no free port"
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
"$HAPROXY" -c -q -f "$T/haproxy.cfg" || bail_out "haproxy refuses its file"
"$HAPROXY" -f "$T/haproxy.cfg" -db >"$T/haproxy.log" 2>&1 &
haproxy_pid=$!
trap 'kill "$haproxy_pid" 2>/dev/null; lib_cleanup' EXIT
wait_port 127.0.0.1 "$v1" || bail_out "haproxy does not listen"
wait_port 127.0.0.1 "$v2" || bail_out "haproxy does not listen"

# client_of PORT LOCAL_PORT: the "client" of /headers, asked through
# HAProxy's frontend PORT from our own LOCAL_PORT.
client_of() {
	bounded 10 curl -s --local-port "$2" "http://127.0.0.1:$1/headers" |
	    python3 -c 'import json, sys; print(json.load(sys.stdin)["client"])'
}

lp1=$(free_port) || bail_out "no free port"
lp2=$(free_port) || bail_out "no free port"
is "PROXY v1 from HAProxy: /headers names the client" \
    "$(client_of "$v1" "$lp1")" "127.0.0.1:$lp1"
is "PROXY v2 from HAProxy: /headers names the client" \
    "$(client_of "$v2" "$lp2")" "127.0.0.1:$lp2"
is "answers through HAProxy" "$(bounded 10 curl -s \
    "http://127.0.0.1:$v2/calc?expr=2%5E10")" 1024
ok "the log names the client and HAProxy" grep -q \
    "http 127.0.0.1:$http: 127.0.0.1:$lp2: closed, via 127.0.0.1:" \
    "$CALCD_LOG"

lp3=$(free_port) || bail_out "no free port"
is "line protocol through HAProxy, PROXY v2" "$(printf '5+5\n' |
    bounded 10 nc -N -p "$lp3" 127.0.0.1 "$v2tcp" | tr -d '\r')" \
    "$GREETING
10"
ok "the line protocol's log names the client" grep -q \
    "tcp 127.0.0.1:$tcp: 127.0.0.1:$lp3: eof, via 127.0.0.1:" "$CALCD_LOG"

is "TLS through HAProxy: the header, then the handshake" "$(bounded 10 \
    "$top_builddir/src/calcc" --tls --cafile "$T/certs/ca.crt" \
    -h localhost -p "$v2tls" 6*7)" 42
ok "the TLS connection's log names the client" grep -q \
    "tls 127.0.0.1:$tls: 127.0.0.1:[0-9]*: quit, via 127.0.0.1:[0-9]*, TLS" \
    "$CALCD_LOG"

# Without a header: no answer, and calcd says why.
is "a client that sends no header gets nothing" "$(bounded 10 curl -s \
    "http://127.0.0.1:$http/healthz")" ""
ok "calcd logged the missing header" grep -q "no PROXY protocol header" \
    "$CALCD_LOG"
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

calcd_stop
is "calcd exits 0 on SIGTERM" "$CALCD_STATUS" 0

# From outside proxy-allow: refused before any byte is read.
calcd_start <<EOF || bail_out "calcd did not start again"
user nobody
listen tcp 127.0.0.1:$plain
listen http 127.0.0.1:$http proxy
proxy-allow 192.0.2.0/24
EOF
is "a balancer outside proxy-allow gets nothing" "$(bounded 10 curl -s \
    "http://127.0.0.1:$v2/healthz")" ""
ok "calcd logged why" grep -q "the address is not in proxy-allow" \
    "$CALCD_LOG"
calcd_stop
kill "$haproxy_pid" 2>/dev/null
done_testing
