/*
 * fuzz_conf.c - libFuzzer target for the configuration parser
 * (conf.h: conf_load()).
 *
 * The input is a calcd.conf: written to a memory file and loaded through
 * its /proc/self/fd path, as calcd loads its file.  A loaded
 * configuration must hold what calcd.conf(5) promises (listeners of a
 * known protocol on a valid address, settings in their ranges, strings
 * terminated); a refused one must say why in one "FILE:LINE: message"
 * line.  The address lists it holds are then asked about a few addresses.
 * Build and run with tests/fuzz/run.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_conf: %s\n", what);
	abort();
}

static void
check_string(const char *s, size_t size, const char *what)
{
	if (memchr(s, '\0', size) == NULL)
		fail(what);
}

static void
check_netlist(const struct conf_netlist *l)
{
	size_t i;

	if (l->count > CONF_NETS_MAX)
		fail("more networks than CONF_NETS_MAX");
	for (i = 0; i < l->count; i++)
		if ((l->net[i].family != AF_INET ||
		    l->net[i].prefix > 32) &&
		    (l->net[i].family != AF_INET6 || l->net[i].prefix > 128))
			fail("network of another family or a long prefix");
}

/* Ask the list about a few addresses; the answer is only 0 or 1. */
static void
ask_netlist(const struct conf_netlist *l)
{
	static const char *const v4[] = { "127.0.0.1", "10.1.2.3" };
	static const char *const v6[] = { "::1", "::ffff:127.0.0.1",
	    "2001:db8::7" };
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	size_t i;

	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		if (inet_pton(AF_INET, v4[i], &sin.sin_addr) != 1)
			abort();
		if ((unsigned)conf_netlist_match(l, (struct sockaddr *)&sin) > 1)
			fail("match is neither 0 nor 1");
	}
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, v6[i], &sin6.sin6_addr) != 1)
			abort();
		if ((unsigned)conf_netlist_match(l,
		    (struct sockaddr *)&sin6) > 1)
			fail("match is neither 0 nor 1");
	}
}

static void
check_listeners(const struct conf *c)
{
	const struct conf_listen *l;
	size_t i, j;

	if (c->nlisten == 0 || c->nlisten > CONF_LISTEN_MAX)
		fail("no listener, or more than CONF_LISTEN_MAX");
	for (i = 0; i < c->nlisten; i++) {
		l = &c->listen[i];
		if ((unsigned)l->proto >= PROTO_COUNT ||
		    strcmp(proto_name(l->proto), "?") == 0)
			fail("listener of an unknown protocol");
		if (!(l->addr.ss_family == AF_INET &&
		    l->addrlen == sizeof(struct sockaddr_in)) &&
		    !(l->addr.ss_family == AF_INET6 &&
		    l->addrlen == sizeof(struct sockaddr_in6)))
			fail("listener address of a bad family or length");
		if (((const struct sockaddr_in *)&l->addr)->sin_port == 0)
			fail("listener on port 0");
		if (l->fd != -1 || (l->proxy && l->proto == PROTO_UDP))
			fail("listener with a socket, or udp with PROXY");
		check_string(l->name, sizeof(l->name), "name unterminated");
		for (j = 0; j < i; j++)
			if (conf_listen_same(l, &c->listen[j]))
				fail("the same listener twice");
	}
}

static void
check_conf(const struct conf *c)
{
	check_listeners(c);
	check_string(c->user, sizeof(c->user), "user unterminated");
	check_string(c->tls_certificate, sizeof(c->tls_certificate),
	    "tls-certificate unterminated");
	check_string(c->tls_key, sizeof(c->tls_key), "tls-key unterminated");
	check_string(c->tls_priority, sizeof(c->tls_priority),
	    "tls-priority unterminated");
	if (c->workers_min_spare > c->workers_max_spare ||
	    c->workers_max_spare > c->workers_max ||
	    c->workers_max > CONF_WORKERS_MAX || c->workers_min_spare == 0)
		fail("workers out of order or range");
	if (c->max_line < 16 || c->http_max_header_size < 256 ||
	    c->http_max_uri < 64)
		fail("a size below its minimum");
	if (calc_limits_check(&c->calc) != NULL)
		fail("engine limits out of range");
	check_netlist(&c->metrics_allow);
	check_netlist(&c->proxy_allow);
	ask_netlist(&c->metrics_allow);
	ask_netlist(&c->proxy_allow);
	(void)conf_has_tls(c);
	(void)conf_has_udp(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf c;
	char path[64], err[CONF_ERR_MAX];
	size_t errlen;
	int fd;

	if ((fd = memfd_create("fuzz_conf", MFD_CLOEXEC)) == -1)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	memset(err, 0x5a, sizeof(err));
	if (conf_load(path, &c, err, sizeof(err)) == 0)
		check_conf(&c);
	else {
		check_string(err, sizeof(err), "error unterminated");
		errlen = strlen(path);
		if (strncmp(err, path, errlen) != 0 || err[errlen] != ':')
			fail("error does not start with FILE:");
		if (strchr(err, '\n') != NULL)
			fail("error of more than one line");
	}
	close(fd);
	return 0;
}
