#!/bin/sh
# socket_activation.sh - calcd started by systemd-socket-activate(1), as a
# socket unit would start it: it takes the passed sockets whose protocol
# and address match its listen lines, opens the others itself, says which
# passed socket it does not use, and keeps a passed socket across a
# reload that drops its listener, so that a later reload can take it
# again.  TAP on stdout.
#
# Run by "make check"; by hand:
#   top_builddir=. top_srcdir=. sh tests/integration/socket_activation.sh

. "${top_srcdir:-.}/tests/lib.sh"

command -v systemd-socket-activate >/dev/null 2>&1 ||
    skip_all "no systemd-socket-activate (package systemd)"
command -v nc >/dev/null 2>&1 || skip_all "nc not found (netcat-openbsd)"
command -v curl >/dev/null 2>&1 || skip_all "curl not found"

GREETING='welcome to the calculator! - type exit to leave'
tcp=$(free_port) || bail_out "no free port"
http=$(free_port) || bail_out "no free port"
unused=$(free_port) || bail_out "no free port"
udp=$(free_port) || bail_out "no free port"

# conf WITH_HTTP: the configuration, with or without the http listener.
conf() {
	echo "user nobody"
	echo "listen tcp 127.0.0.1:$tcp"
	[ "$1" = yes ] && echo "listen http 127.0.0.1:$http"
	echo "listen udp 127.0.0.1:$udp"
	echo "workers-min-spare 2"
	echo "workers-max-spare 4"
}

# systemd-socket-activate binds, waits for the first connection, then
# execs calcd in its own process with LISTEN_FDS=3 (fds 3, 4, 5).
conf yes >"$CALCD_CONF"
systemd-socket-activate -l "127.0.0.1:$tcp" -l "127.0.0.1:$http" \
    -l "127.0.0.1:$unused" "$CALCD" -d -c "$CALCD_CONF" \
    2>>"$CALCD_LOG" &
CALCD_PID=$!
lib_watchdog "$CALCD_PID" </dev/null >/dev/null 2>&1 &
CALCD_WATCHDOG=$!
wait_port 127.0.0.1 "$tcp" || bail_out "nothing accepts on $tcp"

ask() {
	printf '%b' "$1" | bounded 10 nc -N 127.0.0.1 "$tcp" | tr -d '\r'
}
calc_http() {
	bounded 10 curl -s "http://127.0.0.1:$http/calc?expr=$1"
}

is "tcp on a passed socket: greeting and 5+5" "$(ask '5+5\n')" "$GREETING
10"
is "http on a passed socket" "$(calc_http '6*7')" 42
ok "calcd says the tcp socket came from systemd" grep -q \
    "listening on tcp 127.0.0.1:$tcp (from systemd)" "$CALCD_LOG"
ok "calcd says the http socket came from systemd" grep -q \
    "listening on http 127.0.0.1:$http (from systemd)" "$CALCD_LOG"
ok "calcd opened the udp socket itself" grep -q \
    "listening on udp 127.0.0.1:$udp\$" "$CALCD_LOG"
ok "calcd names the passed socket it does not use" grep -q \
    "socket activation: socket 5 matches no listen line" "$CALCD_LOG"
if [ -x "${top_builddir:-.}/src/calcc" ]; then
	is "udp on calcd's own socket" "$(bounded 10 \
	    "${top_builddir:-.}/src/calcc" -u -p "$udp" 3+5)" 8
fi
ok "calcd runs in the process systemd-socket-activate started" \
    grep -q "master\[$CALCD_PID\]" "$CALCD_LOG"

# A reload without the http listener keeps its socket open (connections
# wait in its backlog instead of being refused); a reload that lists it
# again takes it, as no new socket could bind the address systemd holds.
# reload WITH_HTTP GENERATION: write the configuration, send SIGHUP and
# wait until calcd logs the generation and the old workers have left.
reload() {
	conf "$1" >"$CALCD_CONF"
	calcd_reload "$2"
}
ok "reloaded without the http listener" reload no 1
ok "its socket still takes connections into its backlog" \
    bounded 5 nc -z -w 2 127.0.0.1 "$http"
reload yes 2 || diag "the second reload did not finish"
is "http again after two reloads" "$(calc_http '2%5E10')" 1024
is "on the socket systemd passed, taken again" "$(grep -c \
    "http 127.0.0.1:$http: socket 4 from systemd" "$CALCD_LOG")" 2
ok "calcd logged no error" sh -c \
    "! grep -E 'Address already in use|killed by|exited with' '$CALCD_LOG'"

calcd_stop
is "calcd exits 0 on SIGTERM" "$CALCD_STATUS" 0
done_testing
