/*
 * conf.c - parse calcd.conf(5).
 *
 * One keyword table drives the parser: each entry names a field of struct
 * conf, its range and its default, so that adding a setting is one line.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "conf.h"
#include "http.h"

enum conf_type {
	CONF_ULONG,		/* a decimal number within [min, max] */
	CONF_STRING,		/* one word, shorter than the field */
	CONF_NETLIST,		/* networks: 127.0.0.0/8 ::1 ... */
	CONF_SHARE		/* N workers, or N% of workers-max */
};

struct conf_keyword {
	const char	*name;
	enum conf_type	 type;
	size_t		 offset;	/* of the field in struct conf */
	size_t		 size;		/* of a string field */
	unsigned long	 min, max, def;
	const char	*sdef;
};

#define ULONG(name, field, min, max, def) \
	{ name, CONF_ULONG, offsetof(struct conf, field), 0, min, max, def, NULL }
#define NETLIST(name, field, def) \
	{ name, CONF_NETLIST, offsetof(struct conf, field), 0, 0, 0, 0, def }
#define SHARE(name, field, max, def) \
	{ name, CONF_SHARE, offsetof(struct conf, field), 0, 1, max, 0, def }
#define STRING(name, field, def) \
	{ name, CONF_STRING, offsetof(struct conf, field), \
	  sizeof(((struct conf *)0)->field), 0, 0, 0, def }

static const struct conf_keyword conf_keywords[] = {
	STRING("user", user, "_calcd"),
	STRING("log-format", log_format, "text"),
	ULONG("workers-min-spare", workers_min_spare, 1, CONF_WORKERS_MAX, 5),
	ULONG("workers-max-spare", workers_max_spare, 1, CONF_WORKERS_MAX, 10),
	ULONG("workers-max", workers_max, 1, CONF_WORKERS_MAX, 150),
	ULONG("max-connections-per-worker", max_connections_per_worker,
	    1, 100000000, 10000),
	SHARE("max-connections-per-address", max_connections_per_address,
	    CONF_WORKERS_MAX, "10%"),
	ULONG("address-prefix-v4", address_prefix_v4, 1, 32, 32),
	ULONG("address-prefix-v6", address_prefix_v6, 1, 128, 64),
	ULONG("shed-protect", shed_protect, 0, 3600, 10),
	ULONG("queue-timeout", queue_timeout, 1, 3600, 1),
	ULONG("max-line", max_line, 16, 1024 * 1024, 4096),
	ULONG("idle-timeout", idle_timeout, 1, 86400, 300),
	ULONG("line-timeout", line_timeout, 1, 86400, 30),
	ULONG("request-timeout", request_timeout, 1, 3600, 30),
	ULONG("shutdown-timeout", shutdown_timeout, 1, 3600, 10),
	ULONG("listen-backlog", listen_backlog, 1, 65535, 511),
	ULONG("udp-workers", udp_workers, 1, 64, 1),
	ULONG("precision", calc.precision, CALC_PRECISION_MIN,
	    CALC_PRECISION_MAX, CALC_DEFAULT_PRECISION),
	ULONG("max-digits", calc.max_digits, CALC_MAX_DIGITS_MIN,
	    CALC_MAX_DIGITS_MAX, CALC_DEFAULT_MAX_DIGITS),
	ULONG("max-depth", calc.max_depth, CALC_MAX_DEPTH_MIN,
	    CALC_MAX_DEPTH_MAX, CALC_DEFAULT_MAX_DEPTH),
	ULONG("max-expression-length", calc.max_length, CALC_MAX_LENGTH_MIN,
	    CALC_MAX_LENGTH_MAX, CALC_DEFAULT_MAX_LENGTH),
	ULONG("max-variables", calc.max_variables, CALC_MAX_VARIABLES_MIN,
	    CALC_MAX_VARIABLES_MAX, CALC_DEFAULT_MAX_VARIABLES),
	ULONG("max-work", calc.max_work, CALC_MAX_WORK_MIN, CALC_MAX_WORK_MAX,
	    CALC_DEFAULT_MAX_WORK),
	STRING("tls-certificate", tls_certificate,
	    "/etc/ssl/certs/ssl-cert-snakeoil.pem"),
	STRING("tls-key", tls_key, "/etc/ssl/private/ssl-cert-snakeoil.key"),
	STRING("tls-priority", tls_priority, CONF_DEFAULT_TLS_PRIORITY),
	STRING("tls-ticket-key-file", tls_ticket_key_file, ""),
	ULONG("tls-handshake-timeout", tls_handshake_timeout, 1, 3600, 10),
	ULONG("http-max-uri", http_max_uri, 64, 1024 * 1024,
	    HTTP_DEFAULT_MAX_URI),
	ULONG("http-max-header-size", http_max_header_size, 256,
	    1024 * 1024, HTTP_DEFAULT_MAX_HEADER_SIZE),
	ULONG("http-max-headers", http_max_headers, 1, 10000,
	    HTTP_DEFAULT_MAX_HEADERS),
	ULONG("http-max-body", http_max_body, 0, 64 * 1024 * 1024,
	    HTTP_DEFAULT_MAX_BODY),
	ULONG("http-header-timeout", http_header_timeout, 1, 3600,
	    HTTP_DEFAULT_HEADER_TIMEOUT),
	ULONG("http-keepalive-timeout", http_keepalive_timeout, 1, 3600,
	    HTTP_DEFAULT_KEEPALIVE_TIMEOUT),
	ULONG("http-body-timeout", http_body_timeout, 1, 3600,
	    HTTP_DEFAULT_BODY_TIMEOUT),
	ULONG("http-body-min-rate", http_body_min_rate, 0, 1024 * 1024 * 1024,
	    HTTP_DEFAULT_BODY_MIN_RATE),
	ULONG("http-max-requests", http_max_requests, 1, 100000000,
	    HTTP_DEFAULT_MAX_REQUESTS),
	NETLIST("metrics-allow", metrics_allow, "127.0.0.0/8 ::1"),
	NETLIST("proxy-allow", proxy_allow, "127.0.0.0/8 ::1"),
	ULONG("proxy-timeout", proxy_timeout, 1, 3600, 5),
};
#define NKEYWORDS	(sizeof(conf_keywords) / sizeof(conf_keywords[0]))
_Static_assert(NKEYWORDS <= CONF_KEYWORDS_MAX,
    "struct conf's set_line must have room for every keyword");

