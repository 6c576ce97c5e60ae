#!/bin/sh
# http_curl.sh - HTTP/1.1 against a running calcd with real clients: curl
# for every endpoint and every status it can provoke, raw bytes through
# python3 sockets for the requests curl will not send, a slow client for
# the header timeout, then the same over https.  TAP on stdout.
#
# Run by "make check"; by hand:
#   top_builddir=. top_srcdir=. sh tests/integration/http_curl.sh

. "${top_srcdir:-.}/tests/lib.sh"

command -v curl >/dev/null 2>&1 || skip_all "curl not found"
command -v python3 >/dev/null 2>&1 || skip_all "python3 not found"

# raw.py [-k] [--tls CAFILE] HOST PORT: send stdin, then read until the
# server closes (10 s at most).  Prints the status of each answer, and
# with -k, where we keep our side open, "closed" or "open" (not closed
# within 3 s) after them.
cat >"$T/raw.py" <<'EOF'
import socket, ssl, sys
args = sys.argv[1:]
keep = args[0] == "-k"
if keep:
    args = args[1:]
ca = None
if args[0] == "--tls":
    ca, args = args[1], args[2:]
host, port = args[0], int(args[1])
data = sys.stdin.buffer.read()
s = socket.create_connection((host, port), 5)
if ca:
    ctx = ssl.create_default_context(cafile=ca)
    s = ctx.wrap_socket(s, server_hostname="localhost")
s.settimeout(3 if keep else 10)
s.sendall(data)
if not keep and not ca:
    s.shutdown(socket.SHUT_WR)
buf, closed = b"", False
while True:
    try:
        d = s.recv(65536)
    except (socket.timeout, ssl.SSLError, ConnectionError):
        break
    if not d:
        closed = True
        break
    buf += d
out = []
while buf:
    head, sep, rest = buf.partition(b"\r\n\r\n")
    if not sep or not head.startswith(b"HTTP/1.1 "):
        out.append("junk")
        break
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    out.append(head.split(b" ")[1].decode())
    buf = rest[length:]
if keep:
    out.append("closed" if closed else "open")
print(" ".join(out))
EOF

# slow.py HOST PORT DELAY STARTED: send a request a byte every DELAY
# seconds (creating the file STARTED after the first), stop when an
# answer comes; print its status and the seconds it took.
cat >"$T/slow.py" <<'EOF'
import select, socket, sys, time
host, port, delay = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
req = b"GET /healthz HTTP/1.1\r\nHost: slow\r\nX-Padding: " + \
    b"x" * 40 + b"\r\n\r\n"
s = socket.create_connection((host, port), 5)
start = time.monotonic()
for i in range(len(req)):
    try:
        s.send(req[i:i + 1])
    except OSError:
        break
    if i == 0:
        open(sys.argv[4], "w").close()
    if select.select([s], [], [], delay)[0]:
        break
    if time.monotonic() - start > 30:
        break
s.settimeout(5)
try:
    d = s.recv(4096)
except OSError:
    d = b""
took = time.monotonic() - start
status = d.split(b" ")[1].decode() if d.startswith(b"HTTP/1.1 ") else "none"
print("%s %.1f" % (status, took))
EOF

# hold.py HOST PORT: one keep-alive request; once its answer has come,
# print the status and hold the connection open until stdin ends (60 s
# at most).
cat >"$T/hold.py" <<'EOF'
import select, socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), 5)
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
s.settimeout(30)
buf = b""
while b"\r\n\r\n" not in buf:
    d = s.recv(4096)
    if not d:
        break
    buf += d
print(buf.split(b" ")[1].decode() if buf.startswith(b"HTTP/1.1 ") else
    "none", flush=True)
select.select([sys.stdin], [], [], 60)
s.close()
EOF

# prom.py NAME LABELS: parse the Prometheus text of stdin strictly (a
# HELP and a TYPE line before each family's samples, every sample
# NAME{LABELS} VALUE of a declared family); print the value of the
# sample NAME{LABELS}, or fail.
cat >"$T/prom.py" <<'EOF'
import re, sys
declared, samples = set(), {}
sample = re.compile(r'^([a-z_]+)(\{[^}]*\})? ([0-9.e+]+)$')
for line in sys.stdin.read().splitlines():
    m = re.match(r'^# (HELP|TYPE) ([a-z_]+) ', line)
    if m:
        declared.add(m.group(2))
        continue
    m = sample.match(line)
    if not m or m.group(1) not in declared:
        sys.exit("bad line: %r" % line)
    samples[m.group(1) + (m.group(2) or "")] = m.group(3)
print(samples[sys.argv[1] + sys.argv[2]])
EOF

