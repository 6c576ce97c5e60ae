/*
 * bench.c - calcd-bench, the load generator of calcd.
 *
 * calcd-bench keeps -c connections busy with -P requests each, over the
 * line protocol (tcp, tls), UDP or HTTP (http, https), for -d seconds or
 * -n requests after -w seconds of warm-up, and reports requests/s and
 * latency percentiles.  Every answer is checked against the answer the
 * engine gives here, computed once at the start: a wrong, late or missing
 * answer is an error, not a request served.
 *
 * It must not be the bottleneck: one thread, one epoll set over every
 * non-blocking socket, TLS through the stream operations (STREAM_AGAIN and
 * GnuTLS's direction), requests pre-rendered, fixed memory per connection,
 * and latencies in a log-linear histogram.
 *
 * Exit status: 0 when requests were served and none was an error, 1 when
 * any was an error (or none was served), 2 on a usage error or when
 * nothing could connect.
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "calc.h"
#include "http.h"
#include "proto.h"
#include "stream.h"
#include "tls.h"
#include "wire.h"

/*
 * GnuTLS initialises itself in a library constructor unless the program
 * defines this; then only a run that makes a TLS connection pays for it
 * (tls.c), not every start: a sixth of an empty "calcc --local".
 */
GNUTLS_SKIP_GLOBAL_INIT

#define BENCH_HOST		"127.0.0.1"
#define BENCH_EXPR		"5+5"	/* the mix without --exprs */
#define BENCH_DURATION		10	/* -d seconds, when neither -d nor -n */
#define BENCH_WARMUP		1	/* -w seconds */
#define BENCH_TIMEOUT		5	/* --timeout seconds */

#define BENCH_CONNS_MAX		10000	/* -c: descriptors and memory */
#define BENCH_PIPELINE_MAX	1024	/* -P: requests outstanding a socket */
#define BENCH_SECONDS_MAX	86400	/* -d, -w, --timeout: a day */
#define BENCH_REQUESTS_MAX	1000000000000ULL /* -n */
#define BENCH_EXPRS_MAX		100000	/* lines of --exprs: memory */
#define BENCH_EXPR_MAX		CALC_DEFAULT_MAX_LENGTH	/* bytes of one
				   expression: the server's default max-line
				   and max-expression-length */
#define BENCH_TICK_US		10000	/* timeouts and reconnects are
					   looked at this often */
#define BENCH_RETRY_US		100000	/* after a failed connect: no busy
					   loop against a dead server */
#define BENCH_EVENTS		256	/* epoll events taken at once */
#define BENCH_IN_MIN		16384	/* bytes of a connection's input
					   buffer; it grows to one answer */
#define BENCH_OUT_MAX		(256 * 1024)	/* bytes of requests queued
					   on one connection */
#define BENCH_HEAD_MAX		8192	/* bytes of an HTTP response head */
#define BENCH_BODY_MAX		(16 * 1024 * 1024) /* Content-Length taken */
#define BENCH_UDP_BATCH		32	/* datagrams per system call */
#define BENCH_SHOW		60	/* bytes of a wrong answer shown */

#define EXIT_ERRORS		1	/* some request was an error */
#define EXIT_TROUBLE		2	/* usage error, nothing connected */

/*
 * The latency histogram, log-linear as HdrHistogram's: exact below
 * 2 * HIST_SUB microseconds, then HIST_SUB buckets per power of two, so
 * a percentile is within 1/HIST_SUB (0.8%) of the truth, in fixed memory.
 */
#define HIST_BITS	7
#define HIST_SUB	(1U << HIST_BITS)
#define HIST_TOP	36		/* values clamp below 2^36 us: 19 h */
#define HIST_SIZE	(2 * HIST_SUB + (HIST_TOP - HIST_BITS - 1) * HIST_SUB)

struct hist {
	uint64_t	 count[HIST_SIZE];
	uint64_t	 total;
	uint64_t	 max;
};

/* One expression of the mix: its request, rendered once, and answer. */
struct expr {
	char		*text;
	char		*req;		/* the bytes to send */
	size_t		 reqlen;
	char		*want;		/* the answer, without its line end */
	size_t		 wantlen;
	int		 status;	/* HTTP: 200, or 422 for "error: " */
};

struct opts {
	const struct proto	*tr;
	const char		*host;
	const char		*port;
	int			 family;
	unsigned		 conns;
	unsigned		 pipeline;
	uint64_t		 duration_us;	/* 0: only -n ends the run */
	uint64_t		 requests;	/* -n; 0: only -d */
	uint64_t		 warmup_us;
	uint64_t		 timeout_us;
	const char		*exprs;
	const char		*cafile;
	int			 insecure;
	int			 json;
	int			 new_conn;
	int			 resume;
};

enum phase {
	PHASE_WARMUP,		/* requests sent and checked, not counted */
	PHASE_MEASURE,		/* requests sent now are counted */
	PHASE_DRAIN,		/* no more requests: wait for the answers */
	PHASE_DONE
};

enum conn_state {
	CONN_IDLE,		/* no socket: (re)connect at retry_at */
	CONN_CONNECTING,	/* connect() in progress */
	CONN_HANDSHAKE,		/* TLS handshake */
	CONN_GREETING,		/* line protocol: the greeting is due */
	CONN_READY		/* requests flow */
};

/* How a request ended. */
enum outcome {
	OUT_OK,			/* the right answer */
	OUT_WRONG,		/* another answer */
	OUT_TIMEOUT,		/* no answer within --timeout */
	OUT_CLOSED,		/* the connection broke before the answer */
	OUT_CONNECT		/* (a connection failed: no request) */
};

#define SLOT_FREE	UINT32_MAX	/* a pending slot without request */

struct pending {
	uint64_t	 sent;		/* us; with --new-conn, the connect */
	uint32_t	 expr;		/* index in the mix, or SLOT_FREE */
	int		 counted;	/* sent while measuring */
};

/*
 * One connection (over UDP, one socket).  Stream answers come in order,
 * so pend is a ring from head; UDP answers may not, so pend is a set of
 * slots there.
 */
struct conn {
	struct stream	 st;
	enum conn_state	 state;
	uint32_t	 events;	/* the epoll interest now */
	uint64_t	 since;		/* us: when the connect started */
	uint64_t	 retry_at;	/* us: CONN_IDLE until then */
	struct pending	*pend;		/* pipeline entries */
	unsigned	 head, npend;
	char		*out;		/* requests not yet written */
	size_t		 outlen, outcap;
	size_t		 again;		/* a TLS write to repeat, its length */
	char		*in;		/* answers not yet parsed */
	size_t		 inlen, incap;
	int		 closing;	/* HTTP: the server said close */
	int		 used;		/* --new-conn: the request is out */
};

struct counts {
	uint64_t	 requests;	/* right answers */
	uint64_t	 wrong;		/* errors, by kind */
	uint64_t	 timeout;
	uint64_t	 closed;
	uint64_t	 connect;	/* connect, handshake, greeting failed */
	uint64_t	 connects;	/* connections made while measuring */
	uint64_t	 resumed;	/* of which TLS resumed a session */
};

