#!/usr/bin/env python3
"""http_rfc.py HOST PORT: the MUSTs of RFC 9112 (and those of RFC 9110
that a request can show) against calcd, one request per case on a
connection of its own.  Each answer is re-read by h11, a strict
third-party HTTP/1.1 parser, as a client that sent the case's method:
an answer it cannot parse fails the case, whatever its status.  TAP on
stdout.

A case is: what it checks (and the section), the bytes sent, the method
h11 is told (for HEAD's bodiless answer), the status wanted, and what
else must hold: "close" (the server closes after the answer), "allow"
(an Allow header), "body" (these bytes), "length" (HEAD: this
Content-Length and no body), "continue" (a 100 Continue first), "then"
(bytes sent once the 100 came).  Every answer must carry Date."""
import socket
import sys
import time

import h11

HOST, PORT = sys.argv[1], int(sys.argv[2])
DEADLINE = 5.0  # seconds for one case

H = b"Host: t\r\n"
CASES = [
    # 2, 3: the request line
    ("3: a request line, origin-form", b"GET /healthz HTTP/1.1\r\n" + H +
     b"\r\n", "GET", 200, {"body": b"ok\n"}),
    ("3.2.2: absolute-form is accepted",
     b"GET http://t/healthz HTTP/1.1\r\n" + H + b"\r\n", "GET", 200, {}),
    ("3: whitespace inside the target is a 400",
     b"GET /a b HTTP/1.1\r\n" + H + b"\r\n", "GET", 400, {"close": 1}),
    ("3: an unknown method is a 501",
     b"BREW /pot HTTP/1.1\r\n" + H + b"\r\n", "GET", 501, {}),
    ("2.3: HTTP/2.0 in a request line is a 505",
     b"GET / HTTP/2.0\r\n" + H + b"\r\n", "GET", 505, {}),
    ("3: a target over http-max-uri is a 414",
     b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n" + H + b"\r\n", "GET", 414,
     {}),
    # 2.2, 5: field syntax
    ("2.2: whitespace before the first field line is a 400",
     b"GET / HTTP/1.1\r\n " + H + b"\r\n", "GET", 400, {"close": 1}),
    ("5.1: whitespace between a field name and the colon is a 400",
     b"GET / HTTP/1.1\r\nHost : t\r\n\r\n", "GET", 400, {"close": 1}),
    ("5.2: obs-fold in a request is a 400",
     b"GET / HTTP/1.1\r\n" + H + b"X-A: a\r\n b\r\n\r\n", "GET", 400,
     {"close": 1}),
    # 3.2: Host
    ("3.2: HTTP/1.1 without Host is a 400",
     b"GET / HTTP/1.1\r\n\r\n", "GET", 400, {}),
    ("3.2: two Host lines are a 400",
     b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "GET", 400, {}),
    ("3.2: Host with a blank is a 400",
     b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", "GET", 400, {}),
    ("3.2: Host with userinfo is a 400",
     b"GET / HTTP/1.1\r\nHost: u@t\r\n\r\n", "GET", 400, {}),
    ("3.2: Host with a bad port is a 400",
     b"GET / HTTP/1.1\r\nHost: t:8x\r\n\r\n", "GET", 400, {}),
    ("3.2: Host [::1]:80 is accepted",
     b"GET /healthz HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", "GET", 200, {}),
    # 6: framing
    ("6.3: Content-Length with other than digits is a 400",
     b"POST /calc HTTP/1.1\r\n" + H + b"Content-Length: 3x\r\n\r\n1+1",
     "POST", 400, {"close": 1}),
    ("6.3: two different Content-Lengths are a 400",
     b"POST /calc HTTP/1.1\r\n" + H +
     b"Content-Length: 3\r\nContent-Length: 4\r\n\r\n1+1", "POST", 400,
     {"close": 1}),
    ("6.3: a body of Content-Length bytes",
     b"POST /calc HTTP/1.1\r\n" + H + b"Content-Length: 4\r\n\r\n1+1\n",
     "POST", 200, {"body": b"2\n"}),
    ("6.3: chunked not the last coding is a 400",
     b"POST /calc HTTP/1.1\r\n" + H +
     b"Transfer-Encoding: chunked, gzip\r\n\r\n", "POST", 400, {"close": 1}),
    ("6.1: Transfer-Encoding with Content-Length is refused (400)",
     b"POST /calc HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n"
     b"Content-Length: 4\r\n\r\n", "POST", 400, {"close": 1}),
    ("6.1: an unknown coding before chunked is a 501",
     b"POST /calc HTTP/1.1\r\n" + H +
     b"Transfer-Encoding: gzip, chunked\r\n\r\n", "POST", 501, {}),
    ("7.1: a chunked body",
     b"POST /calc HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
     b"4\r\n1+1\n\r\n0\r\n\r\n", "POST", 200, {"body": b"2\n"}),
    ("7.1: a bad chunk size is a 400",
     b"POST /calc HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
     b"zz\r\n", "POST", 400, {"close": 1}),
    # 9: connections
    ("9.6: Connection: close is answered, then the server closes",
     b"GET /healthz HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n", "GET",
     200, {"close": 1}),
    ("9.3: HTTP/1.0 without keep-alive: the server closes",
     b"GET /healthz HTTP/1.0\r\n\r\n", "GET", 200, {"close": 1}),
    # RFC 9110, as a request can show it
    ("9110 9.3.2: HEAD has no body and GET's Content-Length",
     b"HEAD /healthz HTTP/1.1\r\n" + H + b"\r\n", "HEAD", 200,
     {"length": b"3"}),
    ("9110 15.5.6: 405 carries Allow",
     b"PUT /calc HTTP/1.1\r\n" + H + b"Content-Length: 0\r\n\r\n", "PUT",
     405, {"allow": 1}),
    ("9110 10.1.1: Expect: 100-continue gets 100, then the answer",
     b"POST /calc HTTP/1.1\r\n" + H + b"Expect: 100-continue\r\n"
     b"Content-Length: 4\r\n\r\n", "POST", 200,
     {"continue": 1, "then": b"1+1\n", "body": b"2\n"}),
]


def exchange(raw, method, then=None):
    """Send raw on a fresh connection (and then, once a 100 Continue has
    come); return (h11 events, closed) or raise with why the answer did
    not parse."""
    conn = h11.Connection(our_role=h11.CLIENT)
    conn.send(h11.Request(method=method, target="/",
                          headers=[("Host", "t"), ("Content-Length", "0")]))
    conn.send(h11.EndOfMessage())
    s = socket.create_connection((HOST, PORT), timeout=DEADLINE)
    s.sendall(raw)
    events, closed = [], False
    end = time.time() + DEADLINE
    while time.time() < end:
        ev = conn.next_event()
        if ev is h11.NEED_DATA:
            try:
                data = s.recv(65536)
            except socket.timeout:
                break
            conn.receive_data(data)
            if not data:
                closed = True
            continue
        if ev is h11.PAUSED or isinstance(ev, h11.ConnectionClosed):
            break
        events.append(ev)
        if isinstance(ev, h11.InformationalResponse) and then:
            s.sendall(then)
        if isinstance(ev, h11.EndOfMessage):
            break
    if not closed:
        # does the server close next, or keep the connection open?
        s.settimeout(0.5)
        try:
            closed = s.recv(1) == b""
        except socket.timeout:
            closed = False
        except OSError:
            closed = True
    s.close()
    return events, closed


def check(events, status, want, closed):
    """Why the case fails, or None."""
    resp = [e for e in events if isinstance(e, h11.Response)]
    info = [e for e in events if isinstance(e, h11.InformationalResponse)]
    if not resp:
        return "no complete response"
    r = resp[0]
    headers = {k.decode().lower(): v for k, v in r.headers}
    body = b"".join(e.data for e in events if isinstance(e, h11.Data))
    if r.status_code != status:
        return "status %d, want %d" % (r.status_code, status)
    if "date" not in headers:
        return "no Date"
    if not any(isinstance(e, h11.EndOfMessage) for e in events):
        return "the body did not end"
    if "body" in want and body != want["body"]:
        return "body %r, want %r" % (body, want["body"])
    if "length" in want and (body or
                             headers.get("content-length") != want["length"]):
        return "HEAD: body %r, Content-Length %r" % (
            body, headers.get("content-length"))
    if "allow" in want and "allow" not in headers:
        return "no Allow"
    if "continue" in want and not any(i.status_code == 100 for i in info):
        return "no 100 Continue"
    if want.get("close") and not closed:
        return "the connection stayed open"
    return None


n = failed = 0
print("1..%d" % len(CASES))
for name, raw, method, status, want in CASES:
    n += 1
    try:
        events, closed = exchange(raw, method, want.get("then"))
        why = check(events, status, want, closed)
    except (h11.RemoteProtocolError, h11.LocalProtocolError) as e:
        why = "h11 cannot parse the answer: %s" % e
    except OSError as e:
        why = "%s" % e
    if why is None:
        print("ok %d - %s" % (n, name))
    else:
        failed += 1
        print("not ok %d - %s" % (n, name))
        print("# %s" % why)
sys.exit(1 if failed else 0)
