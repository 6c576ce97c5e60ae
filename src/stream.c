/*
 * stream.c - timed reads and writes over a transport's operations, and
 * the plain-socket transport.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "stream.h"
#include "util.h"

static volatile sig_atomic_t	*stream_cancel_flag;

void
stream_cancel_on(volatile sig_atomic_t *flag)
{
	stream_cancel_flag = flag;
}

int
stream_cancelled(void)
{
	return stream_cancel_flag != NULL && *stream_cancel_flag;
}

/*
 * recv(2) or send(2) with flags, as a transport's result.  A signal
 * restarts the call, unless it cancels waits (a call interrupted had
 * been waiting).
 */
static ssize_t
plain_io(struct stream *st, void *buf, size_t len, int out, int flags)
{
	ssize_t	 n;

	do
		n = out ? send(st->fd, buf, len, flags | MSG_NOSIGNAL) :
		    recv(st->fd, buf, len, flags);
	while (n == -1 && errno == EINTR && !stream_cancelled());
	if (n >= 0)
		return n;
	if (errno == EINTR)
		return STREAM_CANCEL;
	return errno == EAGAIN || errno == EWOULDBLOCK ? STREAM_AGAIN :
	    STREAM_ERROR;
}

static ssize_t
plain_read(struct stream *st, void *buf, size_t len)
{
	return plain_io(st, buf, len, 0, 0);
}

static ssize_t
plain_write(struct stream *st, const void *buf, size_t len)
{
	return plain_io(st, (void *)buf, len, 1, 0);
}

static int
plain_direction(struct stream *st)
{
	(void)st;
	return -1;	/* the caller knows */
}

static void
plain_close(struct stream *st)
{
	if (st->linger)
		stream_linger_close(st->fd);
	else
		close(st->fd);
}

static const struct stream_ops plain_ops = {
	plain_read, plain_write, plain_direction, plain_close
};

/*
 * Close like Apache's lingering close: send our FIN, then read and drop
 * what the client still sends for a short while before closing.  Closing
 * with unread input would send a RST, which can destroy answers that are
 * still in flight to a pipelining client.
 */
void
stream_linger_close(int fd)
{
	char		 buf[4096];
	uint64_t	 deadline = util_now_ms() + STREAM_LINGER_MS, now;
	size_t		 drained = 0;
	ssize_t		 n;

	if (shutdown(fd, SHUT_WR) == 0) {
		while (drained < STREAM_LINGER_MAX &&
		    (now = util_now_ms()) < deadline) {
			n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n == 0 || (n < 0 && errno != EAGAIN &&
			    errno != EINTR))
				break;
			if (n > 0)
				drained += n;
			else if (stream_wait(fd, 0, (int)(deadline - now)) <= 0)
				break;
		}
	}
	close(fd);
}

void
stream_refuse_close(int fd)
{
	char	 buf[4096];

	(void)shutdown(fd, SHUT_WR);
	(void)recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	close(fd);
}

void
stream_init(struct stream *st, int fd)
{
	st->ops = &plain_ops;
	st->fd = fd;
	st->tls = NULL;
	st->blocking = 0;
	st->rcv_ms = 0;
	st->snd_ms = 0;
	st->linger = 1;
	st->bytes_in = 0;
	st->bytes_out = 0;
}

void
stream_init_blocking(struct stream *st, int fd)
{
	stream_init(st, fd);
	st->blocking = 1;
}

int
stream_set_blocking(struct stream *st)
{
	int	 fl;

	if ((fl = fcntl(st->fd, F_GETFL)) == -1 ||
	    fcntl(st->fd, F_SETFL, fl & ~O_NONBLOCK) == -1)
		return -1;
	st->blocking = 1;
	return 0;
}

void
stream_peer_done(struct stream *st)
{
	st->linger = 0;
}

/*
 * Bound the kernel's waits on a blocking socket by timeout_ms (-1:
 * forever), through the option opt (SO_RCVTIMEO or SO_SNDTIMEO) whose
 * value is remembered in *now: a connection's timeouts rarely change, so
 * the system call is rarely made.
 */
static int
stream_kernel_timeout(struct stream *st, int opt, int *now, int timeout_ms)
{
	struct timeval	 tv;
	int		 ms = timeout_ms < 0 ? 0 : timeout_ms == 0 ? 1 : timeout_ms;

	if (ms == *now)
		return 0;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if (setsockopt(st->fd, SOL_SOCKET, opt, &tv, sizeof(tv)) == -1)
		return -1;
	*now = ms;
	return 0;
}

int
stream_wait(int fd, int out, int timeout_ms)
{
	struct pollfd	 pfd = { .fd = fd, .events = out ? POLLOUT : POLLIN };
	uint64_t	 deadline = 0, now;
	int		 left = timeout_ms, n;

	if (timeout_ms >= 0)
		deadline = util_now_ms() + timeout_ms;
	for (;;) {
		n = poll(&pfd, 1, left);
		if (n > 0)
			return 1;
		if (n == 0)
			return 0;
		if (errno != EINTR)
			return -1;
		if (stream_cancelled()) {
			errno = ECANCELED;
			return -1;
		}
		if (timeout_ms >= 0) {
			now = util_now_ms();
			if (now >= deadline)
				return 0;
			left = (int)(deadline - now);
		}
	}
}

