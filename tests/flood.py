#!/usr/bin/env python3
"""flood.py - a many-address flood, and a client timed through it.

    flood.py flood HOST PORT SECONDS [COUNT [ATTACKERS]]
    flood.py probe URL SECONDS INTERVAL TIMEOUT [options]

flood: holds COUNT connections (default 128) from ATTACKERS loopback
addresses (default 32, 127.0.9.1 and up) on an HTTP port, half of them
silent and half with a request head sent up to its last line, and opens
each one the server closes again at once, for SECONDS or until SIGTERM.
Prints {"flooding": COUNT} once it has opened them all, and at the end
{"opened": N, "closed_by_server": N, "held": N}, each a JSON line.

probe: starts one HTTP/1.1 request to URL every INTERVAL seconds for
SECONDS, each on a new connection that must be answered 200 within
TIMEOUT seconds, then prints one JSON line: {"tries": N, "served": N,
"p50_s", "p90_s", "p99_s", "max_s": the time until served, a try not
served counted as TIMEOUT, "failures": the first few reasons}.
Options:
    --src ADDR      the source address of every try (default: any)
    --fresh PREFIX  a fresh source address for each try: PREFIX.1 to
                    PREFIX.254, then PREFIX with its third byte raised
    --expect TEXT   the body must end with TEXT
    --cafile FILE   for https: trust FILE (default: no verification)

The Flood class is what tests/integration/overload.py holds its flood
with.  Only loopback addresses are accepted; every loop is bounded in
count and time.
"""

import ipaddress
import json
import selectors
import signal
import socket
import ssl
import sys
import threading
import time
import urllib.parse

OPEN_MAX = 1000000      # connections a flood may open, at most
RUN_MAX = 3600          # seconds a flood or a probe may last, at most
TRIES_MAX = 100000      # tries of one probe, at most

# What the HTTP flood sends on its connections, in turn.
HTTP_KINDS = [
    b"",                                            # connected, silent
    b"GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: flood\r\n",   # head half-sent
]


class Flood(threading.Thread):
    """
    Keep count connections open, re-opening each one the server ends.
    Connection i goes to kinds[i % len(kinds)], a (port, bytes) pair: it
    sends the bytes once connected and nothing more; it comes from
    sources[i % len(sources)].  The thread runs until stop is set; after
    OPEN_MAX connections it opens no more.
    """

    def __init__(self, host, kinds, sources, count):
        super().__init__(daemon=True)
        self.host, self.kinds, self.sources = host, kinds, sources
        self.count = count
        self.sel = selectors.DefaultSelector()
        self.stop = threading.Event()
        self.opened = 0
        self.closed_by_server = 0

    def open_one(self, i):
        port, data = self.kinds[i % len(self.kinds)]
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.bind((self.sources[i % len(self.sources)], 0))
        try:
            s.connect((self.host, port))
        except BlockingIOError:
            pass
        self.sel.register(s, selectors.EVENT_WRITE, (i, data))
        self.opened += 1

    def run(self):
        for i in range(self.count):
            self.open_one(i)
        while not self.stop.is_set():
            for key, ev in self.sel.select(0.05):
                i, data = key.data
                s = key.fileobj
                if ev & selectors.EVENT_WRITE:
                    try:
                        if data:
                            s.send(data)
                        self.sel.modify(s, selectors.EVENT_READ, (i, b""))
                        continue
                    except OSError:
                        pass
                else:
                    try:
                        if s.recv(4096):
                            continue    # a greeting, a last word
                    except BlockingIOError:
                        continue
                    except OSError:
                        pass
                # The server ended it (refused, shed, timed out): again.
                self.sel.unregister(s)
                s.close()
                self.closed_by_server += 1
                if not self.stop.is_set() and self.opened < OPEN_MAX:
                    self.open_one(i)
        for key in list(self.sel.get_map().values()):
            key.fileobj.close()

    def held(self):
        return len(self.sel.get_map())


def usage():
    sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
    sys.exit(2)


def number(text, low, high, kind=float):
    """text as a number in [low, high], or the usage message."""
    try:
        value = kind(text)
    except ValueError:
        usage()
    if not low <= value <= high:
        usage()
    return value


def loopback(host):
    if not ipaddress.ip_address(host).is_loopback:
        sys.exit("flood.py: %s is not a loopback address" % host)
    return host