# jcheck.py CHECK: run the python expression CHECK on the JSON of stdin
# (as j); exit 0 when it is true.
cat >"$T/jcheck.py" <<'EOF'
import json, sys
j = json.load(sys.stdin)
sys.exit(0 if eval("(" + sys.argv[1] + ")") else 1)
EOF

# curl_code ARGS...: run curl on ARGS, the body in $T/body, the head in
# $T/head; print the status.
curl_code() {
	bounded 20 curl --http1.1 -s -o "$T/body" -D "$T/head" \
	    -w '%{http_code}' "$@"
}

# header NAME: the value of header NAME in $T/head.
header() {
	tr -d '\r' <"$T/head" | awk -v n="$1" '
	    index(tolower($0), tolower(n) ":") == 1 {
		sub(/^[^:]*: */, ""); print; exit }'
}

body() {
	cat "$T/body"
}

# json_ok DESC CHECK: the body is JSON and CHECK holds.
json_ok() {
	ok "$1" python3 "$T/jcheck.py" "$2" <"$T/body"
}

# raw [-k] REQUEST: send REQUEST (printf %b escapes) to the server.
raw() {
	if [ "$1" = -k ]; then
		printf '%b' "$2" |
		    bounded 20 python3 "$T/raw.py" -k 127.0.0.1 "$port"
	else
		printf '%b' "$1" |
		    bounded 20 python3 "$T/raw.py" 127.0.0.1 "$port"
	fi
}

body_has() {
	grep -q -F -- "$1" "$T/body"
}

# served: a new client is served after what came before.
served() {
	ok "$1, then the next client is served" \
	    test "$(curl_code "$U/healthz")" = 200
}

port=%%port%%
ipv6=
have_ipv6 && ipv6="listen http [::1]:$port"
calcd_start <<EOF || bail_out "calcd did not start"
user nobody
listen http 127.0.0.1:$port
$ipv6
workers-min-spare 3
workers-max-spare 6
http-header-timeout 5
http-keepalive-timeout 30
EOF
U="http://127.0.0.1:$port"

# ---- endpoints ----

is "GET /healthz" "$(curl_code "$U/healthz") $(body)" "200 ok"
is "healthz is text/plain" "$(header Content-Type)" \
    "text/plain; charset=utf-8"
ok "every answer has a Date" sh -c "grep -q -E \
    '^Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} [A-Z][a-z]{2} [0-9]{4} \
[0-9]{2}:[0-9]{2}:[0-9]{2} GMT' '$T/head'"
is "Server: calcd" "$(header Server)" calcd

is "GET /calc?expr=6*7" "$(curl_code "$U/calc?expr=6*7") $(body)" "200 42"
is "GET /calc?expr=2%5E64" "$(curl_code "$U/calc?expr=2%5E64") $(body)" \
    "200 18446744073709551616"
is "a form-encoded expression (curl -G --data-urlencode)" \
    "$(curl_code -G --data-urlencode 'expr=0.1 + 0.2' "$U/calc") $(body)" \
    "200 0.3"
is "an engine error is a 422 with its message" \
    "$(curl_code "$U/calc?expr=1/0") $(body)" \
    "422 error: division by zero"
is "GET /calc without expr is a 400" "$(curl_code "$U/calc")" 400
ok "the 400 names its status" body_has "400 Bad Request"

is "JSON when asked" "$(curl_code -H 'Accept: application/json' \
    "$U/calc?expr=6*7") $(header Content-Type)" "200 application/json"
json_ok "JSON result shape" 'j == {"expr": "6*7", "result": "42"}'
is "JSON error is a 422" "$(curl_code -H \
    'Accept: text/html;q=0.9, application/json' "$U/calc?expr=1/0")" 422
json_ok "JSON error shape" \
    'j == {"expr": "1/0", "error": "division by zero"}'
curl_code -H 'Accept: application/json' "$U/calc?expr=%22%5C%3C" \
    >/dev/null
json_ok "JSON escapes the expression" 'j["expr"] == "\"\\<" and "error" in j'

printf 'x = 3\n\nx*2\r\n1/0\nans+1' >"$T/exprs"
is "POST /calc: one answer per line, one session" \
    "$(curl_code --data-binary @"$T/exprs" "$U/calc") $(body | tr '\n' ,)" \
    "200 3,6,error: division by zero,7,"
curl_code -H 'Accept: application/json' --data-binary @"$T/exprs" \
    "$U/calc" >/dev/null
json_ok "POST /calc JSON shape" 'j == {"results": [
    {"expr": "x = 3", "result": "3"}, {"expr": "x*2", "result": "6"},
    {"expr": "1/0", "error": "division by zero"},
    {"expr": "ans+1", "result": "7"}]}'
