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
#include "proto.h"

#define CONF_DEFAULT_PATH	SYSCONFDIR "/calcd/calcd.conf"
/* Mozilla's "intermediate" profile: TLS 1.2 and 1.3, ECDHE, AEAD only. */
#define CONF_DEFAULT_TLS_PRIORITY	"NORMAL:-VERS-ALL:+VERS-TLS1.3:" \
	"+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:" \
	"+CHACHA20-POLY1305:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:" \
	"-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1:" \
	"-SIGN-RSA-SHA1:-SIGN-ECDSA-SHA1:%SERVER_PRECEDENCE"
#define CONF_LISTEN_MAX		32	/* listen lines in one file */
/*
 * Most workers.  The scoreboard is sized when calcd starts for two full
 * generations of workers-max (old ones finish their clients after a
 * reload) and the UDP workers; a reload cannot grow it.
 */
#define CONF_WORKERS_MAX	10000
#define CONF_LINE_MAX		1024	/* bytes in one line of the file */
#define CONF_ERR_MAX		512	/* bytes of one error message */

#define CONF_NETS_MAX		16	/* networks in one address list */
#define CONF_KEYWORDS_MAX	64	/* keywords in conf.c's table */

/* An address with a prefix length: 127.0.0.0/8, ::1/128. */
struct conf_net {
	int		family;		/* AF_INET or AF_INET6 */
	unsigned char	addr[16];
	unsigned	prefix;
};

struct conf_netlist {
	struct conf_net	net[CONF_NETS_MAX];
	size_t		count;
};

/* A share of the pool: n workers, or n percent of workers-max. */
struct conf_share {
	unsigned long	n;
	int		percent;
};

struct conf_listen {
	enum proto_id		proto;
	struct sockaddr_storage	addr;
	socklen_t		addrlen;
	char			name[80];	/* "tcp 127.0.0.1:54321" */
	int			line;		/* 0 for a default listener */
	int			fd;		/* open socket, or -1 */
	int			proxy;		/* a PROXY header comes first */
	int			sbi;		/* its counters in the
						   scoreboard, or -1 */
};

struct conf {
	char			path[4096];
	struct conf_listen	listen[CONF_LISTEN_MAX];
	size_t			nlisten;
	char			user[64];
	char			log_format[8];		/* text, json */
	unsigned long		workers_min_spare;
	unsigned long		workers_max_spare;
	unsigned long		workers_max;
	unsigned long		max_connections_per_worker;
	struct conf_share	max_connections_per_address;
	unsigned long		address_prefix_v4;	/* bits */
	unsigned long		address_prefix_v6;	/* bits */
	unsigned long		shed_protect;		/* seconds */
	unsigned long		queue_timeout;		/* seconds */
	unsigned long		max_line;
	unsigned long		idle_timeout;		/* seconds */
	unsigned long		line_timeout;		/* seconds */
	unsigned long		request_timeout;	/* seconds */
	unsigned long		shutdown_timeout;	/* seconds */
	unsigned long		listen_backlog;
	unsigned long		udp_workers;
	struct calc_limits	calc;

	char			tls_certificate[1024];
	char			tls_key[1024];
	char			tls_priority[512];
	char			tls_ticket_key_file[1024];	/* or "" */
	unsigned long		tls_handshake_timeout;	/* seconds */

	unsigned long		http_max_uri;
	unsigned long		http_max_header_size;
	unsigned long		http_max_headers;
	unsigned long		http_max_body;
	unsigned long		http_header_timeout;	/* seconds */
	unsigned long		http_keepalive_timeout;	/* seconds */
	unsigned long		http_body_timeout;	/* seconds */
	unsigned long		http_body_min_rate;	/* bytes per second */
	unsigned long		http_max_requests;
	struct conf_netlist	metrics_allow;

	struct conf_netlist	proxy_allow;	/* who may send PROXY headers */
	unsigned long		proxy_timeout;		/* seconds */

	/* The line each keyword is set on, or 0: see conf_where(). */
	int			set_line[CONF_KEYWORDS_MAX];
};

/* Fill *c with the built-in defaults; no listeners yet. */
void	conf_defaults(struct conf *c);

/*
 * Read the file at path into *c.  Without any listen line, the default
 * listeners of every protocol are used.  Returns 0, or -1 with the first
 * error written to err as "FILE:LINE: message".
 */
int	conf_load(const char *path, struct conf *c, char *err, size_t errlen);

/*
 * Where keyword was set, for an error found after loading: "FILE:LINE"
 * into buf, or "FILE" when it was left at its default.
 */
void	conf_where(const struct conf *c, const char *keyword, char *buf,
	    size_t len);

/*
 * The user keyword names an existing user other than root, as the
 * master needs when it starts as root.  Returns 0, or -1 with
 * "FILE:LINE: user NAME: no such user" in err.
 */
int	conf_check_user(const struct conf *c, char *err, size_t errlen);

/* Whether the address sa is inside one of the networks of list. */
int	conf_netlist_match(const struct conf_netlist *list,
	    const struct sockaddr *sa);

/* Whether the configuration has a listener of a TLS protocol. */
int	conf_has_tls(const struct conf *c);

/* The workers one client network may hold (at least 1). */
unsigned long	conf_address_share(const struct conf *c);

/* Whether the configuration has a udp listener. */
int	conf_has_udp(const struct conf *c);

/* Whether two listeners use the same protocol and address. */
int	conf_listen_same(const struct conf_listen *a,
	    const struct conf_listen *b);

#endif /* CONF_H */
