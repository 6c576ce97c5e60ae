/*
 * fuzz_udp.c - libFuzzer target for the UDP datagram path
 * (datagram.h: datagram_answer()).
 *
 * The first byte chooses the engine's limits (the defaults, or small ones
 * that trip early) and the room for the answer; the rest is one
 * datagram.  The answer must keep the anti-amplification rule (never more
 * than max(3 * request, 64) bytes) and be one LF-terminated line: an
 * error flagged as one, or a number.  Build and run with tests/fuzz/run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calc.h"
#include "datagram.h"

#define ANSWER_ROOM	65536	/* the worker's buffer for one answer */
#define REPLY_MIN	64	/* any request may have this many bytes */
#define AMPLIFICATION	3	/* an answer's bytes per request byte */

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const char *out, size_t len)
{
	fprintf(stderr, "fuzz_udp: %s: \"%.*s\"\n", what, (int)len, out);
	abort();
}

/* Answer one datagram as the UDP worker does. */
static size_t
answer(const struct calc_limits *lim, const char *req, size_t len,
    char *out, size_t outlen, int *error)
{
	return datagram_answer(lim, req, len, out, outlen, error);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct calc_limits lim;
	char *req, *out;
	size_t len, n, max, room, i;
	int error = -1;

	if (size == 0)
		return 0;
	calc_limits_default(&lim);
	if (data[0] & 1) {
		lim.precision = 10;
		lim.max_digits = 100;
		lim.max_depth = 20;
		lim.max_length = 256;
	}
	if (calc_limits_check(&lim) != NULL)
		abort();
	room = data[0] & 2 ? REPLY_MIN : ANSWER_ROOM;
	len = size - 1;
	/* Exact-size heap copies, so that ASan sees any access past them. */
	if ((req = malloc(len ? len : 1)) == NULL ||
	    (out = malloc(room)) == NULL)
		abort();
	memcpy(req, data + 1, len);

	n = answer(&lim, req, len, out, room, &error);
	max = AMPLIFICATION * len > REPLY_MIN ? AMPLIFICATION * len : REPLY_MIN;
	if (n == 0 || n > max || n > room)
		fail("answer empty or longer than the rule allows", out,
		    n > room ? room : n);
	if (out[n - 1] != '\n')
		fail("answer not LF-terminated", out, n);
	for (i = 0; i < n - 1; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			fail("control character in the answer", out, n);
	if (error != 0 && error != 1)
		fail("error flag neither 0 nor 1", out, n);
	if ((strncmp(out, "error: ", 7) == 0) != error)
		fail("error flag and text disagree", out, n);
	free(req);
	free(out);
	return 0;
}
