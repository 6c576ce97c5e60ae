#!/bin/sh
# slowhttp.sh - slowhttptest's slowloris (-H), slow body (-B) and slow
# read (-X) attacks on calcd's http and https listeners, each for
# SLOW_SECONDS with SLOW_CONNS connections, while a normal client from
# another address (at a quarter share, a new one each time) asks /calc
# every tenth of a second on a new connection.
# For each attack and listener: the normal client's success rate and
# latency, required to be at least SLOW_MIN_SUCCESS per cent served with
# a p99 of at most SLOW_MAX_P99 seconds.
#
# calcd runs a pool of 16 workers with max-connections-per-address 100%,
# so that the share of one address does not hold the attack off on its
# own (slowhttptest connects from one address only): the read deadlines
# and shedding must.  A slow reader over plain HTTP shuts its TCP window,
# and is shed as a client that does not take its answers.  Over TLS,
# slowhttptest's OpenSSL takes whole records from the socket, so its slow
# read is, to the server, a client that took ten answers and keeps the
# connection: an active session, which shed-protect keeps.  What holds
# that off is the share of one address, so the https slow read runs
# against a share of a quarter of the pool (4 workers).  The default
# share, a tenth, is one worker of 16: slowhttptest's second connection
# is refused, and it gives up before its attack starts.  TAP on stdout,
# ending with "N passed, N failed".
#
#   top_builddir=. top_srcdir=. sh tests/slowhttp.sh
#
# Environment: SLOW_SECONDS (20), SLOW_CONNS (300), SLOW_MIN_SUCCESS
# (99), SLOW_MAX_P99 (1), SLOW_MODES ("H B X"), SLOW_LISTENERS ("http
# https"), and those of tests/lib.sh.

. "${top_srcdir:-.}/tests/lib.sh"

SLOW_SECONDS=${SLOW_SECONDS:-20}	# length of each attack
SLOW_CONNS=${SLOW_CONNS:-300}		# connections each attack holds
SLOW_RATE=100				# connections it opens a second
SLOW_INTERVAL=5				# seconds between its trickles
SLOW_MIN_SUCCESS=${SLOW_MIN_SUCCESS:-99}	# per cent served, at least
SLOW_MAX_P99=${SLOW_MAX_P99:-1}		# seconds, the most for p99
SLOW_MODES=${SLOW_MODES:-H B X}		# slowloris, slow body, slow read
SLOW_LISTENERS=${SLOW_LISTENERS:-http https}
PROBE_EVERY=0.1				# seconds between normal requests
PROBE_TIMEOUT=5				# seconds a normal request may wait
PROBE_SRC=127.0.0.2			# the normal client's address
PROBE_FRESH=127.0.14			# its addresses at a quarter share
SHARE=25%				# the quarter share of the https slow read
METRIC_SRC=127.0.0.3			# where /metrics is asked from


command -v slowhttptest >/dev/null 2>&1 ||
    bail_out "slowhttptest not found (Debian package slowhttptest)"
command -v python3 >/dev/null 2>&1 || bail_out "python3 not found"
command -v certtool >/dev/null 2>&1 || bail_out "certtool not found"
"$top_srcdir/certs/mkcerts" "$T/c" >/dev/null 2>&1 ||
    bail_out "mkcerts failed"

# start_calcd [SHARE-LINE]: calcd on fresh ports, a pool of 16.
start_calcd() {
	hport=$(free_port) || bail_out "no free port"
	sport=$(free_port) || bail_out "no free port"
	calcd_start <<EOF || bail_out "calcd did not start"
user nobody
listen http 127.0.0.1:$hport
listen https 127.0.0.1:$sport
tls-certificate $T/c/server.crt
tls-key $T/c/server.key
workers-max 16
workers-min-spare 4
workers-max-spare 8
${1:-}
EOF
}

# metric NAME-REGEX: the sum of the samples of calcd's /metrics that match.
# Asked from an address of its own, so that a look never takes a worker
# of the attacker's share.
metric() {
	bounded 10 python3 -c 'import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5,
    source_address=(sys.argv[2], 0))
c.request("GET", "/metrics")
r = c.getresponse()
if r.status != 200:
    sys.exit("/metrics: %d" % r.status)
print(r.read().decode())' "$hport" "$METRIC_SRC" |
	    awk -v re="$1" '$0 ~ re { n += $NF } END { print n + 0 }'
}

