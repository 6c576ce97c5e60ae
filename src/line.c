/*
 * line.c - the line protocol: one expression per line, one answer per
 * line.  The parser is incremental: bytes arrive in any split, complete
 * lines are answered in order, and a line that outgrows max-line is
 * answered "error: line too long" and skipped up to its newline, after
 * which the connection goes on.
 */
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "line.h"
#include "util.h"
#include "wire.h"

#define LINE_READ_MIN	(64 * 1024)	/* read size, for pipelined input */
#define LINE_FLUSH_AT	(32 * 1024)	/* answers buffered before a write */
#define LINE_REFUSE_MS	1000		/* to write a refusal */

struct line_conn {
	struct stream		*st;
	struct calc_session	*calc;
	const struct line_conf	*lc;
	const struct line_hooks	*hooks;
	struct proto_stats	*stats;
	char			*in;		/* unparsed input */
	size_t			 inlen, incap;
	char			*out;		/* answers not yet written */
	size_t			 outlen, outcap;
	int			 skipping;	/* inside an overlong line */
	uint64_t		 partial_since;	/* ms: a line begun, or 0 */
};

static const char *const line_end_names[] = {
	[LINE_END_QUIT] = "quit",
	[LINE_END_EOF] = "eof",
	[LINE_END_IDLE] = "idle timeout",
	[LINE_END_LINE_TIMEOUT] = "line timeout",
	[LINE_END_SHED] = "shed",
	[LINE_END_STOP] = "server stopping",
	[LINE_END_ERROR] = "i/o error",
};

const char *
line_end_name(enum line_end end)
{
	return line_end_names[end];
}

/* Queue one answer line; the buffer is sized so that it always fits. */
static int
line_answer(struct line_conn *c, const char *text, size_t len)
{
	if (c->outlen + len + 2 > c->outcap) {
		size_t	 cap = c->outlen + len + 2 + LINE_FLUSH_AT;
		char	*p;

		if ((p = realloc(c->out, cap)) == NULL)
			return -1;
		c->out = p;
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, text, len);
	memcpy(c->out + c->outlen + len, "\r\n", 2);
	c->outlen += len + 2;
	return 0;
}

static void
line_state(struct line_conn *c, enum proto_state st)
{
	if (c->hooks && c->hooks->state)
		c->hooks->state(c->hooks->arg, st);
}

/*
 * Write the queued answers.  Waiting for a client that reads slowly is
 * not work: the connection is PROTO_PARTIAL meanwhile, so that
 * request-timeout only catches a worker stuck computing, and idle-timeout
 * a slow reader.
 */
static int
line_flush(struct line_conn *c)
{
	int	 rc;

	if (c->outlen == 0)
		return 0;
	line_state(c, PROTO_SENDING);
	rc = stream_write(c->st, c->out, c->outlen, c->lc->idle_timeout_ms);
	line_state(c, PROTO_WORK);
	c->outlen = 0;
	return rc;
}

/*
 * Answer one complete line (without its LF; a CR before it is dropped).
 * Returns 1 when the client asked to quit, 0 to go on, -1 on error.
 */
static int
line_request(struct line_conn *c, const char *s, size_t len)
{
	const char		*text;
	size_t			 textlen;
	enum calc_status	 st;

	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (len > c->lc->max_line) {
		c->stats->requests++;
		c->stats->errors++;
		return line_answer(c, "error: line too long", 20);
	}
	if (wire_is_quit(s, len))
		return 1;
	if (wire_is_help(s, len)) {
		c->stats->requests++;
		return line_answer(c, WIRE_HELP, sizeof(WIRE_HELP) - 1);
	}
	st = calc_eval(c->calc, s, len, &text, &textlen);
	if (st == CALC_EMPTY)
		return 0;
	c->stats->requests++;
	if (st == CALC_ERROR)
		c->stats->errors++;
	return line_answer(c, text, textlen);
}

/*
 * Answer every complete line in the input buffer and keep the partial
 * one.  A partial line already longer than max-line is answered now and
 * skipped up to its newline.  Returns as line_request().
 */
static int
line_process(struct line_conn *c)
{
	char	*p = c->in, *end = c->in + c->inlen, *nl;
	int	 rc = 0;

	while (rc == 0 && (nl = memchr(p, '\n', end - p)) != NULL) {
		if (c->skipping)
			c->skipping = 0;
		else
			rc = line_request(c, p, nl - p);
		p = nl + 1;
		c->partial_since = 0;	/* what follows begins now */
		if (rc == 0 && c->outlen >= LINE_FLUSH_AT &&
		    line_flush(c) != 0)
			rc = -1;
	}
	if (rc != 0) {
		c->inlen = end - p;	/* what came after: see line_loop() */
		return rc;
	}
	if (!c->skipping && (size_t)(end - p) > c->lc->max_line + 1) {
		c->stats->requests++;
		c->stats->errors++;
		rc = line_answer(c, "error: line too long", 20);
		c->skipping = 1;
	}
	if (c->skipping)
		p = end;
	memmove(c->in, p, end - p);
	c->inlen = end - p;
	return rc;
}