struct conf_parser {
	const char	*path;
	int		 line;
	char		*err;
	size_t		 errlen;
};

static int
conf_error(struct conf_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Write "FILE:LINE: message" (or "FILE: message" for line 0); return -1. */
static int
conf_error(struct conf_parser *p, const char *fmt, ...)
{
	char	 msg[CONF_ERR_MAX];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->line > 0)
		snprintf(p->err, p->errlen, "%s:%d: %s", p->path, p->line, msg);
	else
		snprintf(p->err, p->errlen, "%s: %s", p->path, msg);
	return -1;
}

static int	conf_parse_net(const char *, struct conf_net *, const char **);

/* Parse a built-in default list; it is known to be good. */
static void
conf_default_netlist(struct conf_netlist *list, const char *text)
{
	char		 buf[256], *words[CONF_NETS_MAX], *w, *save;
	const char	*why;
	int		 n = 0;

	snprintf(buf, sizeof(buf), "%s", text);
	for (w = strtok_r(buf, " ", &save); w && n < CONF_NETS_MAX;
	    w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	list->count = 0;
	while (list->count < (size_t)n &&
	    conf_parse_net(words[list->count], &list->net[list->count],
	    &why) == 0)
		list->count++;
}

/* A built-in share, "N" or "N%". */
static void
conf_default_share(struct conf_share *out, const char *def)
{
	out->n = strtoul(def, NULL, 10);
	out->percent = strchr(def, '%') != NULL;
}

void
conf_defaults(struct conf *c)
{
	const struct conf_keyword	*k;
	size_t				 i;

	memset(c, 0, sizeof(*c));
	calc_limits_default(&c->calc);
	for (i = 0; i < NKEYWORDS; i++) {
		k = &conf_keywords[i];
		if (k->type == CONF_ULONG)
			*(unsigned long *)((char *)c + k->offset) = k->def;
		else if (k->type == CONF_STRING)
			snprintf((char *)c + k->offset, k->size, "%s", k->sdef);
		else if (k->type == CONF_SHARE)
			conf_default_share((void *)((char *)c + k->offset),
			    k->sdef);
		else
			conf_default_netlist((void *)((char *)c + k->offset),
			    k->sdef);
	}
}

/*
 * The max-expression-length field is a size_t inside struct calc_limits;
 * the table stores unsigned longs, which have the same size on every
 * platform Debian supports.  Refuse to build where that is not so.
 */
_Static_assert(sizeof(size_t) == sizeof(unsigned long),
    "calc_limits.max_length must be as wide as unsigned long");

/* Parse a decimal number with range checks (never atoi). */
static int
conf_parse_ulong(struct conf_parser *p, const struct conf_keyword *k,
    const char *word, unsigned long *out)
{
	char		*end;
	unsigned long	 v;

	if (word[0] < '0' || word[0] > '9')
		return conf_error(p, "%s: '%s' is not a number", k->name, word);
	errno = 0;
	v = strtoul(word, &end, 10);
	if (*end != '\0')
		return conf_error(p, "%s: '%s' is not a number", k->name, word);
	if (errno == ERANGE || v < k->min || v > k->max)
		return conf_error(p, "%s: %s is out of range (%lu to %lu)",
		    k->name, word, k->min, k->max);
	*out = v;
	return 0;
}

/* Parse "ADDRESS[/PREFIX]", numeric IPv4 or IPv6 (brackets optional). */
static int
conf_parse_net(const char *word, struct conf_net *net, const char **why)
{
	char		 host[INET6_ADDRSTRLEN + 2], *end;
	const char	*slash = strchr(word, '/');
	size_t		 len = slash ? (size_t)(slash - word) : strlen(word);
	unsigned long	 prefix;

	if (len >= 2 && word[0] == '[' && word[len - 1] == ']')
		word++, len -= 2;
	if (len == 0 || len >= sizeof(host))
		return (*why = "bad address", -1);
	memcpy(host, word, len);
	host[len] = '\0';
	memset(net, 0, sizeof(*net));
	if (inet_pton(AF_INET, host, net->addr) == 1)
		net->family = AF_INET;
	else if (inet_pton(AF_INET6, host, net->addr) == 1)
		net->family = AF_INET6;
	else
		return (*why = "not a numeric IPv4 or IPv6 address", -1);
	net->prefix = net->family == AF_INET ? 32 : 128;
	if (slash == NULL)
		return 0;
	errno = 0;
	prefix = strtoul(slash + 1, &end, 10);
	if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || errno ||
	    prefix > net->prefix)
		return (*why = "bad prefix length", -1);
	net->prefix = prefix;
	return 0;
}

