/*
 * check_daemon.c - calcd as its clients and its administrator see it:
 * the line protocol, the worker pool, crashes, signals and privileges.
 *
 * Each test starts its own daemon on loopback ports from an inline
 * configuration (tests/harness.h).  Run one test case by hand with
 *   CK_RUN_CASE=Signals CALCD_SHOW_LOG=1 tests/check_daemon
 * CALCD selects the daemon, CALCD_KEEP_TMP=1 keeps its directory.
 */
#include <sys/resource.h>
#include <sys/socket.h>

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "harness.h"

#define GREETING	"welcome to the calculator! - type exit to leave"
#define TOO_LONG	"error: line too long"

/* Every daemon: workers drop to nobody when the tests run as root. */
#define CONF_BASE \
	"user nobody\n" \
	"listen tcp 127.0.0.1:%%PORT%%\n" \
	"workers-min-spare 2\n" \
	"workers-max-spare 4\n"

/* The pool tests: one address holds the whole pool. */
#define POOL_MAX	64
#define POOL_MAX_SPARE	4
#define STR(n)		#n
#define XSTR(n)		STR(n)
#define CONF_POOL \
	"user nobody\n" \
	"listen tcp 127.0.0.1:%%PORT%%\n" \
	"workers-max " XSTR(POOL_MAX) "\n" \
	"workers-min-spare 2\n" \
	"workers-max-spare " XSTR(POOL_MAX_SPARE) "\n" \
	"max-connections-per-address 1024\n"
#define POOL_GREET_MS	30000	/* all 64 clients greeted, forks and all */
#define POOL_SHRINK_MS	20000	/* idle pool back to workers-max-spare */

/*
 * The most a timer of about a second may be late on a loaded machine: a
 * check that it fires at all, not of its precision.
 */
#define LATE_MS		6000

#define OK(call)	ck_assert_msg((call) != -1, "%s", h_err())

Suite	*make_daemon_suite(void);

/* The daemon of the running test; the teardown stops it. */
static struct h_daemon	 d;
static struct h_client	 pool[POOL_MAX + 1];

static void
setup(void)
{
	size_t	 i;

	memset(&d, 0, sizeof(d));
	for (i = 0; i < sizeof(pool) / sizeof(pool[0]); i++)
		pool[i].fd = -1;
}

/* Close every client: a busy worker holds a stopping daemon back. */
static void
close_all(void)
{
	size_t	 i;

	for (i = 0; i < sizeof(pool) / sizeof(pool[0]); i++)
		h_close(&pool[i]);
}

static void
teardown(void)
{
	close_all();
	h_daemon_free(&d);
}

static void
start(const char *conf)
{
	OK(h_daemon_init(&d, conf));
	OK(h_daemon_start(&d));
}

/* Close the clients, stop the daemon, require exit status 0. */
static void
stop_ok(void)
{
	int	 rc;

	close_all();
	rc = h_daemon_stop(&d);
	ck_assert_msg(rc == 0, "calcd stopped with status %d: %s", rc,
	    rc == -1 ? h_err() : "see its log (CALCD_SHOW_LOG=1)");
}

/* Connect to the daemon's first port at addr and read the greeting. */
static void
client_at(struct h_client *c, const char *addr)
{
	OK(h_connect(c, addr, d.port[0]));
	OK(h_expect_line(c, GREETING));
}

static void
client(struct h_client *c)
{
	client_at(c, "127.0.0.1");
}

/* Send one request line and require one answer. */
static void
ask(struct h_client *c, const char *expr, const char *answer)
{
	OK(h_sends(c, expr));
	OK(h_sends(c, "\n"));
	OK(h_expect_line(c, answer));
}

/* A line of exactly len bytes that evaluates to 2: "1+1" and blanks. */
static char *
padded_sum(char *buf, size_t len)
{
	memset(buf, ' ', len);
	memcpy(buf, "1+1", 3);
	buf[len] = '\0';
	return buf;
}

static void
skip(const char *why)
{
	printf("# SKIP %s: %s\n", tcase_name(), why);
	fflush(stdout);
}

/*
 * Protocol
 */

START_TEST(greeting_ends_in_crlf)
{
	start(CONF_BASE);
	client(&pool[0]);
	stop_ok();
}
END_TEST

START_TEST(sum_is_answered)
{
	start(CONF_BASE);
	client(&pool[0]);
	ask(&pool[0], "5+5", "10");
	stop_ok();
}
END_TEST

START_TEST(blank_lines_get_no_answer)
{
	start(CONF_BASE);
	client(&pool[0]);
	OK(h_sends(&pool[0], "\n\r\n \t \r\n"));
	ask(&pool[0], "5+5", "10");
	OK(h_expect_silence(&pool[0], 200));
	stop_ok();
}
END_TEST

START_TEST(lf_and_crlf_are_accepted)
{
	start(CONF_BASE);
	client(&pool[0]);
	OK(h_sends(&pool[0], "1+1\n2+2\r\n3+3\n"));
	OK(h_expect_line(&pool[0], "2"));
	OK(h_expect_line(&pool[0], "4"));
	OK(h_expect_line(&pool[0], "6"));
	stop_ok();
}
END_TEST

START_TEST(pipelined_lines_are_answered_in_order)
{
	enum { N = 10000 };
	char	*req, want[16];
	size_t	 len = 0;
	int	 i;

	ck_assert_ptr_nonnull(req = malloc(N * 12));
	for (i = 0; i < N; i++)
		len += sprintf(req + len, "%d+1\n", i);
	start(CONF_BASE);
	client(&pool[0]);
	OK(h_send(&pool[0], req, len));
	for (i = 0; i < N; i++) {
		snprintf(want, sizeof(want), "%d", i + 1);
		ck_assert_msg(h_expect_line(&pool[0], want) == 0,
		    "answer %d: %s", i, h_err());
	}
	free(req);
	stop_ok();
}
END_TEST

/* Ways to leave: what is sent, the answers before the server closes. */
static const struct {
	const char	*send;
	const char	*answer;	/* or NULL */
} leave_cases[] = {
	{ "exit\n",		NULL },
	{ "quit\n",		NULL },
	{ "quit\r\n",		NULL },
	{ "  exit \t\n",	NULL },
	{ "1+1\nexit\n",	"2" },
};

