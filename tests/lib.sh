# tests/lib.sh - shared by the shell tests: a temporary directory, calcd
# started from an inline configuration on sockets bound for it, waits on
# conditions, and TAP output.  POSIX sh; every wait has a deadline.
#
#	. "${top_srcdir:-.}/tests/lib.sh"
#	port=%%port%%
#	calcd_start <<EOF || bail_out "calcd did not start"
#	listen tcp 127.0.0.1:$port
#	EOF
#	is "an answer" "$(some command)" "10"
#	log_wait 'quit, 1 requests' || diag "not in the log"
#	calcd_stop
#	done_testing
#
# A port word ("%%port%%") in a listen line is a port that tests/listen_exec
# binds (port 0: the kernel picks one nobody holds) and passes to calcd as
# systemd's socket activation does; calcd_start then sets the shell
# variable of that name to the port.  Lines that share a word share the
# port.  free_port is for ports that nothing else binds for us: one that
# must stay closed, or another server's.
#
# Environment: CALCD (default $top_builddir/src/calcd), CALCD_KEEP_TMP=1
# keeps the directory, CALCD_SHOW_LOG=1 copies calcd's log to stderr.

CALCD=${CALCD:-${top_builddir:-.}/src/calcd}
LISTEN_EXEC=${LISTEN_EXEC:-${top_builddir:-.}/tests/listen_exec}
# How long a test waits for what a loaded machine does in well under a
# second: calcd starting or stopping, a log line, a reload.
LIB_WAIT_S=30
LIB_GUARD_S=60	# the least time a client gets before it is killed (bounded)
CALCD_PID=
CALCD_STATUS=
CALCD_WATCHDOG=
lib_pid=$$
tap_n=0
tap_failed=0

T=$(mktemp -d "${TMPDIR:-/tmp}/calcd-sh.XXXXXX") || {
	echo "Bail out! mktemp failed"
	exit 99
}
CALCD_CONF=$T/calcd.conf
CALCD_LOG=$T/calcd.log

# The EXIT trap: stop calcd, show its log if asked, remove the directory.
lib_cleanup() {
	[ -n "$CALCD_PID" ] && calcd_stop >/dev/null 2>&1
	if [ "${CALCD_SHOW_LOG:-}" = 1 ] && [ -f "$CALCD_LOG" ]; then
		echo "---- $CALCD_LOG ----" >&2
		cat "$CALCD_LOG" >&2
	fi
	if [ "${CALCD_KEEP_TMP:-}" = 1 ]; then
		echo "# kept $T" >&2
	else
		rm -rf "$T"
	fi
}
trap lib_cleanup EXIT
trap 'exit 99' HUP INT TERM

# TAP

plan() {
	echo "1..$1"
}

# done_testing: the plan at the end; the exit status says whether all
# tests passed.
done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

bail_out() {
	echo "Bail out! $*"
	[ -f "$CALCD_LOG" ] && tail -n 20 "$CALCD_LOG" | sed 's/^/# log: /'
	exit 99
}

# ok DESC COMMAND...: one TAP line, passed when COMMAND succeeds.
ok() {
	tap_desc=$1
	shift
	tap_n=$((tap_n + 1))
	if "$@"; then
		echo "ok $tap_n - $tap_desc"
		return 0
	fi
	echo "not ok $tap_n - $tap_desc"
	tap_failed=$((tap_failed + 1))
	return 1
}

# is DESC GOT WANT: passed when the strings are equal; shows both if not.
is() {
	if ok "$1" test "x$2" = "x$3"; then
		return 0
	fi
	diag "got:" "$2"
	diag "want:" "$3"
	return 1
}

# Processes and ports

