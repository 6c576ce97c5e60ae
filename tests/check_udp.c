/*
 * check_udp.c - the UDP worker: datagram_answer()'s bound on every reply, and
 * the daemon answering datagrams on loopback.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "datagram.h"
#include "wire.h"

#define UDP_CONF \
	"listen tcp 127.0.0.1:%%PORT%%\n" \
	"listen udp 127.0.0.1:%%PORT%%\n" \
	"listen udp [::1]:%%PORT%%\n" \
	"workers-min-spare 1\nworkers-max-spare 2\nuser nobody\n"

/* The largest reply a request of len bytes may get. */
static size_t
reply_bound(size_t len)
{
	return WIRE_UDP_AMPLIFICATION * len > WIRE_UDP_REPLY_MIN ?
	    WIRE_UDP_AMPLIFICATION * len : WIRE_UDP_REPLY_MIN;
}

static const struct {
	const char	*req;
	const char	*want;
} answers[] = {
	{ "3+5", "8\n" },
	{ "3+5\n", "8\n" },
	{ "3+5\r\n", "8\n" },
	{ "x = 4", "4\n" },
	{ "x", "error: unknown variable 'x'\n" },	/* no state */
	{ "", "error: empty request\n" },
	{ "\n", "error: empty request\n" },
	{ "1/0", "error: division by zero\n" },
	{ "2^200", "1606938044258990275541962092341162602522202993782792835301376\n" },
	{ "2^300", WIRE_UDP_TOO_LONG "\n" },
	{ "2^300                          ", /* padded to 31 bytes: 93 allowed */
	  "2037035976334486086268445688409378161051468393665936250636140449"
	  "354381299763336706183397376\n" },
	{ "10^89                         ", /* 91 bytes needed, 90 allowed */
	  WIRE_UDP_TOO_LONG "\n" },
	{ "help", WIRE_UDP_TOO_LONG "\n" },	/* and flagged an error */
	{ "help" "                                                            "
	  "                                                            ",
	  WIRE_HELP "\n" },
};

START_TEST(answer_table)
{
	struct calc_limits	 lim;
	char			 out[WIRE_UDP_REPLY_MIN * 64];
	size_t			 n, len = strlen(answers[_i].req);
	int			 error;

	calc_limits_default(&lim);
	n = datagram_answer(&lim, answers[_i].req, len, out, sizeof(out), &error);
	ck_assert_uint_le(n, reply_bound(len));
	ck_assert_int_eq(error, strncmp(answers[_i].want, "error: ", 7) == 0);
	out[n] = '\0';
	ck_assert_str_eq(out, answers[_i].want);
}
END_TEST

/*
 * The bound holds for every reply of a fuzzed batch: random expressions
 * of random sizes from the calculator's alphabet, fixed seed.
 */
START_TEST(answer_bound_fuzzed)
{
	static const char	 alphabet[] = "0123456789+-*/^!()., exsqrtpi9";
	struct calc_limits	 lim;
	char			 req[200], out[65536];
	size_t			 n, len;
	int			 i, error;
	unsigned		 seed = 12345;

	calc_limits_default(&lim);
	for (i = 0; i < 20000; i++) {
		len = rand_r(&seed) % sizeof(req);
		for (n = 0; n < len; n++)
			req[n] = alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
		n = datagram_answer(&lim, req, len, out, sizeof(out), &error);
		ck_assert_msg(n <= reply_bound(len), "reply of %zu bytes to "
		    "%zu: %.*s", n, len, (int)len, req);
		ck_assert(n > 0 && out[n - 1] == '\n');
	}
}
END_TEST

static int
udp_socket(int family)
{
	int	 fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ne(fd, -1);
	return fd;
}

static void
udp_addr(struct sockaddr_storage *ss, socklen_t *len, const char *host,
    unsigned short port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
	} else {
		ck_assert_int_eq(inet_pton(AF_INET6, host, &sin6->sin6_addr), 1);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
	}
}

/* Send one datagram and wait up to ms for the answer; its length or -1. */
static ssize_t
udp_ask(const char *host, unsigned short port, const char *req, char *out,
    size_t outlen, int ms)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	struct pollfd		 pfd;
	ssize_t			 n = -1;
	int			 fd;

	udp_addr(&ss, &sslen, host, port);
	fd = udp_socket(ss.ss_family);
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (sendto(fd, req, strlen(req), 0, (struct sockaddr *)&ss,
	    sslen) != -1 && poll(&pfd, 1, ms) == 1)
		n = recv(fd, out, outlen - 1, 0);
	if (n >= 0)
		out[n] = '\0';
	close(fd);
	return n;
}

START_TEST(daemon_answers_ipv4_and_ipv6)
{
	struct h_daemon	 d;
	char		 out[128];

	ck_assert_msg(h_daemon_init(&d, UDP_CONF) == 0, "%s", h_err());
	ck_assert_msg(h_daemon_start(&d) == 0, "%s", h_err());
	ck_assert_int_eq(udp_ask("127.0.0.1", d.port[0], "3+5", out,
	    sizeof(out), H_LINE_MS), 2);
	ck_assert_str_eq(out, "8\n");
	ck_assert_int_gt(udp_ask("127.0.0.1", d.port[0], "3+5\n", out,
	    sizeof(out), H_LINE_MS), 0);
	ck_assert_str_eq(out, "8\n");
	if (h_have_ipv6()) {
		ck_assert_int_gt(udp_ask("::1", d.port[0], "6*7", out,
		    sizeof(out), H_LINE_MS), 0);
		ck_assert_str_eq(out, "42\n");
	}
	ck_assert_int_eq(h_daemon_stop(&d), 0);
	h_daemon_free(&d);
}
END_TEST