is "chunked POST /calc" "$(curl_code -H 'Transfer-Encoding: chunked' \
    --data-binary @"$T/exprs" "$U/calc") $(body | tr '\n' ,)" \
    "200 3,6,error: division by zero,7,"

is "GET /headers" "$(curl_code -H 'X-Dup: 1' -H 'X-Other: <b>' \
    -H 'X-Dup: 2' "$U/headers") $(header Content-Type)" \
    "200 application/json"
json_ok "/headers: in order, duplicates kept" '
    [h["name"] for h in j["headers"]][-3:] == ["X-Dup", "X-Other", "X-Dup"]
    and [h["value"] for h in j["headers"]][-3:] == ["1", "<b>", "2"]
    and j["headers"][0] == {"name": "Host", "value": "127.0.0.1:'"$port"'"}'

is "GET / is the page" "$(curl_code "$U/") $(header Content-Type)" \
    "200 text/html; charset=utf-8"
is "the page's Content-Security-Policy" \
    "$(header Content-Security-Policy)" "default-src 'none'; \
style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
is "the page's nosniff" "$(header X-Content-Type-Options)" nosniff
is "the page's Referrer-Policy" "$(header Referrer-Policy)" no-referrer
is "the page is not stored" "$(header Cache-Control)" no-store
ok "the page has the form" body_has '<form method="get" action="/">'
is "GET /?expr=6*7 shows the answer" "$(curl_code "$U/?expr=6*7")" 200
ok "the answer is in #result" body_has "<p id=\"result\" class=\"ok\" \
aria-live=\"polite\"><span class=\"expr\">6*7</span> = \
<span class=\"answer\">42</span></p>"
curl_code -H 'X-Evil: <script>alert(1)</script>' "$U/" >/dev/null
ok "a <script> header comes back escaped" body_has \
    '<td>X-Evil</td><td>&lt;script&gt;alert(1)&lt;/script&gt;</td>'
ok "no <script> on the page" sh -c "! grep -q '<script' '$T/body'"
is "GET /style.css" "$(curl_code "$U/style.css") $(header Content-Type)" \
    "200 text/css; charset=utf-8"

is "GET /metrics from loopback" "$(curl_code "$U/metrics") \
$(header Content-Type)" "200 text/plain; version=0.0.4; charset=utf-8"
ok "metrics count http requests" body_has 'protocol="http"'
# prom NAME LABELS: a sample of the metrics in $T/body.
prom() {
	python3 "$T/prom.py" "$1" "$2" <"$T/body"
}
ok "metrics text parses, requests by listener counted" test \
    "$(prom calcd_listener_requests_total \
    "{listener=\"http 127.0.0.1:$port\",protocol=\"http\"}")" -ge 10
is "and by protocol, the same as the only http listener's" \
    "$(prom calcd_requests_total '{protocol="http"}')" \
    "$(prom calcd_listener_requests_total \
    "{listener=\"http 127.0.0.1:$port\",protocol=\"http\"}")"
ok "errors by listener counted" test "$(prom calcd_listener_errors_total \
    "{listener=\"http 127.0.0.1:$port\",protocol=\"http\"}")" -ge 1

# ---- status codes ----

is "404 for an unknown path" "$(curl_code "$U/nope")" 404
ok "the 404 names its status" body_has "404 Not Found"
is "405 for POST /" "$(curl_code -d x "$U/") $(header Allow)" \
    "405 GET, HEAD"
is "405 for PUT /calc" "$(curl_code -X PUT "$U/calc") $(header Allow)" \
    "405 GET, HEAD, POST"
for m in DELETE OPTIONS PATCH TRACE; do
	is "405 for $m /headers" "$(curl_code -X $m "$U/headers") \
$(header Allow)" "405 GET, HEAD"
done
is "501 for an unknown method" "$(curl_code -X BREW "$U/")" 501
served "501"
is "400 without Host (HTTP/1.1)" "$(curl_code -H 'Host:' "$U/")" 400
is "400 closes the connection" "$(header Connection)" close
dd if=/dev/zero bs=1024 count=70 2>/dev/null | tr '\0' '1' >"$T/big"
is "413 for a body past http-max-body" \
    "$(curl_code --data-binary @"$T/big" "$U/calc")" 413
served "413"
is "413 for a chunked body past http-max-body" "$(curl_code \
    -H 'Transfer-Encoding: chunked' --data-binary @"$T/big" "$U/calc")" 413