/* Parse the words of an address list into list. */
static int
conf_parse_netlist(struct conf_parser *p, const char *name, char **words,
    int count, struct conf_netlist *list)
{
	const char	*why;
	int		 i;

	if (count > CONF_NETS_MAX)
		return conf_error(p, "%s: at most %d networks", name,
		    CONF_NETS_MAX);
	list->count = 0;
	for (i = 0; i < count; i++) {
		if (strcmp(words[i], "none") == 0 && count == 1)
			return 0;
		if (conf_parse_net(words[i], &list->net[list->count++],
		    &why) == -1)
			return conf_error(p, "%s: '%s': %s", name, words[i],
			    why);
	}
	return 0;
}

/* Set the keyword's field from its arguments. */
/*
 * A share: "N" workers (min to max), or "N%" of workers-max (1 to 100).
 * Returns 0, or -1 after the error.
 */
static int
conf_parse_share(struct conf_parser *p, const struct conf_keyword *k,
    const char *word, struct conf_share *out)
{
	struct conf_keyword	 pct = *k;
	char			 num[32];
	size_t			 len = strlen(word);

	out->percent = len > 0 && word[len - 1] == '%';
	if (!out->percent)
		return conf_parse_ulong(p, k, word, &out->n);
	if (len - 1 >= sizeof(num))
		return conf_error(p, "%s: '%s' is not a number", k->name, word);
	memcpy(num, word, len - 1);
	num[len - 1] = '\0';
	pct.min = 1;
	pct.max = 100;
	return conf_parse_ulong(p, &pct, num, &out->n);
}

