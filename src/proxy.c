/*
 * proxy.c - the PROXY protocol header (HAProxy's proxy-protocol.txt):
 * version 1, a text line "PROXY TCP4 src dst sport dport\r\n", and
 * version 2, a binary header behind a 12-byte signature.  Only the
 * client's address is kept; version 2's TLVs are skipped.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"
#include "stream.h"
#include "util.h"

#define V1_PREFIX	"PROXY "
#define V2_HEAD		16	/* signature, version and command, family, length */

static const unsigned char v2_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

/* Whether buf[0..len) could still begin the string s. */
static int
starts_like(const unsigned char *buf, size_t len, const void *s, size_t slen)
{
	return memcmp(buf, s, len < slen ? len : slen) == 0;
}

/* A port of version 1: 1 to 5 decimal digits, at most 65535. */
static int
v1_port(const char *s, unsigned short *port)
{
	unsigned long	 v = 0;
	size_t		 n;

	for (n = 0; s[n] >= '0' && s[n] <= '9'; n++)
		v = v * 10 + (s[n] - '0');
	if (n == 0 || n > 5 || s[n] != '\0' || v > 65535 ||
	    (s[0] == '0' && n > 1))
		return -1;
	*port = (unsigned short)v;
	return 0;
}

/*
 * Split line into at most max fields at single spaces, in place.  Returns
 * how many, or -1 for an empty field (two spaces, or one at an end) or
 * more than max.
 */
static int
v1_split(char *line, char **f, int max)
{
	int	 n = 0;
	char	*sp;

	for (;;) {
		if (n == max || *line == '\0' || *line == ' ')
			return -1;
		f[n++] = line;
		if ((sp = strchr(line, ' ')) == NULL)
			return n;
		*sp = '\0';
		line = sp + 1;
	}
}

/*
 * The fields of a version 1 line after "PROXY ", NUL-terminated and
 * without its CRLF: "TCP4 src dst sport dport", "TCP6 ...", "UNKNOWN...".
 * Both addresses and ports must be valid; the source is the client.
 */
static int
v1_fields(char *line, struct sockaddr_storage *client, const char **why)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)client;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)client;
	unsigned char		 dst[16];
	char			*f[5];
	unsigned short		 port, dport;
	int			 af;

	memset(client, 0, sizeof(*client));
	if (strncmp(line, "UNKNOWN", 7) == 0 &&
	    (line[7] == '\0' || line[7] == ' ')) {
		client->ss_family = AF_UNSPEC;
		return 0;
	}
	*why = "PROXY v1: bad line";
	if (v1_split(line, f, 5) != 5 || v1_port(f[3], &port) == -1 ||
	    v1_port(f[4], &dport) == -1)
		return -1;
	if (strcmp(f[0], "TCP4") == 0)
		af = AF_INET;
	else if (strcmp(f[0], "TCP6") == 0)
		af = AF_INET6;
	else
		return -1;
	if (inet_pton(af, f[2], dst) != 1 || inet_pton(af, f[1],
	    af == AF_INET ? (void *)&sin->sin_addr :
	    (void *)&sin6->sin6_addr) != 1)
		return -1;
	if (af == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
	}
	return 0;
}

/* Version 1: a line of at most PROXY_V1_MAX bytes ending in CRLF. */
static ssize_t
v1_parse(const unsigned char *buf, size_t len, struct sockaddr_storage *client,
    const char **why)
{
	char			 line[PROXY_V1_MAX + 1];
	const unsigned char	*nl;
	size_t			 n;

	*why = "PROXY v1: no CRLF within 107 bytes";
	if ((nl = memchr(buf, '\n', len)) == NULL)
		return len < PROXY_V1_MAX ? 0 : -1;
	n = nl + 1 - buf;
	if (n > PROXY_V1_MAX)
		return -1;
	*why = "PROXY v1: bad line";
	if (n < sizeof(V1_PREFIX) + 1 || buf[n - 2] != '\r' ||
	    memchr(buf, '\0', n) != NULL)
		return -1;
	memcpy(line, buf + sizeof(V1_PREFIX) - 1,
	    n - 2 - (sizeof(V1_PREFIX) - 1));
	line[n - 2 - (sizeof(V1_PREFIX) - 1)] = '\0';
	return v1_fields(line, client, why) == 0 ? (ssize_t)n : -1;
}

/* Version 2's addresses, after its 16-byte head, into *client. */
static void
v2_addresses(const unsigned char *buf, size_t alen, unsigned fam,
    struct sockaddr_storage *client)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)client;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)client;
	const unsigned char	*a = buf + V2_HEAD;

	memset(client, 0, sizeof(*client));
	client->ss_family = AF_UNSPEC;
	if (fam == 0x11 && alen >= 12) {		/* TCP over IPv4 */
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, a, 4);
		memcpy(&sin->sin_port, a + 8, 2);
	} else if (fam == 0x21 && alen >= 36) {		/* TCP over IPv6 */
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, a, 16);
		memcpy(&sin6->sin6_port, a + 32, 2);
	}
}

