#!/usr/bin/env python3
"""conns.py - many HTTP clients at once, for tests/bench/run.

    conns.py burst HOST PORT PATH N TIMEOUT
    conns.py hold  HOST PORT PATH N SECONDS

Both open N connections at the same moment and send one keep-alive
"GET PATH" on each, then wait for the first byte of every answer, each
connection staying open so that a process-per-client server keeps one
process busy for it.

burst: waits at most TIMEOUT seconds, then prints one JSON line:
    {"clients": N, "served": S, "timeouts": T, "errors": E,
     "all_served_s": time until the last answer (null unless all came),
     "p50_s": ..., "max_s": ...}
and closes every connection: the pool growth row.

hold: waits at most 10 seconds for the answers, prints the same line, then
keeps the connections open for SECONDS (or until SIGTERM) and closes
them: the memory row measures the server meanwhile.

Only loopback addresses are accepted; every wait is bounded.
"""

import ipaddress
import json
import selectors
import signal
import socket
import sys
import time

MAX_CLIENTS = 4096
MAX_SECONDS = 600
HOLD_ANSWER_TIMEOUT = 10.0


def usage():
    sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
    sys.exit(2)


def bounded(text, low, high, kind=int):
    """text as a number in [low, high], or the usage message."""
    try:
        value = kind(text)
    except ValueError:
        usage()
    if not low <= value <= high:
        usage()
    return value


def connect_all(host, port, path, count, timeout):
    """
    Open count connections at once, send the request on each when it
    connects, and wait until each has answered or failed, or until timeout
    seconds have passed.  Returns (the sockets, the seconds each took to
    answer, the number that failed).
    """
    request = ("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: conns.py\r\n\r\n"
               % (path, host)).encode()
    sel = selectors.DefaultSelector()
    socks = []
    start = time.monotonic()
    for _ in range(count):
        s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                          socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex((host, port))
        sel.register(s, selectors.EVENT_WRITE, "connecting")
        socks.append(s)
    answered = []
    failed = 0
    pending = count
    deadline = start + timeout
    while pending > 0:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        for key, _ in sel.select(min(left, 0.5)):
            s = key.fileobj
            if key.data == "connecting":
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                try:
                    if err:
                        raise OSError(err, "connect")
                    s.send(request)
                except OSError:
                    sel.unregister(s)
                    failed += 1
                    pending -= 1
                    continue
                sel.modify(s, selectors.EVENT_READ, "waiting")
                continue
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            sel.unregister(s)
            pending -= 1
            if data:
                answered.append(time.monotonic() - start)
            else:
                failed += 1
    sel.close()
    return socks, sorted(answered), failed


def report(count, answered, failed):
    """The JSON line of a burst or a hold."""
    timeouts = count - len(answered) - failed
    return json.dumps({
        "clients": count,
        "served": len(answered),
        "timeouts": timeouts,
        "errors": failed,
        "all_served_s": (round(answered[-1], 4)
                         if len(answered) == count else None),
        "p50_s": round(answered[len(answered) // 2], 4) if answered else None,
        "max_s": round(answered[-1], 4) if answered else None,
    })


def main():
    if len(sys.argv) != 7 or sys.argv[1] not in ("burst", "hold"):
        usage()
    mode, host, port, path = sys.argv[1:5]
    if not ipaddress.ip_address(host).is_loopback:
        sys.exit("conns.py: %s is not a loopback address" % host)
    port = bounded(port, 1, 65535)
    count = bounded(sys.argv[5], 1, MAX_CLIENTS)
    seconds = bounded(sys.argv[6], 0.1, MAX_SECONDS, float)

    if mode == "burst":
        socks, answered, failed = connect_all(host, port, path, count,
                                              seconds)
        print(report(count, answered, failed), flush=True)
    else:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        socks, answered, failed = connect_all(host, port, path, count,
                                              HOLD_ANSWER_TIMEOUT)
        print(report(count, answered, failed), flush=True)
        try:
            time.sleep(seconds)
        finally:
            for s in socks:
                s.close()
        return
    for s in socks:
        s.close()


if __name__ == "__main__":
    main()