static int
conf_set(struct conf_parser *p, struct conf *c, size_t idx, char **argv,
    int argc)
{
	const struct conf_keyword	*k = &conf_keywords[idx];
	void				*field = (char *)c + k->offset;

	if (argc < 2 || (argc != 2 && k->type != CONF_NETLIST))
		return conf_error(p, "%s takes one value", k->name);
	if (c->set_line[idx])
		return conf_error(p, "%s is already set on line %d", k->name,
		    c->set_line[idx]);
	c->set_line[idx] = p->line;
	if (k->type == CONF_NETLIST)
		return conf_parse_netlist(p, k->name, argv + 1, argc - 1,
		    field);
	if (k->type == CONF_ULONG)
		return conf_parse_ulong(p, k, argv[1], field);
	if (k->type == CONF_SHARE)
		return conf_parse_share(p, k, argv[1], field);
	if (strlen(argv[1]) >= k->size)
		return conf_error(p, "%s: value too long", k->name);
	memcpy(field, argv[1], strlen(argv[1]) + 1);
	return 0;
}

/*
 * Parse "ADDRESS:PORT" where ADDRESS is a numeric IPv4 address, "*" for
 * every IPv4 address, or a numeric IPv6 address in brackets.
 */
static int
conf_parse_address(struct conf_parser *p, const char *text,
    struct conf_listen *l)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&l->addr;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&l->addr;
	char			 host[INET6_ADDRSTRLEN + 2], *end;
	const char		*colon, *port;
	unsigned long		 n;
	size_t			 hostlen;

	if ((colon = strrchr(text, ':')) == NULL)
		return conf_error(p, "'%s': expected ADDRESS:PORT", text);
	port = colon + 1;
	hostlen = colon - text;
	if (text[0] == '[') {
		if (hostlen < 2 || text[hostlen - 1] != ']')
			return conf_error(p, "'%s': expected [IPv6]:PORT", text);
		text++;
		hostlen -= 2;
	} else if (memchr(text, ':', hostlen) != NULL)
		return conf_error(p, "'%s': an IPv6 address goes in brackets: "
		    "[ADDRESS]:PORT", text);
	if (hostlen == 0 || hostlen >= sizeof(host))
		return conf_error(p, "'%s': bad address", text);
	memcpy(host, text, hostlen);
	host[hostlen] = '\0';

	errno = 0;
	n = strtoul(port, &end, 10);
	if (port[0] < '0' || port[0] > '9' || *end != '\0' || errno ||
	    n < 1 || n > 65535)
		return conf_error(p, "'%s': port must be 1 to 65535", port);

	memset(&l->addr, 0, sizeof(l->addr));
	if (strcmp(host, "*") == 0) {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_ANY);
		sin->sin_port = htons(n);
		l->addrlen = sizeof(*sin);
	} else if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(n);
		l->addrlen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(n);
		l->addrlen = sizeof(*sin6);
	} else
		return conf_error(p, "'%s': not a numeric IPv4 or [IPv6] "
		    "address", host);
	return 0;
}