/*
 * Version 2: the signature, version 2 with command LOCAL (0) or PROXY
 * (1), the family and transport, and the length of what follows.  LOCAL
 * (a health check of the balancer's own) and families other than TCP
 * over IPv4 or IPv6 leave the connection's address standing.
 */
static ssize_t
v2_parse(const unsigned char *buf, size_t len, struct sockaddr_storage *client,
    const char **why)
{
	size_t	 alen, total;

	if (len < V2_HEAD)
		return 0;
	*why = "PROXY v2: bad version or command";
	if ((buf[12] >> 4) != 2 || (buf[12] & 0x0f) > 1)
		return -1;
	alen = (size_t)buf[14] << 8 | buf[15];
	total = V2_HEAD + alen;
	*why = "PROXY v2: header longer than 1024 bytes";
	if (total > PROXY_V2_MAX)
		return -1;
	*why = "PROXY v2: addresses longer than the header";
	if ((buf[13] == 0x11 && alen < 12) || (buf[13] == 0x21 && alen < 36))
		return -1;
	if (len < total)
		return 0;
	if ((buf[12] & 0x0f) == 0) {
		memset(client, 0, sizeof(*client));
		client->ss_family = AF_UNSPEC;
	} else
		v2_addresses(buf, alen, buf[13], client);
	return (ssize_t)total;
}

ssize_t
proxy_parse(const unsigned char *buf, size_t len,
    struct sockaddr_storage *client, const char **why)
{
	*why = "no PROXY protocol header";
	if (len == 0)
		return 0;
	if (starts_like(buf, len, V1_PREFIX, sizeof(V1_PREFIX) - 1))
		return len < sizeof(V1_PREFIX) - 1 ? 0 :
		    v1_parse(buf, len, client, why);
	if (starts_like(buf, len, v2_sig, sizeof(v2_sig)))
		return len < sizeof(v2_sig) ? 0 :
		    v2_parse(buf, len, client, why);
	return -1;
}

size_t
proxy_take(const unsigned char *buf, size_t have, const unsigned char *next,
    size_t n)
{
	const unsigned char	*nl;
	size_t			 total;

	if (have > 0 && buf[0] == 'P') {
		nl = memchr(next, '\n', n);
		return nl != NULL ? (size_t)(nl + 1 - next) : n;
	}
	if (have == 0 && n > 0 && next[0] == 'P')
		return proxy_take(next, 1, next + 1, n - 1) + 1;
	if (have >= V2_HEAD) {
		total = V2_HEAD + ((size_t)buf[14] << 8 | buf[15]);
		return total > have ? (total - have < n ? total - have : n) : 0;
	}
	/* Up to the length field of version 2; the rest comes after. */
	return V2_HEAD - have < n ? V2_HEAD - have : n;
}

/* Read what is there of the header, without reading past it. */
static ssize_t
proxy_read_some(int fd, unsigned char *buf, size_t have, size_t cap)
{
	unsigned char	 peek[PROXY_V2_MAX];
	ssize_t		 n;
	size_t		 take;

	n = recv(fd, peek, cap - have, MSG_PEEK | MSG_DONTWAIT);
	if (n <= 0)
		return n == 0 ? 0 : (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR ? -2 : -1);
	take = proxy_take(buf, have, peek, (size_t)n);
	if (take == 0)
		return -1;
	do
		n = recv(fd, buf + have, take, MSG_DONTWAIT);
	while (n == -1 && errno == EINTR);
	return n;
}

int
proxy_read(int fd, int timeout_ms, struct sockaddr_storage *client,
    char *err, size_t errlen)
{
	unsigned char	 buf[PROXY_V2_MAX];
	uint64_t	 deadline = util_now_ms() + timeout_ms, now;
	const char	*why = "no PROXY protocol header";
	size_t		 have = 0;
	ssize_t		 n, hlen;

	for (;;) {
		n = proxy_read_some(fd, buf, have, sizeof(buf));
		if (n == 0 || n == -1) {
			snprintf(err, errlen, "%s", n == 0 ? "closed before "
			    "its PROXY header" : "i/o error in the PROXY header");
			return -1;
		}
		if (n > 0) {
			have += n;
			if ((hlen = proxy_parse(buf, have, client, &why)) > 0)
				return 0;
			if (hlen == -1 || have == sizeof(buf))
				break;
			continue;
		}
		now = util_now_ms();
		if (now >= deadline ||
		    stream_wait(fd, 0, (int)(deadline - now)) <= 0) {
			snprintf(err, errlen, "no whole PROXY header within "
			    "%d ms", timeout_ms);
			return -1;
		}
	}
	snprintf(err, errlen, "%s", why);
	return -1;
}
