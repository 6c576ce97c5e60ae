# tests/lib.sh - shared by the shell tests: a temporary directory, free
# ports, calcd started from an inline configuration, and TAP output.
# POSIX sh; every wait is bounded.
#
#	. "${top_srcdir:-.}/tests/lib.sh"
#	port=$(free_port) || bail_out "no free port"
#	calcd_start <<EOF || bail_out "calcd did not start"
#	listen tcp 127.0.0.1:$port
#	EOF
#	is "an answer" "$(some command)" "10"
#	calcd_stop
#	done_testing
#
# Environment: CALCD (default $top_builddir/src/calcd), CALCD_KEEP_TMP=1
# keeps the directory, CALCD_SHOW_LOG=1 copies calcd's log to stderr.

CALCD=${CALCD:-${top_builddir:-.}/src/calcd}
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

# bounded SECONDS COMMAND...: run COMMAND, killed after SECONDS.
bounded() {
	if command -v timeout >/dev/null 2>&1; then
		timeout "$@"
	else
		shift
		"$@"
	fi
}

# A TCP and UDP port free on every loopback address: python3 binds port 0
# on the dual-stack wildcard; without python3, a bounded look at ss(8)
# over random ports.
free_port() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 0))
print(s.getsockname()[1])' 2>/dev/null && return 0
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

# Whether this host has the IPv6 loopback address.
have_ipv6() {
	grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 \
	    2>/dev/null
}

# wait_port HOST PORT: until something accepts on HOST PORT (5 s).
wait_port() {
	wp_try=0
	while [ "$wp_try" -lt 50 ]; do
		wp_try=$((wp_try + 1))
		if command -v nc >/dev/null 2>&1; then
			nc -z -w 1 "$1" "$2" 2>/dev/null && return 0
		elif command -v python3 >/dev/null 2>&1; then
			python3 -c 'import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), 1)' \
			    "$1" "$2" 2>/dev/null && return 0
		fi
		[ -n "$CALCD_PID" ] && ! kill -0 "$CALCD_PID" 2>/dev/null &&
		    return 1
		sleep 0.1
	done
	return 1
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

# calcd_start: write stdin to $CALCD_CONF and run "calcd -d" on it with
# its log in $CALCD_LOG; wait until its first TCP listener accepts, or,
# without one, until it logs that it started.
calcd_start() {
	cat >"$CALCD_CONF" || return 1
	"$CALCD" -d -c "$CALCD_CONF" 2>>"$CALCD_LOG" &
	CALCD_PID=$!
	lib_watchdog "$CALCD_PID" </dev/null >/dev/null 2>&1 &
	CALCD_WATCHDOG=$!
	cs_addr=$(awk '$1 == "listen" && $2 ~ /^(tcp|tls|http|https)$/ {
	    print $3; exit }' "$CALCD_CONF")
	if [ -n "$cs_addr" ]; then
		cs_port=${cs_addr##*:}
		cs_host=${cs_addr%:*}
		cs_host=${cs_host#[}
		cs_host=${cs_host%]}
		[ "$cs_host" = "*" ] && cs_host=127.0.0.1
		wait_port "$cs_host" "$cs_port" && return 0
	else
		cs_try=0
		while [ "$cs_try" -lt 50 ] && kill -0 "$CALCD_PID" 2>/dev/null
		do
			grep -q 'started ' "$CALCD_LOG" && return 0
			cs_try=$((cs_try + 1))
			sleep 0.1
		done
	fi
	calcd_stop >/dev/null 2>&1
	return 1
}

# calcd_stop: SIGTERM, wait up to 15 s (SIGKILL after that); calcd's exit
# status in CALCD_STATUS and as the return value.
calcd_stop() {
	[ -n "$CALCD_PID" ] || return "${CALCD_STATUS:-1}"
	kill -TERM "$CALCD_PID" 2>/dev/null
	cst_try=0
	while kill -0 "$CALCD_PID" 2>/dev/null && [ "$cst_try" -lt 150 ]; do
		cst_try=$((cst_try + 1))
		sleep 0.1
	done
	kill -KILL "$CALCD_PID" 2>/dev/null
	wait "$CALCD_PID"
	CALCD_STATUS=$?
	CALCD_PID=
	[ -n "$CALCD_WATCHDOG" ] && kill "$CALCD_WATCHDOG" 2>/dev/null
	CALCD_WATCHDOG=
	return "$CALCD_STATUS"
}