struct bench {
	struct opts		 o;
	struct expr		*mix;
	size_t			 nmix;
	size_t			 next;		/* the next expression sent */
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	int			 ep;		/* the epoll set */
	struct conn		*conns;
	struct tls_client	*tls;		/* -t tls and https */
	enum phase		 phase;
	uint64_t		 t_measure;	/* us: measuring started */
	uint64_t		 t_stop;	/* us: no request after it */
	uint64_t		 t_end;		/* us: hard end, after a drain */
	uint64_t		 t_last;	/* us: the last counted outcome */
	uint64_t		 issued;	/* counted requests sent */
	uint64_t		 inflight;	/* counted requests unanswered */
	struct counts		 n;
	struct hist		 hist;
	int			 ever_ready;	/* some connection worked */
	unsigned		 early_fails;	/* failures before that */
	char			 first[OUT_CONNECT + 1][160]; /* the first
						   failure of each kind */
	struct mmsghdr		 rmsg[BENCH_UDP_BATCH];	/* UDP answers */
	struct iovec		 riov[BENCH_UDP_BATCH];
	struct mmsghdr		 smsg[BENCH_UDP_BATCH];	/* UDP requests */
	struct iovec		 siov[BENCH_UDP_BATCH];
};

static volatile sig_atomic_t	 bench_interrupted;

enum {
	OPT_CAFILE = 256,
	OPT_EXPRS,
	OPT_HELP,
	OPT_INSECURE,
	OPT_JSON,
	OPT_NEW_CONN,
	OPT_RESUME,
	OPT_TIMEOUT
};

static const struct option longopts[] = {
	{ "cafile",	required_argument,	NULL,	OPT_CAFILE },
	{ "exprs",	required_argument,	NULL,	OPT_EXPRS },
	{ "help",	no_argument,		NULL,	OPT_HELP },
	{ "insecure",	no_argument,		NULL,	OPT_INSECURE },
	{ "json",	no_argument,		NULL,	OPT_JSON },
	{ "new-conn",	no_argument,		NULL,	OPT_NEW_CONN },
	{ "resume",	no_argument,		NULL,	OPT_RESUME },
	{ "timeout",	required_argument,	NULL,	OPT_TIMEOUT },
	{ "version",	no_argument,		NULL,	'V' },
	{ NULL,		0,			NULL,	0 }
};

static const char shortopts[] = "46c:d:h:n:P:p:t:Vw:";

static void	conn_open(struct bench *, struct conn *, uint64_t);
static void	conn_fail(struct bench *, struct conn *, uint64_t,
		    enum outcome, const char *);
static void	conn_fill(struct bench *, struct conn *, uint64_t);
static int	conn_flush(struct bench *, struct conn *, uint64_t);
static int	conn_read(struct bench *, struct conn *, uint64_t);

/*
 * Options
 */

/* The SYNOPSIS of calcd-bench(1). */
static void __attribute__((noreturn))
usage(FILE *fp, int status)
{
	fprintf(fp,
	    "usage: calcd-bench [-46] [-c connections] [-d seconds] "
	    "[-h host] [-n requests]\n"
	    "                   [-P depth] [-p port] [-t transport] "
	    "[-w seconds]\n"
	    "                   [--cafile file] [--exprs file] [--insecure] "
	    "[--json]\n"
	    "                   [--new-conn] [--resume] "
	    "[--timeout seconds]\n"
	    "       calcd-bench -V | --version\n"
	    "       calcd-bench --help\n");
	exit(status);
}

/* A whole number from option -what, in [min, max]; exits otherwise. */
static uint64_t
parse_count(const char *s, const char *what, uint64_t min, uint64_t max)
{
	unsigned long long	 v;
	char			*end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno || v < min ||
	    v > max)
		errx(EXIT_TROUBLE, "%s: '%s' is not a number from %" PRIu64
		    " to %" PRIu64, what, s, min, max);
	return v;
}

/*
 * Seconds, with a fraction, from option -what, in microseconds, in
 * [min_us, BENCH_SECONDS_MAX s]; exits otherwise.
 */
static uint64_t
parse_seconds(const char *s, const char *what, uint64_t min_us)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno ||
	    v * 1e6 < (double)min_us || v > BENCH_SECONDS_MAX)
		errx(EXIT_TROUBLE, "%s: '%s' is not a time in seconds from "
		    "%g to %d", what, s, min_us / 1e6, BENCH_SECONDS_MAX);
	return (uint64_t)(v * 1e6 + 0.5);
}

/* The protocol called s (proto.h), or exit naming the ones there are. */
static const struct proto *
parse_transport(const char *s)
{
	int	 id;

	if ((id = proto_find(s)) != -1)
		return proto_get(id);
	fprintf(stderr, "calcd-bench: -t: '%s' is not one of:", s);
	for (id = 0; id < PROTO_COUNT; id++)
		fprintf(stderr, " %s", proto_name(id));
	fprintf(stderr, "\n");
	exit(EXIT_TROUBLE);
}

/* Check that the options go together and fill in the defaults. */
static void
check_options(struct opts *o, int have_d)
{
	if (o->port == NULL)
		o->port = o->tr->port_text;
	if (!have_d && o->requests == 0)
		o->duration_us = BENCH_DURATION * 1000000ULL;
	if (o->new_conn && o->tr->wire == PROTO_WIRE_DATAGRAM)
		errx(EXIT_TROUBLE, "--new-conn: UDP has no connections");
	if (o->new_conn && o->pipeline > 1)
		errx(EXIT_TROUBLE, "--new-conn sends one request per "
		    "connection: -P must be 1");
	if (!o->tr->tls && (o->cafile || o->insecure || o->resume))
		errx(EXIT_TROUBLE, "--cafile, --insecure and --resume are "
		    "for -t tls and -t https");
	if (o->insecure)
		warnx("warning: --insecure: the server's certificate is not "
		    "verified");
}

static void
parse_options(int argc, char *argv[], struct opts *o)
{
	int	 ch, have_d = 0;

	memset(o, 0, sizeof(*o));
	o->tr = proto_get(PROTO_TCP);
	o->host = BENCH_HOST;
	o->family = AF_UNSPEC;
	o->conns = 1;
	o->pipeline = 1;
	o->warmup_us = BENCH_WARMUP * 1000000ULL;
	o->timeout_us = BENCH_TIMEOUT * 1000000ULL;
	while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (ch) {
		case '4':
			o->family = AF_INET;
			break;
		case '6':
			o->family = AF_INET6;
			break;
		case 'c':
			o->conns = parse_count(optarg, "-c", 1,
			    BENCH_CONNS_MAX);
			break;
		case 'd':
			o->duration_us = parse_seconds(optarg, "-d", 1000);
			have_d = 1;
			break;
		case 'h':
			o->host = optarg;
			break;
		case 'n':
			o->requests = parse_count(optarg, "-n", 1,
			    BENCH_REQUESTS_MAX);
			break;
		case 'P':
			o->pipeline = parse_count(optarg, "-P", 1,
			    BENCH_PIPELINE_MAX);
			break;
		case 'p':
			o->port = optarg;
			break;
		case 't':
			o->tr = parse_transport(optarg);
			break;
		case 'w':
			o->warmup_us = parse_seconds(optarg, "-w", 0);
			break;
		case OPT_CAFILE:
			o->cafile = optarg;
			break;
		case OPT_EXPRS:
			o->exprs = optarg;
			break;
		case OPT_INSECURE:
			o->insecure = 1;
			break;
		case OPT_JSON:
			o->json = 1;
			break;
		case OPT_NEW_CONN:
			o->new_conn = 1;
			break;
		case OPT_RESUME:
			o->resume = 1;
			break;
		case OPT_TIMEOUT:
			o->timeout_us = parse_seconds(optarg, "--timeout",
			    1000);
			break;
		case 'V':
			printf("calcd-bench (%s) %s\n", PACKAGE_NAME,
			    PACKAGE_VERSION);
			exit(0);
		case OPT_HELP:
			usage(stdout, 0);
		default:
			usage(stderr, EXIT_TROUBLE);
		}
	}
	if (optind != argc)
		usage(stderr, EXIT_TROUBLE);
	check_options(o, have_d);
}

/*
 * The request mix
 */

