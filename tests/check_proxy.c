/*
 * check_proxy.c - the PROXY protocol header: versions 1 and 2 parsed
 * whole and in every split, bad headers refused, and proxy_read() taking
 * exactly the header's bytes off a socket, within its timeout.
 */
#include <sys/socket.h>

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proxy.h"
#include "util.h"

/* Version 2's signature, then version 2 with a command. */
#define V2_SIG	"\r\n\r\n\0\r\nQUIT\n"
#define V2_PROXY	"\x21"
#define V2_LOCAL	"\x20"

struct header {
	const char	*bytes;
	size_t		 len;
	const char	*client;	/* "addr:port", "" for none */
};

#define H(s, c)	{ s, sizeof(s) - 1, c }

static const struct header good[] = {
	H("PROXY TCP4 192.0.2.7 198.51.100.1 40000 80\r\n", "192.0.2.7:40000"),
	H("PROXY TCP4 0.0.0.0 255.255.255.255 0 65535\r\n", "0.0.0.0:0"),
	H("PROXY TCP6 2001:db8::7 2001:db8::1 40000 443\r\n",
	    "[2001:db8::7]:40000"),
	H("PROXY TCP6 ::ffff:192.0.2.7 ::1 1 2\r\n", "[::ffff:192.0.2.7]:1"),
	H("PROXY UNKNOWN\r\n", ""),
	H("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n", ""),
	/* TCP over IPv4: 192.0.2.7:40000 to 198.51.100.1:80. */
	H(V2_SIG V2_PROXY "\x11\x00\x0c" "\xc0\x00\x02\x07" "\xc6\x33\x64\x01"
	    "\x9c\x40" "\x00\x50", "192.0.2.7:40000"),
	/* The same with a TLV (PP2_TYPE_ALPN "h2") after the addresses. */
	H(V2_SIG V2_PROXY "\x11\x00\x11" "\xc0\x00\x02\x07" "\xc6\x33\x64\x01"
	    "\x9c\x40" "\x00\x50" "\x01\x00\x02h2", "192.0.2.7:40000"),
	/* TCP over IPv6: 2001:db8::7 port 1. */
	H(V2_SIG V2_PROXY "\x21\x00\x24"
	    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x07"
	    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01" "\x00\x01" "\x01\xbb",
	    "[2001:db8::7]:1"),
	/* LOCAL: the balancer's own check; the addresses are ignored. */
	H(V2_SIG V2_LOCAL "\x11\x00\x0c" "\xc0\x00\x02\x07" "\xc6\x33\x64\x01"
	    "\x9c\x40" "\x00\x50", ""),
	H(V2_SIG V2_LOCAL "\x00\x00\x00", ""),
	/* UDP, and AF_UNIX: no address we use. */
	H(V2_SIG V2_PROXY "\x12\x00\x0c" "\xc0\x00\x02\x07" "\xc6\x33\x64\x01"
	    "\x9c\x40" "\x00\x50", ""),
	H(V2_SIG V2_PROXY "\x00\x00\x00", ""),
};