#define FLOOD_SOCKETS	4
#define FLOOD_EACH	2500	/* datagrams per socket: 10,000 in all */
#define FLOOD_WINDOW	256	/* unanswered datagrams per socket */
#define FLOOD_MS	30000

/*
 * 10,000 datagrams from several sockets, each "i+0" so that the answer
 * names its request: every one is answered, and correctly.  Requests go
 * out in windows, as a real client's would, so the kernel drops none.
 */
START_TEST(daemon_answers_ten_thousand)
{
	struct h_daemon		 d;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	struct pollfd		 pfd[FLOOD_SOCKETS];
	int			 sent[FLOOD_SOCKETS] = { 0 };
	int			 got[FLOOD_SOCKETS] = { 0 };
	static char		 seen[FLOOD_SOCKETS][FLOOD_EACH];
	char			 buf[64];
	uint64_t		 deadline, now;
	int			 i, total = 0;
	long			 v;

	ck_assert_msg(h_daemon_init(&d, UDP_CONF) == 0, "%s", h_err());
	ck_assert_msg(h_daemon_start(&d) == 0, "%s", h_err());
	udp_addr(&ss, &sslen, "127.0.0.1", d.port[0]);
	for (i = 0; i < FLOOD_SOCKETS; i++) {
		pfd[i].fd = udp_socket(AF_INET);
		pfd[i].events = POLLIN;
		ck_assert_int_eq(connect(pfd[i].fd, (struct sockaddr *)&ss,
		    sslen), 0);
	}
	deadline = h_now_ms() + FLOOD_MS;
	while (total < FLOOD_SOCKETS * FLOOD_EACH && h_now_ms() < deadline) {
		for (i = 0; i < FLOOD_SOCKETS; i++)
			while (sent[i] < FLOOD_EACH &&
			    sent[i] - got[i] < FLOOD_WINDOW) {
				int n = snprintf(buf, sizeof(buf), "%d+0",
				    i * FLOOD_EACH + sent[i]);
				if (send(pfd[i].fd, buf, n, 0) != n)
					break;
				sent[i]++;
			}
		/* A silence up to the deadline: the daemon may be slow. */
		now = h_now_ms();
		if (now >= deadline || poll(pfd, FLOOD_SOCKETS,
		    (int)(deadline - now)) <= 0)
			break;
		for (i = 0; i < FLOOD_SOCKETS; i++) {
			ssize_t n;

			while ((n = recv(pfd[i].fd, buf, sizeof(buf) - 1,
			    MSG_DONTWAIT)) > 0) {
				buf[n] = '\0';
				v = strtol(buf, NULL, 10) - i * FLOOD_EACH;
				ck_assert_msg(v >= 0 && v < FLOOD_EACH &&
				    !seen[i][v], "unexpected answer %s", buf);
				seen[i][v] = 1;
				got[i]++;
				total++;
			}
		}
	}
	for (i = 0; i < FLOOD_SOCKETS; i++)
		close(pfd[i].fd);
	ck_assert_int_eq(total, FLOOD_SOCKETS * FLOOD_EACH);
	ck_assert_int_eq(h_daemon_stop(&d), 0);
	h_daemon_free(&d);
}
END_TEST

/* The pid of the newest UDP worker in the log ("udp[PID]: answering"). */
static pid_t
udp_worker_pid(const struct h_daemon *d)
{
	char	*log = h_log_text(d), *p, *last = NULL;
	pid_t	 pid = -1;

	for (p = log; p && (p = strstr(p, "udp[")) != NULL; p++)
		if (strstr(p, "answering datagrams") != NULL)
			last = p;
	if (last)
		pid = strtol(last + 4, NULL, 10);
	free(log);
	return pid;
}

START_TEST(killed_udp_worker_is_replaced_within_a_second)
{
	struct h_daemon	 d;
	char		 out[64];
	pid_t		 old, new = -1;
	uint64_t	 start;

	ck_assert_msg(h_daemon_init(&d, UDP_CONF) == 0, "%s", h_err());
	ck_assert_msg(h_daemon_start(&d) == 0, "%s", h_err());
	ck_assert_msg(h_log_wait(&d, "answering datagrams", 1, H_LINE_MS) == 0,
	    "%s", h_err());
	old = udp_worker_pid(&d);
	ck_assert_int_gt(old, 0);
	ck_assert_int_eq(kill(old, SIGKILL), 0);
	start = h_now_ms();
	while (h_now_ms() - start < 1000) {
		if ((new = udp_worker_pid(&d)) != old)
			break;
		h_sleep_ms(10);
	}
	ck_assert_msg(new != old && new > 0, "no new UDP worker after 1 s");
	ck_assert_int_gt(udp_ask("127.0.0.1", d.port[0], "3+5", out,
	    sizeof(out), H_LINE_MS), 0);
	ck_assert_str_eq(out, "8\n");
	snprintf(out, sizeof(out), "UDP worker %ld killed by signal 9",
	    (long)old);
	ck_assert_int_eq(h_log_count(&d, out), 1);
	ck_assert_int_eq(h_daemon_stop(&d), 0);
	h_daemon_free(&d);
}
END_TEST

static Suite *
make_udp_suite(void)
{
	Suite	*s = suite_create("udp");
	TCase	*tc;

	tc = tcase_create("Answer");
	tcase_add_loop_test(tc, answer_table, 0,
	    sizeof(answers) / sizeof(answers[0]));
	tcase_add_test(tc, answer_bound_fuzzed);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("Daemon");
	tcase_add_test(tc, daemon_answers_ipv4_and_ipv6);
	tcase_add_test(tc, daemon_answers_ten_thousand);
	tcase_add_test(tc, killed_udp_worker_is_replaced_within_a_second);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	h_init("check_udp");
	sr = srunner_create(make_udp_suite());
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	h_finish();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