/* Format "proto address:port" into l->name. */
static void
conf_listen_name(struct conf_listen *l)
{
	char			 host[INET6_ADDRSTRLEN];
	const struct sockaddr_in *sin = (const void *)&l->addr;
	const struct sockaddr_in6 *sin6 = (const void *)&l->addr;

	if (l->addr.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(l->name, sizeof(l->name), "%s [%s]:%u",
		    proto_name(l->proto), host, ntohs(sin6->sin6_port));
	} else {
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(l->name, sizeof(l->name), "%s %s:%u",
		    proto_name(l->proto), host, ntohs(sin->sin_port));
	}
}

int
conf_netlist_match(const struct conf_netlist *list, const struct sockaddr *sa)
{
	const struct sockaddr_in	*sin = (const void *)sa;
	const struct sockaddr_in6	*sin6 = (const void *)sa;
	const unsigned char		*addr;
	unsigned char			 mapped[4];
	int				 family = sa->sa_family;
	size_t				 i;

	if (family == AF_INET)
		addr = (const unsigned char *)&sin->sin_addr;
	else if (family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		memcpy(mapped, &sin6->sin6_addr.s6_addr[12], 4);
		addr = mapped;
		family = AF_INET;
	} else if (family == AF_INET6)
		addr = sin6->sin6_addr.s6_addr;
	else
		return 0;
	for (i = 0; i < list->count; i++) {
		const struct conf_net *n = &list->net[i];
		unsigned full = n->prefix / 8, rest = n->prefix % 8;

		if (n->family != family || memcmp(n->addr, addr, full) != 0)
			continue;
		if (rest == 0 || ((n->addr[full] ^ addr[full]) &
		    (0xff << (8 - rest))) == 0)
			return 1;
	}
	return 0;
}

int
conf_has_tls(const struct conf *c)
{
	size_t	 i;

	for (i = 0; i < c->nlisten; i++)
		if (proto_get(c->listen[i].proto)->tls)
			return 1;
	return 0;
}

unsigned long
conf_address_share(const struct conf *c)
{
	const struct conf_share	*s = &c->max_connections_per_address;
	unsigned long		 n = s->n;

	if (s->percent)
		n = c->workers_max * s->n / 100;
	return n > 0 ? n : 1;
}

int
conf_has_udp(const struct conf *c)
{
	size_t	 i;

	for (i = 0; i < c->nlisten; i++)
		if (proto_get(c->listen[i].proto)->socktype == SOCK_DGRAM)
			return 1;
	return 0;
}

int
conf_listen_same(const struct conf_listen *a, const struct conf_listen *b)
{
	return a->proto == b->proto && a->addrlen == b->addrlen &&
	    memcmp(&a->addr, &b->addr, a->addrlen) == 0;
}

/* Whether two listeners would bind the same socket (same transport). */
static int
conf_listen_clash(const struct conf_listen *a, const struct conf_listen *b)
{
	return proto_get(a->proto)->socktype == proto_get(b->proto)->socktype &&
	    a->addrlen == b->addrlen &&
	    memcmp(&a->addr, &b->addr, a->addrlen) == 0;
}

/* Append a listener, refusing one whose socket another already binds. */
static int
conf_add_listen(struct conf_parser *p, struct conf *c,
    const struct conf_listen *l)
{
	size_t	 i;

	for (i = 0; i < c->nlisten; i++)
		if (conf_listen_clash(&c->listen[i], l))
			return conf_error(p, "listen %s: address already used "
			    "by \"listen %s\" on line %d", l->name,
			    c->listen[i].name, c->listen[i].line);
	if (c->nlisten == CONF_LISTEN_MAX)
		return conf_error(p, "too many listen lines (at most %d)",
		    CONF_LISTEN_MAX);
	c->listen[c->nlisten++] = *l;
	return 0;
}

