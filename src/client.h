/*
 * client.h - the client side of the transports, shared by calcc and
 * calcd-bench: connect over TCP (optionally TLS) into a struct stream,
 * and ask over UDP with retries.  The wire's rules are in wire.h and the
 * default ports in proto.h.
 */
#ifndef CLIENT_H
#define CLIENT_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdio.h>

#include "stream.h"

struct client_opts {
	const char	*host;
	const char	*port;
	int		 family;	/* AF_UNSPEC, AF_INET or AF_INET6 */
	int		 tls;
	const char	*cafile;	/* NULL: the system trust store */
	int		 insecure;	/* do not verify the server */
	int		 timeout_ms;	/* connect, handshake, each UDP try */
	int		 retries;	/* UDP: tries after the first */
	FILE		*trace;		/* "* ..." lines of what is done, or
					   NULL (calcc -v) */
};

struct tls_client;

/*
 * The TLS client side for o's host, trust store and insecure flag,
 * offering alpn (NULL: none), with tls.h's TLS_CLIENT_* flags.  Returns
 * NULL with a message in err.  tls_client_free() frees it.
 */
struct tls_client *client_tls(const struct client_opts *o, const char *alpn,
		    unsigned flags, char *err, size_t errlen);

/*
 * Connect to the first address of host:port that answers, within
 * timeout_ms each, and run the TLS handshake with tc when given (which
 * must outlive the stream).  Returns 0 with st ready, or -1 with a
 * message in err.  With o->trace, says which addresses it tried and how
 * long the connection and the handshake took.
 */
int	client_connect(const struct client_opts *o, struct tls_client *tc,
	    struct stream *st, char *err, size_t errlen);

/*
 * Ask one expression over UDP and put the answer, without its newline,
 * NUL-terminated into out.  Each try waits timeout_ms for the answer, so
 * an unanswered request is given up after (retries + 1) * timeout_ms;
 * an ICMP refusal (nothing listens on the port) ends it at once.  When
 * the answer is too long for the request, pads the request (trailing
 * blanks) so the server may send a longer one.  Returns the answer's
 * length, or -1 with a message in err ("no reply from HOST port PORT
 * after N tries", "HOST port PORT: connection refused ...").  With
 * o->trace, says what each try sent and how long its answer took.
 */
/* Milliseconds, with fractions, of a monotonic clock: for the traces. */
double	client_now_ms(void);

ssize_t	client_udp_ask(const struct client_opts *o, const char *expr,
	    char *out, size_t outlen, char *err, size_t errlen);

#endif /* CLIENT_H */
