#!/bin/sh
# calcc_net.sh - the calcc client against calcd on every transport: tcp
# (IPv4 and IPv6), tls with and without --cafile, udp, arguments, pipes,
# exit statuses, the UDP timeout path, and the interactive mode through a
# pseudo-terminal (script(1)).  TAP on stdout.
#
# Run by "make check"; by hand:
#   top_builddir=. top_srcdir=. sh tests/integration/calcc_net.sh

. "${top_srcdir:-.}/tests/lib.sh"

CALCC=${CALCC:-${top_builddir:-.}/src/calcc}
command -v certtool >/dev/null 2>&1 || skip_all "certtool not found"
"$top_srcdir/certs/mkcerts" "$T/certs" || bail_out "mkcerts failed"

port=%%port%%
tport=%%tport%%
dead=$(dead_port)	# nothing listens there, nor will
[ -n "$dead" ] || bail_out "no dead port"
ipv6=
have_ipv6 && ipv6="listen tcp [::1]:$port
listen udp [::1]:$port"
calcd_start <<EOF || bail_out "calcd did not start"
user nobody
listen tcp 127.0.0.1:$port
listen udp 127.0.0.1:$port
listen tls 127.0.0.1:$tport
$ipv6
tls-certificate $T/certs/server.crt
tls-key $T/certs/server.key
workers-min-spare 2
workers-max-spare 4
EOF

# run ARG...: calcc with ARGs and stdin from $T/in; output in $out and
# $err, exit status in $rc.
run() {
	bounded 30 "$CALCC" "$@" <"$T/in" >"$T/out" 2>"$T/err"
	rc=$?
	out=$(cat "$T/out")
	err=$(cat "$T/err")
	: >"$T/in"
}
: >"$T/in"
tcp="-h 127.0.0.1 -p $port"

run $tcp 5+5
is "tcp: an argument" "$out" 10
is "tcp: exit status 0" "$rc" 0

run $tcp 'x = 3' 'x*2' 'ans+1'
is "tcp: arguments share one session" "$out" "3
6
7"

run $tcp '1+1' '1/0' '2+2'
is "tcp: an error answer among others" "$out" "2
error: division by zero
4"
is "tcp: exit status 1 on an error answer" "$rc" 1

printf '1+1\n\n2*3\r\n7/2\n' >"$T/in"
run $tcp
is "tcp: a pipe, blank lines unanswered, CRLF accepted" "$out" "2
6
3.5"

printf '1+1\nexit\n2+2\n' >"$T/in"
run $tcp
is "tcp: exit in a pipe ends the session" "$out" 2

awk 'BEGIN { for (i = 0; i < 100000; i++) print i "+1" }' >"$T/big"
start=$(date +%s)
bounded 60 "$CALCC" $tcp <"$T/big" >"$T/bigout"
took=$(( $(date +%s) - start ))
is "tcp: 100,000 piped lines give 100,000 answers" \
    "$(wc -l <"$T/bigout" | tr -d ' ') $(tail -n 1 "$T/bigout")" \
    "100000 100000"
ok "tcp: ... in seconds (${took}s)" test "$took" -le 20

if [ -n "$ipv6" ]; then
	run -6 -h ::1 -p "$port" 2^64
	is "tcp over IPv6" "$out" 18446744073709551616
	run -u -6 -h ::1 -p "$port" 2^64
	is "udp over IPv6" "$out" 18446744073709551616
else
	echo "ok $((tap_n += 1)) # SKIP no IPv6 loopback"
	echo "ok $((tap_n += 1)) # SKIP no IPv6 loopback"
fi

run -s --cafile "$T/certs/ca.crt" -h localhost -p "$tport" 6*7
is "tls with --cafile" "$out $rc" "42 0"

run -s -h localhost -p "$tport" 6*7
is "tls without --cafile: exit 2" "$rc" 2
ok "... because the certificate is not trusted" \
    grep -q 'not trusted' "$T/err"

run -s --cafile "$T/certs/ca.crt" -h 127.0.0.2 -p "$tport" 6*7
is "tls checks the host name" "$rc" 2

run --tls --insecure -h localhost -p "$tport" 6*7
is "tls --insecure answers" "$out" 42
ok "... and warns" grep -q 'warning: --insecure' "$T/err"

run -u -h 127.0.0.1 -p "$port" 3+5 '1/0'
is "udp: arguments" "$out" "8
error: division by zero"
is "udp: exit status 1 on an error answer" "$rc" 1

run -u -h 127.0.0.1 -p "$port" '10^1000'
is "udp: a long answer (the request is padded)" "${#out}" 1001

printf '2+2\n\n3*3\n' >"$T/in"
run --udp -h 127.0.0.1 -p "$port"
is "udp: a pipe" "$out" "4
9"

# now_ms: the time in milliseconds (GNU date).
now_ms() {
	date +%s%3N
}

