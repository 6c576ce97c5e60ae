#!/bin/sh
# line_nc.sh - the line protocol with a real client, OpenBSD netcat: the
# greeting, one answer per line, "exit", and IPv6.  TAP on stdout.
#
# Run by "make check"; by hand:
#   top_builddir=. top_srcdir=. sh tests/integration/line_nc.sh

. "${top_srcdir:-.}/tests/lib.sh"

command -v nc >/dev/null 2>&1 || skip_all "nc not found (netcat-openbsd)"
nc -h 2>&1 | grep -q -- '-N' || skip_all "nc has no -N (netcat-openbsd)"

GREETING='welcome to the calculator! - type exit to leave'

port=%%port%%
ipv6=
have_ipv6 && ipv6="listen tcp [::1]:$port"
calcd_start <<EOF || bail_out "calcd did not start"
user nobody
listen tcp 127.0.0.1:$port
$ipv6
workers-min-spare 2
workers-max-spare 4
EOF

# ask HOST INPUT: send INPUT, shut down our side (-N), print the answers
# with CRLF turned into LF.
ask() {
	printf '%b' "$2" | bounded 10 nc -N "$1" "$port" | tr -d '\r'
}

is "greeting and 5+5" "$(ask 127.0.0.1 '5+5\n')" "$GREETING
10"

raw=$(printf '5+5\n' | bounded 10 nc -N 127.0.0.1 "$port" | od -An -c |
    tr -s ' \n' ' ')
case $raw in
*'e \r \n 1 0 \r \n'*) crlf=yes ;;
*) crlf=no ;;
esac
is "answers end in CRLF" "$crlf" yes

is "several lines, blank ones unanswered, in one session" \
    "$(ask 127.0.0.1 'x = 3\n\nx*2\r\n2^64\n7/2\n1/0\n')" "$GREETING
3
6
18446744073709551616
3.5
error: division by zero"

# After "exit" or "quit" the server closes: the lines after it, which nc
# still sends, get no answer, and calcd logs the connection as "quit".
is "exit closes the connection, later lines unanswered" \
    "$(ask 127.0.0.1 '1+1\nexit\n2+2\n')" "$GREETING
2"
is "quit closes the connection" "$(ask 127.0.0.1 'quit\n5+5\n')" \
    "$GREETING"
log_wait_count 2 ': quit, [01] requests'
ok "calcd logged both as quit" test \
    "$(log_count ': quit, [01] requests')" -eq 2

if [ -n "$ipv6" ]; then
	is "IPv6: greeting and 5+5" "$(ask ::1 '5+5\n')" "$GREETING
10"
else
	echo "ok $((tap_n += 1)) # SKIP no IPv6 loopback"
fi

calcd_stop
is "calcd exits 0 on SIGTERM" "$CALCD_STATUS" 0
ok "no worker died" sh -c "! grep -E 'killed by|exited with' '$CALCD_LOG'"
done_testing
