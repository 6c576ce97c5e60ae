/*
 * stream.c - timed reads and writes on a connected socket.
 */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "stream.h"
#include "util.h"

void
stream_init(struct stream *st, int fd)
{
	st->fd = fd;
	st->bytes_in = 0;
	st->bytes_out = 0;
}

/*
 * Wait until fd is ready for events, or the deadline passes.  Returns 1
 * when ready, 0 on timeout, -1 on error.  EINTR restarts the wait with
 * the time that is left.
 */
static int
stream_wait(int fd, short events, int timeout_ms)
{
	struct pollfd	 pfd = { .fd = fd, .events = events };
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
		if (timeout_ms >= 0) {
			now = util_now_ms();
			if (now >= deadline)
				return 0;
			left = (int)(deadline - now);
		}
	}
}

ssize_t
stream_read(struct stream *st, void *buf, size_t len, int timeout_ms)
{
	ssize_t	 n;
	int	 rc;

	for (;;) {
		n = recv(st->fd, buf, len, 0);
		if (n > 0) {
			st->bytes_in += n;
			return n;
		}
		if (n == 0)
			return STREAM_EOF;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return STREAM_ERROR;
		if ((rc = stream_wait(st->fd, POLLIN, timeout_ms)) <= 0)
			return rc == 0 ? STREAM_TIMEOUT : STREAM_ERROR;
	}
}

int
stream_write(struct stream *st, const void *buf, size_t len, int timeout_ms)
{
	const char	*p = buf;
	ssize_t		 n;
	int		 rc;

	while (len > 0) {
		n = send(st->fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= n;
			st->bytes_out += n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return STREAM_ERROR;
		if ((rc = stream_wait(st->fd, POLLOUT, timeout_ms)) <= 0)
			return rc == 0 ? STREAM_TIMEOUT : STREAM_ERROR;
	}
	return 0;
}

void
stream_close(struct stream *st)
{
	if (st->fd != -1)
		close(st->fd);
	st->fd = -1;
}
