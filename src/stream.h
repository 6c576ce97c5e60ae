/*
 * stream.h - one read/write/close interface over a connected socket, so
 * that each protocol is written once.  Every call is bounded by a timeout.
 */
#ifndef STREAM_H
#define STREAM_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define STREAM_EOF	 0	/* stream_read(): the peer closed */
#define STREAM_ERROR	-1	/* an I/O error; see errno */
#define STREAM_TIMEOUT	-2	/* nothing happened within the timeout */

struct stream {
	int		fd;		/* non-blocking socket */
	uint64_t	bytes_in;
	uint64_t	bytes_out;
};

/* Wrap the connected non-blocking socket fd. */
void	stream_init(struct stream *st, int fd);

/*
 * Read what is available, up to len bytes, waiting at most timeout_ms
 * (-1: forever).  Returns the byte count, STREAM_EOF, STREAM_ERROR or
 * STREAM_TIMEOUT.  A signal does not cut the wait short.
 */
ssize_t	stream_read(struct stream *st, void *buf, size_t len, int timeout_ms);

/*
 * Write all len bytes, waiting at most timeout_ms for the peer to make
 * room each time it is full.  Returns 0, STREAM_ERROR or STREAM_TIMEOUT.
 */
int	stream_write(struct stream *st, const void *buf, size_t len,
	    int timeout_ms);

/* Close the connection. */
void	stream_close(struct stream *st);

#endif /* STREAM_H */
