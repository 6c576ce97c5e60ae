#!/usr/bin/env python3
"""sessions.py - hold N interactive line sessions, for tests/bench/sessions.

    sessions.py HOST PORT N PID [PER-ADDRESS]

Measures the calcd whose master is PID: the PSS of its processes before;
then opens N line protocol connections at once to HOST PORT, from
loopback addresses 127.1.0.1 and up, PER-ADDRESS (default 8) each, and
waits until every one has its greeting (the pool has grown to N); the PSS
of its processes with the N sessions held; then sends "x = K*3" and "x+1"
on session K, every session at once, and checks both answers of every
session; then says "exit" on each.  Prints one JSON line:

    {"sessions": N, "greeted": G, "grow_s": seconds until the last
     greeting, "answered": A, "wrong": W, "answer_s": seconds until the
     last answer, "procs_idle", "pss_idle_kb", "procs_held",
     "pss_held_kb": the processes below and with PID and their PSS,
     "failures": the first few reasons}

and exits 0 when every session was greeted and answered right, else 1.
Every wait is bounded; only loopback addresses are used.
"""

import errno
import ipaddress
import json
import os
import selectors
import socket
import sys
import time

SESSIONS_MAX = 20000
GROW_TIMEOUT = 180.0    # seconds for every session to be greeted
ANSWER_TIMEOUT = 60.0   # seconds for every answer
GREETING = b"welcome to the calculator! - type exit to leave\r\n"


def usage():
    sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
    sys.exit(2)


def descendants(pid):
    """Every process below pid, through /proc/PID/task/*/children."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            tasks = os.listdir("/proc/%d/task" % p)
        except OSError:
            continue
        for t in tasks:
            try:
                with open("/proc/%d/task/%s/children" % (p, t)) as f:
                    kids = [int(k) for k in f.read().split()]
            except OSError:
                continue
            out.extend(kids)
            todo.extend(kids)
    return out


def pss_of(pid):
    """(the processes of pid's tree, the sum of their PSS in kB)."""
    total = n = 0
    for p in [pid] + descendants(pid):
        try:
            with open("/proc/%d/smaps_rollup" % p) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        n += 1
                        break
        except OSError:
            pass
    return n, total


class Session:
    __slots__ = ("k", "sock", "buf", "state", "t")

    def __init__(self, k, sock):
        self.k, self.sock = k, sock
        self.buf = b""
        self.state = "connecting"
        self.t = None


def open_all(host, port, n, per_address, sel):
    sessions = []
    for k in range(n):
        a = k // per_address
        src = "127.1.%d.%d" % (a // 250, 1 + a % 250)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.bind((src, 0))
        err = s.connect_ex((host, port))
        if err not in (0, errno.EINPROGRESS):
            raise OSError(err, "connect from %s" % src)
        sess = Session(k, s)
        sel.register(s, selectors.EVENT_READ, sess)
        sessions.append(sess)
    return sessions


def pump(sel, from_state, until_state, deadline, expect, failures):
    """
    Read from every session in from_state until all have moved on to
    until_state (or failed), or until deadline; expect(sess) returns the
    bytes that session must receive.  Returns the time the last session
    got there, or None.
    """
    waiting = sum(1 for k in sel.get_map().values()
                  if k.data.state == from_state)
    last = None
    while waiting > 0:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        for key, _ in sel.select(min(left, 1.0)):
            sess = key.data
            if sess.state != from_state:
                continue
            try:
                data = sess.sock.recv(4096)
            except BlockingIOError:
                continue
            except OSError as e:
                data, why = b"", str(e)
            else:
                why = "closed by the server"
            if not data:
                failures.append("session %d: %s" % (sess.k, why))
                sel.unregister(sess.sock)
                sess.sock.close()
                sess.state = "failed"
                waiting -= 1
                continue
            sess.buf += data
            want = expect(sess)
            if len(sess.buf) < len(want) and want.startswith(sess.buf):
                continue
            if sess.buf != want:
                failures.append("session %d: got %r" % (sess.k, sess.buf))
                sess.state = "wrong"
            else:
                sess.state = until_state
            sess.buf = b""
            last = time.monotonic()
            waiting -= 1
    return last


def main():
    if len(sys.argv) not in (5, 6):
        usage()
    host = sys.argv[1]
    if not ipaddress.ip_address(host).is_loopback:
        sys.exit("sessions.py: %s is not a loopback address" % host)
    try:
        port, n, pid = (int(x) for x in sys.argv[2:5])
        per_address = int(sys.argv[5]) if len(sys.argv) > 5 else 8
    except ValueError:
        usage()
    if not (0 < port < 65536 and 0 < n <= SESSIONS_MAX and
            0 < per_address <= 1000 and n / per_address <= 250 * 250):
        usage()
    procs_idle, pss_idle = pss_of(pid)
    failures = []
    sel = selectors.DefaultSelector()
    start = time.monotonic()
    sessions = open_all(host, port, n, per_address, sel)
    last = pump(sel, "connecting", "greeted", start + GROW_TIMEOUT,
                lambda s: GREETING, failures)
    greeted = sum(1 for s in sessions if s.state == "greeted")
    grow_s = last - start if last is not None and greeted == n else None
    time.sleep(1.0)     # the spare workers the master adds settle
    procs_held, pss_held = pss_of(pid)

    t0 = time.monotonic()
    for s in sessions:
        if s.state == "greeted":
            s.sock.send(b"x = %d*3\nx+1\n" % s.k)
    last = pump(sel, "greeted", "answered", t0 + ANSWER_TIMEOUT,
                lambda s: b"%d\r\n%d\r\n" % (s.k * 3, s.k * 3 + 1), failures)
    answered = sum(1 for s in sessions if s.state == "answered")
    wrong = sum(1 for s in sessions if s.state == "wrong")
    answer_s = last - t0 if last is not None and answered == n else None
    for s in sessions:
        if s.state != "failed":
            try:
                s.sock.send(b"exit\n")
            except OSError:
                pass
            s.sock.close()
    print(json.dumps({
        "sessions": n, "greeted": greeted,
        "grow_s": round(grow_s, 3) if grow_s is not None else None,
        "answered": answered, "wrong": wrong,
        "answer_s": round(answer_s, 3) if answer_s is not None else None,
        "procs_idle": procs_idle, "pss_idle_kb": pss_idle,
        "procs_held": procs_held, "pss_held_kb": pss_held,
        "failures": failures[:5],
    }), flush=True)
    sys.exit(0 if answered == n else 1)


if __name__ == "__main__":
    main()