# bounded SECONDS COMMAND...: run COMMAND, killed after SECONDS, or
# after LIB_GUARD_S if that is longer.  A guard against a hang, not a
# measure of speed: on a busy machine a client may take seconds only to
# start.
bounded() {
	b_s=$1
	shift
	[ "$b_s" -ge "$LIB_GUARD_S" ] || b_s=$LIB_GUARD_S
	if command -v timeout >/dev/null 2>&1; then
		timeout "$b_s" "$@"
	else
		"$@"
	fi
}

# wait_for SECONDS COMMAND...: run COMMAND until it succeeds, at most
# SECONDS (wall clock); 0 once it did, 1 at the deadline.
wait_for() {
	wf_end=$(( $(date +%s) + $1 ))
	shift
	while ! "$@"; do
		[ "$(date +%s)" -lt "$wf_end" ] || return 1
		sleep 0.05	# between two looks
	done
	return 0
}

# log_wait [GREP OPTIONS] PATTERN: until calcd's log has a line matching.
log_wait() {
	wait_for "$LIB_WAIT_S" grep -q "$@" "$CALCD_LOG"
}

# log_count PATTERN: how many lines of calcd's log match (a basic regex).
log_count() {
	lc_n=$(grep -c -- "$1" "$CALCD_LOG" 2>/dev/null)
	echo "${lc_n:-0}"
}

# log_wait_count N PATTERN: until at least N lines of the log match.
log_wait_count() {
	wait_for "$LIB_WAIT_S" lib_count_ge "$1" "$2"
}
lib_count_ge() {
	[ "$(log_count "$2")" -ge "$1" ]
}

# A TCP and UDP port free on every loopback address, below the kernel's
# ephemeral range: a port from that range is soon some client's own end
# when a test beside this one makes thousands of connections, and a
# server can then no longer bind it.  python3 tries random ports and
# binds TCP on the dual-stack wildcard, then UDP on the same port;
# without python3, a bounded look at ss(8) over random ports.  Another
# process may take it afterwards: for calcd, use a port word (see above).
free_port() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c '
import random, socket
try:
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
except (OSError, ValueError):
    low = 32768
first, last = (10000, low - 1) if low > 11000 else (0, 0)
for _ in range(200):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    try:
        s.bind(("::", random.randint(first, last) if last else 0))
        port = s.getsockname()[1]
        u.bind(("::", port))
    except OSError:
        continue
    finally:
        s.close()
        u.close()
    print(port)
    break' 2>/dev/null | grep . && return 0
	fi
	fp_try=0
	while [ "$fp_try" -lt 100 ]; do
		fp_try=$((fp_try + 1))
		fp_port=$(( ($(od -An -N2 -tu2 /dev/urandom) % 10000) + 20000 ))
		if [ -z "$(ss -Htuan "sport = :$fp_port" 2>/dev/null)" ]; then
			echo "$fp_port"
			return 0
		fi
	done
	return 1
}

# dead_port: a TCP port where nothing listens, and nothing will while the
# test runs: a socket bound to it without listen(2) holds it (a connect
# is refused), so a test beside this one cannot choose it for a server.
# Its UDP twin is free too, but not held: a datagram there is refused.
dead_port() {
	python3 -c '
import os, socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
for _ in range(100):
    try:
        s.bind(("::", 0))
        port = s.getsockname()[1]
        u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        u.bind(("::", port))
        u.close()
        break
    except OSError:
        s.close()
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
print(port, flush=True)
os.close(1)
parent = int(sys.argv[1])
for _ in range(3600):
    try:
        os.kill(parent, 0)
    except OSError:
        break
    time.sleep(1)' "$lib_pid" 2>/dev/null &
}

