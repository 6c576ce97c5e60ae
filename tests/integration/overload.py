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

Then, the flood gone, slow readers: as many clients as there are
workers, each from its own address (127.0.11.x, 127.0.12.x), send
pipelined requests on tcp and http and never read.  Their answers fit in
the server's send buffer but not in their own small receive window, so
the server sees a connection that answered and waits; it must see too
that the client has not taken its answers, and shed it for new clients,
which must again be answered within a second.

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
READERS = 16           # slow readers: workers-max of them
READER_RCVBUF = 2048   # their receive buffer: a window of about 2 kB
# What a slow reader sends at once on tcp and http: answers of 5 kB.
READER_ASKS = {"tcp": b"2^4000\n" * 4,
               "http": b"GET /calc?expr=2%5E4000 HTTP/1.1\r\nHost: x\r\n\r\n"
                       * 4}

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
        if not greeting.startswith("welcome"):
            raise ConnectionError(greeting)
        s.sendall(b"6*7\n")
        return read_line(f) == "42"
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


def slow_reader(host, port, src, data):
    """Connect with a small receive window, send data, never read."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, READER_RCVBUF)
    s.bind((src, 0))
    s.settimeout(5)
    s.connect((host, port))
    s.sendall(data)
    return s


def bytes_waiting(s):
    """How many bytes the kernel holds for s, unread."""
    return len(s.recv(1 << 20, socket.MSG_PEEK | socket.MSG_DONTWAIT))


def ask_timed(ask, host, port, src, ctx):
    """One new client's try: (seconds, None) or (seconds, why not)."""
    t0 = time.monotonic()
    try:
        err = None if ask(host, port, src, ctx) else "a wrong answer"
    except (OSError, ConnectionError) as e:
        err = str(e) or type(e).__name__
    dt = time.monotonic() - t0
    if err is None and dt > DEADLINE:
        err = "%.2f s" % dt
    return dt, err


def slow_readers(host, ports, ok, tries):
    """The pool taken by clients that do not read: new ones still served."""
    for proto, ask in (("tcp", ask_line), ("http", ask_http)):
        readers = []
        try:
            for k in range(READERS):
                readers.append(slow_reader(
                    host, ports[proto],
                    "127.0.%d.%d" % (11 + (proto == "http"), 1 + k),
                    READER_ASKS[proto]))
            # Answered: each reader's window is full (or the server
            # refused it); bounded by the sockets' own timeouts.
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and any(
                    bytes_waiting(r) == 0 for r in readers):
                time.sleep(0.05)
        except OSError:
            pass
        failures, times = [], []
        for k in range(tries):
            dt, err = ask_timed(ask, host, ports[proto],
                                "127.0.13.%d" % (1 + k + 100 * (proto == "http")),
                                None)
            times.append(dt)
            if err:
                failures.append(err)
        for r in readers:
            r.close()
        times.sort()
        ok(not failures and len(readers) == READERS,
           "%s: %d slow readers hold the pool (%d opened), and %d new clients "
           "are each answered within %.0f s" % (proto, READERS, len(readers),
                                               tries, DEADLINE),
           "median %.3f s, max %.3f s%s" % (
               times[len(times) // 2], times[-1],
               "; " + "; ".join(failures[:5]) if failures else ""))


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
    slow_readers(host, ports, ok, min(tries, 10))
    print("1..%d" % n)


if __name__ == "__main__":
    main()
