# lib.sh - numbered checks of an installed calcd, for bash; sourced by
# tests/package/check-deb and debian/tests/smoke.
#
# check DESC CMD...            "ok N - DESC" when CMD succeeds
# check_output DESC WANT CMD... "ok N - DESC" when CMD prints WANT
# calcd_start / calcd_stop      the installed daemon, as its unit runs it
# check_cleanup                 stop it if still running, remove temporaries
# check_transports              5+5 locally, over tcp, tls, udp, http, https
# summary                       "N passed, N failed"; fails on any failure
# deb_copy_tree DIR             the source tree as git sees it, into DIR
# deb_build TOP TMP             build TOP's .deb in TMP as nobody: $DEB
#
# Every network command is bounded by $CHECK_TIMEOUT seconds and talks
# to loopback only.

CHECK_TIMEOUT=${CHECK_TIMEOUT:-10}
UNIT=/lib/systemd/system/calcd.service
SNAKEOIL=/etc/ssl/certs/ssl-cert-snakeoil.pem
check_n=0
check_passed=0
check_failed=0
CALCD_PID=
NOTIFY_PID=
CHECK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/calcd-check.XXXXXX") || exit 2
CALCD_LOG=$CHECK_DIR/calcd.log

# Stop a daemon we started and remove our files; for the caller's trap.
check_cleanup() {
	calcd_stop >/dev/null 2>&1
	rm -rf "$CHECK_DIR"
}

# Count a result and print its line; on failure the output as comments.
check_result() {
	local desc=$1 ok=$2 out=$3
	check_n=$((check_n + 1))
	if [ "$ok" = 0 ]; then
		check_passed=$((check_passed + 1))
		echo "ok $check_n - $desc"
	else
		check_failed=$((check_failed + 1))
		echo "not ok $check_n - $desc"
		[ -n "$out" ] && printf '%s\n' "$out" | tail -n 40 | sed 's/^/# /'
	fi
	return "$ok"
}

# CMD runs in this shell (calcd_start sets CALCD_PID), its output to a file.
check() {
	local desc=$1 rc
	shift
	"$@" >"$CHECK_DIR/out" 2>&1
	rc=$?
	check_result "$desc" "$rc" "$(cat "$CHECK_DIR/out")"
}

# Standard output is compared without carriage returns and surrounding
# blanks; standard error is shown on failure only.
check_output() {
	local desc=$1 want=$2 out rc
	shift 2
	"$@" >"$CHECK_DIR/out" 2>"$CHECK_DIR/err"
	rc=$?
	out=$(tr -d '\r' <"$CHECK_DIR/out" | sed -e 's/^[[:space:]]*//' \
	    -e 's/[[:space:]]*$//')
	[ "$rc" = 0 ] && [ "$out" = "$want" ]
	check_result "$desc" $? "exit $rc, wanted '$want', got '$out'
$(cat "$CHECK_DIR/err")"
}

summary() {
	echo "$check_passed passed, $check_failed failed"
	[ "$check_failed" = 0 ]
}

systemd_running() {
	[ -d /run/systemd/system ]
}

# Wait, a bounded time, until no other process answers on the default
# ports: a daemon left running, or a developer's, would answer in ours'
# place.
ports_free() {
	local port busy
	for _ in $(seq $((CHECK_TIMEOUT * 3))); do
		busy=
		for port in 54321 54322 54380 54443; do
			nc -z -w 1 127.0.0.1 "$port" 2>/dev/null &&
			    busy="$busy $port"
		done
		[ -z "$busy" ] && return 0
		sleep 1
	done
	echo "another process answers on port$busy"
	return 1
}

# Wait until the daemon we started says READY=1 on its notify socket, as
# systemd waits for a Type=notify service, or $CHECK_TIMEOUT seconds.
calcd_ready() {
	for _ in $(seq $((CHECK_TIMEOUT * 10))); do
		grep -q 'READY=1' "$CHECK_DIR/notify.log" && return 0
		kill -0 "$CALCD_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "calcd did not say READY=1; its log:"
	cat "$CALCD_LOG"
	return 1
}

# The value of the unit's KEY= line.
unit_value() {
	sed -n "s/^$1=//p" "$UNIT"
}

