/*
 * udp.h - the UDP worker: a child of the master that answers datagrams on
 * every udp listener, in batches, one answer datagram per request.
 */
#ifndef UDP_H
#define UDP_H

#include <stddef.h>

#include "calc.h"
#include "worker.h"

#define UDP_REPLY_MIN		64	/* bytes any request may be answered */
#define UDP_AMPLIFICATION	3	/* times the request (RFC 9000 8.1) */
#define UDP_TOO_LONG		"error: result too long for UDP"

/*
 * Answer one datagram: the len bytes at req, a trailing LF or CRLF
 * allowed, and trailing blanks (a client pads its request with them to
 * allow a longer answer).  Writes the answer, LF-terminated, into out (outlen bytes, at
 * least UDP_REPLY_MIN) and returns its length, never more than
 * max(UDP_AMPLIFICATION * len, UDP_REPLY_MIN).  *error is set when the
 * answer is an error.  The session is fresh for every datagram.
 */
size_t	udp_answer(const struct calc_limits *lim, const char *req, size_t len,
	    char *out, size_t outlen, int *error);

/* Run the UDP worker; never returns. */
void	udp_main(const struct worker_env *env) __attribute__((noreturn));

#endif /* UDP_H */
