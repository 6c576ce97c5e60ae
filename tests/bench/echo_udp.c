/*
 * echo_udp.c - the loopback limit of calcd's UDP listener, for
 * tests/bench/run.
 *
 *	echo_udp [-n PROCS] PORT
 *
 * Binds 127.0.0.1:PORT and forks PROCS processes (default 1, as calcd's
 * bench configuration has one UDP worker) that share the socket.  Each
 * receives up to BATCH datagrams with one recvmmsg(2) and sends every one
 * back to its sender, unchanged, with one sendmmsg(2): the batching of
 * calcd's UDP worker without its engine.
 *
 * SIGTERM or SIGINT to the parent stops the children and then the parent.
 * Build: cc -O2 echo_udp.c
 */
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROCS_MAX	64		/* -n */
#define BATCH		64		/* datagrams per system call */
#define DGRAM_MAX	2048		/* bytes kept of one datagram */

static volatile sig_atomic_t	 stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

/* A number from text in [min, max], or exit. */
static long
number(const char *s, long min, long max)
{
	char	*end;
	long	 n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || end == s || *end || n < min || n > max) {
		fprintf(stderr, "echo_udp: bad number '%s'\n", s);
		exit(2);
	}
	return n;
}

/*
 * One child: echo batches until a signal.  A one-second receive timeout
 * lets it see the stop flag and a parent that died.
 */
static void
child(int fd)
{
	static char		 bufs[BATCH][DGRAM_MAX];
	struct sockaddr_in6	 from[BATCH];
	struct mmsghdr		 msgs[BATCH];
	struct iovec		 iov[BATCH];
	struct timeval		 tv = { 1, 0 };
	int			 i, n, sent;

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		exit(0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (!stop) {
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = DGRAM_MAX;
			memset(&msgs[i], 0, sizeof(msgs[i]));
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &from[i];
			msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
		}
		n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			die("recvmmsg");
		}
		for (i = 0; i < n; i++)
			iov[i].iov_len = msgs[i].msg_len;
		for (sent = 0; sent < n; ) {
			i = sendmmsg(fd, msgs + sent, n - sent, 0);
			if (i == -1) {
				if (errno == EINTR)
					continue;
				break;		/* drop the rest, as UDP may */
			}
			sent += i;
		}
	}
	exit(0);
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in	 sin;
	struct sigaction	 sa;
	sigset_t		 mask, old;
	pid_t			 pids[PROCS_MAX];
	int			 ch, i, fd, procs = 1, size = 4 << 20;

	while ((ch = getopt(argc, argv, "n:")) != -1) {
		switch (ch) {
		case 'n':
			procs = number(optarg, 1, PROCS_MAX);
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind != 1)
		goto usage;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(number(argv[optind], 1, 65535));
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		die("socket");
	/* The buffers calcd gives its UDP sockets. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
	    sizeof(size)) == -1)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size,
	    sizeof(size)) == -1)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		die("bind");

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	/* Signals wait until sigsuspend, so none is lost before it. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, &old);
	for (i = 0; i < procs; i++) {
		if ((pids[i] = fork()) == -1)
			die("fork");
		if (pids[i] == 0) {
			sigprocmask(SIG_SETMASK, &old, NULL);
			child(fd);
		}
	}
	while (!stop)
		sigsuspend(&old);
	for (i = 0; i < procs; i++)
		kill(pids[i], SIGTERM);
	for (i = 0; i < procs; i++)
		waitpid(pids[i], NULL, 0);
	return 0;

usage:
	fprintf(stderr, "usage: echo_udp [-n procs] port\n");
	return 2;
}