def flood_main(args):
    if not 3 <= len(args) <= 5:
        usage()
    host = loopback(args[0])
    port = number(args[1], 1, 65535, int)
    seconds = number(args[2], 0.1, RUN_MAX)
    count = number(args[3], 1, 4096, int) if len(args) > 3 else 128
    attackers = number(args[4], 1, 254, int) if len(args) > 4 else 32
    sources = ["127.0.9.%d" % (1 + a) for a in range(attackers)]
    flood = Flood(host, [(port, k) for k in HTTP_KINDS], sources, count)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    flood.start()
    while flood.opened < count and flood.is_alive():
        time.sleep(0.01)
    print(json.dumps({"flooding": count}), flush=True)
    done.wait(seconds)
    held = flood.held()
    flood.stop.set()
    flood.join(10)
    print(json.dumps({"opened": flood.opened,
                      "closed_by_server": flood.closed_by_server,
                      "held": held}), flush=True)


class Try(threading.Thread):
    """One request on a new connection; served and seconds when done."""

    def __init__(self, url, src, timeout, expect, ctx):
        super().__init__(daemon=True)
        self.url, self.src, self.timeout = url, src, timeout
        self.expect, self.ctx = expect, ctx
        self.served = False
        self.seconds = None
        self.why = None

    def run(self):
        t0 = time.monotonic()
        deadline = t0 + self.timeout
        try:
            self.served = self.ask(deadline)
        except (OSError, ValueError) as e:
            self.why = str(e) or type(e).__name__
        self.seconds = time.monotonic() - t0
        if self.served and self.seconds > self.timeout:
            self.served, self.why = False, "answered after the timeout"

    def ask(self, deadline):
        u = urllib.parse.urlsplit(self.url)
        port = u.port or (443 if u.scheme == "https" else 80)
        src = (self.src, 0) if self.src else None
        s = socket.create_connection((u.hostname, port), self.timeout, src)
        try:
            if u.scheme == "https":
                s = self.ctx.wrap_socket(s, server_hostname="localhost")
            path = u.path or "/"
            if u.query:
                path += "?" + u.query
            s.sendall(("GET %s HTTP/1.1\r\nHost: localhost\r\n"
                       "Connection: close\r\n\r\n" % path).encode())
            data = b""
            while len(data) < 1 << 20:
                s.settimeout(max(deadline - time.monotonic(), 0.001))
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        finally:
            s.close()
        head, _, body = data.partition(b"\r\n\r\n")
        status = head.split(b"\r\n", 1)[0].decode(errors="replace")
        if not status.startswith("HTTP/1.1 200 "):
            self.why = status or "closed without an answer"
            return False
        if self.expect and not body.decode(errors="replace").endswith(
                self.expect):
            self.why = "a wrong answer"
            return False
        return True


def fresh_source(prefix, k):
    """The k-th fresh address under prefix (a.b.c): a.b.c.1 and up."""
    a, b, c = (int(x) for x in prefix.split("."))
    c += k // 254
    if c > 255:
        sys.exit("flood.py: too many tries for fresh addresses")
    return loopback("%d.%d.%d.%d" % (a, b, c, 1 + k % 254))


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    k = min(len(sorted_values) - 1, int(len(sorted_values) * p / 100))
    return round(sorted_values[k], 4)


def probe_main(args):
    if len(args) < 4:
        usage()
    url = args[0]
    seconds = number(args[1], 0.1, RUN_MAX)
    interval = number(args[2], 0.001, 60)
    timeout = number(args[3], 0.1, 600)
    src = fresh = expect = cafile = None
    rest = args[4:]
    while rest:
        if len(rest) < 2:
            usage()
        opt, val = rest[0], rest[1]
        rest = rest[2:]
        if opt == "--src":
            src = loopback(val)
        elif opt == "--fresh":
            fresh = val
        elif opt == "--expect":
            expect = val
        elif opt == "--cafile":
            cafile = val
        else:
            usage()
    loopback(urllib.parse.urlsplit(url).hostname)
    if cafile:
        ctx = ssl.create_default_context(cafile=cafile)
    else:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    tries = []
    start = time.monotonic()
    while time.monotonic() - start < seconds and len(tries) < TRIES_MAX:
        k = len(tries)
        t = Try(url, fresh_source(fresh, k) if fresh else src, timeout,
                expect, ctx)
        t.start()
        tries.append(t)
        time.sleep(max(start + (k + 1) * interval - time.monotonic(), 0))
    for t in tries:
        t.join(timeout + 5)
    times = sorted(t.seconds if t.served else timeout for t in tries)
    served = sum(1 for t in tries if t.served)
    print(json.dumps({
        "tries": len(tries), "served": served,
        "p50_s": percentile(times, 50), "p90_s": percentile(times, 90),
        "p99_s": percentile(times, 99), "max_s": percentile(times, 100),
        "failures": ["%s: %s" % (t.src or "-", t.why) for t in tries
                     if not t.served][:5],
    }), flush=True)


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("flood", "probe"):
        usage()
    if sys.argv[1] == "flood":
        flood_main(sys.argv[2:])
    else:
        probe_main(sys.argv[2:])


if __name__ == "__main__":
    main()
