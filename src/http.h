/*
 * http.h - HTTP/1.1 on the http and https listeners (DESIGN.md section 4).
 *
 * http_serve() runs one connection to its end: an incremental request
 * parser bounded in every dimension, keep-alive and pipelining, and the
 * endpoints /, /calc, /headers, /healthz and /metrics.  It knows nothing
 * of processes: the caller passes its limits, a hook that writes the
 * metrics text, and a hook that marks the worker busy or idle.
 */
#ifndef HTTP_H
#define HTTP_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include "calc.h"
#include "proto.h"
#include "stream.h"

/* Defaults of the limits; calcd.conf(5) documents the keywords. */
#define HTTP_DEFAULT_MAX_URI		8192	/* bytes: 414 past it */
#define HTTP_DEFAULT_MAX_HEADER_SIZE	16384	/* bytes of the head: 431 */
#define HTTP_DEFAULT_MAX_HEADERS	100	/* header lines: 431 */
#define HTTP_DEFAULT_MAX_BODY		65536	/* bytes of a body: 413 */
#define HTTP_DEFAULT_HEADER_TIMEOUT	10	/* seconds to send a head: 408 */
#define HTTP_DEFAULT_KEEPALIVE_TIMEOUT	15	/* seconds between requests */
#define HTTP_DEFAULT_BODY_TIMEOUT	10	/* seconds for a body, plus... */
#define HTTP_DEFAULT_BODY_MIN_RATE	500	/* ...a second per this many
						   bytes: 408 past it */
#define HTTP_DEFAULT_MAX_REQUESTS	1000	/* per connection */

struct http_conf {
	size_t		max_uri;
	size_t		max_header_size;
	unsigned long	max_headers;
	size_t		max_body;
	int		header_timeout_ms;
	int		keepalive_timeout_ms;
	int		body_timeout_ms;	/* for a body, plus... */
	unsigned long	body_min_rate;		/* ...1 s per this many bytes */
	unsigned long	max_requests;
	const struct calc_limits *calc;		/* for each request's session */
	const char	*listener;		/* "http 127.0.0.1:54380" */
	const char	*client;		/* "192.0.2.7:40000", or NULL */
	int		 metrics_allowed;	/* the peer may read /metrics */
};

/* The caller's side: the connection's state (proto.h), the metrics. */
struct http_hooks {
	void	(*state)(void *arg, enum proto_state st);
	int	(*stopping)(void *arg);	/* answers say Connection: close */
	/*
	 * Write the Prometheus text into buf (at most len bytes); return
	 * its length, or -1 when it does not fit.
	 */
	int	(*metrics)(void *arg, char *buf, size_t len);
	void	 *arg;
};

/* How a connection ended, for the log. */
enum http_end {
	HTTP_END_CLOSE,		/* the client closed, or asked to */
	HTTP_END_IDLE,		/* keep-alive timeout */
	HTTP_END_TIMEOUT,	/* header or body timeout: 408 */
	HTTP_END_BAD,		/* a 4xx/5xx that closes the connection */
	HTTP_END_LIMIT,		/* max requests per connection */
	HTTP_END_ERROR,		/* an I/O error */
	HTTP_END_SHED,		/* shed to make room: the pool was full */
	HTTP_END_STOP		/* the server stops: an idle connection ends */
};

/*
 * Serve one connection to its end; stats counts responses and, of them,
 * those of status 400 and above.
 */
enum http_end	http_serve(struct stream *st, const struct http_conf *hc,
		    const struct http_hooks *hooks, struct proto_stats *stats);

/*
 * Refuse the client on socket fd before reading its request: a 503
 * saying why, if the socket takes it at once.
 */
void		http_refuse(int fd, const char *why);

/* A word for the log. */
const char	*http_end_name(enum http_end end);

#endif /* HTTP_H */