# attack MODE LISTENER: one slowhttptest run and the normal client beside
# it; one TAP line with the client's figures.
attack() {
	mode=$1 listener=$2 share=${3:-}
	case $listener in
	http) url=http://127.0.0.1:$hport ;;
	https) url=https://127.0.0.1:$sport ;;
	esac
	case $mode in
	H) name="slowloris" opts="-H -u $url/" ;;
	B) name="slow body" opts="-B -s 65536 -u $url/calc" ;;
	# Many small reads of the page asked ten times over one connection.
	X) name="slow read" opts="-X -k 10 -n 1 -w 1 -y 64 -z 16 -u $url/" ;;
	esac
	shed0=$(metric '^calcd_shed_connections_total')
	refused0=$(metric '^calcd_refused_connections_total')
	# slowhttptest draws its status on a terminal; its log is kept to
	# count the connections it held.
	bounded $((SLOW_SECONDS + 30)) slowhttptest $opts -c "$SLOW_CONNS" \
	    -r "$SLOW_RATE" -i "$SLOW_INTERVAL" -l "$SLOW_SECONDS" -p 3 \
	    >"$T/slow-$mode-$listener" 2>&1 &
	slow_pid=$!
	# At a quarter share, one address holds 4 workers of 16: the normal
	# client's tries can overlap more when the machine is loaded, so
	# each comes from an address of its own, as many users would.
	if [ -n "$share" ]; then
		from="--fresh $PROBE_FRESH"
	else
		from="--src $PROBE_SRC"
	fi
	bounded $((SLOW_SECONDS + PROBE_TIMEOUT + 30)) python3 \
	    "$top_srcdir/tests/flood.py" probe "$url/calc?expr=6*7" \
	    "$SLOW_SECONDS" "$PROBE_EVERY" "$PROBE_TIMEOUT" \
	    $from --expect "42
" --cafile "$T/c/ca.crt" >"$T/probe" 2>"$T/probe.err"
	wait "$slow_pid"
	# The most connections it held at once, and how many calcd closed.
	set -- $(sed 's/\x1b\[[0-9;]*[a-zA-Z]//g' "$T/slow-$mode-$listener" |
	    awk '/^connected:/ { if ($2 > n) n = $2 }
	    /^closed:/ { c = $2 } END { print n + 0, c + 0 }')
	held=$1 closed=$2
	shed=$(( $(metric '^calcd_shed_connections_total') - shed0 ))
	refused=$(( $(metric '^calcd_refused_connections_total') - refused0 ))
	set -- $(python3 -c 'import json, sys
r = json.loads(sys.stdin.read())
print(r["tries"], r["served"], 100.0 * r["served"] / max(r["tries"], 1),
      r["p50_s"], r["p90_s"], r["p99_s"], r["max_s"],
      "; ".join(r["failures"]) or "-")' <"$T/probe" 2>/dev/null)
	if [ $# -lt 8 ]; then
		ok "$listener, $name: the normal client ran" false
		diag "$(cat "$T/probe.err" "$T/probe" | tail -n 5)"
		return
	fi
	tries=$1 served=$2 rate=$3 p50=$4 p90=$5 p99=$6 max=$7
	shift 7
	desc="$listener, $name ($SLOW_CONNS conns, ${SLOW_SECONDS} s$share): the normal"
	desc="$desc client was served $served of $tries ($(printf %.1f "$rate") %),"
	desc="$desc p50 ${p50} s, p90 ${p90} s, p99 ${p99} s, max ${max} s"
	# The attack must have run for the figures to count: slowhttptest
	# saw its own connections held or closed (calcd's refusals may be
	# of others).
	ok "$desc" awk -v r="$rate" -v p="$p99" -v mr="$SLOW_MIN_SUCCESS" \
	    -v mp="$SLOW_MAX_P99" -v a="$((held + closed))" \
	    'BEGIN { exit !(a > 0 && r >= mr && p <= mp) }'
	diag "the attack held up to $held connections at once and saw" \
	    "$closed closed; calcd shed $shed sessions and refused" \
	    "$refused connections meanwhile"
	[ "$*" = - ] || diag "failures: $*"
}

start_calcd "max-connections-per-address 100%"
for listener in $SLOW_LISTENERS; do
	for mode in $SLOW_MODES; do
		# Over TLS a slow read is active sessions: see above.
		[ "$mode$listener" = Xhttps ] || attack "$mode" "$listener"
	done
done
calcd_stop
is "calcd exits 0 on SIGTERM" "$CALCD_STATUS" 0

case " $SLOW_MODES :: $SLOW_LISTENERS " in
*X*::*https*)
	start_calcd "max-connections-per-address $SHARE"
	attack X https ", share $SHARE"
	calcd_stop
	is "calcd exits 0 on SIGTERM" "$CALCD_STATUS" 0
	;;
esac
echo "1..$tap_n"
echo "$((tap_n - tap_failed)) passed, $tap_failed failed"
[ "$tap_failed" -eq 0 ]
