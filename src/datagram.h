/*
 * datagram.h - the UDP protocol: one expression in a datagram, one answer
 * datagram back, no state between them (DESIGN.md section 4).  Pure: it
 * knows the engine and the wire rules, not sockets nor processes; the
 * UDP worker (udp.h) moves the datagrams.
 */
#ifndef DATAGRAM_H
#define DATAGRAM_H

#include <stddef.h>

#include "calc.h"

/*
 * Answer one datagram: the len bytes at req, a trailing LF or CRLF
 * allowed, and trailing blanks (a client pads its request with them to
 * allow a longer answer).  Writes the answer, LF-terminated, into out
 * (outlen bytes, at least WIRE_UDP_REPLY_MIN) and returns its length,
 * never more than wire_udp_reply_max(len).  *error is set when the
 * answer is an error.  The session is fresh for every datagram.
 */
size_t	datagram_answer(const struct calc_limits *lim, const char *req,
	    size_t len, char *out, size_t outlen, int *error);

#endif /* DATAGRAM_H */