# Nothing listens: the ICMP refusal ends the request at once.
start=$(now_ms)
run -u -h 127.0.0.1 -p "$dead" --timeout 3 --retries 3 3+5
took=$(( $(now_ms) - start ))
is "udp: connection refused: exit 2" "$rc" 2
is "... with the message" "$err" \
    "calcc: 127.0.0.1 port $dead: connection refused (no UDP server there)"
ok "... at once (${took} ms, not 3 s)" test "$took" -lt 2000

# A socket that never answers: each try waits --timeout, no longer.
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
open(sys.argv[2], "w").close()
time.sleep(30)' "$dead" "$T/silent.ready" &
silent=$!
wait_for "$LIB_WAIT_S" test -e "$T/silent.ready" ||
    diag "the silent socket did not come up"
start=$(now_ms)
run -u -h 127.0.0.1 -p "$dead" --timeout 1 --retries 2 3+5
took=$(( $(now_ms) - start ))
is "udp: no reply: exit 2" "$rc" 2
is "... with the message" "$err" \
    "calcc: no reply from 127.0.0.1 port $dead after 3 tries"
# Doubling waits would take 7 s; a busy machine may add a second or two.
ok "... after 3 tries of 1 s (${took} ms)" \
    test "$took" -ge 2900 -a "$took" -lt 6500
run -u -h 127.0.0.1 -p "$dead" --timeout 1 --retries 0 3+5
is "udp: --retries 0 is one try" "$err" \
    "calcc: no reply from 127.0.0.1 port $dead after 1 try"
kill "$silent" 2>/dev/null
wait "$silent" 2>/dev/null

run -h 127.0.0.1 -p "$dead" 3+5
is "tcp: connection refused: exit 2" "$rc" 2
ok "... with a message" grep -q 'cannot connect' "$T/err"

run --bogus
is "a bad option: exit 2" "$rc" 2

run --local 2^10
is "--local needs no server" "$out" 1024

# tty_start [VAR=VALUE...] -- ARGS: calcc ARGS on a pseudo-terminal
# (script(1)), in an environment changed as env(1) would; what is typed
# goes through fd 7, and the screen is in $T/tty.raw.
tty_start() {
	tty_env=
	while [ "$1" != -- ]; do
		tty_env="$tty_env $1"
		shift
	done
	shift
	rm -f "$T/tty.in"
	: >"$T/tty.raw"
	mkfifo "$T/tty.in" || bail_out "mkfifo failed"
	# shellcheck disable=SC2086
	bounded 60 env $tty_env script -qec "$CALCC $*" /dev/null \
	    <"$T/tty.in" >"$T/tty.raw" 2>&1 &
	tty_pid=$!
	exec 7>"$T/tty.in"
}

# tty_shows N REGEX: the screen has at least N lines that match REGEX.
tty_shows() {
	[ "$(tr -d '\r' <"$T/tty.raw" | grep -c -- "$2")" -ge "$1" ]
}

# tty_type N REGEX TEXT: once the screen shows N lines matching REGEX,
# type TEXT (printf(1)'s format).
tty_type() {
	wait_for "$LIB_WAIT_S" tty_shows "$1" "$2" ||
	    diag "the terminal never showed $1 of '$2'"
	# shellcheck disable=SC2059
	printf "$3" >&7
}

# tty_end: type exit, wait for calcc to leave, and put the screen
# without carriage returns in $T/tty.
tty_end() {
	printf 'exit\n' >&7
	wait "$tty_pid"
	exec 7>&-
	tr -d '\r' <"$T/tty.raw" >"$T/tty"
}

# The interactive mode, through a pseudo-terminal.  Each key is typed
# once the screen shows what the one before did, never after a pause:
# the greeting, the prompt, an answer, the up arrow recalling the last
# line, exit.
if command -v script >/dev/null 2>&1; then
	tty_start -- "$tcp"
	tty_type 1 'calc> ' '6*7\n'
	tty_type 1 '^42$' '\033[A\n'
	wait_for "$LIB_WAIT_S" tty_shows 2 '^42$' ||
	    diag "no second answer on the terminal"
	tty_end
	ok "interactive: the greeting" grep -q '^welcome to the calculator' \
	    "$T/tty"
	ok "interactive: the prompt" grep -q '^calc> ' "$T/tty"
	is "interactive: an answer, and again from history" \
	    "$(grep -c '^42$' "$T/tty")" 2
	ok "interactive: exit leaves" grep -q '^calc> exit' "$T/tty"

	# Ctrl-C abandons the line being typed; calcc goes on.
	tty_start -- "$tcp"
	tty_type 1 'calc> ' '12345'
	tty_type 1 'calc> 12345' '\003'
	tty_type 2 'calc> ' '1+1\n'
	wait_for "$LIB_WAIT_S" tty_shows 1 '^2$' || diag "no answer to 1+1"
	tty_end
	ok "interactive: Ctrl-C clears the line" grep -q '^2$' "$T/tty"
	ok "... and sends nothing of it" sh -c "! grep -q '^error' '$T/tty'"
	ok "... and calcc goes on to exit" grep -q '^calc> exit' "$T/tty"

	# History is kept between sessions, in $XDG_STATE_HOME/calcc/history.
	tty_start "XDG_STATE_HOME=$T/state" -- "$tcp"
	tty_type 1 'calc> ' '6*7\n'
	wait_for "$LIB_WAIT_S" tty_shows 1 '^42$' || diag "no answer to 6*7"
	tty_end
	ok "history: written to \$XDG_STATE_HOME/calcc/history" \
	    grep -qx '6\*7' "$T/state/calcc/history"
	tty_start "XDG_STATE_HOME=$T/state" -- "$tcp"
	tty_type 1 'calc> ' '\033[A\033[A\n'
	wait_for "$LIB_WAIT_S" tty_shows 1 '^42$' ||
	    diag "no answer from history"
	tty_end
	ok "history: the next session recalls it" grep -q '^42$' "$T/tty"
	tty_start -u XDG_STATE_HOME "HOME=$T" -- --local
	tty_type 1 'calc> ' '7*8\n'
	wait_for "$LIB_WAIT_S" tty_shows 1 '^56$' || diag "no answer to 7*8"
	tty_end
	ok "history: else in ~/.calcc_history" \
	    grep -qx '7\*8' "$T/.calcc_history"
