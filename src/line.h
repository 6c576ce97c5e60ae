/*
 * line.h - the line protocol of the tcp and tls listeners.
 *
 * A greeting, then one answer line (CRLF) per non-blank request line (LF
 * or CRLF), in order, pipelining allowed; "exit" or "quit" ends it.
 */
#ifndef LINE_H
#define LINE_H

#include <stdint.h>

#include "calc.h"
#include "stream.h"

#define LINE_GREETING	"welcome to the calculator! - type exit to leave"

struct line_conf {
	unsigned long	max_line;	/* bytes of a request line */
	int		idle_timeout_ms;
};

/* How a connection ended, for the log. */
enum line_end {
	LINE_END_QUIT,		/* the client sent exit or quit */
	LINE_END_EOF,		/* the client closed */
	LINE_END_IDLE,		/* idle-timeout */
	LINE_END_ERROR		/* an I/O error */
};

/* Called with busy 1 when work starts and 0 before waiting for input. */
struct line_hooks {
	void	(*busy)(void *arg, int busy);
	void	 *arg;
};

struct line_stats {
	uint64_t	requests;	/* answered lines */
	uint64_t	errors;		/* of which "error: ..." */
};

/*
 * Serve one connection to its end with the engine session calc.  Memory
 * is bounded by max_line; time by idle_timeout_ms per wait.
 */
enum line_end	line_serve(struct stream *st, struct calc_session *calc,
		    const struct line_conf *lc, const struct line_hooks *hooks,
		    struct line_stats *stats);

/* A word for the log ("quit", "eof", ...). */
const char	*line_end_name(enum line_end end);

#endif /* LINE_H */
