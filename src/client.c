/*
 * client.c - connect and ask, for calcc and calcd-bench.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netdb.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "tls.h"
#include "util.h"
#include "wire.h"

double
client_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void
client_trace(const struct client_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One "* ..." line on o->trace, when tracing. */
static void
client_trace(const struct client_opts *o, const char *fmt, ...)
{
	va_list	 ap;

	if (o->trace == NULL)
		return;
	fputs("* ", o->trace);
	va_start(ap, fmt);
	vfprintf(o->trace, fmt, ap);
	va_end(ap);
	fputc('\n', o->trace);
	fflush(o->trace);
}

/* The numeric address of ai, for the traces. */
static const char *
client_addr(const struct addrinfo *ai, char *buf, size_t len)
{
	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, buf, len, NULL, 0,
	    NI_NUMERICHOST) != 0)
		snprintf(buf, len, "?");
	return buf;
}

static int
client_resolve(const struct client_opts *o, int socktype,
    struct addrinfo **res, char *err, size_t errlen)
{
	struct addrinfo	 hints;
	int		 rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = o->family;
	hints.ai_socktype = socktype;
	if ((rc = getaddrinfo(o->host, o->port, &hints, res)) != 0) {
		snprintf(err, errlen, "%s: %s", o->host, gai_strerror(rc));
		return -1;
	}
	return 0;
}

/*
 * A non-blocking connect to one address, finished within timeout_ms.
 * Requests are whole lines, written at once: Nagle would hold the first
 * one behind TLS's last handshake message until the server's delayed
 * ACK, 40 ms a connection.
 */
static int
client_connect_one(const struct addrinfo *ai, int timeout_ms)
{
	socklen_t	 len = sizeof(int);
	int		 fd, soerr = 0, one = 1;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1)
		return -1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS)
		goto fail;
	if (stream_wait(fd, 1, timeout_ms) <= 0) {
		errno = ETIMEDOUT;
		goto fail;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		goto fail;
	if (soerr == 0)
		return fd;
	errno = soerr;
 fail:
	soerr = errno;
	close(fd);
	errno = soerr;
	return -1;
}

struct tls_client *
client_tls(const struct client_opts *o, const char *alpn, unsigned flags,
    char *err, size_t errlen)
{
	return tls_client_new(o->host, o->cafile, o->insecure, alpn, flags,
	    err, errlen);
}

int
client_connect(const struct client_opts *o, struct tls_client *tc,
    struct stream *st, char *err, size_t errlen)
{
	struct addrinfo	*res, *ai;
	int		 fd = -1;

	char		 addr[64];
	double		 t0;

	if (client_resolve(o, SOCK_STREAM, &res, err, errlen) == -1)
		return -1;
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next) {
		client_trace(o, "%s is %s; connecting to port %s", o->host,
		    client_addr(ai, addr, sizeof(addr)), o->port);
		t0 = client_now_ms();
		fd = client_connect_one(ai, o->timeout_ms);
		if (fd != -1)
			client_trace(o, "connected to %s port %s in %.2f ms",
			    addr, o->port, client_now_ms() - t0);
		else
			client_trace(o, "%s port %s: %s", addr, o->port,
			    strerror(errno));
	}
	if (fd == -1)
		snprintf(err, errlen, "cannot connect to %s port %s: %s",
		    o->host, o->port, strerror(errno));
	freeaddrinfo(res);
	if (fd == -1)
		return -1;
	stream_init(st, fd);
	t0 = client_now_ms();
	if (tc != NULL && tls_connect(tc, st, o->timeout_ms, err,
	    errlen) == -1) {
		close(fd);
		return -1;
	}
	if (tc != NULL)
		client_trace(o, "TLS handshake in %.2f ms", client_now_ms() -
		    t0);
	return 0;
}

