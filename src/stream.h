/*
 * stream.h - one read/write/close interface over a connected socket or a
 * TLS session on it, so that each protocol is written once.  Every call
 * is bounded by a timeout.
 *
 * A stream waits in one of two ways.  Over a non-blocking socket (a
 * client's many connections) it tries, and waits in poll(2) when the
 * socket is not ready.  Over a blocking socket (a server's worker with
 * one client) it lets the kernel wait inside recv(2) and send(2), bounded
 * by SO_RCVTIMEO and SO_SNDTIMEO: one system call per read instead of a
 * failed try, a poll and the retry.
 */
#ifndef STREAM_H
#define STREAM_H

#include <sys/types.h>

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#define STREAM_EOF	 0	/* stream_read(): the peer closed */
#define STREAM_ERROR	-1	/* an I/O or TLS error */
#define STREAM_TIMEOUT	-2	/* nothing happened within the timeout */
#define STREAM_AGAIN	-3	/* (ops only) would block: wait and retry */
#define STREAM_CANCEL	-4	/* a wait was cancelled: see stream_cancel_on */

struct stream;

/* What a transport provides; plain sockets and TLS each have one. */
struct stream_ops {
	/* Move bytes once without blocking: > 0, 0 at EOF, STREAM_* < 0. */
	ssize_t	(*read)(struct stream *st, void *buf, size_t len);
	ssize_t	(*write)(struct stream *st, const void *buf, size_t len);
	/* After STREAM_AGAIN: 0 to wait for input, 1 for output. */
	int	(*direction)(struct stream *st);
	void	(*close)(struct stream *st);
};

struct stream {
	const struct stream_ops	*ops;
	int			 fd;
	void			*tls;		/* gnutls_session_t, or NULL */
	int			 blocking;	/* the kernel bounds the waits */
	int			 rcv_ms;	/* SO_RCVTIMEO now, 0: none */
	int			 snd_ms;	/* SO_SNDTIMEO now, 0: none */
	int			 linger;	/* close lingers: see below */
	uint64_t		 bytes_in;
	uint64_t		 bytes_out;
};

/*
 * Let a signal cancel this process's waits: once *flag is set (by the
 * signal's handler), a read or write that has to wait, or is waiting
 * when the signal comes, returns STREAM_CANCEL (stream_wait() -1 with
 * errno ECANCELED) instead of waiting on; input already there is still
 * read first.  A worker asked to shed its
 * client uses it; NULL turns it off.
 */
void	stream_cancel_on(volatile sig_atomic_t *flag);

/* Whether waits are cancelled now. */
int	stream_cancelled(void);

/* Wrap the connected non-blocking socket fd, as plain bytes. */
void	stream_init(struct stream *st, int fd);

/* Wrap the connected blocking socket fd, as plain bytes. */
void	stream_init_blocking(struct stream *st, int fd);

/*
 * Put a stream made by stream_init() into blocking mode, e.g. after a TLS
 * handshake driven without blocking.  Returns 0, or -1 with errno set.
 */
int	stream_set_blocking(struct stream *st);

/*
 * Wait until fd is ready for input (out 0) or output (out 1), at most
 * timeout_ms (-1: forever).  Returns 1 when ready, 0 on timeout, -1 on
 * error.  A signal does not cut the wait short, unless it cancels waits.
 */
int	stream_wait(int fd, int out, int timeout_ms);

/*
 * Read what is available, up to len bytes, waiting at most timeout_ms.
 * Returns the byte count, STREAM_EOF, STREAM_ERROR, STREAM_TIMEOUT or
 * STREAM_CANCEL.
 */
ssize_t	stream_read(struct stream *st, void *buf, size_t len, int timeout_ms);

/*
 * Write all len bytes, waiting at most timeout_ms for the peer to make
 * room each time it is full.  Returns 0, STREAM_ERROR, STREAM_TIMEOUT or
 * STREAM_CANCEL.
 */
int	stream_write(struct stream *st, const void *buf, size_t len,
	    int timeout_ms);

#define STREAM_LINGER_MS	500		/* lingering close: time */
#define STREAM_LINGER_MAX	(256 * 1024)	/* lingering close: bytes */

/*
 * Close fd after a refusal: one read, without waiting, of what the client
 * already sent, so that closing does not reset the connection and destroy
 * the refusal on its way (most requests are there whole by then).
 */
void	stream_refuse_close(int fd);

/* Shut down our side of fd, drain the peer's bytes briefly, close. */
void	stream_linger_close(int fd);

/*
 * The peer has said it sends nothing more (it closed, or asked us to)
 * and no byte of it is left unread: stream_close() need not linger.
 */
void	stream_peer_done(struct stream *st);

/*
 * Close the connection (and end its TLS session).  Unless the peer is
 * done, the close lingers, as Apache's and nginx's do: closing with
 * unread input would send a RST that can destroy answers still in
 * flight to a pipelining client.
 */
void	stream_close(struct stream *st);

#endif /* STREAM_H */
