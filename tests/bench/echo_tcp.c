/*
 * echo_tcp.c - the loopback limit of calcd's line protocol, for
 * tests/bench/run.
 *
 *	echo_tcp [-n PROCS] [-C CERT -K KEY [-p PRIORITY]] PORT
 *
 * Listens on 127.0.0.1:PORT, forks PROCS processes (default 2) that share
 * the listening socket; each runs one epoll loop over its connections.  A
 * connection gets calcd's greeting line, then every line it sends, "x\n"
 * or "x\r\n", comes back as "x\r\n", in order; blank lines get no answer,
 * like calcd.  The answers to the lines of one read go out in one write,
 * so pipelined requests cost one system call each way.  There is no
 * calculator and no process per client: what calcd does beyond this is
 * the price of its engine and of its process model.
 *
 * With -C and -K the same runs over TLS (GnuTLS, handshakes without
 * blocking, session tickets off), with the priority string -p (default
 * "NORMAL"); tests/bench/run passes calcd's own.
 *
 * SIGTERM or SIGINT to the parent stops the children and then the parent.
 * Every dimension is bounded: MAX_CONNS connections per process, lines of
 * at most IN_MAX bytes (a longer one is dropped), OUT_MAX bytes of
 * answers waiting for a slow reader before its connection is dropped.
 * Build: cc -O2 echo_tcp.c $(pkg-config --cflags --libs gnutls)
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#define PROCS_MAX	64		/* -n */
#define MAX_CONNS	4096		/* connections one process serves */
#define IN_MAX		4096		/* bytes of one request line */
#define OUT_MAX		(1 << 20)	/* answers queued for one client */
#define EVENTS		64		/* epoll events per wait */
#define BACKLOG		4096

static const char greeting[] =
    "welcome to the calculator! - type exit to leave\r\n";

struct conn {
	int			 fd;
	gnutls_session_t	 tls;		/* NULL on plain TCP */
	int			 handshaken;
	int			 writing;	/* waiting for EPOLLOUT */
	char			 in[IN_MAX];
	size_t			 inlen;
	char			*out;
	size_t			 outlen, outoff, outcap;
};

static volatile sig_atomic_t	 stop;
static gnutls_certificate_credentials_t cred;
static gnutls_priority_t	 prio;
static int			 nconns;

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
		fprintf(stderr, "echo_tcp: bad number '%s'\n", s);
		exit(2);
	}
	return n;
}

static void
conn_close(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	if (c->tls)
		gnutls_deinit(c->tls);
	close(c->fd);
	free(c->out);
	free(c);
	nconns--;
}

/* Append len bytes to c's answers; -1 when a slow reader has too many. */
static int
out_add(struct conn *c, const char *p, size_t len)
{
	char	*n;
	size_t	 cap;

	if (c->outlen + len > c->outcap) {
		if (c->outlen + len > OUT_MAX)
			return -1;
		cap = c->outcap ? c->outcap : 4096;
		while (cap < c->outlen + len)
			cap *= 2;
		if ((n = realloc(c->out, cap)) == NULL)
			return -1;
		c->out = n;
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, p, len);
	c->outlen += len;
	return 0;
}

/*
 * Write what c has queued.  Returns 0 when all is written or the rest
 * must wait for EPOLLOUT (then only EPOLLOUT is watched, so a client that
 * does not read stops being read), -1 when the connection failed.  An
 * interrupted gnutls_record_send is repeated with the same arguments, as
 * GnuTLS requires: the queue does not change while c->writing.
 */
static int
flush(int ep, struct conn *c)
{
	struct epoll_event	 ev;
	ssize_t			 n;

	while (c->outoff < c->outlen) {
		if (c->tls)
			n = gnutls_record_send(c->tls, c->out + c->outoff,
			    c->outlen - c->outoff);
		else
			n = send(c->fd, c->out + c->outoff,
			    c->outlen - c->outoff, MSG_NOSIGNAL);
		if (n > 0) {
			c->outoff += n;
			continue;
		}
		if ((c->tls && (n == GNUTLS_E_AGAIN ||
		    n == GNUTLS_E_INTERRUPTED)) ||
		    (!c->tls && n == -1 && (errno == EAGAIN || errno == EINTR))) {
			if (!c->writing) {
				ev.events = EPOLLOUT;
				ev.data.ptr = c;
				epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
				c->writing = 1;
			}
			return 0;
		}
		return -1;
	}
	c->outlen = c->outoff = 0;
	if (c->writing) {
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
		c->writing = 0;
	}
	return 0;
}

/* Answer every complete line in c->in; keep a partial one for later. */
static int
answer_lines(struct conn *c)
{
	char	*p = c->in, *end = c->in + c->inlen, *nl;
	size_t	 len;

	while ((nl = memchr(p, '\n', end - p)) != NULL) {
		len = nl - p;
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len > 0 && (out_add(c, p, len) == -1 ||
		    out_add(c, "\r\n", 2) == -1))
			return -1;
		p = nl + 1;
	}
	c->inlen = end - p;
	if (c->inlen == IN_MAX)		/* a line too long: drop it */
		c->inlen = 0;
	else if (p != c->in)
		memmove(c->in, p, c->inlen);
	return 0;
}

