/*
 * check_client.c - the client layer that calcc and calcd-bench share
 * (client.h): the sockets client_connect() makes.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "client.h"
#include "stream.h"

/* A listening socket on a free loopback port, its port in port. */
static int
listen_loopback(char *port, size_t len)
{
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	socklen_t		 slen = sizeof(sin);
	int			 fd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ne(fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);
	snprintf(port, len, "%u", ntohs(sin.sin_port));
	return fd;
}

/*
 * Requests go out at once: with Nagle, TLS's first request waited behind
 * the client's last handshake message for the server's delayed ACK, 40 ms
 * a connection.
 */
START_TEST(connect_turns_nagle_off)
{
	struct client_opts	 o = { .host = "127.0.0.1", .family = AF_INET,
				    .timeout_ms = 5000 };
	struct stream		 st;
	char			 port[16], err[256];
	socklen_t		 len = sizeof(int);
	int			 lfd, nodelay = 0;

	lfd = listen_loopback(port, sizeof(port));
	o.port = port;
	ck_assert_msg(client_connect(&o, NULL, &st, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_int_eq(getsockopt(st.fd, IPPROTO_TCP, TCP_NODELAY, &nodelay,
	    &len), 0);
	ck_assert_int_ne(nodelay, 0);
	stream_close(&st);
	close(lfd);
}
END_TEST

static Suite *
make_client_suite(void)
{
	Suite	*s = suite_create("client");
	TCase	*tc = tcase_create("connect");

	tcase_add_test(tc, connect_turns_nagle_off);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(make_client_suite());
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