static char *
xstrndup(const char *s, size_t len)
{
	char	*p;

	if ((p = malloc(len + 1)) == NULL)
		err(EXIT_TROUBLE, "malloc");
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

static int
has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * Evaluate e->text as the server will, in a fresh session with the
 * default limits, into e->want.  What depends on a session is refused, as
 * the answer would depend on what came before it on the connection: an
 * assignment (with no room for variables, it fails "too many variables"),
 * a variable, and ans (the answer changes after another expression).
 * Returns NULL, or why the expression is refused.
 */
static const char *
mix_expect(struct expr *e)
{
	struct calc_limits	 lim;
	struct calc_session	*s, *t;
	const char		*out, *out2, *why = NULL;
	size_t			 len = strlen(e->text), outlen, outlen2;
	enum calc_status	 st;

	calc_limits_default(&lim);
	lim.max_variables = 0;
	if ((s = calc_session_new(&lim)) == NULL ||
	    (t = calc_session_new(NULL)) == NULL)
		errx(EXIT_TROUBLE, "cannot start a calculator session");
	st = calc_eval(s, e->text, len, &out, &outlen);
	if (wire_is_quit(e->text, strlen(e->text)))
		why = "ends the session";
	else if (st == CALC_ERROR &&
	    has_prefix(out, "error: too many variables"))
		why = "assigns a variable";
	else if (st == CALC_ERROR && has_prefix(out, "error: unknown variable"))
		why = "uses a variable";
	else {
		calc_eval(t, "1/7", 3, &out2, &outlen2);
		calc_eval(t, e->text, len, &out2, &outlen2);
		if (outlen2 != outlen || memcmp(out, out2, outlen) != 0)
			why = "uses ans";
	}
	e->want = xstrndup(out, outlen);
	e->wantlen = outlen;
	e->status = st == CALC_OK ? 200 : 422;
	calc_session_free(s);
	calc_session_free(t);
	return why;
}

/* Append s, percent-encoded but for unreserved characters, to p. */
static char *
url_encode(char *p, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 ch;

	for (; (ch = *s) != '\0'; s++) {
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~", ch) != NULL) {
			*p++ = ch;
			continue;
		}
		*p++ = '%';
		*p++ = hex[ch >> 4];
		*p++ = hex[ch & 15];
	}
	return p;
}

/*
 * The HTTP request of e: GET /calc with the expression in the query, a
 * Host header, and Connection: close with --new-conn.
 */
static const char *
render_http(const struct opts *o, struct expr *e)
{
	size_t	 len = strlen(e->text);
	char	*p;
	int	 brackets = strchr(o->host, ':') != NULL;

	e->req = malloc(3 * len + strlen(o->host) + strlen(o->port) + 128);
	if (e->req == NULL)
		err(EXIT_TROUBLE, "malloc");
	p = stpcpy(e->req, "GET /calc?expr=");
	p = url_encode(p, e->text);
	if ((size_t)(p - e->req) - 4 > HTTP_DEFAULT_MAX_URI)
		return "is too long for an HTTP request line";
	p += sprintf(p, " HTTP/1.1\r\nHost: %s%s%s:%s\r\n%s\r\n",
	    brackets ? "[" : "", o->host, brackets ? "]" : "", o->port,
	    o->new_conn ? "Connection: close\r\n" : "");
	e->reqlen = p - e->req;
	return NULL;
}

/*
 * The datagram of e: the expression, padded with blanks when the answer
 * and its newline are longer than the server may send for it (wire.h).
 */
static const char *
render_udp(struct expr *e)
{
	size_t	 need = e->wantlen + 1;
	size_t	 len = wire_udp_pad_for(strlen(e->text), need);

	if (wire_udp_reply_max(len) < need)
		return "has an answer too long for UDP";
	if ((e->req = malloc(len)) == NULL)
		err(EXIT_TROUBLE, "malloc");
	memset(e->req, ' ', len);
	memcpy(e->req, e->text, strlen(e->text));
	e->reqlen = len;
	return NULL;
}

/* Render the request of e for the transport; NULL, or why it cannot be. */
static const char *
mix_render(const struct opts *o, struct expr *e)
{
	size_t	 len = strlen(e->text);

	switch (o->tr->wire) {
	case PROTO_WIRE_HTTP:
		return render_http(o, e);
	case PROTO_WIRE_DATAGRAM:
		return render_udp(e);
	case PROTO_WIRE_LINE:
		break;
	}
	e->req = xstrndup(e->text, len + 1);
	e->req[len] = '\n';
	e->reqlen = len + 1;
	return NULL;
}

/*
 * Add the len bytes of text, from line lineno of file, to the mix,
 * unless blank or a comment.  Exits when the expression is refused.
 */
static void
mix_add(struct bench *b, const char *file, unsigned long lineno,
    const char *text, size_t len)
{
	struct expr	*e;
	const char	*why = NULL;

	if (len > 0 && text[len - 1] == '\n')
		len--;
	if (len > 0 && text[len - 1] == '\r')
		len--;
	if (strspn(text, " \t") >= len || text[strspn(text, " \t")] == '#')
		return;
	if (b->nmix == BENCH_EXPRS_MAX)
		errx(EXIT_TROUBLE, "%s:%lu: more than %d expressions", file,
		    lineno, BENCH_EXPRS_MAX);
	if (memchr(text, '\0', len) != NULL)
		errx(EXIT_TROUBLE, "%s:%lu: a NUL byte", file, lineno);
	if (len > BENCH_EXPR_MAX)
		errx(EXIT_TROUBLE, "%s:%lu: longer than %d bytes", file,
		    lineno, BENCH_EXPR_MAX);
	if ((b->nmix & (b->nmix - 1)) == 0 && (b->mix = reallocarray(b->mix,
	    b->nmix ? 2 * b->nmix : 1, sizeof(*b->mix))) == NULL)
		err(EXIT_TROUBLE, "reallocarray");
	e = &b->mix[b->nmix];
	e->text = xstrndup(text, len);
	if ((why = mix_expect(e)) == NULL)
		why = mix_render(&b->o, e);
	if (why != NULL)
		errx(EXIT_TROUBLE, "%s:%lu: '%s' %s", file, lineno, e->text, why);
	b->nmix++;
}

/* Read the mix from --exprs, or take the default expression. */
static void
mix_load(struct bench *b)
{
	FILE		*fp;
	char		*line = NULL;
	size_t		 cap = 0;
	ssize_t		 len;
	unsigned long	 lineno = 0;

	if (b->o.exprs == NULL) {
		mix_add(b, "default", 1, BENCH_EXPR, strlen(BENCH_EXPR));
		return;
	}
	if ((fp = fopen(b->o.exprs, "r")) == NULL)
		err(EXIT_TROUBLE, "%s", b->o.exprs);
	while ((len = getline(&line, &cap, fp)) != -1)
		mix_add(b, b->o.exprs, ++lineno, line, (size_t)len);
	if (ferror(fp))
		err(EXIT_TROUBLE, "%s", b->o.exprs);
	fclose(fp);
	free(line);
	if (b->nmix == 0)
		errx(EXIT_TROUBLE, "%s: no expression", b->o.exprs);
}

/*
 * Time and the histogram
 */

static uint64_t
now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static unsigned
hist_index(uint64_t v)
{
	unsigned	 msb, shift;

	if (v >= (1ULL << HIST_TOP))
		v = (1ULL << HIST_TOP) - 1;
	if (v < 2 * HIST_SUB)
		return (unsigned)v;
	msb = 63 - __builtin_clzll(v);
	shift = msb - HIST_BITS;
	return 2 * HIST_SUB + (shift - 1) * HIST_SUB +
	    (unsigned)((v >> shift) - HIST_SUB);
}

