#!/bin/sh
# tls_ticket_rotation.sh - a new key in tls-ticket-key-file, brought by a
# reload, encrypts the tickets from then on, and the key before it still
# decrypts: a session made under K1 resumes after the reload to K2, and
# no longer after the next reload, to K3 (a full handshake, which still
# succeeds).  TLS 1.2 and TLS 1.3, with Python's ssl module as the client.
# It also pins how GnuTLS names the tickets of a key (tls.c,
# TLS_TICKET_PERIOD): if a GnuTLS update changes that, the resumptions
# after the first reload fail here.  TAP on stdout.
#
# Run by "make check"; by hand:
#   top_builddir=. top_srcdir=. sh tests/integration/tls_ticket_rotation.sh

. "${top_srcdir:-.}/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 not found"
command -v certtool >/dev/null 2>&1 || skip_all "certtool not found"
"$top_srcdir/certs/mkcerts" "$T/c" >/dev/null 2>&1 ||
    bail_out "mkcerts failed"
head -c 64 /dev/urandom >"$T/k1"
head -c 64 /dev/urandom >"$T/k2"
head -c 64 /dev/urandom >"$T/k3"
cp "$T/k1" "$T/ticket.key"

port=%%port%%
calcd_start <<EOF2 || bail_out "calcd did not start"
user nobody
listen tls 127.0.0.1:$port
tls-certificate $T/c/server.crt
tls-key $T/c/server.key
tls-ticket-key-file $T/ticket.key
EOF2

# The client: one process for the whole test, since a session lives in
# it.  It reads "new NAME VERSION" (a full handshake; the session is kept
# as NAME) or "resume NAME VERSION" (offer NAME's ticket; NAME stays the
# first session) and answers "resumed=0" or "resumed=1" once the
# connection asked one question and left, or "error ..." on failure.
cat >"$T/client.py" <<'EOF2'
import socket, ssl, sys
port, ca = int(sys.argv[1]), sys.argv[2]
sessions = {}
def ctx(version):
    c = ssl.create_default_context(cafile=ca)
    v = ssl.TLSVersion.TLSv1_3 if version == "1.3" else ssl.TLSVersion.TLSv1_2
    c.minimum_version = c.maximum_version = v
    return c
ctxs = {"1.2": ctx("1.2"), "1.3": ctx("1.3")}
for line in sys.stdin:
    try:
        what, name, version = line.split()
        s = socket.create_connection(("127.0.0.1", port), 10)
        t = ctxs[version].wrap_socket(s, server_hostname="localhost",
            session=sessions.get(name) if what == "resume" else None)
        f = t.makefile("rb")
        f.readline()                   # the greeting; TLS 1.3's ticket
        t.sendall(b"6*7\n")
        assert f.readline().strip() == b"42", "no answer"
        reused = int(t.session_reused)
        if what == "new":
            sessions[name] = t.session
        t.sendall(b"exit\n")
        f.read()
        t.close()
        print("resumed=%d" % reused, flush=True)
    except Exception as e:
        print("error %r" % e, flush=True)
EOF2
mkfifo "$T/to" "$T/from" || bail_out "mkfifo failed"
bounded 120 python3 "$T/client.py" "$port" "$T/c/ca.crt" <"$T/to" \
    >"$T/from" &
client_pid=$!
trap 'kill "$client_pid" 2>/dev/null; lib_cleanup' EXIT
exec 3>"$T/to" 4<"$T/from"

# ask WHAT NAME VERSION: the client's answer in $answer, once the
# connection's line is in calcd's log (it logs when the client left).
# Not in a subshell: it counts the connections.
conns=0
ask() {
	echo "$1 $2 $3" >&3
	read -r answer <&4 || answer="no answer"
	conns=$((conns + 1))
	log_wait_count "$conns" ': tls 127.0.0.1:[0-9]*: 127' ||
	    diag "connection $conns is not in the log"
}
# last_logged: the log line of the last connection says resumed.
last_logged() {
	grep ': tls 127.0.0.1:[0-9]*: 127' "$CALCD_LOG" | tail -n 1 |
	    grep -q resumed
}
# rekey FILE GENERATION: FILE becomes the key; reload to GENERATION.
rekey() {
	cp "$1" "$T/ticket.key.new" && mv "$T/ticket.key.new" "$T/ticket.key"
	calcd_reload "$2" || bail_out "no reload to generation $2"
}

for v in 1.2 1.3; do
	ask new a$v $v
	is "TLS $v: a full handshake under K1" "$answer" resumed=0
	ask resume a$v $v
	is "TLS $v: its session resumes under K1" "$answer" resumed=1
done

rekey "$T/k2" 1
for v in 1.2 1.3; do
	ask resume a$v $v
	is "TLS $v: after the reload to K2, the K1 ticket resumes" \
	    "$answer" resumed=1
	ok "TLS $v: the log says resumed" last_logged
	ask new b$v $v
	is "TLS $v: a full handshake under K2" "$answer" resumed=0
	ask resume b$v $v
	is "TLS $v: its session resumes under K2" "$answer" resumed=1
done

rekey "$T/k3" 2
for v in 1.2 1.3; do
	ask resume a$v $v
	is "TLS $v: after the reload to K3, the K1 ticket is refused" \
	    "$answer" resumed=0
	ok "TLS $v: the log says a full handshake" eval '! last_logged'
	ask resume b$v $v
	is "TLS $v: the K2 ticket resumes" "$answer" resumed=1
done

# A reload that leaves the file alone keeps K2 as the key before.
calcd_reload 3 || bail_out "no reload to generation 3"
for v in 1.2 1.3; do
	ask resume b$v $v
	is "TLS $v: after a reload without a new key, the K2 ticket resumes" \
	    "$answer" resumed=1
done

exec 3>&-
wait "$client_pid"
calcd_stop
is "calcd exits 0" "$CALCD_STATUS" 0
done_testing