START_TEST(exit_and_quit_close)
{
	start(CONF_BASE);
	client(&pool[0]);
	OK(h_sends(&pool[0], leave_cases[_i].send));
	if (leave_cases[_i].answer)
		OK(h_expect_line(&pool[0], leave_cases[_i].answer));
	OK(h_expect_eof(&pool[0], H_LINE_MS));
	stop_ok();
}
END_TEST

START_TEST(long_line_is_refused_and_connection_goes_on)
{
	enum { LEN = 100 * 1000 };
	char	*line;

	ck_assert_ptr_nonnull(line = malloc(LEN + 1));
	memset(line, '1', LEN);
	line[LEN] = '\n';
	start(CONF_BASE);
	client(&pool[0]);
	OK(h_send(&pool[0], line, LEN + 1));
	OK(h_expect_line(&pool[0], TOO_LONG));
	ask(&pool[0], "5+5", "10");
	free(line);
	stop_ok();
}
END_TEST

START_TEST(idle_client_is_told_and_closed)
{
	uint64_t	 t0;
	int		 waited;

	start(CONF_BASE "idle-timeout 1\n");
	client(&pool[0]);
	t0 = h_now_ms();
	OK(h_expect_line(&pool[0], "error: idle timeout"));
	waited = (int)(h_now_ms() - t0);
	ck_assert_msg(waited >= 900 && waited <= LATE_MS,
	    "idle timeout after %d ms, want about 1000", waited);
	OK(h_expect_eof(&pool[0], 2000));
	stop_ok();
}
END_TEST

/* A line begun and never finished: told, and closed after line-timeout. */
START_TEST(unfinished_line_is_told_and_closed)
{
	uint64_t	 t0;
	int		 waited;

	start(CONF_BASE "line-timeout 1\n");
	client(&pool[0]);
	ask(&pool[0], "x = 7", "7");
	t0 = h_now_ms();
	OK(h_sends(&pool[0], "x +"));
	OK(h_expect_line(&pool[0], "error: line timeout"));
	waited = (int)(h_now_ms() - t0);
	ck_assert_msg(waited >= 900,
	    "line timeout after %d ms, want about 1000", waited);
	OK(h_expect_eof(&pool[0], 2000));
	stop_ok();
}
END_TEST

/*
 * A client that sends and never reads: once the answers fill the socket
 * buffers, the worker waits at most idle-timeout for room to write, then
 * lets the client go (and logs why).  Like nginx's send_timeout, the
 * wait starts again whenever the peer takes a few bytes, which the
 * kernel's zero-window probes let it do for a while: so the bound below
 * is loose.
 */
START_TEST(client_that_never_reads_is_let_go)
{
	enum { N = 20000 };	/* 140 kB of requests, 24 MB of answers */
	char		*req, why[96];
	size_t		 len = 0;
	uint64_t	 t0;
	int		 i, waited;

	ck_assert_ptr_nonnull(req = malloc(N * 8));
	for (i = 0; i < N; i++)
		len += sprintf(req + len, "2^4000\n");
	start(CONF_BASE "idle-timeout 1\n");
	client(&pool[0]);
	t0 = h_now_ms();
	OK(h_send(&pool[0], req, len));
	snprintf(why, sizeof(why), "%s: i/o error, ", pool[0].laddr);
	OK(h_log_wait(&d, why, 1, 10000));
	waited = (int)(h_now_ms() - t0);
	ck_assert_msg(waited >= 900 && waited <= 9000,
	    "let go after %d ms, want 1000 to a few thousand", waited);
	client(&pool[1]);
	ask(&pool[1], "5+5", "10");
	free(req);
	stop_ok();
}
END_TEST

START_TEST(ipv6_listener_works)
{
	if (!h_have_ipv6()) {
		skip("no IPv6 loopback");
		return;
	}
	start("user nobody\nlisten tcp [::1]:%%PORT%%\n");
	client_at(&pool[0], "::1");
	ask(&pool[0], "5+5", "10");
	stop_ok();
}
END_TEST

/*
 * Pool
 */

/* Connect n clients at once, then require every greeting within ms. */
static void
connect_all(int n, int ms)
{
	uint64_t	 deadline;
	char		 line[256];
	int		 i, r;

	for (i = 0; i < n; i++)
		ck_assert_msg(h_connect(&pool[i], "127.0.0.1", d.port[0]) == 0,
		    "client %d: %s", i, h_err());
	deadline = h_now_ms() + ms;
	for (i = 0; i < n; i++) {
		r = h_read_line(&pool[i], line, sizeof(line),
		    (int)(deadline - h_now_ms()));
		ck_assert_msg(r == H_LINE && strcmp(line, GREETING "\r") == 0,
		    "client %d of %d: no greeting within %d ms (%s)", i, n,
		    ms, r == H_TIMEOUT ? "timeout" : r == H_EOF ? "EOF" :
		    r == H_ERROR ? h_err() : line);
	}
}

/* Each client asks one sum and gets its answer. */
static void
ask_all(int n)
{
	char	 expr[32], want[32];
	int	 i;

	for (i = 0; i < n; i++) {
		snprintf(expr, sizeof(expr), "%d+1\n", i);
		OK(h_sends(&pool[i], expr));
	}
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "%d", i + 1);
		ck_assert_msg(h_expect_line(&pool[i], want) == 0,
		    "client %d: %s", i, h_err());
	}
}

static int
count_children(void)
{
	pid_t	 pids[H_CHILDREN_MAX];
	int	 n;

	n = h_children(d.pid, pids, H_CHILDREN_MAX);
	ck_assert_msg(n >= 0, "%s", h_err());
	return n;
}

START_TEST(pool_serves_workers_max_clients_at_once)
{
	uint64_t	 t0;

	start(CONF_POOL);
	t0 = h_now_ms();
	connect_all(POOL_MAX, POOL_GREET_MS);
	ask_all(POOL_MAX);
	fprintf(stderr, "# %d clients greeted and answered in %llu ms\n",
	    POOL_MAX, (unsigned long long)(h_now_ms() - t0));
	stop_ok();
}
END_TEST