static const struct header bad[] = {
	H("GET / HTTP/1.1\r\n\r\n", NULL),
	H("proxy TCP4 192.0.2.7 198.51.100.1 40000 80\r\n", NULL),
	H("PROXY TCP5 192.0.2.7 198.51.100.1 40000 80\r\n", NULL),
	H("PROXY TCP4 192.0.2.7 198.51.100.1 40000 80\n", NULL),
	H("PROXY TCP4 192.0.2.7 198.51.100.1 40000\r\n", NULL),
	H("PROXY TCP4 192.0.2.7 198.51.100.1 40000 80 1\r\n", NULL),
	H("PROXY TCP4 192.0.2.7 198.51.100.1 65536 80\r\n", NULL),
	H("PROXY TCP4 192.0.2.7 198.51.100.1 040000 80\r\n", NULL),
	H("PROXY TCP4 192.0.2.7 198.51.100.1 -1 80\r\n", NULL),
	H("PROXY TCP4 192.0.2.777 198.51.100.1 40000 80\r\n", NULL),
	H("PROXY TCP4 192.0.2.7 bad 40000 80\r\n", NULL),
	H("PROXY TCP4 2001:db8::7 2001:db8::1 40000 80\r\n", NULL),
	H("PROXY TCP6 192.0.2.7 198.51.100.1 40000 80\r\n", NULL),
	H("PROXY TCP4  192.0.2.7 198.51.100.1 40000 80\r\n", NULL),
	H("PROXY TCP4 192.0.2.7\0198.51.100.1 40000 80\r\n", NULL),
	H("PROXY UNKNOWNX\r\n", NULL),
	H("PROXY \r\n", NULL),
	H("PROXY TCP4 111111111111111111111111111111111111111111111111111111111"
	    "11111111111111111111111111111111111111111111111111111\r\n", NULL),
	/* Version 1 and 3, command 2. */
	H(V2_SIG "\x11\x11\x00\x0c" "\xc0\x00\x02\x07" "\xc6\x33\x64\x01"
	    "\x9c\x40" "\x00\x50", NULL),
	H(V2_SIG "\x31\x11\x00\x0c" "\xc0\x00\x02\x07" "\xc6\x33\x64\x01"
	    "\x9c\x40" "\x00\x50", NULL),
	H(V2_SIG "\x22\x11\x00\x0c" "\xc0\x00\x02\x07" "\xc6\x33\x64\x01"
	    "\x9c\x40" "\x00\x50", NULL),
	/* Addresses longer than the length says; a header over 1024 bytes. */
	H(V2_SIG V2_PROXY "\x11\x00\x0b" "\xc0\x00\x02\x07" "\xc6\x33\x64\x01"
	    "\x9c\x40" "\x00", NULL),
	H(V2_SIG V2_PROXY "\x21\x00\x0c" "\xc0\x00\x02\x07" "\xc6\x33\x64\x01"
	    "\x9c\x40" "\x00\x50", NULL),
	H(V2_SIG V2_PROXY "\x11\x03\xf1", NULL),
	/* A signature off by one byte. */
	H("\r\n\r\n\0\r\nQUIX\n" V2_PROXY "\x11\x00\x00", NULL),
};

/* "addr:port" of ss as calcd logs it, or "" for AF_UNSPEC. */
static void
describe(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	if (ss->ss_family == AF_UNSPEC)
		snprintf(buf, len, "%s", "");
	else
		util_format_addr((const struct sockaddr *)ss, buf, len);
}

START_TEST(good_header_is_parsed_whole)
{
	const struct header	*h = &good[_i];
	struct sockaddr_storage	 ss;
	unsigned char		 buf[256];
	const char		*why = NULL;
	char			 got[128];

	/* The client's first bytes after the header are not taken. */
	memcpy(buf, h->bytes, h->len);
	memcpy(buf + h->len, "GET /", 5);
	ck_assert_int_eq(proxy_parse(buf, h->len + 5, &ss, &why),
	    (ssize_t)h->len);
	describe(&ss, got, sizeof(got));
	ck_assert_str_eq(got, h->client);
}
END_TEST

START_TEST(good_header_in_part_wants_more)
{
	const struct header	*h = &good[_i];
	struct sockaddr_storage	 ss;
	const char		*why = NULL;
	size_t			 n;

	for (n = 0; n < h->len; n++)
		ck_assert_msg(proxy_parse((const unsigned char *)h->bytes, n,
		    &ss, &why) == 0, "header %d cut at %zu", _i, n);
}
END_TEST

/* Fed in pieces as proxy_take() allows, the header ends where it does. */
START_TEST(take_stops_at_the_end_of_the_header)
{
	const struct header	*h = &good[_i];
	unsigned char		 in[256], buf[256];
	size_t			 have = 0, avail, t;

	memcpy(in, h->bytes, h->len);
	memcpy(in + h->len, "PROXY 5+5\r\n", 11);
	avail = h->len + 11;
	while (have < h->len) {
		t = proxy_take(buf, have, in + have, avail - have);
		ck_assert_uint_gt(t, 0);
		memcpy(buf + have, in + have, t);
		have += t;
	}
	ck_assert_uint_eq(have, h->len);
}
END_TEST

START_TEST(bad_header_is_refused)
{
	const struct header	*h = &bad[_i];
	struct sockaddr_storage	 ss;
	const char		*why = NULL;

	ck_assert_msg(proxy_parse((const unsigned char *)h->bytes, h->len,
	    &ss, &why) == -1, "bad header %d accepted", _i);
	ck_assert_ptr_nonnull(why);
	ck_assert_int_ne(strlen(why), 0);
}
END_TEST

START_TEST(long_v1_line_is_refused_at_107_bytes)
{
	unsigned char		 buf[200];
	struct sockaddr_storage	 ss;
	const char		*why = NULL;

	memset(buf, '1', sizeof(buf));
	memcpy(buf, "PROXY TCP4 ", 11);
	ck_assert_int_eq(proxy_parse(buf, 106, &ss, &why), 0);
	ck_assert_int_eq(proxy_parse(buf, 107, &ss, &why), -1);
	ck_assert_str_eq(why, "PROXY v1: no CRLF within 107 bytes");
}
END_TEST