/*
 * Send req and wait for one datagram from the server for timeout_ms.
 * Returns its length, 0 on timeout, -1 on error with errno set.  An ICMP
 * "port unreachable" comes back as ECONNREFUSED on the connected socket:
 * nothing listens there, and waiting longer would not change that, so it
 * is an error like any other (on loopback it arrives at once).
 */
static ssize_t
client_udp_try(int fd, const char *req, size_t len, char *out,
    size_t outlen, int timeout_ms)
{
	uint64_t	 deadline = util_now_ms() + timeout_ms, now;
	ssize_t		 n;

	if (send(fd, req, len, 0) == -1)
		return -1;
	while ((now = util_now_ms()) < deadline) {
		if (stream_wait(fd, 0, (int)(deadline - now)) <= 0)
			return 0;
		n = recv(fd, out, outlen - 1, MSG_DONTWAIT);
		if (n >= 0)
			return n;
		if (errno != EAGAIN && errno != EINTR)
			return -1;
	}
	return 0;
}

/*
 * The padded size of a request whose answer did not fit: large enough
 * for three times it to hold the biggest datagram.
 */
static size_t
client_udp_padding(size_t len)
{
	return wire_udp_pad_for(len, WIRE_UDP_PAYLOAD_MAX);
}

ssize_t
client_udp_ask(const struct client_opts *o, const char *expr, char *out,
    size_t outlen, char *err, size_t errlen)
{
	struct addrinfo	*res;
	char		*req;
	size_t		 len = strlen(expr), padded;
	ssize_t		 n = 0;
	char		 addr[64];
	double		 t0;
	int		 fd, try, saved;

	if (client_resolve(o, SOCK_DGRAM, &res, err, errlen) == -1)
		return -1;
	client_trace(o, "%s is %s; UDP port %s", o->host,
	    client_addr(res, addr, sizeof(addr)), o->port);
	fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1 || connect(fd, res->ai_addr, res->ai_addrlen) == -1) {
		snprintf(err, errlen, "%s port %s: %s", o->host, o->port,
		    strerror(errno));
		freeaddrinfo(res);
		if (fd != -1)
			close(fd);
		return -1;
	}
	freeaddrinfo(res);
	padded = client_udp_padding(len);
	if ((req = malloc(padded)) == NULL) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(req, expr, len);
	memset(req + len, ' ', padded - len);
	for (try = 0; try <= o->retries; try++) {
		t0 = client_now_ms();
		n = client_udp_try(fd, req, len, out, outlen, o->timeout_ms);
		saved = errno;	/* the trace must not change it */
		if (n > 0)
			client_trace(o, "try %d of %d: %zu bytes sent, %zd "
			    "back in %.2f ms", try + 1, o->retries + 1, len, n,
			    client_now_ms() - t0);
		else
			client_trace(o, "try %d of %d: %zu bytes sent, %s "
			    "after %.0f ms", try + 1, o->retries + 1, len,
			    n == 0 ? "no reply" : strerror(saved),
			    client_now_ms() - t0);
		errno = saved;
		if (n > 0 && (size_t)n == sizeof(WIRE_UDP_TOO_LONG) &&
		    memcmp(out, WIRE_UDP_TOO_LONG, n - 1) == 0 &&
		    len < padded) {
			len = padded;	/* ask again, allowing more */
			try--;
			continue;
		}
		if (n != 0)
			break;
	}
	free(req);
	close(fd);
	if (n == 0)
		snprintf(err, errlen, "no reply from %s port %s after %d %s",
		    o->host, o->port, o->retries + 1,
		    o->retries == 0 ? "try" : "tries");
	else if (n < 0 && errno == ECONNREFUSED)
		snprintf(err, errlen, "%s port %s: connection refused "
		    "(no UDP server there)", o->host, o->port);
	else if (n < 0)
		snprintf(err, errlen, "%s port %s: %s", o->host, o->port,
		    strerror(errno));
	if (n <= 0)
		return -1;
	if (out[n - 1] == '\n')
		n--;
	out[n] = '\0';
	return n;
}