/* The highest value that falls into bucket i. */
static uint64_t
hist_value(unsigned i)
{
	unsigned	 shift;
	uint64_t	 sub;

	if (i < 2 * HIST_SUB)
		return i;
	shift = (i - 2 * HIST_SUB) / HIST_SUB + 1;
	sub = (i - 2 * HIST_SUB) % HIST_SUB + HIST_SUB;
	return ((sub + 1) << shift) - 1;
}

static void
hist_add(struct hist *h, uint64_t us)
{
	h->count[hist_index(us)]++;
	h->total++;
	if (us > h->max)
		h->max = us;
}

/* The latency below which pct percent of the values fall. */
static uint64_t
hist_percentile(const struct hist *h, double pct)
{
	uint64_t	 rank, seen = 0, v;
	unsigned	 i;

	if (h->total == 0)
		return 0;
	rank = (uint64_t)(pct / 100.0 * (double)h->total + 0.999999);
	if (rank == 0)
		rank = 1;
	for (i = 0; i < HIST_SIZE; i++) {
		seen += h->count[i];
		if (seen >= rank)
			break;
	}
	v = hist_value(i < HIST_SIZE ? i : HIST_SIZE - 1);
	return v < h->max ? v : h->max;
}

/*
 * Requests
 */

/* Whether a new request may go out now. */
static int
may_issue(const struct bench *b)
{
	if (b->phase == PHASE_WARMUP)
		return 1;
	return b->phase == PHASE_MEASURE &&
	    (b->o.requests == 0 || b->issued < b->o.requests);
}

/* Take the next expression of the mix into pending entry q. */
static const struct expr *
req_issue(struct bench *b, struct pending *q, uint64_t sent)
{
	const struct expr	*e = &b->mix[b->next];

	q->expr = (uint32_t)b->next;
	q->sent = sent;
	q->counted = b->phase == PHASE_MEASURE;
	if (q->counted) {
		b->issued++;
		b->inflight++;
	}
	if (++b->next == b->nmix)
		b->next = 0;
	return e;
}

/* Keep the first failure of each kind, to say why at the end. */
static void
note(struct bench *b, enum outcome how, const char *why)
{
	if (b->phase == PHASE_MEASURE && b->first[how][0] == '\0')
		snprintf(b->first[how], sizeof(b->first[how]), "%s", why);
}

static void
note_wrong(struct bench *b, const struct expr *e, const char *got,
    size_t len)
{
	char	 why[sizeof(b->first[0])];

	if (b->first[OUT_WRONG][0] != '\0')
		return;
	snprintf(why, sizeof(why), "wrong answer to '%s': got '%.*s'%s, "
	    "want '%s'", e->text, (int)(len < BENCH_SHOW ? len : BENCH_SHOW),
	    got, len > BENCH_SHOW ? "..." : "", e->want);
	note(b, OUT_WRONG, why);
}

/* Count what became of the request of q, and free q. */
static void
req_retire(struct bench *b, struct pending *q, enum outcome how,
    uint64_t now)
{
	if (q->counted) {
		b->inflight--;
		b->t_last = now;
		switch (how) {
		case OUT_OK:
			b->n.requests++;
			hist_add(&b->hist, now - q->sent);
			break;
		case OUT_WRONG:
			b->n.wrong++;
			break;
		case OUT_TIMEOUT:
			b->n.timeout++;
			break;
		case OUT_CLOSED:
		case OUT_CONNECT:
			b->n.closed++;
			break;
		}
	}
	q->expr = SLOT_FREE;
}

/* Forget the request of q, never answered yet not an error. */
static void
req_drop(struct bench *b, struct pending *q)
{
	if (q->counted) {
		b->inflight--;
		if (b->phase == PHASE_MEASURE)
			b->issued--;
	}
	q->expr = SLOT_FREE;
}

/* The oldest request of a stream connection, answered as how. */
static void
pend_pop(struct bench *b, struct conn *c, enum outcome how, uint64_t now)
{
	req_retire(b, &c->pend[c->head], how, now);
	c->head = (c->head + 1) % b->o.pipeline;
	c->npend--;
}

/* Retire (or drop) every request still pending on c. */
static void
pend_clear(struct bench *b, struct conn *c, enum outcome how, int drop,
    uint64_t now)
{
	unsigned	 i;

	for (i = 0; i < b->o.pipeline; i++) {
		if (c->pend[i].expr == SLOT_FREE)
			continue;
		if (drop)
			req_drop(b, &c->pend[i]);
		else
			req_retire(b, &c->pend[i], how, now);
	}
	c->head = c->npend = 0;
}

/*
 * Connections: TLS
 */

/*
 * The TLS client side (tls.h), made once: every connection shares its
 * trust store, its verified certificate and, with --resume, the last
 * session.  Without --resume tickets are refused, so that each
 * connection costs the server a full handshake.
 */
static void
tls_setup(struct bench *b)
{
	char	 why[256];

	b->tls = tls_client_new(b->o.host, b->o.cafile, b->o.insecure,
	    b->o.tr->alpn, b->o.resume ? TLS_CLIENT_RESUME :
	    TLS_CLIENT_NO_TICKETS, why, sizeof(why));
	if (b->tls == NULL)
		errx(EXIT_TROUBLE, "%s", why);
}

/*
 * Connections: sockets and events
 */

/* Ask epoll for events on c, when they changed. */
static void
conn_want(struct bench *b, struct conn *c, uint32_t events)
{
	struct epoll_event	 ev;

	if (events == c->events)
		return;
	ev.events = events;
	ev.data.ptr = c;
	if (epoll_ctl(b->ep, EPOLL_CTL_MOD, c->st.fd, &ev) == -1)
		err(EXIT_TROUBLE, "epoll_ctl");
	c->events = events;
}

/* Close c's socket without waiting (closing removes it from epoll). */
static void
conn_close(struct bench *b, struct conn *c)
{
	if (c->st.tls != NULL && c->state >= CONN_GREETING)
		tls_client_keep(b->tls, &c->st);
	if (c->st.fd != -1) {
		stream_peer_done(&c->st);	/* no lingering */
		stream_close(&c->st);
	}
	c->st.fd = -1;
	c->st.tls = NULL;
	c->state = CONN_IDLE;
	c->events = 0;
}

/*
 * Give up on c: its pending requests end as how, a connection that never
 * became ready counts as a connect error, and c reconnects (after
 * BENCH_RETRY_US when the connect failed).  Exits when nothing ever
 * connected and every connection has failed.
 */
static void
conn_fail(struct bench *b, struct conn *c, uint64_t now, enum outcome how,
    const char *why)
{
	int	 ready = c->state == CONN_READY;

	pend_clear(b, c, how, 0, now);
	conn_close(b, c);
	c->retry_at = now;
	note(b, ready ? how : OUT_CONNECT, why);
	if (ready)
		return;
	if (b->phase == PHASE_MEASURE) {
		b->n.connect++;
		b->t_last = now;
	}
	if (!b->ever_ready && ++b->early_fails >= b->o.conns)
		errx(EXIT_TROUBLE, "%s port %s: %s", b->o.host, b->o.port,
		    why);
	c->retry_at = now + BENCH_RETRY_US;
}

/* A new connection on c, at once when new requests may go out. */
static void
conn_recycle(struct bench *b, struct conn *c, uint64_t now)
{
	conn_close(b, c);
	c->retry_at = now;
	if (may_issue(b))
		conn_open(b, c, now);
}