static int
conf_parse_listen(struct conf_parser *p, struct conf *c, char **argv,
    int argc)
{
	struct conf_listen	 l;
	int			 proto;

	if (argc != 3 && (argc != 4 || strcmp(argv[3], "proxy") != 0))
		return conf_error(p, "listen takes a protocol, ADDRESS:PORT "
		    "and optionally \"proxy\"");
	memset(&l, 0, sizeof(l));
	if ((proto = proto_find(argv[1])) == -1)
		return conf_error(p, "listen: unknown protocol '%s'", argv[1]);
	l.proto = proto;
	l.line = p->line;
	l.fd = -1;
	l.sbi = -1;
	l.proxy = argc == 4;
	if (l.proxy && proto_get(proto)->socktype != SOCK_STREAM)
		return conf_error(p, "listen %s: the PROXY protocol is for "
		    "stream listeners", argv[1]);
	if (conf_parse_address(p, argv[2], &l) == -1)
		return -1;
	conf_listen_name(&l);
	return conf_add_listen(p, c, &l);
}

/* Add 0.0.0.0:PORT and [::]:PORT for each protocol, on its default port. */
static void
conf_add_default_listeners(struct conf *c)
{
	struct conf_listen	*l;
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;
	int			 proto;

	for (proto = 0; proto < PROTO_COUNT; proto++) {
		l = &c->listen[c->nlisten++];
		memset(l, 0, sizeof(*l));
		l->proto = (enum proto_id)proto;
		l->fd = -1;
		l->sbi = -1;
		sin = (struct sockaddr_in *)&l->addr;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(proto_get(proto)->port);
		l->addrlen = sizeof(*sin);
		conf_listen_name(l);

		l = &c->listen[c->nlisten++];
		memset(l, 0, sizeof(*l));
		l->proto = (enum proto_id)proto;
		l->fd = -1;
		l->sbi = -1;
		sin6 = (struct sockaddr_in6 *)&l->addr;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_any;
		sin6->sin6_port = htons(proto_get(proto)->port);
		l->addrlen = sizeof(*sin6);
		conf_listen_name(l);
	}
}

/* Split a line into words at blanks, dropping a '#' comment. */
static int
conf_split(char *line, char **argv, int max)
{
	char	*s;
	int	 argc = 0;

	if ((s = strchr(line, '#')) != NULL)
		*s = '\0';
	for (s = strtok(line, " \t\r\n"); s != NULL;
	    s = strtok(NULL, " \t\r\n")) {
		if (argc == max)
			return max + 1;
		argv[argc++] = s;
	}
	return argc;
}

static int
conf_parse_line(struct conf_parser *p, struct conf *c, char *line)
{
	char	*argv[CONF_NETS_MAX + 3];
	int	 argc;
	size_t	 i;

	/* One word more than any keyword takes, for its own message. */
	if ((argc = conf_split(line, argv, CONF_NETS_MAX + 2)) == 0)
		return 0;
	if (argc > CONF_NETS_MAX + 2)
		return conf_error(p, "too many words");
	if (strcmp(argv[0], "listen") == 0)
		return conf_parse_listen(p, c, argv, argc);
	for (i = 0; i < NKEYWORDS; i++)
		if (strcmp(argv[0], conf_keywords[i].name) == 0)
			return conf_set(p, c, i, argv, argc);
	return conf_error(p, "unknown keyword '%s'", argv[0]);
}

void
conf_where(const struct conf *c, const char *keyword, char *buf, size_t len)
{
	size_t	i;

	for (i = 0; i < NKEYWORDS; i++)
		if (strcmp(conf_keywords[i].name, keyword) == 0 &&
		    c->set_line[i] > 0) {
			snprintf(buf, len, "%s:%d", c->path, c->set_line[i]);
			return;
		}
	snprintf(buf, len, "%s", c->path);
}

int
conf_check_user(const struct conf *c, char *err, size_t errlen)
{
	struct passwd	*pw;
	char		 where[sizeof(c->path) + 16];

	conf_where(c, "user", where, sizeof(where));
	if ((pw = getpwnam(c->user)) == NULL) {
		snprintf(err, errlen, "%s: user %s: no such user", where,
		    c->user);
		return -1;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errlen, "%s: user %s: workers must not run as "
		    "root", where, c->user);
		return -1;
	}
	return 0;
}