else
	for i in 1 2 3 4 5 6 7 8 9 10; do
		echo "ok $((tap_n += 1)) # SKIP script(1) not found"
	done
fi

# help: one line, on every transport and in calcc itself.
printf 'help\n1+1\n' >"$T/in"
run $tcp
ok "help over tcp: one line, then the next answer" \
    sh -c "test \"\$(sed -n 2p '$T/out')\" = 2"
ok "... listing functions and exit" \
    sh -c "grep -q '^operators: .*functions: sqrt .*exit or quit leaves\$' '$T/out'"
run --tls --cafile "$T/certs/ca.crt" -h localhost -p "$tport" help
ok "help over tls" grep -q '^operators: ' "$T/out"
run -u -h 127.0.0.1 -p "$port" help
ok "help over udp (the request is padded)" grep -q '^operators: ' "$T/out"
run --local help
ok "help in --local" grep -q '^operators: ' "$T/out"

# -v and -vv: what calcc did, on stderr; the answers alone on stdout.
run -v --tls --cafile "$T/certs/ca.crt" -h localhost -p "$tport" 6*7
is "-v: stdout holds the answer only" "$out" 42
ok "-v: the resolved address" grep -q '^\* localhost is 127\.0\.0\.1' "$T/err"
ok "-v: the connect time" grep -q "^\\* connected to 127.0.0.1 port $tport in [0-9.]* ms" "$T/err"
ok "-v: the TLS version, suite, group and ALPN" \
    grep -q '^\* TLS: TLS1\.[23], [A-Z0-9-]*, key exchange [A-Za-z0-9-]*, ALPN none, new session$' "$T/err"
ok "-v: the certificate's subject and issuer" sh -c \
    "grep -q '^\\* certificate: CN=localhost' '$T/err' &&
     grep -q '^\\*   issuer: CN=calcd development CA' '$T/err'"
ok "-v: its validity" grep -q '^\*   valid: 20[0-9-]* [0-9:]* UTC to ' "$T/err"
fp=$(certtool -i --infile "$T/certs/server.crt" 2>/dev/null |
    sed -n 's/^[[:space:]]*sha256:\([0-9a-f]*\)$/\1/p' | head -n 1 |
    tr a-f A-F | sed 's/../&:/g; s/:$//')
is "-v: its SHA-256 fingerprint" \
    "$(sed -n 's/^\*   SHA-256: //p' "$T/err")" "$fp"
ok "-v: the verification" grep -q '^\* verification: ok' "$T/err"
run -vv --resume --tls --cafile "$T/certs/ca.crt" -h localhost \
    -p "$tport" 1+1 2+2
is "--resume: the answers" "$out" "2
4"
ok "--resume: the second session is resumed" \
    grep -q '^\* TLS: .*, resumed session$' "$T/err"
ok "-vv: a round-trip time per answer" sh -c \
    "test \$(grep -c '^\\* answer [12] in [0-9.]* ms\$' '$T/err') = 2"
run -v -u -h 127.0.0.1 -p "$port" 3+5
is "-v over udp: the answer" "$out" 8
ok "-v over udp: the try and its time" \
    grep -q '^\* try 1 of 4: [0-9]* bytes sent, [0-9]* back in [0-9.]* ms$' "$T/err"

# A last line without a newline, sent before the input ends, is answered.
(printf '2+3'; sleep 0.5) | bounded 10 "$CALCC" $tcp >"$T/out" 2>"$T/err"
is "a last line without newline is answered" "$(cat "$T/out")" 5

calcd_stop
is "calcd exits 0 on SIGTERM" "$CALCD_STATUS" 0
done_testing
