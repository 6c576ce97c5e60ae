/*
 * proto.h - the listener protocols, in one table.
 *
 * Each row says everything the rest of calcd needs to know of a protocol:
 * its name (in listen lines, logs and the metrics' protocol label), its
 * default port, its socket type, whether TLS runs under it and with which
 * ALPN name, who speaks first, how a client speaks to it, and, for stream
 * protocols, the functions
 * that serve a connection and refuse one.  The config, the listeners, the
 * worker, the metrics, calcc and calcd-bench read this table; a new
 * protocol is a row here and a module that serves it.
 */
#ifndef PROTO_H
#define PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "stream.h"

enum proto_id {
	PROTO_TCP,		/* line protocol */
	PROTO_TLS,		/* line protocol over TLS */
	PROTO_HTTP,		/* HTTP/1.1 */
	PROTO_HTTPS,		/* HTTP/1.1 over TLS */
	PROTO_UDP,		/* datagrams */
	PROTO_COUNT
};

/* How a client speaks to the protocol: its requests and answers. */
enum proto_wire {
	PROTO_WIRE_LINE,	/* a greeting, then a line for a line */
	PROTO_WIRE_HTTP,	/* HTTP/1.1 requests */
	PROTO_WIRE_DATAGRAM	/* a datagram for a datagram */
};

/*
 * What a connection is doing, told to the worker's hook so that the
 * master can see it: request-timeout watches PROTO_WORK, and a full pool
 * sheds PROTO_PARTIAL and PROTO_SENDING before PROTO_IDLE and never
 * PROTO_WORK.  An answer counts as given (shed-protect) once the client
 * has taken it: the worker asks the kernel, as the protocols need not.
 */
enum proto_state {
	PROTO_IDLE,		/* waiting for a request, none of it here */
	PROTO_PARTIAL,		/* waiting for the rest of a request */
	PROTO_SENDING,		/* waiting for room for answers: the client
				   does not read them */
	PROTO_WORK		/* working on a request */
};

struct conf;

/* What a serve function is told of its connection, and its hooks. */
struct proto_conn {
	const struct conf	*conf;		/* limits */
	const char		*listener;	/* "http 127.0.0.1:54380" */
	const char		*client;	/* "192.0.2.7:40000" */
	int			 metrics_allowed; /* may read /metrics */
	/* Called as the connection's state changes. */
	void	(*state)(void *arg, enum proto_state st);
	/*
	 * Whether the server is stopping: a cancelled wait then ends the
	 * session for that reason rather than to shed it, and HTTP answers
	 * say Connection: close.
	 */
	int	(*stopping)(void *arg);
	/* Write the metrics text into buf; its length, or -1. */
	int	(*metrics)(void *arg, char *buf, size_t len);
	void	 *arg;
};

/* What one connection did, for the log and the counters. */
struct proto_stats {
	uint64_t	requests;	/* answers sent */
	uint64_t	errors;		/* of which errors */
};

struct proto {
	const char	*name;		/* "tcp" */
	unsigned short	 port;		/* default (DESIGN.md section 2) */
	const char	*port_text;	/* the same, for getaddrinfo(3) */
	int		 socktype;	/* SOCK_STREAM or SOCK_DGRAM */
	enum proto_wire	 wire;
	int		 tls;		/* a TLS handshake comes first */
	const char	*alpn;		/* offered by TLS, or NULL */
	int		 client_first;	/* the client sends the first byte:
					   accepting may wait for it */
	/*
	 * Stream protocols: serve the connection to its end and return
	 * how it ended, for the log.  A wait cancelled (stream.h) sheds the
	 * client with a last answer saying so.
	 */
	const char	*(*serve)(struct stream *st, const struct proto_conn *pc,
			    struct proto_stats *stats);
	/*
	 * Refuse a client at once, before reading anything of it: one
	 * answer of the protocol's own saying why (a few words), sent only
	 * if the socket takes it without waiting.  NULL where the protocol
	 * has nothing to say before its handshake: the close says it.
	 */
	void		 (*refuse)(int fd, const char *why);
};

/* The row of protocol id, which must be below PROTO_COUNT. */
const struct proto	*proto_get(int id);

/* The id of the protocol called name, or -1. */
int			 proto_find(const char *name);

/* The name of protocol id, or "?" when out of range. */
const char		*proto_name(int id);

#endif /* PROTO_H */
