/*
 * fuzz_proxy.c - libFuzzer target for the PROXY protocol header parser
 * (proxy.h: proxy_parse() and proxy_take(), versions 1 and 2).
 *
 * The input is what a balancer and then its client send.  It is read as
 * proxy_read() does, without a socket: the bytes arrive in pieces of
 * random size, proxy_take() says how many of those that are there to
 * take, proxy_parse() looks at what was taken.  Checked: proxy_take()
 * never takes more than is there, never a byte past the header, and
 * always some until the header is whole or refused; the header found in
 * pieces is the one proxy_parse() finds in the whole input, with the
 * same address.  Build and run with tests/fuzz/run.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"
#include "fuzz_split.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_proxy: %s\n", what);
	abort();
}

/* The reason given with -1 must be a short line of text. */
static void
check_why(const char *why)
{
	size_t i;

	if (why == NULL || why[0] == '\0')
		fail("refused without a reason");
	for (i = 0; why[i] != '\0'; i++)
		if ((unsigned char)why[i] < 0x20 || i > 200)
			fail("reason is not a short line");
}

/*
 * Read the header from data[0..size) in random pieces, as proxy_read()
 * reads it from a socket.  Returns its length, or -1.
 */
static ssize_t
read_pieces(const uint8_t *data, size_t size, struct fuzz_split *fs,
    struct sockaddr_storage *client)
{
	unsigned char buf[PROXY_V2_MAX];
	const char *why = NULL;
	size_t have = 0, arrived = 0, n, take;
	ssize_t hlen;

	for (;;) {
		/* More bytes arrive; peek at what is there, up to room. */
		n = fuzz_split_next(fs);
		arrived = n > size - arrived ? size : arrived + n;
		n = arrived - have;
		if (n > sizeof(buf) - have)
			n = sizeof(buf) - have;
		if (n == 0)
			return -1;	/* the client closed first */
		take = proxy_take(buf, have, data + have, n);
		if (take > n)
			fail("proxy_take takes more than is there");
		if (take == 0)
			fail("proxy_take takes nothing of an unfinished header");
		memcpy(buf + have, data + have, take);
		have += take;
		hlen = proxy_parse(buf, have, client, &why);
		if (hlen > 0) {
			if ((size_t)hlen != have)
				fail("bytes taken past the header");
			return hlen;
		}
		if (hlen == -1) {
			check_why(why);
			return -1;
		}
		if (hlen != 0)
			fail("proxy_parse returns neither -1, 0 nor a length");
		if (have == sizeof(buf))
			return -1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_storage whole_client, split_client;
	struct fuzz_split fs;
	const char *why = NULL;
	uint8_t *copy;
	ssize_t whole, split;

	/* An exact-size heap copy, so that ASan sees any read past the end. */
	if ((copy = malloc(size ? size : 1)) == NULL)
		abort();
	memcpy(copy, data, size);
	memset(&whole_client, 0xa5, sizeof(whole_client));
	memset(&split_client, 0x5a, sizeof(split_client));

	whole = proxy_parse(copy, size, &whole_client, &why);
	if (whole == -1)
		check_why(why);
	if (whole > 0 && (size_t)whole > size)
		fail("header longer than the input");
	if (whole > PROXY_V2_MAX)
		fail("header longer than PROXY_V2_MAX");
	if (whole > 0 && whole_client.ss_family != AF_UNSPEC &&
	    whole_client.ss_family != AF_INET &&
	    whole_client.ss_family != AF_INET6)
		fail("client address of another family");

	fuzz_split_init(&fs, data, size);
	split = read_pieces(copy, size, &fs, &split_client);
	if (split > 0 && split != whole)
		fail("a header found in pieces that the whole input lacks");
	if (whole > 0 && split != whole)
		fail("the whole input's header missed in pieces");
	if (split > 0 && (whole_client.ss_family != split_client.ss_family ||
	    memcmp(&whole_client, &split_client,
	    whole_client.ss_family == AF_INET ? sizeof(struct sockaddr_in) :
	    whole_client.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(whole_client.ss_family)) != 0))
		fail("the address differs when the header comes in pieces");
	free(copy);
	return 0;
}
