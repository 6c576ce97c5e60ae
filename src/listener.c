/*
 * listener.c - open and hand over the listening sockets.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "listener.h"
#include "log.h"

#define LISTENER_UDP_BUFFER	(4 * 1024 * 1024)	/* bytes, each way */
#define LISTENER_BIND_TRIES	5	/* binds of an address in use */
#define LISTENER_BIND_WAIT_MS	500	/* between them */
#define LISTENER_DEFER_S	1	/* silence before a connection is
					   handed over anyway, as nginx */
#define LISTENER_PASSED_MAX	64	/* sockets taken from systemd */

/*
 * The sockets systemd passed at start (socket activation).  A listener
 * whose address one of them has takes it; a reload that drops the
 * listener gives it back rather than closing it, since systemd keeps the
 * address bound and calcd could not bind it again.
 */
static struct {
	int	 fd;
	int	 taken;
} listener_passed[LISTENER_PASSED_MAX];
static int	 listener_npassed;

/*
 * Give a UDP socket large buffers so that bursts wait in the kernel
 * rather than being dropped: past net.core.rmem_max and wmem_max with
 * CAP_NET_ADMIN (the FORCE options), else up to them.  Log the sizes
 * obtained, since the systemd unit grants no CAP_NET_ADMIN and the kernel
 * caps the request silently.  getsockopt() reports twice the size that
 * took effect (the kernel adds its bookkeeping): halved, it compares with
 * the size asked for.
 */
static void
listener_udp_buffers(int fd, const struct conf_listen *l)
{
	int		 size = LISTENER_UDP_BUFFER, rcv = 0, snd = 0;
	socklen_t	 len;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
	    sizeof(size)) == -1)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size,
	    sizeof(size)) == -1)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	len = sizeof(rcv);
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, &len) == -1)
		log_warn("listen %s: SO_RCVBUF", l->name);
	len = sizeof(snd);
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, &len) == -1)
		log_warn("listen %s: SO_SNDBUF", l->name);
	log_info("listen %s: buffers of %d bytes to receive, %d to send "
	    "(asked for %d)", l->name, rcv / 2, snd / 2, size);
}

/*
 * Bind, retrying a few times while the address is in use, as nginx does:
 * the default ports lie in Linux's ephemeral range, so an outgoing
 * connection of another program may hold one for a moment.
 */
static int
listener_bind(int fd, const struct conf_listen *l)
{
	int	 try;

	for (try = 0; try < LISTENER_BIND_TRIES; try++) {
		if (bind(fd, (struct sockaddr *)&l->addr, l->addrlen) == 0)
			return 0;
		if (errno != EADDRINUSE || try + 1 == LISTENER_BIND_TRIES)
			break;
		log_warn("listen %s: bind, trying again", l->name);
		usleep(LISTENER_BIND_WAIT_MS * 1000);
	}
	return -1;
}

/*
 * Where the client speaks first (HTTP, and TLS with its ClientHello), let
 * the kernel hand a connection over only once its first bytes are there,
 * as nginx's "deferred" and Apache's AcceptFilter do: the worker that
 * takes it finds the request waiting rather than sleeping on it, and a
 * client that connects and says nothing ties up no worker meanwhile.
 * After LISTENER_DEFER_S the connection is handed over anyway, and the
 * protocol's own timeouts apply.  A failure only loses the optimisation.
 */
static void
listener_defer_accept(int fd, const struct conf_listen *l)
{
	int	 secs = LISTENER_DEFER_S;

	if (setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs,
	    sizeof(secs)) == -1)
		log_warn("listen %s: TCP_DEFER_ACCEPT", l->name);
}

/*
 * Make the bound socket fd serve l, whether calcd or systemd opened it:
 * large buffers for udp; for a stream listener, listen with backlog and
 * defer accepting where the client speaks first.  Returns -1 when
 * listen(2) fails.
 */
static int
listener_ready(int fd, const struct conf_listen *l, int backlog)
{
	const struct proto	*p = proto_get(l->proto);

	if (p->socktype == SOCK_DGRAM) {
		listener_udp_buffers(fd, l);
		return 0;
	}
	if (listen(fd, backlog) == -1)
		return -1;
	if (p->client_first)
		listener_defer_accept(fd, l);
	return 0;
}

/*
 * Open one non-blocking socket bound to l's address.  IPv6 sockets are
 * IPv6-only, so that [::]:PORT and 0.0.0.0:PORT can both be listed.
 */