/*
 * A full pool of sessions that never asked anything: a new client from
 * another network is served at once, in the place of the longest idle
 * session, which is told why it is closed.  (The pool's own network is
 * refused as busy meanwhile: it made the pool full.)
 */
START_TEST(full_pool_sheds_the_longest_idle_session)
{
	struct h_client	*extra = &pool[POOL_MAX];
	int		 i, shed = -1;
	char		 line[256];

	start(CONF_POOL);
	connect_all(POOL_MAX, POOL_GREET_MS);
	OK(h_connect_from(extra, "127.0.7.1", "127.0.0.1", d.port[0]));
	OK(h_expect_line(extra, GREETING));
	ask(extra, "1+1", "2");
	for (i = 0; i < POOL_MAX && shed == -1; i++)
		if (h_read_line(&pool[i], line, sizeof(line), 0) == H_LINE)
			shed = i;
	ck_assert_msg(shed != -1, "no session was told it was shed");
	ck_assert_str_eq(line, "error: server busy, closing this session\r");
	OK(h_expect_eof(&pool[shed], H_LINE_MS));
	stop_ok();
}
END_TEST

/*
 * A full pool of sessions that all answered lately (shed-protect): none
 * is shed; a new client is told the server is busy after queue-timeout,
 * rather than left waiting in silence, and the sessions go on.
 */
START_TEST(full_pool_of_active_sessions_answers_busy)
{
	struct h_client	*extra = &pool[POOL_MAX];

	start(CONF_POOL "shed-protect 60\nqueue-timeout 1\n");
	connect_all(POOL_MAX, POOL_GREET_MS);
	ask_all(POOL_MAX);
	OK(h_connect(extra, "127.0.0.1", d.port[0]));
	OK(h_expect_line(extra, "error: server busy, try again later"));
	OK(h_expect_eof(extra, H_LINE_MS));
	ask_all(POOL_MAX);
	OK(h_log_wait(&d, "1 refused in the last second: server busy", 1,
	    H_LINE_MS));
	stop_ok();
}
END_TEST

/*
 * Clients that connect to an HTTP listener and say nothing are held by
 * the kernel (TCP_DEFER_ACCEPT) rather than handed to the two workers, so
 * a client that sends its request at once is answered at once, not after
 * http-header-timeout.
 */