/* The connection works: count it, and send. */
static void
conn_ready(struct bench *b, struct conn *c, uint64_t now)
{
	c->state = CONN_READY;
	if (b->o.tr->wire != PROTO_WIRE_DATAGRAM)
		b->ever_ready = 1;	/* over UDP, once an answer came */
	if (b->phase == PHASE_MEASURE) {
		b->n.connects++;
		if (tls_resumed(&c->st))
			b->n.resumed++;
	}
	conn_want(b, c, EPOLLIN);
	conn_fill(b, c, now);
}

/* Drive the TLS handshake as far as the socket allows. */
static void
conn_handshake(struct bench *b, struct conn *c, uint64_t now)
{
	char	 why[256];
	int	 rc;

	rc = tls_client_handshake(b->tls, &c->st, why, sizeof(why));
	if (rc == STREAM_AGAIN) {
		conn_want(b, c, c->st.ops->direction(&c->st) ? EPOLLOUT :
		    EPOLLIN);
		return;
	}
	if (rc < 0) {
		conn_fail(b, c, now, OUT_CLOSED, why);
		return;
	}
	if (b->o.tr->wire == PROTO_WIRE_LINE) {
		c->state = CONN_GREETING;
		conn_want(b, c, EPOLLIN);
		conn_read(b, c, now);	/* GnuTLS may hold the greeting */
	} else
		conn_ready(b, c, now);
}