static int
listener_open(struct conf_listen *l, int backlog)
{
	int	 type = proto_get(l->proto)->socktype;
	int	 fd, on = 1;

	fd = socket(l->addr.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		log_warn("listen %s: socket", l->name);
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    (l->addr.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1)) {
		log_warn("listen %s: setsockopt", l->name);
		goto fail;
	}
	if (listener_bind(fd, l) == -1) {
		log_warn("listen %s: bind", l->name);
		goto fail;
	}
	if (listener_ready(fd, l, backlog) == -1) {
		log_warn("listen %s: listen", l->name);
		goto fail;
	}
	l->fd = fd;
	return 0;
 fail:
	close(fd);
	return -1;
}

int
listener_take_systemd(void)
{
	int	 n, i;

	if ((n = sd_listen_fds(1)) < 0) {
		log_warnx("socket activation: %s", strerror(-n));
		return -1;
	}
	if (n > LISTENER_PASSED_MAX) {
		log_warnx("socket activation: %d sockets, at most %d", n,
		    LISTENER_PASSED_MAX);
		return -1;
	}
	for (i = 0; i < n; i++) {
		listener_passed[i].fd = SD_LISTEN_FDS_START + i;
		listener_passed[i].taken = 0;
		(void)fcntl(listener_passed[i].fd, F_SETFD, FD_CLOEXEC);
	}
	listener_npassed = n;
	return n;
}

int
listener_is_passed(int fd)
{
	int	 i;

	for (i = 0; i < listener_npassed; i++)
		if (listener_passed[i].fd == fd)
			return 1;
	return 0;
}

/*
 * Take the socket systemd passed for l's protocol and address, if any:
 * made non-blocking, given l's backlog and options.  Returns 0 with
 * l->fd set, or -1 when none matches.
 */
static int
listener_take_passed(struct conf_listen *l, int backlog)
{
	int	 type = proto_get(l->proto)->socktype;
	int	 i, fd, fl;

	for (i = 0; i < listener_npassed; i++) {
		fd = listener_passed[i].fd;
		if (listener_passed[i].taken || sd_is_socket_sockaddr(fd, type,
		    (struct sockaddr *)&l->addr, l->addrlen,
		    type == SOCK_STREAM ? 1 : -1) <= 0)
			continue;
		if ((fl = fcntl(fd, F_GETFL)) != -1)
			(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
		(void)listener_ready(fd, l, backlog);
		listener_passed[i].taken = 1;
		l->fd = fd;
		log_debug("%s: socket %d from systemd", l->name, fd);
		return 0;
	}
	return -1;
}

void
listener_warn_unused_passed(void)
{
	int	 i;

	for (i = 0; i < listener_npassed; i++)
		if (!listener_passed[i].taken)
			log_warnx("socket activation: socket %d matches no "
			    "listen line; it is left unused",
			    listener_passed[i].fd);
}

/* Close fd, or give it back when systemd passed it. */
static void
listener_release(int fd)
{
	int	 i;

	for (i = 0; i < listener_npassed; i++)
		if (listener_passed[i].fd == fd) {
			listener_passed[i].taken = 0;
			return;
		}
	close(fd);
}

/* The socket of the listener in old identical to l, or -1. */
static int
listener_find(const struct conf_listen *l, const struct conf *old)
{
	size_t	 i;

	for (i = 0; old != NULL && i < old->nlisten; i++)
		if (old->listen[i].fd != -1 &&
		    conf_listen_same(l, &old->listen[i]))
			return old->listen[i].fd;
	return -1;
}

int
listener_open_all(struct conf *c, struct conf *old, int backlog)
{
	size_t	 i;

	for (i = 0; i < c->nlisten; i++) {
		struct conf_listen *l = &c->listen[i];

		if (l->fd != -1)
			continue;
		if ((l->fd = listener_find(l, old)) != -1) {
			if (proto_get(l->proto)->socktype == SOCK_STREAM)
				listen(l->fd, backlog);	/* a new backlog */
			continue;
		}
		if (listener_take_passed(l, backlog) == 0)
			continue;
		if (listener_open(l, backlog) == -1)
			goto fail;
	}
	return 0;
 fail:
	listener_close_all(c, old);
	return -1;
}

void
listener_close_all(struct conf *c, const struct conf *keep)
{
	size_t	 i, j;

	for (i = 0; i < c->nlisten; i++) {
		int fd = c->listen[i].fd, kept = 0;

		for (j = 0; keep != NULL && j < keep->nlisten; j++)
			if (keep->listen[j].fd == fd)
				kept = 1;
		if (fd != -1 && !kept)
			listener_release(fd);
		c->listen[i].fd = -1;
	}
}