/* The line keyword was set on, or 0 when it has its default. */
static int
conf_set_line(const struct conf *c, const char *keyword)
{
	size_t	i;

	for (i = 0; i < NKEYWORDS; i++)
		if (strcmp(conf_keywords[i].name, keyword) == 0)
			return c->set_line[i];
	return 0;
}

/*
 * The spare counts left at their defaults follow the pool: at most
 * workers-max, and workers-max-spare at least workers-min-spare, so that
 * "workers-max 5" or "workers-min-spare 20" alone is a good file.  Counts
 * set in the file are checked against each other and workers-max, and an
 * error names the line of the first one.
 */
static int
conf_check_pool(struct conf_parser *p, struct conf *c)
{
	int	 min_line = conf_set_line(c, "workers-min-spare");
	int	 max_line = conf_set_line(c, "workers-max-spare");

	if (min_line == 0 && c->workers_min_spare > c->workers_max)
		c->workers_min_spare = c->workers_max;
	if (max_line == 0 && c->workers_max_spare > c->workers_max)
		c->workers_max_spare = c->workers_max;
	if (max_line == 0 && c->workers_max_spare < c->workers_min_spare)
		c->workers_max_spare = c->workers_min_spare;
	if (min_line == 0 && c->workers_min_spare > c->workers_max_spare)
		c->workers_min_spare = c->workers_max_spare;
	p->line = min_line;
	if (c->workers_min_spare > c->workers_max)
		return conf_error(p, "workers-min-spare (%lu) is greater than "
		    "workers-max (%lu)", c->workers_min_spare, c->workers_max);
	if (c->workers_min_spare > c->workers_max_spare)
		return conf_error(p, "workers-min-spare (%lu) is greater than "
		    "workers-max-spare (%lu)", c->workers_min_spare,
		    c->workers_max_spare);
	p->line = max_line;
	if (c->workers_max_spare > c->workers_max)
		return conf_error(p, "workers-max-spare (%lu) is greater than "
		    "workers-max (%lu)", c->workers_max_spare, c->workers_max);
	p->line = 0;
	return 0;
}

/* Checks that involve more than one keyword. */
static int
conf_check(struct conf_parser *p, struct conf *c)
{
	const char	*msg;

	if (conf_check_pool(p, c) == -1)
		return -1;
	if ((msg = calc_limits_check(&c->calc)) != NULL)
		return conf_error(p, "%s", msg);
	if (strcmp(c->log_format, "text") != 0 &&
	    strcmp(c->log_format, "json") != 0)
		return conf_error(p, "log-format: '%s' is not text or json",
		    c->log_format);
	return 0;
}

int
conf_load(const char *path, struct conf *c, char *err, size_t errlen)
{
	struct conf_parser	 p;
	char			*line = NULL;
	size_t			 cap = 0;
	ssize_t			 len;
	FILE			*fp;
	int			 rc = 0;

	memset(&p, 0, sizeof(p));
	p.path = path;
	p.err = err;
	p.errlen = errlen;
	conf_defaults(c);
	snprintf(c->path, sizeof(c->path), "%s", path);
	if ((fp = fopen(path, "r")) == NULL)
		return conf_error(&p, "%s", strerror(errno));
	while (rc == 0 && (len = getline(&line, &cap, fp)) != -1) {
		p.line++;
		if (len > CONF_LINE_MAX)
			rc = conf_error(&p, "line too long (at most %d bytes)",
			    CONF_LINE_MAX);
		else if (memchr(line, '\0', len) != NULL)
			rc = conf_error(&p, "NUL byte in line");
		else
			rc = conf_parse_line(&p, c, line);
	}
	if (rc == 0 && ferror(fp))
		rc = conf_error(&p, "%s", strerror(errno));
	free(line);
	fclose(fp);
	if (rc == -1)
		return -1;
	if (c->nlisten == 0)
		conf_add_default_listeners(c);
	return conf_check(&p, c);
}
