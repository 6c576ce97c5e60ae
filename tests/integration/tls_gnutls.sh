#!/bin/sh
# tls_gnutls.sh - the tls and https listeners with a real client,
# gnutls-cli: verification against the test CA, protocol versions and
# suites, session resumption across workers, ALPN, the handshake timeout,
# and certificate reload on SIGHUP.  TAP on stdout.
#
# Run by "make check"; by hand:
#   top_builddir=. top_srcdir=. sh tests/integration/tls_gnutls.sh

. "${top_srcdir:-.}/tests/lib.sh"

command -v gnutls-cli >/dev/null 2>&1 || skip_all "gnutls-cli not found"
command -v certtool >/dev/null 2>&1 || skip_all "certtool not found"

"$top_srcdir/certs/mkcerts" "$T/a" || bail_out "mkcerts failed"
"$top_srcdir/certs/mkcerts" "$T/b" || bail_out "mkcerts failed"

GREETING='welcome to the calculator! - type exit to leave'
port=%%port%%
hport=%%hport%%

config() {
	cat <<EOF2
user nobody
listen tls 127.0.0.1:$port
listen https 127.0.0.1:$hport
tls-certificate $1/server.crt
tls-key $1/server.key
tls-handshake-timeout 1
workers-min-spare 2
workers-max-spare 4
max-connections-per-worker 1
EOF2
}
# calcd -t on a broken pair names the file at fault and why.
mkdir "$T/dir"
printf 'not pem\n' >"$T/junk"
# pair_error CERT KEY: the message of calcd -t, without the log's prefix.
pair_error() {
	# calcd -t binds nothing: any port does.
	printf 'user nobody\nlisten tls 127.0.0.1:54322\ntls-certificate %s\ntls-key %s\n' \
	    "$1" "$2" >"$T/pair.conf"
	bounded 10 "$CALCD" -t -c "$T/pair.conf" 2>&1 | sed 's/^.*calcd\[[0-9]*\]: //'
}
is "-t: a missing certificate" "$(pair_error "$T/none.crt" "$T/a/server.key")" \
    "tls-certificate $T/none.crt: No such file or directory"
is "-t: a missing key" "$(pair_error "$T/a/server.crt" "$T/none.key")" \
    "tls-key $T/none.key: No such file or directory"
is "-t: an unreadable key" "$(pair_error "$T/a/server.crt" "$T/dir")" \
    "tls-key $T/dir: Is a directory"
is "-t: a certificate given as the key" \
    "$(pair_error "$T/a/server.crt" "$T/a/server.crt")" \
    "tls-key $T/a/server.crt: a certificate, not a private key"
is "-t: a key given as the certificate" \
    "$(pair_error "$T/a/server.key" "$T/a/server.key")" \
    "tls-certificate $T/a/server.key: a private key, not a certificate"
is "-t: a file without a certificate" \
    "$(pair_error "$T/junk" "$T/a/server.key")" \
    "tls-certificate $T/junk: no PEM certificate in it (No certificate was found.)"
is "-t: keys that do not match" \
    "$(pair_error "$T/a/server.crt" "$T/b/server.key")" \
    "tls-certificate $T/a/server.crt, tls-key $T/b/server.key: The certificate and the given key do not match."

config "$T/a" >"$T/first.conf"
calcd_start <"$T/first.conf" || bail_out "calcd did not start"

# tls CAFILE [PRIORITY]: "5+5" and "exit" through gnutls-cli; prints the
# answers, then "status N".
tls() {
	printf '5+5\nexit\n' | bounded 10 gnutls-cli --x509cafile "$1" \
	    ${2:+--priority "$2"} -p "$port" localhost >"$T/out" 2>"$T/err"
	st=$?
	sed -n '/^welcome/,$p' "$T/out" | grep -v '^- ' | tr -d '\r'
	echo "status $st"
}

# refused OUTPUT: the handshake failed: no greeting, a non-zero status.
refused() {
	case $1 in
	*welcome*) return 1 ;;
	*"status 0") return 1 ;;
	esac
	return 0
}

is "trusted CA: greeting and 5+5" "$(tls "$T/a/ca.crt")" "$GREETING
10
status 0"

ok "untrusted CA: the handshake fails" refused "$(tls "$T/b/ca.crt")"

is "TLS 1.2 is served" "$(tls "$T/a/ca.crt" NORMAL:-VERS-ALL:+VERS-TLS1.2)" \
    "$GREETING
10
status 0"

ok "TLS 1.1 and 1.0 are refused" \
    refused "$(tls "$T/a/ca.crt" NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0)"
ok "... with a protocol_version alert (RFC 8446 section 6)" \
    grep -q 'Received alert \[70\]' "$T/out" "$T/err"

ok "CBC suites are refused" refused "$(tls "$T/a/ca.crt" \
    NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-CBC:+AES-256-CBC)"

# Every worker serves one connection (max-connections-per-worker 1), so
# the resumed connection is served by another process than the first.
echo | bounded 10 gnutls-cli --x509cafile "$T/a/ca.crt" --resume \
    -p "$port" localhost >"$T/resume" 2>&1
ok "a second connection resumes the session" \
    grep -q 'This is a resumed session' "$T/resume"
log_wait ': tls 127.0.0.1:[0-9]*: 127.*resumed' ||
    diag "no resumed connection in the log"
pids=$(grep ': tls 127.0.0.1:[0-9]*: 127' "$CALCD_LOG" | tail -n 2 |
    sed 's/.*worker\[\([0-9]*\)\].*/\1/' | sort -u | wc -l)
is "by a different worker" "$pids" 2
ok "the log says resumed" sh -c \
    "grep ': tls 127.0.0.1:[0-9]*: 127' '$CALCD_LOG' | tail -n 1 |
    grep -q resumed"

echo | bounded 10 gnutls-cli --x509cafile "$T/a/ca.crt" --alpn http/1.1 \
    -p "$hport" localhost >"$T/alpn" 2>&1
ok "https offers ALPN http/1.1" \
    grep -q 'Application protocol: http/1.1' "$T/alpn"

start=$(date +%s)
bounded 10 nc -d 127.0.0.1 "$port" >/dev/null 2>&1
took=$(( $(date +%s) - start ))
ok "a silent client is cut off at tls-handshake-timeout (${took}s)" \
    test "$took" -le 7

# Reload with the other certificate: new connections verify with CA b.
config "$T/b" >"$CALCD_CONF"
calcd_reload 1 || diag "no reload, or old workers left, in the log"
is "SIGHUP loads the new certificate" "$(tls "$T/b/ca.crt")" "$GREETING
10
status 0"

# A broken pair on reload: logged, and the current one stays.
config "$T/b" | sed "s|tls-key .*|tls-key $T/a/server.key|" >"$CALCD_CONF"
kill -HUP "$CALCD_PID"
ok "a broken pair on reload is logged" log_wait 'reload failed'
is "and the current certificate stays" "$(tls "$T/b/ca.crt")" "$GREETING
10
status 0"

calcd_stop
is "calcd exits 0 on SIGTERM" "$CALCD_STATUS" 0
ok "no worker died" sh -c "! grep -E 'killed by|exited with' '$CALCD_LOG'"
done_testing
