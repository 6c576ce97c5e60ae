#!/usr/bin/env python3
"""overload.py - a process-per-client server under a many-address flood.

Holds FLOOD connections (8 times workers-max) from ATTACKERS loopback
addresses (127.0.9.x) against the tcp, tls, http and https listeners:
idle ones, half-sent lines and request heads, stalled TLS handshakes.
Every connection the server closes is opened again at once, so that the
flood never lets up.  Meanwhile:

  - a session opened before the flood, on tcp and on tls, sends a line
    every 0.3 s that uses the session's variable, and must get every
    answer right;
  - new clients, each from a fresh address (127.0.10.x), ask on every
    protocol in turn and must be answered within a second.

Prints TAP.  Every loop is bounded in count and time.

usage: overload.py HOST TCP TLS HTTP HTTPS CAFILE [TRIES]
"""

import os
import random
import socket
import ssl
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
from flood import Flood  # noqa: E402  tests/flood.py

FLOOD = 128            # connections held: 8 x workers-max 16
ATTACKERS = 32         # source addresses of the flood
DEADLINE = 1.0         # seconds a new client may wait for its answer
SESSION_EVERY = 0.3    # seconds between a session's lines
RUN_MAX = 120.0        # seconds the whole test may take, at most

# What each flood connection sends, and then it says nothing more.
KINDS = [
    ("tcp", b""),                                   # idle
    ("tcp", b"1+"),                                 # a line begun
    ("http", b"GET /calc?expr=1 HTTP/1.1\r\nHost: x\r\n"),  # head half-sent
    ("tls", b"\x16\x03\x01\x02\x00"),              # a handshake stalled
    ("https", b"\x16\x03\x01\x02\x00"),
    ("http", b""),                                  # connected, silent
    ("https", b""),
    ("tcp", b"x = "),
]


def read_line(f):
    line = f.readline()
    if not line:
        raise ConnectionError("closed")
    return line.decode().rstrip("\r\n")


def line_client(host, port, src, ctx=None, timeout=5.0):
    s = socket.create_connection((host, port), timeout, (src, 0))
    if ctx is not None:
        s = ctx.wrap_socket(s, server_hostname="localhost")
    return s, s.makefile("rb")


class Session(threading.Thread):
    """A line session from before the flood: x = x + 1 every 0.3 s."""

    def __init__(self, host, port, src, ctx, until):
        super().__init__(daemon=True)
        self.args = (host, port, src, ctx)
        self.until = until
        self.sent = self.right = 0
        self.error = None

    def run(self):
        try:
            s, f = line_client(*self.args)
            if read_line(f) != "welcome to the calculator! - type exit to leave":
                raise ValueError("no greeting")
            s.sendall(b"x = 0\n")
            if read_line(f) != "0":
                raise ValueError("x = 0 not answered")
            while time.monotonic() < self.until:
                time.sleep(SESSION_EVERY)
                self.sent += 1
                s.sendall(b"x = x + 1\n")
                got = read_line(f)
                if got != str(self.sent):
                    raise ValueError("line %d: got %r" % (self.sent, got))
                self.right += 1
            s.sendall(b"exit\n")
            s.close()
        except (OSError, ValueError, ConnectionError) as e:
            self.error = "%s after %d answers" % (e, self.right)


def ask_line(host, port, src, ctx):
    s, f = line_client(host, port, src, ctx)
    try:
        greeting = read_line(f)
        s.sendall(b"6*7\n")
        return greeting.startswith("welcome") and read_line(f) == "42"
    finally:
        s.close()


def ask_http(host, port, src, ctx):
    s, f = line_client(host, port, src, ctx)
    try:
        s.sendall(b"GET /calc?expr=6*7 HTTP/1.1\r\nHost: localhost\r\n"
                  b"Connection: close\r\n\r\n")
        status = read_line(f)
        rest = f.read().decode(errors="replace")
        return status == "HTTP/1.1 200 OK" and rest.endswith("\r\n\r\n42\n")
    finally:
        s.close()


def main():
    host = sys.argv[1]
    ports = dict(zip(("tcp", "tls", "http", "https"),
                     (int(p) for p in sys.argv[2:6])))
    ctx = ssl.create_default_context(cafile=sys.argv[6])
    tries = int(sys.argv[7]) if len(sys.argv) > 7 else 20
    start = time.monotonic()
    n = 0

    def ok(cond, desc, extra=""):
        nonlocal n
        n += 1
        print("%sok %d - %s" % ("" if cond else "not ", n, desc))
        if extra:
            print("# " + extra)
        sys.stdout.flush()
        return cond

    until = start + RUN_MAX / 2
    sessions = [Session(host, ports["tcp"], "127.0.8.1", None, until),
                Session(host, ports["tls"], "127.0.8.2", ctx, until)]
    for t in sessions:
        t.start()
    time.sleep(1.0)     # the sessions are under way before the flood
    flood = Flood(host, [(ports[proto], data) for proto, data in KINDS],
                  ["127.0.9.%d" % (1 + a) for a in range(ATTACKERS)], FLOOD)
    flood.start()
    time.sleep(2.0)     # the flood holds the pool
    askers = {"tcp": ask_line, "tls": ask_line, "http": ask_http,
              "https": ask_http}
    tls_of = {"tcp": None, "tls": ctx, "http": None, "https": ctx}
    for proto in ("tcp", "tls", "http", "https"):
        times, failures = [], []
        for k in range(tries):
            if time.monotonic() - start > RUN_MAX * 0.8:
                failures.append("out of time")
                break
            src = "127.0.10.%d" % (1 + k + tries * list(askers).index(proto))
            t0 = time.monotonic()
            try:
                right = askers[proto](host, ports[proto], src, tls_of[proto])
                err = None if right else "a wrong answer"
            except (OSError, ConnectionError) as e:
                err = str(e) or type(e).__name__
            dt = time.monotonic() - t0
            times.append(dt)
            if err:
                failures.append("%s: %s" % (src, err))
            elif dt > DEADLINE:
                failures.append("%s: %.2f s" % (src, dt))
            time.sleep(random.uniform(0.05, 0.15))
        times.sort()
        ok(not failures,
           "%s: %d new clients from fresh addresses, each answered within "
           "%.0f s under the flood" % (proto, tries, DEADLINE),
           "median %.3f s, p90 %.3f s, max %.3f s%s" % (
               times[len(times) // 2] if times else 0,
               times[len(times) * 9 // 10] if times else 0,
               times[-1] if times else 0,
               "; " + "; ".join(failures[:5]) if failures else ""))
    held = sum(1 for k in flood.sel.get_map())
    ok(flood.closed_by_server > 0 and held > 0,
       "the flood was held and pressed on (%d opened, %d ended by the "
       "server)" % (flood.opened, flood.closed_by_server))
    for t in sessions:
        t.until = 0
    for t in sessions:
        t.join(10)
    for t, name in zip(sessions, ("tcp", "tls")):
        ok(t.error is None and t.right == t.sent and t.sent > 5,
           "%s: the session from before the flood kept every answer and "
           "its variable (%d of %d)" % (name, t.right, t.sent),
           t.error or "")
    flood.stop.set()
    flood.join(10)
    print("1..%d" % n)


if __name__ == "__main__":
    main()