/*
 * c is readable: finish the handshake, or read what is there (and what
 * GnuTLS holds decrypted), answer it and write the answers.  -1 closes.
 */
static int
on_readable(int ep, struct conn *c)
{
	ssize_t	 n;
	int	 rc;

	if (c->tls && !c->handshaken) {
		rc = gnutls_handshake(c->tls);
		if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED)
			return 0;
		if (rc < 0)
			return -1;
		c->handshaken = 1;
		if (out_add(c, greeting, sizeof(greeting) - 1) == -1)
			return -1;
		return flush(ep, c);
	}
	do {
		if (c->tls)
			n = gnutls_record_recv(c->tls, c->in + c->inlen,
			    IN_MAX - c->inlen);
		else
			n = recv(c->fd, c->in + c->inlen, IN_MAX - c->inlen, 0);
		if (n == 0)
			return -1;
		if (n < 0) {
			if ((c->tls && (n == GNUTLS_E_AGAIN ||
			    n == GNUTLS_E_INTERRUPTED)) ||
			    (!c->tls && (errno == EAGAIN || errno == EINTR)))
				break;
			return -1;
		}
		c->inlen += n;
		if (answer_lines(c) == -1)
			return -1;
	} while (c->tls && gnutls_record_check_pending(c->tls) > 0);
	return flush(ep, c);
}

/* Accept every waiting connection; a plain one gets its greeting now. */
static void
on_accept(int ep, int lfd)
{
	struct epoll_event	 ev;
	struct conn		*c;
	int			 fd, one = 1;

	while (nconns < MAX_CONNS &&
	    (fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1) {
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			continue;
		}
		c->fd = fd;
		nconns++;
		if (cred) {
			if (gnutls_init(&c->tls, GNUTLS_SERVER |
			    GNUTLS_NONBLOCK | GNUTLS_NO_TICKETS) < 0) {
				c->tls = NULL;
				close(fd);
				free(c);
				nconns--;
				continue;
			}
			gnutls_priority_set(c->tls, prio);
			gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE,
			    cred);
			gnutls_transport_set_int(c->tls, fd);
		}
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
			if (c->tls)
				gnutls_deinit(c->tls);
			close(fd);
			free(c);
			nconns--;
			continue;
		}
		if (!cred && (out_add(c, greeting, sizeof(greeting) - 1) == -1 ||
		    flush(ep, c) == -1))
			conn_close(ep, c);
	}
}

/* One child: serve until a signal, or until the parent is gone. */
static void
child(int lfd)
{
	struct epoll_event	 ev, evs[EVENTS];
	struct conn		*c;
	int			 ep, i, n;

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		exit(0);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1");
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.ptr = NULL;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) == -1)
		die("epoll_ctl");
	while (!stop) {
		if ((n = epoll_wait(ep, evs, EVENTS, 1000)) == -1) {
			if (errno == EINTR)
				continue;
			die("epoll_wait");
		}
		for (i = 0; i < n; i++) {
			if ((c = evs[i].data.ptr) == NULL) {
				on_accept(ep, lfd);
				continue;
			}
			if (c->writing) {
				if (flush(ep, c) == -1)
					conn_close(ep, c);
			} else if (on_readable(ep, c) == -1)
				conn_close(ep, c);
		}
	}
	exit(0);
}

static void
usage(void)
{
	fprintf(stderr, "usage: echo_tcp [-n procs] "
	    "[-C cert -K key [-p priority]] port\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in	 sin;
	struct sigaction	 sa;
	sigset_t		 mask, old;
	const char		*certfile = NULL, *keyfile = NULL;
	const char		*priority = "NORMAL";
	pid_t			 pids[PROCS_MAX];
	int			 ch, i, lfd, one = 1, procs = 2;

	while ((ch = getopt(argc, argv, "C:K:n:p:")) != -1) {
		switch (ch) {
		case 'C':
			certfile = optarg;
			break;
		case 'K':
			keyfile = optarg;
			break;
		case 'n':
			procs = number(optarg, 1, PROCS_MAX);
			break;
		case 'p':
			priority = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1 || !certfile != !keyfile)
		usage();

	if (certfile) {
		if (gnutls_certificate_allocate_credentials(&cred) < 0 ||
		    gnutls_certificate_set_x509_key_file(cred, certfile,
		    keyfile, GNUTLS_X509_FMT_PEM) < 0) {
			fprintf(stderr, "echo_tcp: cannot load %s and %s\n",
			    certfile, keyfile);
			return 1;
		}
		if (gnutls_priority_init(&prio, priority, NULL) < 0) {
			fprintf(stderr, "echo_tcp: bad priority %s\n",
			    priority);
			return 1;
		}
	}

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(number(argv[optind], 1, 65535));
	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) == -1)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		die("bind");
	if (listen(lfd, BACKLOG) == -1)
		die("listen");

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

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
			child(lfd);
		}
	}
	while (!stop)
		sigsuspend(&old);
	for (i = 0; i < procs; i++)
		kill(pids[i], SIGTERM);
	for (i = 0; i < procs; i++)
		waitpid(pids[i], NULL, 0);
	return 0;
}
