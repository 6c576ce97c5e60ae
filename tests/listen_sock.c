/*
 * listen_sock.c - bind a daemon's listening sockets from its template and
 * pass them on as systemd does.  See listen_sock.h for the contract.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listen_sock.h"

#define LSOCK_TRIES	100	/* port numbers tried for one word */
#define LSOCK_HOST_MAX	64

/* One listen line whose port is a word. */
struct lsock_line {
	int		 type;		/* SOCK_STREAM or SOCK_DGRAM */
	char		 host[LSOCK_HOST_MAX];
	int		 word;		/* index into set->word */
};

static int
lsock_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
lsock_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Bind host ("127.0.0.1", "::1", "*" for 0.0.0.0) port, as calcd binds
 * its own listeners (SO_REUSEADDR, IPv6-only), and listen on a stream
 * socket.  Returns the socket with *bound set, or -1 with errno.
 */
static int
lsock_open(int type, const char *host, unsigned short port,
    unsigned short *bound)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 len;
	int			 fd, on = 1, saved;

	memset(&ss, 0, sizeof(ss));
	if (strcmp(host, "*") == 0 ||
	    inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		if (strcmp(host, "*") == 0)
			sin->sin_addr.s_addr = htonl(INADDR_ANY);
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		len = sizeof(*sin6);
	} else {
		errno = EINVAL;
		return -1;
	}
	if ((fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    (ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1) ||
	    bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    (type == SOCK_STREAM && listen(fd, SOMAXCONN) == -1) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		goto fail;
	*bound = ntohs(ss.ss_family == AF_INET ? sin->sin_port :
	    sin6->sin6_port);
	return fd;
 fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* The index of word in set, added when new; -1 when the set is full. */
static int
lsock_word(struct lsock_set *set, const char *word, size_t len)
{
	int	 i;

	for (i = 0; i < set->nword; i++)
		if (strlen(set->word[i]) == len &&
		    memcmp(set->word[i], word, len) == 0)
			return i;
	if (set->nword == LSOCK_MAX || len >= LSOCK_WORD_MAX)
		return -1;
	memcpy(set->word[i], word, len);
	set->word[i][len] = '\0';
	set->port[i] = 0;
	return set->nword++;
}

/*
 * Parse one template line: 1 when it is "listen PROTO HOST:%%WORD%%"
 * (filling l), 0 when it is anything else, -1 when the set is full.
 */
static int
lsock_parse(struct lsock_set *set, const char *line, struct lsock_line *l)
{
	char		 proto[16], addr[128], *colon, *end;
	size_t		 hlen;

	if (sscanf(line, " listen %15s %127s", proto, addr) != 2 ||
	    (colon = strstr(addr, ":%%")) == NULL ||
	    (end = strstr(colon + 3, "%%")) == NULL || end[2] != '\0')
		return 0;
	l->type = strcmp(proto, "udp") == 0 ? SOCK_DGRAM : SOCK_STREAM;
	hlen = colon - addr;
	if (hlen >= 2 && addr[0] == '[' && addr[hlen - 1] == ']') {
		memmove(addr, addr + 1, hlen - 2);
		hlen -= 2;
	}
	if (hlen >= sizeof(l->host))
		return 0;
	memcpy(l->host, addr, hlen);
	l->host[hlen] = '\0';
	if ((l->word = lsock_word(set, colon + 3, end - colon - 3)) == -1)
		return -1;
	return 1;
}

/*
 * Bind every line of word w on one port: the first on port 0, the
 * others on the port it got.  When another process holds that port on
 * another address, start again.  Returns 0, or -1 with errno.
 */
static int
lsock_bind_word(struct lsock_set *set, const struct lsock_line *lines,
    int nlines, int w)
{
	unsigned short	 port, bound;
	int		 i, fd, first, try, saved;

	for (try = 0; try < LSOCK_TRIES; try++) {
		port = 0;
		first = set->nfd;
		for (i = 0; i < nlines; i++) {
			if (lines[i].word != w)
				continue;
			if (set->nfd == LSOCK_MAX) {
				errno = EMFILE;
				return -1;
			}
			if ((fd = lsock_open(lines[i].type, lines[i].host,
			    port, &bound)) == -1)
				break;
			set->fd[set->nfd++] = fd;
			port = bound;
		}
		if (i == nlines) {
			set->port[w] = port;
			return 0;
		}
		saved = errno;
		while (set->nfd > first)
			close(set->fd[--set->nfd]);
		errno = saved;
		if (saved != EADDRINUSE || port == 0)
			return -1;
	}
	return -1;
}

int
lsock_bind_template(const char *tmpl, struct lsock_set *set, char *err,
    size_t errlen)
{
	struct lsock_line	 lines[LSOCK_MAX];
	const char		*p, *nl;
	char			 line[256];
	size_t			 len;
	int			 n = 0, r, w;

	memset(set, 0, sizeof(*set));
	for (p = tmpl; *p != '\0'; p = nl ? nl + 1 : p + len) {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (len >= sizeof(line))
			continue;
		memcpy(line, p, len);
		line[len] = '\0';
		if (n == LSOCK_MAX ||
		    (r = lsock_parse(set, line, &lines[n])) == -1)
			return lsock_fail(err, errlen, "more than %d listen "
			    "lines or port words", LSOCK_MAX);
		n += r;
	}
	for (w = 0; w < set->nword; w++)
		if (lsock_bind_word(set, lines, n, w) == -1) {
			lsock_fail(err, errlen, "bind a port for %%%%%s%%%%: "
			    "%s", set->word[w], strerror(errno));
			lsock_close(set);
			return -1;
		}
	return 0;
}

unsigned short
lsock_port(const struct lsock_set *set, const char *word)
{
	int	 i;

	for (i = 0; i < set->nword; i++)
		if (strcmp(set->word[i], word) == 0)
			return set->port[i];
	return 0;
}

void
lsock_close(struct lsock_set *set)
{
	while (set->nfd > 0)
		close(set->fd[--set->nfd]);
}

int
lsock_pass(struct lsock_set *set)
{
	char	 buf[32];
	int	 tmp[LSOCK_MAX], i;

	if (set->nfd == 0) {
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_PID");
		return 0;
	}
	/* Above the target range first, so no move overwrites another. */
	for (i = 0; i < set->nfd; i++) {
		if ((tmp[i] = fcntl(set->fd[i], F_DUPFD, 3 + set->nfd)) == -1)
			return -1;
		close(set->fd[i]);
	}
	for (i = 0; i < set->nfd; i++) {
		if (dup2(tmp[i], 3 + i) == -1)
			return -1;
		close(tmp[i]);
		set->fd[i] = 3 + i;
	}
	snprintf(buf, sizeof(buf), "%d", set->nfd);
	setenv("LISTEN_FDS", buf, 1);
	snprintf(buf, sizeof(buf), "%ld", (long)getpid());
	setenv("LISTEN_PID", buf, 1);
	unsetenv("LISTEN_FDNAMES");
	return 0;
}