/*
 * Wait for what a transport asked for after STREAM_AGAIN: 1 when ready,
 * else what the read or write returns (STREAM_TIMEOUT, STREAM_CANCEL or
 * STREAM_ERROR).
 */
static int
stream_wait_again(struct stream *st, int out, int timeout_ms)
{
	int	 dir = st->ops->direction(st), rc;

	if (stream_cancelled())
		return STREAM_CANCEL;
	rc = stream_wait(st->fd, dir == -1 ? out : dir, timeout_ms);
	if (rc == 1)
		return 1;
	if (rc == 0)
		return STREAM_TIMEOUT;
	return errno == ECANCELED ? STREAM_CANCEL : STREAM_ERROR;
}

/*
 * Whether to try a blocking plain socket without waiting before setting
 * the timeout of a wait (*now, still unset): the request of a new
 * connection is usually there already, and room for its answer too, and
 * then no system call is spent on a timeout.
 */
static int
stream_try_first(const struct stream *st, int now)
{
	return st->ops == &plain_ops && now == 0;
}

/*
 * Whether input is there to read now.  A cancelled wait reads it first:
 * bytes the client sent are a request, whatever the signal said.
 */
static int
stream_readable(struct stream *st)
{
	struct pollfd	 pfd = { .fd = st->fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

/*
 * stream_read() on a blocking socket: the kernel waits in recv(2), and
 * STREAM_AGAIN means that its timeout expired.  A signal restarts the
 * wait (the transports retry after EINTR) rather than cut it short.
 */
static ssize_t
stream_read_blocking(struct stream *st, void *buf, size_t len,
    int timeout_ms)
{
	ssize_t	 n = STREAM_AGAIN;

	if (stream_try_first(st, st->rcv_ms))
		n = plain_io(st, buf, len, 0, MSG_DONTWAIT);
	if (n == STREAM_AGAIN) {
		if (stream_cancelled() && !stream_readable(st))
			return STREAM_CANCEL;
		if (stream_kernel_timeout(st, SO_RCVTIMEO, &st->rcv_ms,
		    timeout_ms) == -1)
			return STREAM_ERROR;
		n = st->ops->read(st, buf, len);
		if (n == STREAM_CANCEL && stream_readable(st))
			n = st->ops->read(st, buf, len);
	}
	if (n > 0)
		st->bytes_in += n;
	return n == STREAM_AGAIN ? STREAM_TIMEOUT : n;
}

ssize_t
stream_read(struct stream *st, void *buf, size_t len, int timeout_ms)
{
	ssize_t	 n;
	int	 rc;

	if (st->blocking)
		return stream_read_blocking(st, buf, len, timeout_ms);
	for (;;) {
		n = st->ops->read(st, buf, len);
		if (n > 0)
			st->bytes_in += n;
		if (n != STREAM_AGAIN)
			return n;
		if ((rc = stream_wait_again(st, 0, timeout_ms)) != 1)
			return rc;
	}
}

/*
 * stream_write() on a blocking socket: the kernel waits in send(2) for
 * room, each time at most timeout_ms (SO_SNDTIMEO).
 */
static int
stream_write_blocking(struct stream *st, const char *p, size_t len,
    int timeout_ms)
{
	ssize_t	 n = STREAM_AGAIN;

	if (len == 0)
		return 0;
	if (stream_try_first(st, st->snd_ms))
		n = plain_io(st, (void *)p, len, 1, MSG_DONTWAIT);
	if (n > 0) {
		p += n;
		len -= n;
		st->bytes_out += n;
	} else if (n != STREAM_AGAIN)
		return STREAM_ERROR;
	if (len > 0 && stream_kernel_timeout(st, SO_SNDTIMEO, &st->snd_ms,
	    timeout_ms) == -1)
		return STREAM_ERROR;
	while (len > 0) {
		if ((n = st->ops->write(st, p, len)) <= 0)
			return n == STREAM_AGAIN ? STREAM_TIMEOUT :
			    n == STREAM_CANCEL ? STREAM_CANCEL : STREAM_ERROR;
		p += n;
		len -= n;
		st->bytes_out += n;
	}
	return 0;
}

int
stream_write(struct stream *st, const void *buf, size_t len, int timeout_ms)
{
	const char	*p = buf;
	ssize_t		 n;
	int		 rc;

	if (st->blocking)
		return stream_write_blocking(st, p, len, timeout_ms);
	while (len > 0) {
		n = st->ops->write(st, p, len);
		if (n > 0) {
			p += n;
			len -= n;
			st->bytes_out += n;
			continue;
		}
		if (n != STREAM_AGAIN)
			return n == STREAM_CANCEL ? STREAM_CANCEL : STREAM_ERROR;
		if ((rc = stream_wait_again(st, 1, timeout_ms)) != 1)
			return rc;
	}
	return 0;
}

/*
 * Close the connection.  A TLS session's close_notify is a write: on a
 * blocking socket that never had a send timeout it gets a short one, so
 * that a client that stopped reading cannot hold the close.
 */
void
stream_close(struct stream *st)
{
	if (st->fd == -1)
		return;
	if (st->blocking && st->tls != NULL && st->snd_ms == 0)
		(void)stream_kernel_timeout(st, SO_SNDTIMEO, &st->snd_ms,
		    STREAM_LINGER_MS);
	st->ops->close(st);
	st->fd = -1;
}
