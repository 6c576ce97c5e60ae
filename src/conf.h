/*
 * conf.h - the configuration: calcd.conf(5) parsed into a struct conf.
 *
 * The file is "keyword value" lines, '#' comments and "listen PROTO
 * ADDRESS:PORT" lines.  Every error names FILE:LINE.
 */
#ifndef CONF_H
#define CONF_H

#include <sys/socket.h>

#include <stddef.h>

#include "calc.h"

#define CONF_DEFAULT_PATH	SYSCONFDIR "/calcd/calcd.conf"
#define CONF_LISTEN_MAX		32	/* listen lines in one file */
#define CONF_LINE_MAX		1024	/* bytes in one line of the file */
#define CONF_ERR_MAX		512	/* bytes of one error message */

enum conf_proto {
	PROTO_TCP,		/* line protocol */
	PROTO_UDP,		/* datagrams */
	PROTO_COUNT
};

struct conf_listen {
	enum conf_proto		proto;
	struct sockaddr_storage	addr;
	socklen_t		addrlen;
	char			name[80];	/* "tcp 127.0.0.1:54321" */
	int			line;		/* 0 for a default listener */
	int			fd;		/* open socket, or -1 */
};

struct conf {
	char			path[4096];
	struct conf_listen	listen[CONF_LISTEN_MAX];
	size_t			nlisten;
	char			user[64];
	unsigned long		workers_min_spare;
	unsigned long		workers_max_spare;
	unsigned long		workers_max;
	unsigned long		max_connections_per_worker;
	unsigned long		max_connections_per_address;
	unsigned long		max_line;
	unsigned long		idle_timeout;		/* seconds */
	unsigned long		request_timeout;	/* seconds */
	unsigned long		shutdown_timeout;	/* seconds */
	unsigned long		listen_backlog;
	struct calc_limits	calc;
};

/* The name of a protocol ("tcp"), for logs and listener names. */
const char	*conf_proto_name(enum conf_proto proto);

/* Fill *c with the built-in defaults; no listeners yet. */
void	conf_defaults(struct conf *c);

/*
 * Read the file at path into *c.  Without any listen line, the default
 * listeners of every protocol are used.  Returns 0, or -1 with the first
 * error written to err as "FILE:LINE: message".
 */
int	conf_load(const char *path, struct conf *c, char *err, size_t errlen);

/* Whether two listeners use the same protocol and address. */
int	conf_listen_same(const struct conf_listen *a,
	    const struct conf_listen *b);

#endif /* CONF_H */