START_TEST(silent_http_clients_take_no_worker)
{
	char	 line[256];
	int	 i, r;

	start("user nobody\n"
	    "listen tcp 127.0.0.1:%%PORT%%\n"
	    "listen http 127.0.0.1:%%PORT1%%\n"
	    "workers-min-spare 1\n"
	    "workers-max-spare 2\n"
	    "workers-max 2\n"
	    "max-connections-per-address 100%\n"
	    "http-header-timeout 10\n");
	for (i = 0; i < 4; i++)
		OK(h_connect(&pool[i], "127.0.0.1", d.port[1]));
	OK(h_connect(&pool[4], "127.0.0.1", d.port[1]));
	OK(h_sends(&pool[4], "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
	/* Well before the http-header-timeout of 10 s. */
	r = h_read_line(&pool[4], line, sizeof(line), 5000);
	ck_assert_msg(r == H_LINE && strcmp(line, "HTTP/1.1 200 OK\r") == 0,
	    "no answer within 5000 ms (%s)", r == H_TIMEOUT ?
	    "timeout" :
	    r == H_EOF ? "EOF" : r == H_ERROR ? h_err() : line);
	stop_ok();
}
END_TEST

/*
 * Fair share: with max-connections-per-address 3, a fourth client from
 * the same address gets one error line and is closed at once, while the
 * three keep their workers; when one leaves, a new client is served.
 */
#define REFUSED_LINE	" refused in the last second: too many " \
			"connections from its network"

/*
 * Connect c until it is greeted: a worker frees its client's share only
 * once it has seen the close, so a client that comes first is refused.
 * Returns how many times it was.
 */
static int
share_freed(struct h_client *c)
{
	uint64_t	 deadline = h_now_ms() + H_LINE_MS;
	char		 line[256];
	int		 r, refused = 0;

	for (;;) {
		OK(h_connect(c, "127.0.0.1", d.port[0]));
		r = h_read_line(c, line, sizeof(line), H_LINE_MS);
		if (r == H_LINE && strcmp(line, GREETING "\r") == 0)
			return refused;
		ck_assert_msg(r == H_LINE && strcmp(line, "error: too many "
		    "connections from your address\r") == 0 &&
		    h_now_ms() < deadline, "a client after one of the three "
		    "left: %s", r == H_LINE ? line : r == H_EOF ? "EOF" :
		    r == H_TIMEOUT ? "nothing" : h_err());
		h_close(c);
		refused++;
		h_sleep_ms(10);	/* between two looks, as h_log_wait() */
	}
}

START_TEST(one_address_holds_at_most_its_share)
{
	struct h_client	*extra = &pool[3];
	int		 refused;

	start(CONF_BASE "max-connections-per-address 3\n");
	connect_all(3, POOL_GREET_MS);
	OK(h_connect(extra, "127.0.0.1", d.port[0]));
	OK(h_expect_line(extra, "error: too many connections from your "
	    "address"));
	OK(h_expect_eof(extra, H_LINE_MS));
	h_close(extra);
	ask_all(3);
	h_close(&pool[0]);
	refused = 1 + share_freed(extra);
	ask(extra, "6*7", "42");
	/* Refusals are logged in aggregate, once a second, not one by one. */
	OK(h_log_wait(&d, REFUSED_LINE, 1, H_LINE_MS));
	ck_assert_int_le(h_log_count(&d, REFUSED_LINE), refused);
	stop_ok();
}
END_TEST

START_TEST(pool_shrinks_when_clients_leave)
{
	uint64_t	 deadline;
	int		 i, n;

	start(CONF_POOL);
	connect_all(POOL_MAX, POOL_GREET_MS);
	ck_assert_int_ge(count_children(), POOL_MAX);
	for (i = 0; i < POOL_MAX; i++)
		h_close(&pool[i]);
	deadline = h_now_ms() + POOL_SHRINK_MS;
	while ((n = count_children()) > POOL_MAX_SPARE &&
	    h_now_ms() < deadline)
		h_sleep_ms(100);
	ck_assert_msg(n <= POOL_MAX_SPARE, "%d workers left %d ms after every "
	    "client left", n, POOL_SHRINK_MS);
	stop_ok();
}
END_TEST

/*
 * Crashes
 */

START_TEST(killed_worker_loses_only_its_client)
{
	struct h_client	*a = &pool[0], *b = &pool[1], *c = &pool[2];
	char		 needle[160];
	pid_t		 pid;

	start(CONF_BASE);
	client(a);
	client(b);
	client(c);
	ask(a, "1+1", "2");
	OK(pid = h_worker_of(&d, a));
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	OK(h_expect_eof(a, H_LINE_MS));
	ask(b, "2+2", "4");
	ask(c, "3+3", "6");
	client(&pool[3]);
	ask(&pool[3], "4+4", "8");
	snprintf(needle, sizeof(needle), "worker %ld killed by signal 9 "
	    "while serving %s", (long)pid, a->laddr);
	OK(h_log_wait(&d, needle, 1, H_LINE_MS));
	stop_ok();
}
END_TEST

/*
 * Workers that die at once must slow the master down.  A worker needs a
 * descriptor for its epoll set; lowering the running master's soft
 * RLIMIT_NOFILE to 3 leaves the master working (it opens nothing more)
 * while every worker it forks fails epoll_create1() and exits 1.  (A
 * limit set before exec cannot do this: each worker closes two of the
 * master's descriptors before it needs one.)  The delays the master
 * announces must grow, and it must really wait them: the crashes take
 * at least the sum of the delays announced before the last one.
 *
 * A worker of before that leaves in peace after the first crash (on a
 * busy machine it may be slow to) rightly starts the count again, so
 * the test looks at the run of growing delays since the last restart.
 */
#define CRASHES		5	/* growing delays to see in a row */
#define CRASHES_MS	30000	/* 100 + 200 + 400 + 800 ms, and slack */
#define BACKOFF_LINE	" after it started; next worker in "

/* The delays of the last run of growing ones in the log: its length. */
static int
backoff_run(long *run, int max)
{
	char	*log, *p;
	int	 n = 0;
	long	 delay;

	if ((log = h_log_text(&d)) == NULL)
		return 0;
	for (p = log; (p = strstr(p, BACKOFF_LINE)) != NULL; p++) {
		delay = strtol(p + sizeof(BACKOFF_LINE) - 1, NULL, 10);
		if (n > 0 && delay <= run[n - 1] && delay != 10000)
			n = 0;		/* the count started again */
		if (n < max)
			run[n++] = delay;
	}
	free(log);
	return n;
}

START_TEST(crashing_workers_make_master_back_off)
{
	struct rlimit	 rl;
	pid_t		 pids[H_CHILDREN_MAX];
	uint64_t	 t0;
	long		 run[CRASHES], waited = 0;
	int		 i, n, took;

	start("user nobody\nlisten tcp 127.0.0.1:%%PORT%%\n"
	    "workers-min-spare 1\nworkers-max-spare 1\n");
	ck_assert_int_eq(prlimit(d.pid, RLIMIT_NOFILE, NULL, &rl), 0);
	rl.rlim_cur = 3;
	ck_assert_int_eq(prlimit(d.pid, RLIMIT_NOFILE, &rl, NULL), 0);
	n = h_children(d.pid, pids, H_CHILDREN_MAX);
	t0 = h_now_ms();
	for (i = 0; i < n; i++)
		kill(pids[i], SIGTERM);
	while ((n = backoff_run(run, CRASHES)) < CRASHES &&
	    h_now_ms() - t0 < CRASHES_MS)
		h_sleep_ms(10);	/* between two looks, as h_log_wait() */
	took = (int)(h_now_ms() - t0);
	ck_assert_msg(n == CRASHES, "%d growing delays in a row after %d ms, "
	    "want %d", n, took, CRASHES);
	for (i = 0; i < CRASHES - 1; i++)
		waited += run[i];
	ck_assert_msg(took >= waited, "%d crashes in %d ms, but the master "
	    "announced %ld ms of delays between them", CRASHES, took, waited);
	OK(h_log_wait(&d, "exited with status 1", CRASHES, H_LINE_MS));
	stop_ok();
}
END_TEST

/*
 * Signals
 */

/*
 * calcd -s reload and -s stop, as the systemd unit runs them: they find
 * the master in MAINPID and signal it.
 */
START_TEST(calcd_s_reloads_and_stops_the_master)
{
	char	 out[sizeof(d.dir) + 16], pid[32];
	char	*reload[] = { (char *)h_calcd(), "-s", "reload", NULL };
	char	*stop[] = { (char *)h_calcd(), "-s", "stop", NULL };
	int	 rc;

	start(CONF_BASE);
	snprintf(out, sizeof(out), "%s/out", d.dir);
	snprintf(pid, sizeof(pid), "%ld", (long)d.pid);
	setenv("MAINPID", pid, 1);
	ck_assert_int_eq(h_run(reload, out, H_LINE_MS), 0);
	OK(h_log_wait(&d, "configuration reloaded, generation 1", 1,
	    H_LINE_MS));
	client(&pool[0]);
	ask(&pool[0], "5+5", "10");
	close_all();
	ck_assert_int_eq(h_run(stop, out, H_LINE_MS), 0);
	rc = h_daemon_wait(&d, H_STOP_MS);
	ck_assert_msg(rc == 0, "calcd -s stop: status %d: %s", rc, h_err());
}
END_TEST

/*
 * A worker stuck on one request: one stopped (SIGSTOP) in the middle of
 * an expression of some 50 ms.  After request-timeout the master logs
 * it and sends SIGTERM, which a stopped process does not act on, then
 * SIGKILL; the client's connection ends and the next client is served.
 * The stop may miss the computation: then the worker goes on, and the
 * test tries again.
 */
#define HEAVY	"3^2000000/7*(5^1400000/3)/(7^1100000/9)+0.5\n"

/*
 * Wait until worker w has used a clock tick of CPU time (10 ms) more than
 * the ticks it had before the request: then it computes, whatever the
 * load of the machine.  At the deadline the test goes on and may miss.
 */
static void
computing(pid_t w, long ticks)
{
	uint64_t	 deadline = h_now_ms() + H_LINE_MS;
	long		 now;

	while ((now = h_pid_cpu_ticks(w)) != -1 && now <= ticks &&
	    h_now_ms() < deadline)
		h_sleep_ms(1);
}

START_TEST(stuck_worker_is_killed_after_request_timeout)
{
	pid_t		 w = -1;
	long		 ticks;
	int		 i, caught = 0;

	start(CONF_BASE "request-timeout 1\nmax-digits 1000000\n"
	    "max-work 4000000000\n");
	for (i = 0; i < 8 && !caught; i++) {
		client(&pool[i]);
		ck_assert_msg((w = h_worker_of(&d, &pool[i])) > 0, "%s",
		    h_err());
		OK(ticks = h_pid_cpu_ticks(w));
		OK(h_sends(&pool[i], HEAVY));
		computing(w, ticks);
		ck_assert_int_eq(kill(w, SIGSTOP), 0);
		caught = h_log_wait(&d, "stuck for", 1, 3000) == 0;
		if (!caught) {
			kill(w, SIGCONT);
			h_close(&pool[i]);
		}
	}
	ck_assert_msg(caught, "no stopped worker was seen stuck in %d tries",
	    i);
	OK(h_expect_eof(&pool[i - 1], 10000));
	OK(h_pid_wait_gone(w, 5000));
	ck_assert_int_eq(h_log_count(&d, "killed by signal"), 0);
	client(&pool[i]);
	ask(&pool[i], "5+5", "10");
	stop_ok();
}
END_TEST

/*
 * Wait until every worker sleeps (in epoll_wait, or blocked on its
 * client), so that none is being forked or is about to take a
 * connection; their pids into pids[max].  Returns the count.
 */
static int
settle(pid_t *pids, int max)
{
	uint64_t	 deadline = h_now_ms() + H_LINE_MS;
	int		 i, n;

	for (;;) {
		n = h_children(d.pid, pids, max);
		ck_assert_msg(n >= 0, "%s", h_err());
		for (i = 0; i < n; i++)
			if (h_pid_wait_state(pids[i], "SZ", 0) == -1 &&
			    h_pid_alive(pids[i]))
				break;
		if (i == n)
			return n;
		ck_assert_msg(h_now_ms() < deadline, "worker %ld is still "
		    "busy after %d ms", (long)pids[i], H_LINE_MS);
		h_sleep_ms(10);	/* between two looks, as h_log_wait() */
	}
}

START_TEST(hup_drops_no_connection)
{
	enum { CYCLES = 300, EVERY = 60 };
	struct h_client	*old = pool, *c = &pool[3];
	char		 expr[32], want[32];
	int		 i, j, hups = 0;

	start(CONF_BASE);
	for (j = 0; j < 3; j++) {
		client(&old[j]);
		ask(&old[j], "1+1", "2");
	}
	for (i = 0; i < CYCLES; i++) {
		if (i % EVERY == EVERY / 2) {
			OK(h_daemon_signal(&d, SIGHUP));
			hups++;
		}
		snprintf(expr, sizeof(expr), "%d+1", i);
		snprintf(want, sizeof(want), "%d", i + 1);
		ck_assert_msg(h_connect(c, "127.0.0.1", d.port[0]) == 0 &&
		    h_expect_line(c, GREETING) == 0, "cycle %d: %s", i,
		    h_err());
		ask(c, expr, want);
		h_close(c);
		for (j = 0; i % EVERY == EVERY - 1 && j < 3; j++)
			ask(&old[j], expr, want);
	}
	snprintf(want, sizeof(want), "reloaded, generation %d", hups);
	OK(h_log_wait(&d, want, 1, H_LINE_MS));
	for (j = 0; j < 3; j++)
		ask(&old[j], "2+2", "4");
	stop_ok();
}
END_TEST

/*
 * A client that connects just as SIGHUP retires the idle workers must be
 * served.  Workers wait with EPOLLEXCLUSIVE, so the kernel wakes only one
 * of them per connection: a retiring worker that was woken must take the
 * connection before it leaves, or the connection waits in the backlog
 * until some other client arrives.  Each round lets the workers settle in
 * epoll_wait(), then connects a little later after SIGHUP than the last
 * (the offset is the test's input, not a wait), to meet the moment the
 * master retires the old workers.  A stranded connection is never
 * greeted, so GREET_MS only needs to cover a loaded machine.
 */
START_TEST(hup_strands_no_connection)
{
	enum { HUPS = 80, GREET_MS = H_LINE_MS };
	struct h_client	*c = &pool[0];
	struct timespec	 pause = { 0, 0 };
	pid_t		 pids[H_CHILDREN_MAX];
	char		 line[256];
	int		 i, r;

	start(CONF_BASE);
	for (i = 0; i < HUPS; i++) {
		settle(pids, H_CHILDREN_MAX);
		OK(h_daemon_signal(&d, SIGHUP));
		pause.tv_nsec = (i % 40) * 50000L;
		nanosleep(&pause, NULL);
		OK(h_connect(c, "127.0.0.1", d.port[0]));
		r = h_read_line(c, line, sizeof(line), GREET_MS);
		ck_assert_msg(r == H_LINE && strcmp(line, GREETING "\r") == 0,
		    "a client connecting %ld us after SIGHUP %d had no "
		    "greeting within %d ms", pause.tv_nsec / 1000, i + 1,
		    GREET_MS);
		ask(c, "1+1", "2");
		h_close(c);
	}
	stop_ok();
}
END_TEST

/*
 * An idle worker of the old generation may still take one connection
 * while it retires (see above), so the new client comes once every old
 * worker but the busy one is gone.
 */
START_TEST(hup_applies_new_config_to_new_connections)
{
	struct h_client	*old = &pool[0], *new = &pool[1];
	pid_t		 pids[H_CHILDREN_MAX], busy;
	char		 line[128];
	int		 i, n;

	padded_sum(line, 100);
	start(CONF_BASE "max-line 4096\n");
	client(old);
	ask(old, line, "2");
	OK(busy = h_worker_of(&d, old));
	n = settle(pids, H_CHILDREN_MAX);
	OK(h_daemon_config(&d, CONF_BASE "max-line 64\n"));
	OK(h_daemon_signal(&d, SIGHUP));
	OK(h_log_wait(&d, "configuration reloaded, generation 1", 1,
	    H_LINE_MS));
	for (i = 0; i < n; i++)
		if (pids[i] != busy)
			OK(h_pid_wait_gone(pids[i], H_LINE_MS));
	client(new);
	ask(new, line, TOO_LONG);
	ask(new, "5+5", "10");
	ask(old, line, "2");
	stop_ok();
}
END_TEST

START_TEST(hup_with_broken_config_keeps_old_one)
{
	char	 line[128], needle[H_PATH_MAX + 128];

	padded_sum(line, 100);
	start(CONF_BASE "max-line 64\n");
	OK(h_daemon_config(&d, CONF_BASE "max-line 4096\nno-such-word 1\n"));
	OK(h_daemon_signal(&d, SIGHUP));
	snprintf(needle, sizeof(needle), "reload failed, keeping the old "
	    "configuration: %s:6: unknown keyword 'no-such-word'", d.conf);
	OK(h_log_wait(&d, needle, 1, H_LINE_MS));
	client(&pool[0]);
	ask(&pool[0], line, TOO_LONG);
	ask(&pool[0], "5+5", "10");
	stop_ok();
}
END_TEST

/*
 * SIGTERM with a client in the middle of a line: it is a busy session,
 * so the line is answered; then, idle, the session ends with a last line
 * and calcd exits, long before shutdown-timeout.
 */
START_TEST(term_lets_busy_client_finish)
{
	uint64_t	 t0;

	start(CONF_BASE);
	client(&pool[0]);
	ask(&pool[0], "1+1", "2");
	OK(h_sends(&pool[0], "2+"));
	OK(h_log_wait(&d, "accepted", 1, H_LINE_MS));
	t0 = h_now_ms();
	OK(h_daemon_signal(&d, SIGTERM));
	OK(h_log_wait(&d, "stopping", 1, H_LINE_MS));
	ask(&pool[0], "2", "4");
	OK(h_expect_line(&pool[0], "error: server shutting down"));
	OK(h_expect_eof(&pool[0], H_LINE_MS));
	ck_assert_int_eq(h_daemon_wait(&d, H_STOP_MS), 0);
	ck_assert_msg(h_now_ms() - t0 < 5000, "stopped %d ms after SIGTERM",
	    (int)(h_now_ms() - t0));
}
END_TEST

/*
 * SIGTERM with idle interactive clients: each is told at once and
 * closed, and calcd exits without waiting for shutdown-timeout.
 */
START_TEST(term_closes_idle_sessions_at_once)
{
	uint64_t	 t0;
	int		 i;

	start(CONF_BASE);
	for (i = 0; i < 3; i++) {
		client(&pool[i]);
		ask(&pool[i], "x = 1", "1");
	}
	t0 = h_now_ms();
	OK(h_daemon_signal(&d, SIGTERM));
	for (i = 0; i < 3; i++) {
		OK(h_expect_line(&pool[i], "error: server shutting down"));
		OK(h_expect_eof(&pool[i], H_LINE_MS));
	}
	ck_assert_int_eq(h_daemon_wait(&d, H_STOP_MS), 0);
	ck_assert_msg(h_now_ms() - t0 < 5000, "stopped %d ms after SIGTERM, "
	    "shutdown-timeout is 10 s", (int)(h_now_ms() - t0));
}
END_TEST

/* SIGTERM with an idle keep-alive HTTP connection: it is closed at once. */
START_TEST(term_closes_idle_keepalive_at_once)
{
	struct h_client	*c = &pool[0];
	uint64_t	 t0;
	char		 line[256];
	int		 r;

	start("user nobody\nlisten http 127.0.0.1:%%PORT%%\n");
	OK(h_connect(c, "127.0.0.1", d.port[0]));
	OK(h_sends(c, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"));
	OK(h_expect_line(c, "HTTP/1.1 200 OK"));
	do
		r = h_read_line(c, line, sizeof(line), H_LINE_MS);
	while (r == H_LINE && strcmp(line, "ok") != 0);
	ck_assert_msg(r == H_LINE, "no body: %s", h_err());
	t0 = h_now_ms();
	OK(h_daemon_signal(&d, SIGTERM));
	OK(h_expect_eof(c, H_LINE_MS));
	ck_assert_int_eq(h_daemon_wait(&d, H_STOP_MS), 0);
	ck_assert_msg(h_now_ms() - t0 < 5000, "stopped %d ms after SIGTERM",
	    (int)(h_now_ms() - t0));
}
END_TEST

/*
 * A reload that removes a listener ends the idle sessions of that
 * listener at once; sessions of a listener kept go on with their
 * variables.
 */
START_TEST(hup_closes_idle_sessions_of_a_removed_listener)
{
	struct h_client	*kept = &pool[0], *gone = &pool[1];

	start("user nobody\nlisten tcp 127.0.0.1:%%PORT%%\n"
	    "listen tcp 127.0.0.1:%%PORT1%%\n");
	client(kept);
	ask(kept, "x = 6", "6");
	OK(h_connect(gone, "127.0.0.1", d.port[1]));
	OK(h_expect_line(gone, GREETING));
	ask(gone, "1+1", "2");
	OK(h_daemon_config(&d, CONF_BASE));
	OK(h_daemon_signal(&d, SIGHUP));
	OK(h_expect_line(gone, "error: server shutting down"));
	OK(h_expect_eof(gone, H_LINE_MS));
	OK(h_log_wait(&d, "configuration reloaded, generation 1", 1,
	    H_LINE_MS));
	ask(kept, "x * 7", "42");
	stop_ok();
}
END_TEST

/*
 * "SIGTERM: stop accepting" (DESIGN.md section 5): while a busy client
 * finishes, a new connection must be refused, not queued where no worker
 * will ever serve it.  calcd opens the listener itself here: a socket
 * passed by systemd stays open until calcd exits, as systemd keeps its
 * own copy.  The master logs "stopping" just before it closes the
 * listeners; the test waits until no process listens on the port (the
 * workers hold it too) and then connects.
 */
START_TEST(term_refuses_new_connections)
{
	struct h_client	*late = &pool[1];
	uint64_t	 deadline;
	int		 rc;

	OK(h_daemon_init_own(&d, CONF_BASE));
	OK(h_daemon_start(&d));
	client(&pool[0]);
	OK(h_daemon_signal(&d, SIGTERM));
	OK(h_log_wait(&d, "stopping", 1, H_LINE_MS));
	deadline = h_now_ms() + H_LINE_MS;
	while (h_port_listens(d.port[0]) && h_now_ms() < deadline)
		h_sleep_ms(10);	/* between two looks, as h_log_wait() */
	ck_assert_msg(!h_port_listens(d.port[0]), "port %u still listens %d "
	    "ms after \"stopping\"", d.port[0], H_LINE_MS);
	rc = h_connect(late, "127.0.0.1", d.port[0]);
	if (rc == 0)
		rc = h_expect_silence(late, 500) == 0 ? 1 : 2;
	close_all();
	ck_assert_int_eq(h_daemon_wait(&d, H_STOP_MS), 0);
	ck_assert_msg(rc == -1, "a connection made after SIGTERM was %s",
	    rc == 1 ? "accepted and left without an answer" : "accepted");
}
END_TEST

/* A client that never finishes its line is cut off at shutdown-timeout. */
START_TEST(term_kills_lingering_client_after_shutdown_timeout)
{
	uint64_t	 t0;
	int		 rc, waited;

	start(CONF_BASE "shutdown-timeout 1\n");
	client(&pool[0]);
	OK(h_sends(&pool[0], "1+"));
	OK(h_log_wait(&d, "accepted", 1, H_LINE_MS));
	t0 = h_now_ms();
	OK(h_daemon_signal(&d, SIGTERM));
	rc = h_daemon_wait(&d, H_STOP_MS);
	waited = (int)(h_now_ms() - t0);
	ck_assert_msg(rc == 0, "exit status %d: %s", rc, h_err());
	ck_assert_msg(waited >= 900 && waited < LATE_MS,
	    "stopped %d ms after SIGTERM, want about 1000", waited);
	OK(h_expect_eof(&pool[0], H_LINE_MS));
}
END_TEST

START_TEST(term_leaves_no_child_behind)
{
	int	 i;

	start(CONF_BASE);
	client(&pool[0]);
	client(&pool[1]);
	ask(&pool[1], "1+1", "2");
	h_close(&pool[1]);
	stop_ok();
	ck_assert_int_ge(d.nchildren, 2);
	for (i = 0; i < d.nchildren; i++)
		ck_assert_msg(!h_pid_alive(d.children[i]),
		    "worker %ld still runs", (long)d.children[i]);
}
END_TEST

/*
 * Privileges
 */

/*
 * Wait until a new worker has dropped its privileges: its user ids
 * change last (child_setuid), after no-new-privileges, the groups and
 * the group ids, so uids (the Uid line wanted) says it is done.  0, or
 * -1 if it never is; a worker that retired meanwhile counts as done.
 */
static int
wait_dropped(pid_t pid, const char *uids)
{
	uint64_t	 deadline = h_now_ms() + H_LINE_MS;
	char		 got[128];

	while (h_proc_status(pid, "Uid", got, sizeof(got)) == 0 &&
	    strcmp(got, uids) != 0) {
		if (h_now_ms() >= deadline)
			return -1;
		h_sleep_ms(10);	/* between two looks, as h_log_wait() */
	}
	return 0;
}

static void
expect_status(pid_t pid, const char *field, const char *want)
{
	char	 got[128];

	if (h_proc_status(pid, field, got, sizeof(got)) == -1)
		return;		/* the worker retired meanwhile */
	ck_assert_msg(strcmp(got, want) == 0, "pid %ld: %s: \"%s\", want "
	    "\"%s\"", (long)pid, field, got, want);
}

/* The title ps(1) shows for pid, up to its first NUL. */
static char *
proc_title(pid_t pid)
{
	char	 path[64], *text;
	size_t	 len;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pid);
	ck_assert_ptr_nonnull(text = h_read_file(path, &len));
	return text;
}

/*
 * ps(1) says what each process does, as Postfix and OpenSSH do: the
 * master, idle workers, and the worker of a client with its protocol and
 * address.
 */
START_TEST(process_titles_say_what_each_process_does)
{
	pid_t		 pids[H_CHILDREN_MAX];
	uint64_t	 deadline;
	char		*t, want[96];
	int		 i, n, serving = 0, idle = 0;

	start(CONF_BASE);
	client(&pool[0]);
	ask(&pool[0], "1+1", "2");
	t = proc_title(d.pid);
	ck_assert_str_eq(t, "calcd: master");
	free(t);
	snprintf(want, sizeof(want), "calcd: worker tcp %s", pool[0].laddr);
	/* A worker just forked shows the master's title until it runs. */
	deadline = h_now_ms() + H_LINE_MS;
	do {
		serving = idle = 0;
		n = h_children(d.pid, pids, H_CHILDREN_MAX);
		for (i = 0; i < n; i++) {
			t = proc_title(pids[i]);
			serving += strcmp(t, want) == 0;
			idle += strcmp(t, "calcd: worker idle") == 0;
			free(t);
		}
	} while ((serving != 1 || idle < 1) && h_now_ms() < deadline &&
	    (h_sleep_ms(20), 1));
	ck_assert_int_eq(serving, 1);
	ck_assert_int_ge(idle, 1);
	stop_ok();
}
END_TEST

/*
 * log-format json: the connection's line is one JSON object with its
 * fields (check_log.c tests the encoder with hostile bytes).
 */
START_TEST(json_log_has_the_fields_of_a_connection)
{
	char	*log, *line, *end, want[160];

	start(CONF_BASE "log-format json\n");
	client(&pool[0]);
	ask(&pool[0], "1+1", "2");
	OK(h_sends(&pool[0], "exit\n"));
	OK(h_expect_eof(&pool[0], H_LINE_MS));
	OK(h_log_wait(&d, "\"end\": \"quit\"}", 1, H_LINE_MS));
	ck_assert_ptr_nonnull(log = h_log_text(&d));
	ck_assert_ptr_nonnull(line = strstr(log, "{\"time\": \""));
	line = strstr(log, "\"end\": \"quit\"}");
	while (line > log && line[-1] != '\n')
		line--;
	end = strchr(line, '\n');
	*end = '\0';
	snprintf(want, sizeof(want), "\"peer\": \"%s\"", pool[0].laddr);
	ck_assert_msg(strncmp(line, "{\"time\": \"", 10) == 0 &&
	    strstr(line, "\"level\": \"info\", \"process\": \"worker\"") &&
	    strstr(line, want) && strstr(line, "\"requests\": 1, "
	    "\"errors\": 0, \"bytes_in\": 9, ") &&
	    strstr(line, "\"tls_resumed\": false"), "%s", line);
	free(log);
	stop_ok();
}
END_TEST

START_TEST(workers_run_as_user_without_new_privileges)
{
	struct passwd	*pw;
	pid_t		 pids[H_CHILDREN_MAX];
	char		 uids[64], gids[64], gid[16];
	int		 i, n;

	if (geteuid() != 0) {
		skip("not root, so calcd does not change users");
		return;
	}
	ck_assert_ptr_nonnull(pw = getpwnam("nobody"));
	snprintf(uids, sizeof(uids), "%1$u\t%1$u\t%1$u\t%1$u",
	    (unsigned)pw->pw_uid);
	snprintf(gids, sizeof(gids), "%1$u\t%1$u\t%1$u\t%1$u",
	    (unsigned)pw->pw_gid);
	snprintf(gid, sizeof(gid), "%u", (unsigned)pw->pw_gid);
	start(CONF_BASE);
	client(&pool[0]);
	ask(&pool[0], "1+1", "2");
	n = h_children(d.pid, pids, H_CHILDREN_MAX);
	ck_assert_int_ge(n, 1);
	for (i = 0; i < n; i++) {
		ck_assert_msg(wait_dropped(pids[i], uids) == 0,
		    "worker %ld keeps its privileges", (long)pids[i]);
		expect_status(pids[i], "Uid", uids);
		expect_status(pids[i], "Gid", gids);
		expect_status(pids[i], "Groups", gid);
		expect_status(pids[i], "NoNewPrivs", "1");
	}
	expect_status(d.pid, "Uid", "0\t0\t0\t0");
	stop_ok();
}
END_TEST

static TCase *
tcase(Suite *s, const char *name)
{
	TCase	*tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);	/* a guard against hangs */
	suite_add_tcase(s, tc);
	return tc;
}

Suite *
make_daemon_suite(void)
{
	Suite	*s = suite_create("Daemon");
	TCase	*tc;

	tc = tcase(s, "Protocol");
	tcase_add_test(tc, greeting_ends_in_crlf);
	tcase_add_test(tc, sum_is_answered);
	tcase_add_test(tc, blank_lines_get_no_answer);
	tcase_add_test(tc, lf_and_crlf_are_accepted);
	tcase_add_test(tc, pipelined_lines_are_answered_in_order);
	tcase_add_loop_test(tc, exit_and_quit_close, 0,
	    sizeof(leave_cases) / sizeof(leave_cases[0]));
	tcase_add_test(tc, long_line_is_refused_and_connection_goes_on);
	tcase_add_test(tc, idle_client_is_told_and_closed);
	tcase_add_test(tc, unfinished_line_is_told_and_closed);
	tcase_add_test(tc, client_that_never_reads_is_let_go);
	tcase_add_test(tc, ipv6_listener_works);

	tc = tcase(s, "Pool");
	tcase_add_test(tc, pool_serves_workers_max_clients_at_once);
	tcase_add_test(tc, full_pool_sheds_the_longest_idle_session);
	tcase_add_test(tc, full_pool_of_active_sessions_answers_busy);
	tcase_add_test(tc, pool_shrinks_when_clients_leave);
	tcase_add_test(tc, one_address_holds_at_most_its_share);
	tcase_add_test(tc, silent_http_clients_take_no_worker);

	tc = tcase(s, "Crashes");
	tcase_add_test(tc, killed_worker_loses_only_its_client);
	tcase_add_test(tc, crashing_workers_make_master_back_off);
	tcase_add_test(tc, stuck_worker_is_killed_after_request_timeout);

	tc = tcase(s, "Signals");
	tcase_add_test(tc, hup_drops_no_connection);
	tcase_add_test(tc, calcd_s_reloads_and_stops_the_master);
	tcase_add_test(tc, hup_strands_no_connection);
	tcase_add_test(tc, hup_applies_new_config_to_new_connections);
	tcase_add_test(tc, hup_with_broken_config_keeps_old_one);
	tcase_add_test(tc, hup_closes_idle_sessions_of_a_removed_listener);
	tcase_add_test(tc, term_lets_busy_client_finish);
	tcase_add_test(tc, term_closes_idle_sessions_at_once);
	tcase_add_test(tc, term_closes_idle_keepalive_at_once);
	tcase_add_test(tc, term_refuses_new_connections);
	tcase_add_test(tc, term_kills_lingering_client_after_shutdown_timeout);
	tcase_add_test(tc, term_leaves_no_child_behind);

	tc = tcase(s, "Privileges");
	tcase_add_test(tc, workers_run_as_user_without_new_privileges);
	tcase_add_test(tc, process_titles_say_what_each_process_does);
	tcase_add_test(tc, json_log_has_the_fields_of_a_connection);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	h_init("check_daemon");
	sr = srunner_create(make_daemon_suite());
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	h_finish();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