# lib_gone PID: the process has exited (a zombie counts as gone).
lib_gone() {
	! kill -0 "$1" 2>/dev/null ||
	    grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# Whether this host has the IPv6 loopback address.
have_ipv6() {
	grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 \
	    2>/dev/null
}

# wait_port HOST PORT: until something accepts on HOST PORT
# (LIB_WAIT_S), for servers other than calcd; 1 when calcd, if it runs,
# died meanwhile.
wait_port() {
	wait_for "$LIB_WAIT_S" lib_accepts "$1" "$2" &&
	    { [ -z "$CALCD_PID" ] || kill -0 "$CALCD_PID" 2>/dev/null; }
}
lib_accepts() {
	[ -n "$CALCD_PID" ] && ! kill -0 "$CALCD_PID" 2>/dev/null && return 0
	if command -v nc >/dev/null 2>&1; then
		nc -z -w 1 "$1" "$2" 2>/dev/null
	else
		python3 -c 'import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), 1)' \
		    "$1" "$2" 2>/dev/null
	fi
}

# lib_watchdog PID: SIGTERM calcd PID once this script is gone (looked at
# every second, for at most an hour), so that a script killed hard does
# not leave calcd running.
lib_watchdog() {
	wd_n=0
	while [ "$wd_n" -lt 3600 ] && kill -0 "$lib_pid" 2>/dev/null; do
		sleep 1
		wd_n=$((wd_n + 1))
	done
	kill -TERM "$1" 2>/dev/null
}

# calcd_start: the configuration template on stdin; bind its port words,
# write $CALCD_CONF, run "calcd -d" on it with its log in $CALCD_LOG, set
# each port word's variable, and wait until calcd says it started.  Its
# sockets listen from the start, so a client that comes at once waits in
# the backlog rather than being refused.
calcd_start() {
	cat >"$T/calcd.conf.in" || return 1
	rm -f "$T/ports"
	cs_started=$(log_count 'started ')
	"$LISTEN_EXEC" "$T/calcd.conf.in" "$CALCD_CONF" "$T/ports" \
	    "$CALCD" -d -c "$CALCD_CONF" 2>>"$CALCD_LOG" &
	CALCD_PID=$!	# listen_exec execs calcd: the same process
	lib_watchdog "$CALCD_PID" </dev/null >/dev/null 2>&1 &
	CALCD_WATCHDOG=$!
	if wait_for "$LIB_WAIT_S" lib_started "$cs_started" &&
	    kill -0 "$CALCD_PID" 2>/dev/null && [ -f "$T/ports" ]; then
		. "$T/ports"
		return 0
	fi
	calcd_stop >/dev/null 2>&1
	return 1
}

# lib_started N: calcd logged its start after N earlier ones, or died.
lib_started() {
	kill -0 "$CALCD_PID" 2>/dev/null || return 0
	[ "$(log_count 'started ')" -gt "$1" ]
}

# calcd_reload GENERATION: SIGHUP; wait until calcd logs the reload to
# GENERATION and every worker it had before has left (an idle one may
# still take a connection as it retires, with the old configuration).
# Returns 1 when either does not happen within LIB_WAIT_S.
calcd_reload() {
	cr_old=$(pgrep -P "$CALCD_PID" | tr '\n' ' ')
	kill -HUP "$CALCD_PID" || return 1
	log_wait -F "configuration reloaded, generation $1" || return 1
	for cr_pid in $cr_old; do
		wait_for "$LIB_WAIT_S" lib_gone "$cr_pid" || return 1
	done
}

# calcd_stop: SIGTERM, wait up to LIB_WAIT_S (SIGKILL after that);
# calcd's exit status in CALCD_STATUS and as the return value.
calcd_stop() {
	[ -n "$CALCD_PID" ] || return "${CALCD_STATUS:-1}"
	kill -TERM "$CALCD_PID" 2>/dev/null
	wait_for "$LIB_WAIT_S" lib_gone "$CALCD_PID"
	kill -KILL "$CALCD_PID" 2>/dev/null
	wait "$CALCD_PID"
	CALCD_STATUS=$?
	CALCD_PID=
	[ -n "$CALCD_WATCHDOG" ] && kill "$CALCD_WATCHDOG" 2>/dev/null
	CALCD_WATCHDOG=
	return "$CALCD_STATUS"
}