long=$(head -c 100000 "$T/big")
is "414 for a 100 kB URL" "$(curl_code "$U/calc?expr=$long")" 414
served "414"
: >"$T/headers"
i=0
while [ $i -lt 200 ]; do
	echo "X-Header-$i: $i" >>"$T/headers"
	i=$((i + 1))
done
is "431 for 200 header lines" "$(curl_code -H @"$T/headers" "$U/")" 431
served "431"
is "431 for a 20 kB header" "$(curl_code \
    -H "X-Big: $(head -c 20000 "$T/big")" "$U/")" 431
is "400 for Transfer-Encoding: gzip (chunked not last)" \
    "$(raw -k "POST /calc HTTP/1.1\r\n\
Host: t\r\nTransfer-Encoding: gzip\r\n\r\n")" "400 closed"
is "501 for Transfer-Encoding: gzip, chunked" "$(raw -k "POST /calc \
HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")" \
    "501 closed"

# requests curl will not send; each is answered, the connection closed
is "505 for HTTP/2.0" "$(raw -k 'GET / HTTP/2.0\r\nHost: t\r\n\r\n')" \
    "505 closed"
served "505"
is "400 for a bare LF" "$(raw -k 'GET / HTTP/1.1\nHost: t\n\n')" \
    "400 closed"
served "bare LF"
is "400 for a NUL in a header" \
    "$(raw -k 'GET / HTTP/1.1\r\nHost: t\r\nX: a\0b\r\n\r\n')" "400 closed"
is "400 for obs-fold" \
    "$(raw -k 'GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n')" \
    "400 closed"
is "400 for Content-Length and Transfer-Encoding" "$(raw -k "POST /calc \
HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n\
0\r\n\r\n")" "400 closed"
is "400 for a negative Content-Length" "$(raw -k "POST /calc HTTP/1.1\r\n\
Host: t\r\nContent-Length: -5\r\n\r\n")" "400 closed"
is "400 for conflicting Content-Lengths" "$(raw -k "POST /calc HTTP/1.1\r\n\
Host: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n1\n")" "400 closed"
is "413 for a huge Content-Length, unread" "$(raw -k "POST /calc \
HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999999999999\r\n\r\n")" \
    "413 closed"
hello='\0026\0003\0001\0002\0000\0001\0000\0001\0374\0003\0003'
is "400 for garbage (a TLS hello)" "$(raw -k "${hello}ABCDEFGHIJKLMNOP")" \
    "400 closed"
served "each malformed request"

# ---- connections ----

is "HEAD: the GET's headers, no body" "$(bounded 20 curl --http1.1 -s -I \
    -o /dev/null -D "$T/head" -w '%{http_code} %{size_download}' \
    "$U/calc?expr=6*7") $(header Content-Length)" "200 0 3"
is "pipelining: three requests in one write, three answers in order" \
    "$(raw "GET /calc?expr=1 HTTP/1.1\r\nHost: t\r\n\r\nPOST /calc \
HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\n1/0\nGET /nope HTTP/1.1\r\n\
Host: t\r\n\r\n")" "200 200 404"
bounded 20 curl --http1.1 -sv -o /dev/null -o /dev/null "$U/calc?expr=1" \
    "$U/calc?expr=2" 2>"$T/verbose"
ok "keep-alive: curl re-uses the connection" \
    grep -q -i 're-using existing connection' "$T/verbose"
is "Connection: close is honoured" "$(curl_code -H 'Connection: close' \
    "$U/healthz") $(header Connection)" "200 close"
is "HTTP/1.0 closes" "$(bounded 20 curl --http1.0 -s -o /dev/null \
    -D "$T/head" -w '%{http_code}' "$U/healthz") $(header Connection)" \
    "200 close"
is "a keep-alive connection stays open" \
    "$(raw -k 'GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n')" "200 open"

# A byte every 0.5 s: 408 at the header timeout (5 s, long enough for
# curl to start on a busy machine) from the first byte, while other
# clients are served: one is, before the slow client has its answer.
# (Were the timeout counted from each byte, no answer would come.)
python3 "$T/slow.py" 127.0.0.1 "$port" 0.5 "$T/slow.started" >"$T/slow" &
slow_pid=$!
wait_for "$LIB_WAIT_S" test -f "$T/slow.started" ||
    diag "the slow client did not start"
start=$(date +%s%N)
is "a client is served while a slow one sends" "$(curl_code "$U/healthz")" \
    200
took=$((($(date +%s%N) - start) / 1000000))
ok "... before the slow one's timeout (${took} ms)" test ! -s "$T/slow"
wait "$slow_pid"
read -r slow_status slow_took <"$T/slow"
is "the slow client gets a 408" "$slow_status" 408
ok "... after about http-header-timeout (${slow_took:-?} s)" python3 -c \
    "import sys; sys.exit(not 4.5 <= float(sys.argv[1]) <= 12)" \
    "${slow_took:-0}"