/*
 * How long to wait for input: idle_timeout_ms between lines, what is
 * left of line_timeout_ms once a line has begun (0: its time is up), so
 * that a client sending a byte now and then cannot hold the worker.
 */
static int
line_wait_ms(struct line_conn *c)
{
	uint64_t	 now;
	int64_t		 left;

	if (c->inlen == 0 && !c->skipping) {
		c->partial_since = 0;
		return c->lc->idle_timeout_ms;
	}
	now = util_coarse_ms();
	if (c->partial_since == 0)
		c->partial_since = now;
	left = (int64_t)(c->partial_since + c->lc->line_timeout_ms) -
	    (int64_t)now;
	if (left <= 0)
		return 0;
	return left < c->lc->idle_timeout_ms ? (int)left :
	    c->lc->idle_timeout_ms;
}

/*
 * A wait cancelled: the server stops (an idle session ends at once) or
 * sheds this session to make room for other clients while the pool is
 * full.  The last line says which, and is not waited for long.
 */
static enum line_end
line_cancelled(struct line_conn *c)
{
	static const char	 stop[] = WIRE_SHUTDOWN;
	static const char	 shed[] = WIRE_SHED;
	int			 stopping = c->hooks && c->hooks->stopping &&
				    c->hooks->stopping(c->hooks->arg);

	if (stopping)
		line_answer(c, stop, sizeof(stop) - 1);
	else
		line_answer(c, shed, sizeof(shed) - 1);
	(void)stream_write(c->st, c->out, c->outlen, LINE_REFUSE_MS);
	c->outlen = 0;
	return stopping ? LINE_END_STOP : LINE_END_SHED;
}

/* The last line of a connection that waited too long, and how it ended. */
static enum line_end
line_timeout(struct line_conn *c)
{
	int	 partial = c->partial_since != 0;

	if (partial)
		line_answer(c, "error: line timeout", 19);
	else
		line_answer(c, "error: idle timeout", 19);
	line_flush(c);
	return partial ? LINE_END_LINE_TIMEOUT : LINE_END_IDLE;
}

static enum line_end
line_loop(struct line_conn *c)
{
	ssize_t	 n;
	int	 rc, wait;

	for (;;) {
		if ((wait = line_wait_ms(c)) == 0)
			return line_timeout(c);
		line_state(c, c->partial_since ? PROTO_PARTIAL : PROTO_IDLE);
		n = stream_read(c->st, c->in + c->inlen, c->incap - c->inlen,
		    wait);
		if (n == STREAM_TIMEOUT)
			return line_timeout(c);
		if (n == STREAM_CANCEL)
			return line_cancelled(c);
		if (n == STREAM_EOF) {
			stream_peer_done(c->st);
			return LINE_END_EOF;
		}
		if (n < 0)
			return LINE_END_ERROR;
		line_state(c, PROTO_WORK);
		c->inlen += n;
		rc = line_process(c);
		if (rc == -1 || line_flush(c) != 0)
			return LINE_END_ERROR;
		if (rc == 1) {
			/* Nothing sent after exit: closing drops nothing. */
			if (c->inlen == 0)
				stream_peer_done(c->st);
			return LINE_END_QUIT;
		}
	}
}

enum line_end
line_serve(struct stream *st, const struct line_conf *lc,
    const struct line_hooks *hooks, struct proto_stats *stats)
{
	struct line_conn	 c;
	enum line_end		 end = LINE_END_ERROR;

	memset(&c, 0, sizeof(c));
	c.st = st;
	c.lc = lc;
	c.hooks = hooks;
	c.stats = stats;
	c.incap = lc->max_line + 2 > LINE_READ_MIN ? lc->max_line + 2 :
	    LINE_READ_MIN;
	c.outcap = 2 * LINE_FLUSH_AT;
	if ((c.calc = calc_session_new(lc->calc)) == NULL ||
	    (c.in = malloc(c.incap)) == NULL ||
	    (c.out = malloc(c.outcap)) == NULL)
		goto done;
	if (line_answer(&c, WIRE_GREETING, strlen(WIRE_GREETING)) == -1 ||
	    line_flush(&c) != 0)
		goto done;
	end = line_loop(&c);
 done:
	if (c.calc != NULL)
		calc_session_free(c.calc);
	free(c.in);
	free(c.out);
	return end;
}

/* One last line, sent only if the socket takes it now: no wait at all. */
void
line_refuse(int fd, const char *why)
{
	char	 msg[256];
	int	 n;

	n = snprintf(msg, sizeof(msg), WIRE_ERROR "%s\r\n", why);
	if (n > 0 && (size_t)n < sizeof(msg))
		(void)send(fd, msg, n, MSG_DONTWAIT | MSG_NOSIGNAL);
}