# Start the daemon with the unit's own ExecStart= line, as root, in the
# background, logging to $CALCD_LOG, with what of the unit's sandbox can
# be had without systemd: its capability bounding set, NoNewPrivileges=,
# UMask= and a notify socket (not its namespaces or system call filter).
# Under a running systemd, use the service that the package started.
#
# The default ports lie in Linux's ephemeral range, so on a busy machine
# a client's socket may hold one for a moment: then it tries again, as
# Restart=on-failure would.
calcd_start() {
	local cmd caps try nnp=''
	if systemd_running; then
		systemctl is-active calcd.service
		return
	fi
	cmd=$(unit_value ExecStart)
	[ -n "$cmd" ] || { echo "no ExecStart= in $UNIT"; return 1; }
	caps=$(unit_value CapabilityBoundingSet | tr 'A-Z ' 'a-z,' |
	    sed 's/cap_/+/g')
	[ "$(unit_value NoNewPrivileges)" = yes ] && nnp=--no-new-privs
	ports_free || return 1
	rm -f "$CHECK_DIR/notify"
	socat -u "UNIX-RECV:$CHECK_DIR/notify" - >"$CHECK_DIR/notify.log" &
	NOTIFY_PID=$!
	echo "starting: $cmd, capabilities $caps $nnp"
	for try in 1 2 3 4 5; do
		: >"$CHECK_DIR/notify.log"
		# shellcheck disable=SC2086 # the unit's command line, split as systemd does
		(umask "$(unit_value UMask)" &&
		    NOTIFY_SOCKET=$CHECK_DIR/notify exec setpriv \
		    --bounding-set="-all,$caps" $nnp -- $cmd) \
		    >"$CALCD_LOG" 2>&1 </dev/null &
		CALCD_PID=$!
		calcd_ready && return 0
		grep -q 'already in use' "$CALCD_LOG" || return 1
		echo "try $try: a port was taken; again in 3 s"
		sleep 3
	done
	return 1
}