if [ -n "$ipv6" ]; then
	is "IPv6: GET /calc" \
	    "$(curl_code -g "http://[::1]:$port/calc?expr=6*7") $(body)" \
	    "200 42"
else
	echo "ok $((tap_n += 1)) # SKIP no IPv6 loopback"
fi

calcd_stop
is "calcd exits 0 on SIGTERM" "$CALCD_STATUS" 0

# ---- /metrics closed to the client, fair share ----

port=%%port%%
calcd_start <<EOF || bail_out "calcd did not start again"
user nobody
listen http 127.0.0.1:$port
workers-min-spare 3
workers-max-spare 6
metrics-allow 192.0.2.0/24
max-connections-per-address 1
http-keepalive-timeout 60
EOF
U="http://127.0.0.1:$port"
is "403 for /metrics outside metrics-allow" "$(curl_code "$U/metrics")" 403
ok "the 403 names its status" body_has "403 Forbidden"
# Hold a worker with an idle keep-alive connection (answered, so calcd
# counts it), then ask again; the holder lets go when its stdin closes.
mkfifo "$T/hold.in" || bail_out "mkfifo failed"
python3 "$T/hold.py" 127.0.0.1 "$port" <"$T/hold.in" >"$T/held" &
held_pid=$!
exec 8>"$T/hold.in"
wait_for "$LIB_WAIT_S" test -s "$T/held" ||
    diag "the held connection had no answer"
is "503 past max-connections-per-address" "$(curl_code "$U/healthz")" 503
exec 8>&-
wait "$held_pid"
is "... while the held one was served" "$(cat "$T/held")" 200
calcd_stop

# ---- https ----

https_skip() {
	echo "ok $((tap_n += 1)) # SKIP https: $1"
}

tls=
port2=%%port2%%
if ! command -v certtool >/dev/null 2>&1; then
	tls="certtool not found"
elif ! sh "${top_srcdir:-.}/certs/mkcerts" "$T/certs" >/dev/null 2>&1; then
	tls="certs/mkcerts failed"
elif ! calcd_start <<EOF
user nobody
listen https 127.0.0.1:$port2
tls-certificate $T/certs/server.crt
tls-key $T/certs/server.key
http-header-timeout 2
EOF
then
	tls="calcd does not start with listen https"
fi
S="https://localhost:$port2"

# tls_curl ARGS...: curl_code trusting the test CA, localhost on loopback.
tls_curl() {
	curl_code --cacert "$T/certs/ca.crt" \
	    --resolve "localhost:$port2:127.0.0.1" "$@"
}

if [ -z "$tls" ] && [ "$(tls_curl "$S/healthz")" != 200 ]; then
	tls="no answer over https"
fi
if [ -n "$tls" ]; then
	for i in 1 2 3 4 5 6 7; do
		https_skip "$tls"
	done
else
	is "https: GET /calc" "$(tls_curl "$S/calc?expr=2%5E64") $(body)" \
	    "200 18446744073709551616"
	tls_curl -H 'Accept: application/json' "$S/calc?expr=1/0" >/dev/null
	json_ok "https: JSON error" \
	    'j == {"expr": "1/0", "error": "division by zero"}'
	is "https: chunked POST" "$(tls_curl -H 'Transfer-Encoding: chunked' \
	    --data-binary @"$T/exprs" "$S/calc") $(body | tr '\n' ,)" \
	    "200 3,6,error: division by zero,7,"
	is "https: HEAD" "$(tls_curl -I "$S/calc?expr=6*7") \
$(header Content-Length)" "200 3"
	tls_curl -v -o /dev/null "$S/healthz" "$S/healthz" 2>"$T/verbose" \
	    >/dev/null
	ok "https: keep-alive re-uses the connection" \
	    grep -q -i 're-using existing connection' "$T/verbose"
	ok "https: ALPN http/1.1" grep -q -i 'ALPN.*http/1.1' "$T/verbose"
	is "https: 400 for a bare LF, then closed" "$(printf \
	    'GET / HTTP/1.1\nHost: t\n\n' | bounded 20 python3 "$T/raw.py" -k \
	    --tls "$T/certs/ca.crt" 127.0.0.1 "$port2")" "400 closed"
fi
[ -n "$CALCD_PID" ] && calcd_stop

ok "no worker died" sh -c "! grep -E 'killed by|exited with' '$CALCD_LOG'"
done_testing