/* A socketpair, our end non-blocking or not. */
static void
pair(int sv[2], int nonblock)
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	if (nonblock)
		ck_assert_int_ne(fcntl(sv[0], F_SETFL, O_NONBLOCK), -1);
}

START_TEST(read_takes_the_header_and_leaves_the_rest)
{
	const struct header	*h = &good[_i % 4 == 0 ? 0 : 6];
	struct sockaddr_storage	 ss;
	char			 err[128], rest[16], got[128];
	int			 sv[2];

	pair(sv, _i % 2);
	ck_assert_int_eq(write(sv[1], h->bytes, h->len), (ssize_t)h->len);
	ck_assert_int_eq(write(sv[1], "5+5\n", 4), 4);
	ck_assert_int_eq(proxy_read(sv[0], 1000, &ss, err, sizeof(err)), 0);
	describe(&ss, got, sizeof(got));
	ck_assert_str_eq(got, h->client);
	ck_assert_int_eq(read(sv[0], rest, sizeof(rest)), 4);
	ck_assert_int_eq(memcmp(rest, "5+5\n", 4), 0);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(read_waits_for_a_header_in_pieces)
{
	const struct header	*h = &good[_i == 0 ? 0 : 6];
	struct sockaddr_storage	 ss;
	char			 err[128], got[128];
	size_t			 i;
	int			 sv[2];
	pid_t			 pid;

	pair(sv, 0);
	if ((pid = fork()) == 0) {
		for (i = 0; i < h->len; i++) {
			(void)write(sv[1], h->bytes + i, 1);
			usleep(2000);	/* pacing the pieces, not a wait */
		}
		_exit(0);
	}
	ck_assert_int_eq(proxy_read(sv[0], 5000, &ss, err, sizeof(err)), 0);
	describe(&ss, got, sizeof(got));
	ck_assert_str_eq(got, h->client);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(read_gives_up_at_its_timeout)
{
	struct sockaddr_storage	 ss;
	char			 err[128];
	uint64_t		 t0;
	int			 sv[2], waited;

	pair(sv, 0);
	ck_assert_int_eq(write(sv[1], "PROXY TCP4 ", 11), 11);
	t0 = util_now_ms();
	ck_assert_int_eq(proxy_read(sv[0], 300, &ss, err, sizeof(err)), -1);
	waited = (int)(util_now_ms() - t0);
	/* The upper bound allows for a loaded machine. */
	ck_assert_msg(waited >= 250 && waited < 5000, "waited %d ms", waited);
	ck_assert_str_eq(err, "no whole PROXY header within 300 ms");
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(read_refuses_bytes_that_are_no_header)
{
	struct sockaddr_storage	 ss;
	char			 err[128];
	int			 sv[2];

	pair(sv, 0);
	ck_assert_int_eq(write(sv[1], "GET / HTTP/1.1\r\n\r\n", 18), 18);
	ck_assert_int_eq(proxy_read(sv[0], 1000, &ss, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "no PROXY protocol header");
	close(sv[1]);
	ck_assert_int_eq(proxy_read(sv[0], 1000, &ss, err, sizeof(err)), -1);
	close(sv[0]);
}
END_TEST

static Suite *
make_proxy_suite(void)
{
	Suite	*s = suite_create("PROXY");
	TCase	*tc;

	tc = tcase_create("Parse");
	tcase_add_loop_test(tc, good_header_is_parsed_whole, 0,
	    sizeof(good) / sizeof(good[0]));
	tcase_add_loop_test(tc, good_header_in_part_wants_more, 0,
	    sizeof(good) / sizeof(good[0]));
	tcase_add_loop_test(tc, take_stops_at_the_end_of_the_header, 0,
	    sizeof(good) / sizeof(good[0]));
	tcase_add_loop_test(tc, bad_header_is_refused, 0,
	    sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, long_v1_line_is_refused_at_107_bytes);
	suite_add_tcase(s, tc);

	tc = tcase_create("Read");
	tcase_add_loop_test(tc, read_takes_the_header_and_leaves_the_rest, 0,
	    4);
	tcase_add_loop_test(tc, read_waits_for_a_header_in_pieces, 0, 2);
	tcase_add_test(tc, read_gives_up_at_its_timeout);
	tcase_add_test(tc, read_refuses_bytes_that_are_no_header);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(make_proxy_suite());
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