/* The TCP connect finished, or failed. */
static void
conn_connected(struct bench *b, struct conn *c, uint64_t now)
{
	socklen_t	 len = sizeof(int);
	char		 why[256];
	int		 soerr = 0;

	if (getsockopt(c->st.fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		soerr = errno;
	if (soerr != 0) {
		snprintf(why, sizeof(why), "connect: %s", strerror(soerr));
		conn_fail(b, c, now, OUT_CLOSED, why);
		return;
	}
	if (b->o.tr->tls) {
		c->state = CONN_HANDSHAKE;
		if (tls_client_start(b->tls, &c->st, why, sizeof(why)) == -1) {
			conn_fail(b, c, now, OUT_CLOSED, why);
			return;
		}
		conn_handshake(b, c, now);
	} else if (b->o.tr->wire == PROTO_WIRE_LINE) {
		c->state = CONN_GREETING;
		conn_want(b, c, EPOLLIN);
	} else
		conn_ready(b, c, now);
}

/*
 * Open c's socket and start connecting; the rest happens on its events.
 * A UDP socket is ready at once.
 */
static void
conn_open(struct bench *b, struct conn *c, uint64_t now)
{
	struct epoll_event	 ev;
	char			 why[256];
	int			 udp = b->o.tr->wire == PROTO_WIRE_DATAGRAM, one = 1;
	int			 fd;

	c->since = now;
	c->inlen = c->outlen = c->again = 0;
	c->closing = c->used = 0;
	c->head = c->npend = 0;
	fd = socket(b->addr.ss_family, (udp ? SOCK_DGRAM : SOCK_STREAM) |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		err(EXIT_TROUBLE, "socket");
	stream_init(&c->st, fd);
	if (!udp)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ev.events = c->events = udp ? EPOLLIN : EPOLLOUT;
	ev.data.ptr = c;
	if (epoll_ctl(b->ep, EPOLL_CTL_ADD, fd, &ev) == -1)
		err(EXIT_TROUBLE, "epoll_ctl");
	c->state = CONN_CONNECTING;
	if (connect(fd, (struct sockaddr *)&b->addr, b->addrlen) == 0 ||
	    errno == EINPROGRESS) {
		if (udp)
			conn_ready(b, c, now);
		return;
	}
	snprintf(why, sizeof(why), "connect: %s", strerror(errno));
	conn_fail(b, c, now, OUT_CLOSED, why);
}

/*
 * Connections: requests out
 */

/* Queue requests on stream c up to the pipeline depth, and write them. */
static void
conn_fill(struct bench *b, struct conn *c, uint64_t now)
{
	const struct expr	*e;
	unsigned		 depth = b->o.pipeline, tail;

	if (b->o.tr->wire == PROTO_WIRE_DATAGRAM) {
		conn_flush(b, c, now);
		return;
	}
	if (c->state != CONN_READY || c->closing)
		return;
	now = now_us();		/* the answers before took time */
	while (c->npend < depth && may_issue(b) && !(b->o.new_conn &&
	    c->used) && c->outlen + b->mix[b->next].reqlen <= c->outcap) {
		tail = (c->head + c->npend) % depth;
		e = req_issue(b, &c->pend[tail], b->o.new_conn ? c->since :
		    now);
		memcpy(c->out + c->outlen, e->req, e->reqlen);
		c->outlen += e->reqlen;
		c->npend++;
		c->used = 1;
	}
	conn_flush(b, c, now);
}

/* UDP: a datagram could not go, or was refused (ICMP port unreachable). */
static int
udp_refused(struct bench *b)
{
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return 0;
	if (errno != ECONNREFUSED)
		err(EXIT_TROUBLE, "%s port %s", b->o.host, b->o.port);
	if (!b->ever_ready)
		errx(EXIT_TROUBLE, "%s port %s: %s", b->o.host, b->o.port,
		    strerror(errno));
	return 1;	/* a datagram lost: it times out */
}

/*
 * Send datagrams on UDP socket c until P are outstanding, a batch per
 * sendmmsg(2).  What the socket does not take now is taken back, and
 * waits for EPOLLOUT.
 */
static int
udp_fill(struct bench *b, struct conn *c, uint64_t now)
{
	const struct expr	*e;
	unsigned		 slot[BENCH_UDP_BATCH], i = 0, k, sent;
	int			 n;

	while (c->npend < b->o.pipeline && may_issue(b)) {
		for (k = 0; k < BENCH_UDP_BATCH &&
		    c->npend < b->o.pipeline && may_issue(b); k++) {
			while (c->pend[i].expr != SLOT_FREE)
				i++;
			e = req_issue(b, &c->pend[i], now);
			c->npend++;
			slot[k] = i;
			b->siov[k].iov_base = e->req;
			b->siov[k].iov_len = e->reqlen;
		}
		if ((n = sendmmsg(c->st.fd, b->smsg, k, 0)) == -1)
			n = udp_refused(b) ? (int)k : 0;
		for (sent = n; sent < k; sent++) {
			req_drop(b, &c->pend[slot[sent]]);
			c->npend--;
		}
		if ((unsigned)n < k) {
			conn_want(b, c, EPOLLIN | EPOLLOUT);
			return 0;
		}
	}
	conn_want(b, c, EPOLLIN);
	return 0;
}

/*
 * Write what c has queued.  A TLS write that would block is repeated
 * with the same length.  Returns 0, or -1 when c failed.
 */
static int
conn_flush(struct bench *b, struct conn *c, uint64_t now)
{
	size_t	 len;
	ssize_t	 n;

	if (b->o.tr->wire == PROTO_WIRE_DATAGRAM)
		return udp_fill(b, c, now);
	while (c->outlen > 0) {
		len = c->again ? c->again : c->outlen;
		n = c->st.ops->write(&c->st, c->out, len);
		if (n == STREAM_AGAIN) {
			c->again = len;
			conn_want(b, c, c->st.ops->direction(&c->st) == 0 ?
			    EPOLLIN : EPOLLIN | EPOLLOUT);
			return 0;
		}
		c->again = 0;
		if (n <= 0) {
			conn_fail(b, c, now, OUT_CLOSED, "write failed");
			return -1;
		}
		memmove(c->out, c->out + n, c->outlen - n);
		c->outlen -= n;
	}
	conn_want(b, c, EPOLLIN);
	return 0;
}

/*
 * Connections: answers in
 */

/*
 * Parse the HTTP response at buf, len bytes: the status line, the
 * headers Content-Length and Connection, and the body.  Returns its
 * length, 0 when it is not all there, -1 when it is malformed.
 */
static ssize_t
http_response(const char *buf, size_t len, int *status, const char **body,
    size_t *bodylen, int *closing)
{
	const char		*end, *p, *nl;
	unsigned long long	 clen = ULLONG_MAX;
	char			*e;

	if ((end = memmem(buf, len, "\r\n\r\n", 4)) == NULL)
		return len >= BENCH_HEAD_MAX ? -1 : 0;
	if (len < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ')
		return -1;
	*status = (int)strtol(buf + 9, &e, 10);
	if (e != buf + 12)
		return -1;
	*closing = 0;
	for (p = (const char *)memchr(buf, '\n', end - buf) + 1; p < end;
	    p = nl + 1) {
		nl = memchr(p, '\n', end + 2 - p);
		if (strncasecmp(p, "Content-Length:", 15) == 0) {
			errno = 0;
			clen = strtoull(p + 15, &e, 10);
			if (errno || e == p + 15 || clen > BENCH_BODY_MAX)
				return -1;
		} else if (strncasecmp(p, "Connection:", 11) == 0 &&
		    memmem(p, nl - p, "close", 5) != NULL)
			*closing = 1;
		else if (strncasecmp(p, "Transfer-Encoding:", 18) == 0)
			return -1;
	}
	if (clen == ULLONG_MAX)
		return -1;
	end += 4;
	if ((size_t)(end - buf) + clen > len)
		return 0;
	*body = end;
	*bodylen = clen;
	return (end - buf) + clen;
}

/*
 * Check one answer at p (n bytes available) against the oldest request
 * of c.  Returns the bytes used, 0 when the answer is incomplete, -1 on
 * a protocol error.
 */
static ssize_t
conn_answer(struct bench *b, struct conn *c, const char *p, size_t n,
    uint64_t now)
{
	const struct expr	*e = &b->mix[c->pend[c->head].expr];
	const char		*got, *nl;
	size_t			 len;
	ssize_t			 used;
	int			 status = 0, ok;

	if (b->o.tr->wire == PROTO_WIRE_LINE) {
		if ((nl = memchr(p, '\n', n)) == NULL)
			return 0;
		got = p;
		len = nl - p;
		if (len > 0 && got[len - 1] == '\r')
			len--;
		used = nl + 1 - p;
		if (wire_is_goodbye(got, len)) {
			/* Nothing pending was read: send it again elsewhere. */
			c->closing = 1;
			return used;
		}
		ok = len == e->wantlen && memcmp(got, e->want, len) == 0;
	} else {
		used = http_response(p, n, &status, &got, &len, &c->closing);
		if (used <= 0)
			return used;
		ok = status == e->status && len == e->wantlen + 1 &&
		    memcmp(got, e->want, e->wantlen) == 0 &&
		    got[e->wantlen] == '\n';
	}
	if (!ok)
		note_wrong(b, e, got, len);
	pend_pop(b, c, ok ? OUT_OK : OUT_WRONG, now);
	return used;
}

/*
 * Take the line protocol's greeting from c's input: the greeting makes c
 * ready; anything else (a refusal, "error: too many connections ...")
 * fails it.  Returns the bytes used, 0 for more, -1 when c failed.
 */
static ssize_t
conn_greeting(struct bench *b, struct conn *c, uint64_t now)
{
	char	*nl, why[256];
	size_t	 len;

	if ((nl = memchr(c->in, '\n', c->inlen)) == NULL)
		return 0;
	len = nl - c->in;
	if (len > 0 && c->in[len - 1] == '\r')
		len--;
	if (len != strlen(WIRE_GREETING) ||
	    memcmp(c->in, WIRE_GREETING, len) != 0) {
		snprintf(why, sizeof(why), "not the greeting: '%.*s'",
		    (int)(len < BENCH_SHOW ? len : BENCH_SHOW), c->in);
		conn_fail(b, c, now, OUT_CLOSED, why);
		return -1;
	}
	conn_ready(b, c, now);
	return nl + 1 - c->in;
}

/*
 * Check the answers in c's input against its pending requests, in order,
 * and keep what is incomplete.  Ends c when it is done with (--new-conn,
 * or an HTTP server closing).  Returns 0, or -1 when c was closed.
 */
static int
conn_parse(struct bench *b, struct conn *c, uint64_t now)
{
	size_t	 off = 0;
	ssize_t	 used = 0;

	if (c->state == CONN_GREETING) {
		if ((used = conn_greeting(b, c, now)) <= 0)
			return (int)used;
		if (c->state != CONN_READY)
			return -1;	/* the first write failed */
	}
	off = used;
	while (c->npend > 0 && !c->closing && off < c->inlen) {
		used = conn_answer(b, c, c->in + off, c->inlen - off, now);
		if (used == 0)
			break;
		if (used < 0) {
			conn_fail(b, c, now, OUT_CLOSED, "malformed answer");
			return -1;
		}
		off += used;
	}
	memmove(c->in, c->in + off, c->inlen - off);
	c->inlen -= off;
	if (c->closing || (b->o.new_conn && c->used && c->npend == 0)) {
		pend_clear(b, c, OUT_CLOSED, 1, now);
		conn_recycle(b, c, now);
		return -1;
	}
	return 0;
}

/* Make room in c's input for the largest answer; -1 when it is full. */
static int
conn_grow(struct conn *c)
{
	size_t	 cap = 2 * c->incap, most = BENCH_HEAD_MAX + BENCH_BODY_MAX;
	char	*p;

	if (c->incap >= most)
		return -1;
	if (cap > most)
		cap = most;
	if ((p = realloc(c->in, cap)) == NULL)
		err(EXIT_TROUBLE, "realloc");
	c->in = p;
	c->incap = cap;
	return 0;
}

/*
 * Read and check what stream c has.  A short plain read means the socket
 * is drained (saving a read that would fail); TLS may hold decrypted
 * bytes, so it reads until nothing is pending.  Returns 0, or -1 when c
 * was closed.
 */
static int
conn_read(struct bench *b, struct conn *c, uint64_t now)
{
	size_t	 room;
	ssize_t	 n;

	for (;;) {
		if (c->inlen == c->incap && conn_grow(c) == -1) {
			conn_fail(b, c, now, OUT_CLOSED, "answer too long");
			return -1;
		}
		room = c->incap - c->inlen;
		n = c->st.ops->read(&c->st, c->in + c->inlen, room);
		if (n == STREAM_AGAIN)
			return 0;
		if (n <= 0) {
			/*
			 * A last line that came with the answer before it
			 * (a goodbye) is read once a request waits for it.
			 */
			if (n == 0 && c->inlen > 0 && c->npend > 0 &&
			    conn_parse(b, c, now) == -1)
				return -1;
			if (c->state == CONN_READY && c->npend == 0) {
				conn_recycle(b, c, now);	/* idle close */
				return -1;
			}
			conn_fail(b, c, now, OUT_CLOSED, n == 0 ?
			    "connection closed" : "read failed");
			return -1;
		}
		c->inlen += n;
		if (conn_parse(b, c, now) == -1)
			return -1;
		if ((size_t)n < room && tls_pending(&c->st) == 0)
			return 0;
	}
}

/*
 * Match a datagram to the oldest pending request that it answers; when
 * none does, it is a wrong answer to the oldest one.  UDP may reorder
 * and lose datagrams, so the order alone would put every answer after a
 * lost one on the wrong request.
 */
static void
udp_match(struct bench *b, struct conn *c, const char *got, size_t len,
    uint64_t now)
{
	struct pending		*q, *best = NULL, *oldest = NULL;
	const struct expr	*e;
	unsigned		 i;

	if (len > 0 && got[len - 1] == '\n')
		len--;
	for (i = 0; i < b->o.pipeline; i++) {
		q = &c->pend[i];
		if (q->expr == SLOT_FREE)
			continue;
		if (oldest == NULL || q->sent < oldest->sent)
			oldest = q;
		e = &b->mix[q->expr];
		if (e->wantlen == len && memcmp(e->want, got, len) == 0 &&
		    (best == NULL || q->sent < best->sent))
			best = q;
	}
	if (oldest == NULL)
		return;		/* a late answer, already timed out */
	if (best == NULL)
		note_wrong(b, &b->mix[oldest->expr], got, len);
	req_retire(b, best ? best : oldest, best ? OUT_OK : OUT_WRONG, now);
	c->npend--;
}

/* Take every datagram waiting on c, a batch per recvmmsg(2); send more. */
static void
udp_read(struct bench *b, struct conn *c, uint64_t now)
{
	int	 n, i;

	do {
		if ((n = recvmmsg(c->st.fd, b->rmsg, BENCH_UDP_BATCH, 0,
		    NULL)) == -1) {
			if (udp_refused(b))
				continue;
			break;
		}
		b->ever_ready = 1;
		for (i = 0; i < n; i++)
			udp_match(b, c, b->riov[i].iov_base, b->rmsg[i].msg_len,
			    now);
	} while (n == -1 || (n == BENCH_UDP_BATCH && c->npend > 0));
	udp_fill(b, c, now);
}

/*
 * The batches of UDP: a buffer per answer, one byte longer than the
 * longest right answer with its LF, so that a longer one is seen wrong.
 */
static void
udp_setup(struct bench *b, size_t wantmax)
{
	size_t	 len = wantmax + 2;
	char	*buf;
	int	 i;

	if ((buf = calloc(BENCH_UDP_BATCH, len)) == NULL)
		err(EXIT_TROUBLE, "calloc");
	for (i = 0; i < BENCH_UDP_BATCH; i++) {
		b->riov[i].iov_base = buf + i * len;
		b->riov[i].iov_len = len;
		b->rmsg[i].msg_hdr.msg_iov = &b->riov[i];
		b->rmsg[i].msg_hdr.msg_iovlen = 1;
		b->smsg[i].msg_hdr.msg_iov = &b->siov[i];
		b->smsg[i].msg_hdr.msg_iovlen = 1;
	}
}

static void
conn_event(struct bench *b, struct conn *c, uint32_t events)
{
	uint64_t	 now = now_us();

	switch (c->state) {
	case CONN_IDLE:
		break;
	case CONN_CONNECTING:
		conn_connected(b, c, now);
		break;
	case CONN_HANDSHAKE:
		conn_handshake(b, c, now);
		break;
	case CONN_GREETING:
	case CONN_READY:
		if (b->o.tr->wire == PROTO_WIRE_DATAGRAM) {
			udp_read(b, c, now);
			break;
		}
		if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) &&
		    conn_read(b, c, now) == -1)
			break;
		conn_fill(b, c, now);
		break;
	}
}

/*
 * The run
 */

/*
 * Every BENCH_TICK_US: fail what took longer than --timeout (a connect,
 * a handshake, a greeting, an answer), and reconnect what may.  On a
 * stream, answers come in order: when the oldest is late, the others are
 * lost with it; over UDP each datagram is on its own.
 */
static void
bench_tick(struct bench *b, uint64_t now)
{
	struct conn	*c;
	uint64_t	 limit = b->o.timeout_us;
	unsigned	 i, j;

	for (i = 0; i < b->o.conns; i++) {
		c = &b->conns[i];
		if (c->state == CONN_IDLE) {
			if (now >= c->retry_at && may_issue(b))
				conn_open(b, c, now);
		} else if (c->state != CONN_READY) {
			if (now - c->since >= limit)
				conn_fail(b, c, now, OUT_TIMEOUT,
				    "timed out connecting");
		} else if (b->o.tr->wire == PROTO_WIRE_DATAGRAM) {
			for (j = 0; j < b->o.pipeline; j++)
				if (c->pend[j].expr != SLOT_FREE &&
				    now - c->pend[j].sent >= limit) {
					req_retire(b, &c->pend[j], OUT_TIMEOUT,
					    now);
					c->npend--;
					note(b, OUT_TIMEOUT, "no answer "
					    "within --timeout");
				}
			udp_fill(b, c, now);
		} else if (c->npend > 0 && now - c->pend[c->head].sent >= limit)
			conn_fail(b, c, now, OUT_TIMEOUT,
			    "no answer within --timeout");
	}
}

/* Move to the next phase when its time or count has come. */
static void
bench_phase(struct bench *b, uint64_t now)
{
	if (b->phase == PHASE_WARMUP && (now >= b->t_measure ||
	    bench_interrupted)) {
		b->phase = PHASE_MEASURE;
		b->t_measure = now;
		if (b->o.duration_us)
			b->t_stop = now + b->o.duration_us;
	}
	if (b->phase == PHASE_MEASURE && (now >= b->t_stop ||
	    bench_interrupted || (b->o.requests && b->issued >=
	    b->o.requests))) {
		b->phase = PHASE_DRAIN;
		b->t_end = now + b->o.timeout_us + 2 * BENCH_TICK_US;
	}
	if (b->phase == PHASE_DRAIN && (b->inflight == 0 || now >= b->t_end))
		b->phase = PHASE_DONE;
}

/* Allow a descriptor per connection, when the hard limit does. */
static void
bench_rlimit(unsigned conns)
{
	struct rlimit	 rl;
	rlim_t		 want = conns + 32;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur < want)
		errx(EXIT_TROUBLE, "-c %u: only %ju file descriptors allowed",
		    conns, (uintmax_t)rl.rlim_cur);
}

static void
bench_conns(struct bench *b)
{
	struct conn	*c;
	size_t		 reqmax = 0, wantmax = 0, i;
	unsigned	 j;

	for (i = 0; i < b->nmix; i++) {
		if (b->mix[i].reqlen > reqmax)
			reqmax = b->mix[i].reqlen;
		if (b->mix[i].wantlen > wantmax)
			wantmax = b->mix[i].wantlen;
	}
	if (b->o.tr->wire == PROTO_WIRE_DATAGRAM)
		udp_setup(b, wantmax);
	if ((b->conns = calloc(b->o.conns, sizeof(*b->conns))) == NULL)
		err(EXIT_TROUBLE, "calloc");
	for (i = 0; i < b->o.conns; i++) {
		c = &b->conns[i];
		c->st.fd = -1;
		c->outcap = b->o.pipeline * reqmax;
		if (c->outcap > BENCH_OUT_MAX)
			c->outcap = reqmax > BENCH_OUT_MAX ? reqmax :
			    BENCH_OUT_MAX;
		c->incap = BENCH_IN_MIN;
		c->pend = calloc(b->o.pipeline, sizeof(*c->pend));
		c->out = malloc(c->outcap);
		c->in = malloc(c->incap);
		if (c->pend == NULL || c->out == NULL || c->in == NULL)
			err(EXIT_TROUBLE, "malloc");
		for (j = 0; j < b->o.pipeline; j++)
			c->pend[j].expr = SLOT_FREE;
	}
}

/*
 * Find the address to load.  When host:port has several (localhost: ::1
 * and 127.0.0.1), the first that accepts a TCP connection within
 * --timeout; else the only one, whose failures the run reports.  Exits
 * when none connects.
 */
static void
bench_resolve(struct bench *b)
{
	struct addrinfo	 hints, *res, *ai;
	struct pollfd	 pfd;
	int		 rc, fd, soerr = 0;
	socklen_t	 len = sizeof(soerr);

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = b->o.family;
	hints.ai_socktype = b->o.tr->wire == PROTO_WIRE_DATAGRAM ? SOCK_DGRAM :
	    SOCK_STREAM;
	if ((rc = getaddrinfo(b->o.host, b->o.port, &hints, &res)) != 0)
		errx(EXIT_TROUBLE, "%s: %s", b->o.host, gai_strerror(rc));
	for (ai = res; ai->ai_next != NULL && hints.ai_socktype == SOCK_STREAM;
	    ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0)) == -1)
			err(EXIT_TROUBLE, "socket");
		pfd.fd = fd;
		pfd.events = POLLOUT;
		soerr = 0;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1 &&
		    (errno != EINPROGRESS || poll(&pfd, 1,
		    (int)(b->o.timeout_us / 1000)) != 1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1))
			soerr = errno == EINPROGRESS ? ETIMEDOUT : errno;
		close(fd);
		if (soerr == 0)
			break;
	}
	memcpy(&b->addr, ai->ai_addr, ai->ai_addrlen);
	b->addrlen = ai->ai_addrlen;
	freeaddrinfo(res);
}

