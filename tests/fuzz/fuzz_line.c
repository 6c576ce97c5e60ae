/*
 * fuzz_line.c - libFuzzer target for the line protocol's framing
 * (line.h: line_serve()).
 *
 * The first byte chooses max-line (1 to 64 bytes, so that "error: line
 * too long" and the skipping after it are hit often); the rest is what
 * a client sends before it closes.  line_serve() runs over a stream whose
 * transport is in memory: it reads the input in pieces of random size and
 * takes the answers in pieces of random size too, as a socket may.  The
 * answers must be, byte for byte, what a plain reading of the input says:
 * the greeting, then one line per request line in order (CR dropped
 * before LF; blank lines unanswered; lines past max-line "error: line too
 * long", also a last line without LF once it outgrew max-line; "help"
 * the help line), up to "exit" or "quit".  The engine runs with small limits, so that its work
 * stays small.  Build and run with tests/fuzz/run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calc.h"
#include "line.h"
#include "wire.h"
#include "stream.h"
#include "fuzz_split.h"

#define TOO_LONG	"error: line too long"

/* A stream over memory: the client's bytes in, our answers out. */
struct mem_stream {
	struct stream		 st;		/* first: the ops get this */
	const uint8_t		*in;
	size_t			 inlen, inpos;
	char			*out;
	size_t			 outlen, outcap;
	struct fuzz_split	 split;
};

/* The plain reading of the input: its answers and how it ends. */
struct expect {
	char		*text;
	size_t		 len, cap;
	uint64_t	 requests, errors;
	enum line_end	 end;
};

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_line: %s\n", what);
	abort();
}

static void
append(char **buf, size_t *len, size_t *cap, const void *p, size_t n)
{
	if (*len + n > *cap) {
		*cap = (*len + n) * 2 + 64;
		if ((*buf = realloc(*buf, *cap)) == NULL)
			abort();
	}
	memcpy(*buf + *len, p, n);
	*len += n;
}

static ssize_t
mem_read(struct stream *st, void *buf, size_t len)
{
	struct mem_stream *m = (struct mem_stream *)st;
	size_t n = fuzz_split_next(&m->split);

	if (m->inpos == m->inlen)
		return 0;
	if (n > len)
		n = len;
	if (n > m->inlen - m->inpos)
		n = m->inlen - m->inpos;
	memcpy(buf, m->in + m->inpos, n);
	m->inpos += n;
	return (ssize_t)n;
}

static ssize_t
mem_write(struct stream *st, const void *buf, size_t len)
{
	struct mem_stream *m = (struct mem_stream *)st;
	size_t n = fuzz_split_next(&m->split);

	if (n > len)
		n = len;
	append(&m->out, &m->outlen, &m->outcap, buf, n);
	return (ssize_t)n;
}

static int
mem_direction(struct stream *st)
{
	(void)st;
	fail("a memory stream never asks to wait");
	return -1;
}

static void
mem_close(struct stream *st)
{
	(void)st;
}

static const struct stream_ops mem_ops = {
	mem_read, mem_write, mem_direction, mem_close
};

/* Serve one connection (line_serve() makes its engine session). */
static enum line_end
serve(struct stream *st, const struct line_conf *lc,
    struct proto_stats *stats)
{
	return line_serve(st, lc, NULL, stats);
}

static void
expect_answer(struct expect *e, const char *text, size_t len)
{
	append(&e->text, &e->len, &e->cap, text, len);
	append(&e->text, &e->len, &e->cap, "\r\n", 2);
	e->requests++;
	if (strncmp(text, "error: ", 7) == 0)
		e->errors++;
}

/* Whether s[0..len) is exit or quit, blanks around it allowed. */
static int
is_quit(const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return len == 4 && (memcmp(s, "exit", 4) == 0 ||
	    memcmp(s, "quit", 4) == 0);
}

/* What line_serve() must answer to in[0..size), read line by line. */
static void
expect_answers(struct expect *e, const struct calc_limits *lim,
    unsigned long max_line, const char *in, size_t size)
{
	struct calc_session *calc;
	const char *p = in, *end = in + size, *nl, *text;
	size_t len, textlen;
	enum calc_status st;

	memset(e, 0, sizeof(*e));
	append(&e->text, &e->len, &e->cap, WIRE_GREETING,
	    strlen(WIRE_GREETING));
	append(&e->text, &e->len, &e->cap, "\r\n", 2);
	e->end = LINE_END_EOF;
	if ((calc = calc_session_new(lim)) == NULL)
		abort();
	for (; (nl = memchr(p, '\n', (size_t)(end - p))) != NULL; p = nl + 1) {
		len = (size_t)(nl - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len > max_line) {
			expect_answer(e, TOO_LONG, strlen(TOO_LONG));
			continue;
		}
		if (is_quit(p, len)) {
			e->end = LINE_END_QUIT;
			break;
		}
		if (wire_is_help(p, len)) {
			expect_answer(e, WIRE_HELP, strlen(WIRE_HELP));
			continue;
		}
		st = calc_eval(calc, p, len, &text, &textlen);
		if (st != CALC_EMPTY)
			expect_answer(e, text, textlen);
	}
	/* The last line, unfinished, is answered once it outgrows max-line. */
	if (nl == NULL && (size_t)(end - p) > max_line + 1)
		expect_answer(e, TOO_LONG, strlen(TOO_LONG));
	calc_session_free(calc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct calc_limits lim;
	struct line_conf lc;
	struct proto_stats stats;
	struct mem_stream m;
	struct expect e;
	enum line_end end;

	if (size == 0)
		return 0;
	calc_limits_default(&lim);
	lim.precision = 10;
	lim.max_digits = 100;
	lim.max_depth = 20;
	lim.max_variables = 4;
	lc.max_line = 1 + data[0] % 64;
	lc.idle_timeout_ms = 1000;
	lc.line_timeout_ms = 60000;
	lc.calc = &lim;
	if (calc_limits_check(&lim) != NULL)
		abort();

	memset(&m, 0, sizeof(m));
	m.st.ops = &mem_ops;
	m.st.fd = -1;
	m.st.linger = 1;
	m.in = data + 1;
	m.inlen = size - 1;
	fuzz_split_init(&m.split, data, size);
	memset(&stats, 0, sizeof(stats));
	end = serve(&m.st, &lc, &stats);

	expect_answers(&e, &lim, lc.max_line, (const char *)data + 1, size - 1);
	if (end != e.end)
		fail("the connection ends otherwise than the input says");
	if (m.outlen != e.len || memcmp(m.out, e.text, e.len) != 0) {
		fprintf(stderr, "answered:\n%.*s\nexpected:\n%.*s\n",
		    (int)m.outlen, m.out, (int)e.len, e.text);
		fail("the answers differ from a plain reading of the input");
	}
	if (stats.requests != e.requests || stats.errors != e.errors)
		fail("the counts differ from the answers");
	if (end == LINE_END_EOF && m.st.linger)
		fail("the client closed, yet the close would linger");
	free(m.out);
	free(e.text);
	return 0;
}
