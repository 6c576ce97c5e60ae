/*
 * proxy.h - the PROXY protocol, versions 1 and 2, as HAProxy defines it:
 * a header that a load balancer sends before the client's first byte,
 * naming the client's address.
 */
#ifndef PROXY_H
#define PROXY_H

#include <sys/socket.h>
#include <sys/types.h>

#include <stddef.h>

#define PROXY_V1_MAX	107	/* the longest version 1 line, CRLF included */
#define PROXY_V2_MAX	1024	/* the longest version 2 header we take */

/*
 * Parse the header at buf[0..len).  Returns its length once it is whole,
 * with *client set to the client's address, or its family AF_UNSPEC when
 * the header names none (version 1 UNKNOWN, version 2 LOCAL or another
 * family: the connection's own address stands); 0 while more bytes are
 * needed; -1 when buf does not start a valid header, with why set.
 */
ssize_t	proxy_parse(const unsigned char *buf, size_t len,
	    struct sockaddr_storage *client, const char **why);

/*
 * Of the n bytes that follow the have bytes of a header in buf, how many
 * belong to it: all of them until its end is known, then up to its end.
 * Reading only those never takes a byte of the client's own.
 */
size_t	proxy_take(const unsigned char *buf, size_t have,
	    const unsigned char *next, size_t n);

/*
 * Read the header from the connected socket fd (blocking or not) within
 * timeout_ms, without reading past it.  Returns 0 with *client set as
 * proxy_parse() does, or -1 with the reason in err.
 */
int	proxy_read(int fd, int timeout_ms, struct sockaddr_storage *client,
	    char *err, size_t errlen);

#endif /* PROXY_H */