static void
on_signal(int sig)
{
	(void)sig;
	bench_interrupted = 1;
}

/*
 * Run the load: open every connection, then serve events until the
 * phases are done.  A request unanswered at the hard end is a timeout.
 */
static void
bench_run(struct bench *b)
{
	struct epoll_event	 ev[BENCH_EVENTS];
	uint64_t		 now, tick;
	unsigned		 i;
	int			 n, wait;

	if ((b->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(EXIT_TROUBLE, "epoll_create1");
	now = now_us();
	b->t_measure = now + b->o.warmup_us;
	b->t_stop = UINT64_MAX;
	bench_phase(b, now);
	for (i = 0; i < b->o.conns; i++)
		conn_open(b, &b->conns[i], now);
	tick = now + BENCH_TICK_US;
	while (b->phase != PHASE_DONE) {
		now = now_us();
		wait = now >= tick ? 0 : (int)((tick - now + 999) / 1000);
		n = epoll_wait(b->ep, ev, BENCH_EVENTS, wait);
		if (n == -1 && errno != EINTR)
			err(EXIT_TROUBLE, "epoll_wait");
		for (i = 0; n > 0 && i < (unsigned)n; i++)
			conn_event(b, ev[i].data.ptr, ev[i].events);
		now = now_us();
		if (now >= tick) {
			bench_tick(b, now);
			tick = now + BENCH_TICK_US;
		}
		bench_phase(b, now);
	}
	for (i = 0; i < b->o.conns; i++) {
		pend_clear(b, &b->conns[i], OUT_TIMEOUT, 0, now);
		conn_close(b, &b->conns[i]);
	}
	if (b->t_last < b->t_measure)
		b->t_last = now;
}

/*
 * The report
 */

/* A latency in milliseconds, with the digits that matter. */
static void
fmt_ms(char *buf, size_t len, uint64_t us)
{
	double	 ms = us / 1000.0;

	snprintf(buf, len, "%.*f ms", ms < 1 ? 3 : ms < 10 ? 2 : ms < 100 ?
	    1 : 0, ms);
}

/* host:port, with IPv6 addresses in brackets. */
static void
fmt_target(const struct opts *o, char *buf, size_t len)
{
	int	 v6 = strchr(o->host, ':') != NULL;

	snprintf(buf, len, "%s%s%s:%s", v6 ? "[" : "", o->host,
	    v6 ? "]" : "", o->port);
}

static uint64_t
bench_errors(const struct bench *b)
{
	return b->n.wrong + b->n.timeout + b->n.closed + b->n.connect;
}

static void
report_table(const struct bench *b, double secs)
{
	char	 target[300], p50[32], p90[32], p99[32], max[32];

	fmt_target(&b->o, target, sizeof(target));
	fmt_ms(p50, sizeof(p50), hist_percentile(&b->hist, 50));
	fmt_ms(p90, sizeof(p90), hist_percentile(&b->hist, 90));
	fmt_ms(p99, sizeof(p99), hist_percentile(&b->hist, 99));
	fmt_ms(max, sizeof(max), b->hist.max);
	printf("transport  %s %s   connections %u   pipeline %u   "
	    "duration %.*f s%s\n", b->o.tr->name, target, b->o.conns,
	    b->o.pipeline, secs < 10 ? 2 : 1, secs,
	    b->o.new_conn ? "   new-conn" : "");
	printf("requests   %" PRIu64 "   errors %" PRIu64 "   requests/s "
	    "%.1f\n", b->n.requests, bench_errors(b), b->n.requests / secs);
	printf("latency    p50 %s   p90 %s   p99 %s   max %s\n", p50, p90, p99,
	    max);
	if (bench_errors(b) > 0)
		printf("errors     wrong %" PRIu64 "   timeout %" PRIu64
		    "   closed %" PRIu64 "   connect %" PRIu64 "\n",
		    b->n.wrong, b->n.timeout, b->n.closed, b->n.connect);
	if (b->o.new_conn)
		printf("connects   %" PRIu64 "   connects/s %.1f   resumed "
		    "%" PRIu64 "\n", b->n.connects, b->n.connects / secs,
		    b->n.resumed);
}

/* s as a JSON string. */
static void
json_string(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void
report_json(const struct bench *b, double secs)
{
	printf("{\"transport\": \"%s\", \"host\": ", b->o.tr->name);
	json_string(b->o.host);
	printf(", \"port\": ");
	json_string(b->o.port);
	printf(", \"connections\": %u, \"pipeline\": %u, \"new_conn\": %s, "
	    "\"seconds\": %.3f, \"requests\": %" PRIu64 ", \"errors\": %"
	    PRIu64 ", \"rps\": %.1f, \"p50_us\": %" PRIu64 ", \"p90_us\": %"
	    PRIu64 ", \"p99_us\": %" PRIu64 ", \"max_us\": %" PRIu64 ", ",
	    b->o.conns, b->o.pipeline, b->o.new_conn ? "true" : "false", secs,
	    b->n.requests, bench_errors(b), b->n.requests / secs,
	    hist_percentile(&b->hist, 50), hist_percentile(&b->hist, 90),
	    hist_percentile(&b->hist, 99), b->hist.max);
	printf("\"errors_wrong\": %" PRIu64 ", \"errors_timeout\": %" PRIu64
	    ", \"errors_closed\": %" PRIu64 ", \"errors_connect\": %" PRIu64
	    ", \"connects\": %" PRIu64 ", \"resumed\": %" PRIu64 "}\n",
	    b->n.wrong, b->n.timeout, b->n.closed, b->n.connect,
	    b->n.connects, b->n.resumed);
}

int
main(int argc, char *argv[])
{
	static struct bench	 b;
	struct sigaction	 sa;
	double			 secs;
	int			 i;

	parse_options(argc, argv, &b.o);
	mix_load(&b);
	bench_resolve(&b);
	if (b.o.tr->tls)
		tls_setup(&b);
	bench_rlimit(b.o.conns);
	bench_conns(&b);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	bench_run(&b);
	for (i = 0; i <= OUT_CONNECT; i++)
		if (b.first[i][0] != '\0')
			warnx("%s port %s: %s", b.o.host, b.o.port, b.first[i]);
	secs = (b.t_last - b.t_measure) / 1e6;
	if (secs <= 0)
		secs = 1e-6;
	if (b.o.json)
		report_json(&b, secs);
	else
		report_table(&b, secs);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EXIT_TROUBLE, "standard output");
	return b.n.requests > 0 && bench_errors(&b) == 0 ? 0 : EXIT_ERRORS;
}