# SIGTERM, as KillMode=mixed sends it, and the daemon's exit status.
calcd_stop() {
	local pid=$CALCD_PID
	[ -n "$NOTIFY_PID" ] && kill "$NOTIFY_PID" 2>/dev/null
	NOTIFY_PID=
	[ -n "$pid" ] || return 0
	CALCD_PID=
	kill -TERM "$pid" || return 1
	for _ in $(seq $((CHECK_TIMEOUT * 30))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "calcd $pid still runs after SIGTERM; killing it"
		kill -KILL "$pid"
		return 1
	fi
	wait "$pid"
}

# calcc's network modes (tcp, --tls, --udp), when this calcc has them:
# its synopsis then names --cafile.
calcc_net() {
	calcc --help 2>&1 | grep -q -- --cafile
}

# One expression over the line protocol: the line after the greeting.
line_tcp() {
	printf '%s\nexit\n' "$1" | timeout "$CHECK_TIMEOUT" \
	    nc -w "$CHECK_TIMEOUT" 127.0.0.1 54321 | sed -n 2p
}

# The same over TLS, verifying the certificate and the host name $2.
line_tls() {
	printf '%s\nexit\n' "$1" | timeout "$CHECK_TIMEOUT" gnutls-cli \
	    --logfile=/dev/null --x509cafile="$SNAKEOIL" \
	    --verify-hostname="$2" -p 54322 127.0.0.1 | sed -n 2p
}

udp_nc() {
	printf '%s\n' "$1" | timeout "$CHECK_TIMEOUT" nc -u -w 2 127.0.0.1 54321
}

# The name in the snakeoil certificate, and whether it is this host's
# loopback (then clients can connect to it by name).
snakeoil_name() {
	openssl x509 -in "$SNAKEOIL" -noout -subject -nameopt multiline |
	    sed -n 's/^ *commonName *= *//p'
}

name_is_loopback() {
	getent ahosts "$1" | awk '{ print $1 }' | grep -qvE '^(127\.|::1$)' &&
	    return 1
	getent ahosts "$1" >/dev/null
}

check_transports() {
	local name
	name=$(snakeoil_name)
	check_output "calcc --local gets 10 for 5+5" 10 calcc --local 5+5
	if calcc_net; then
		check_output "calcc gets 10 for 5+5 over tcp" 10 \
		    timeout "$CHECK_TIMEOUT" calcc -h 127.0.0.1 5+5
		if name_is_loopback "$name"; then
			check_output "calcc --tls --cafile snakeoil -h $name gets 10" \
			    10 timeout "$CHECK_TIMEOUT" calcc --tls \
			    --cafile "$SNAKEOIL" -h "$name" -p 54322 5+5
		else
			echo "# $name is not a loopback name: calcc --insecure"
			check_output "calcc --tls --insecure gets 10" 10 \
			    timeout "$CHECK_TIMEOUT" calcc --tls --insecure \
			    -h 127.0.0.1 -p 54322 5+5
		fi
	else
		echo "# calcc has no network modes yet: nc and gnutls-cli instead"
		check_output "nc gets 10 for 5+5 over tcp" 10 line_tcp 5+5
	fi
	# gnutls-cli always: it names the certificate and host it verified.
	check_output "gnutls-cli verifies snakeoil for $name, gets 10 over tls" \
	    10 line_tls 5+5 "$name"
	if calcc_net; then
		check_output "calcc --udp gets 10 for 5+5 over udp" 10 \
		    timeout "$CHECK_TIMEOUT" calcc --udp -h 127.0.0.1 5+5
	else
		check_output "nc -u gets 10 for 5+5 over udp" 10 udp_nc 5+5
	fi
	check "curl gets the page from http://127.0.0.1:54380/" \
	    eval "curl -fsS -m $CHECK_TIMEOUT http://127.0.0.1:54380/ |
	    grep -qi '<form'"
	check_output "curl gets 10 from /calc?expr=5%2B5 over http" 10 \
	    curl -fsS -m "$CHECK_TIMEOUT" 'http://127.0.0.1:54380/calc?expr=5%2B5'
	check_output "curl --cacert snakeoil gets 10 over https as $name" 10 \
	    curl -fsS -m "$CHECK_TIMEOUT" --cacert "$SNAKEOIL" \
	    --resolve "$name:54443:127.0.0.1" \
	    "https://$name:54443/calc?expr=5%2B5"
}

# Every file git knows or would add, as the tree TOP is now, without
# build products, into DST: a commit-to-be, not a developer's build.
deb_copy_tree() {
	local top=$1 dst=$2
	mkdir -p "$dst" &&
	(cd "$top" && git ls-files --cached --others --exclude-standard |
	    while IFS= read -r f; do [ -e "$f" ] && printf '%s\n' "$f"; done |
	    tar -cf - --verbatim-files-from -T -) | tar -xf - -C "$dst"
}

# Run a command as nobody, with a home in $tmp, as buildds build (the
# package declares Rules-Requires-Root: no).
deb_as_builder() {
	runuser -u nobody -- env HOME="$DEB_TMP/home" "$@"
}

# deb_build TOP TMP: copy TOP to TMP/calcd-VERSION, install its build
# dependencies and build the binary package as nobody (who must be able
# to reach TMP).  Sets DEB_SRC and DEB (the .deb's path); the steps'
# output goes to TMP/build.log.
deb_build() {
	local top=$1 version arch
	DEB_TMP=$2
	mkdir -p "$DEB_TMP" || return 1
	version=$(cd "$top" && dpkg-parsechangelog -S Version) || return 1
	arch=$(dpkg --print-architecture)
	DEB_SRC=$DEB_TMP/calcd-$version
	DEB=$DEB_TMP/calcd_${version}_$arch.deb
	{
		deb_copy_tree "$top" "$DEB_SRC" &&
		mkdir -p "$DEB_TMP/home" && chown -R nobody: "$DEB_TMP" &&
		chmod 755 "$DEB_TMP" &&
		apt-get build-dep -y -q "$DEB_SRC" &&
		deb_as_builder sh -c "cd '$DEB_SRC' && dpkg-buildpackage -us -uc -b"
	} >"$DEB_TMP/build.log" 2>&1 || { tail -n 40 "$DEB_TMP/build.log"; return 1; }
	test -f "$DEB"
}
