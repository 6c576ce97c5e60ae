/*
 * line.h - the line protocol of the tcp and tls listeners.
 *
 * A greeting, then one answer line (CRLF) per non-blank request line (LF
 * or CRLF), in order, pipelining allowed; "exit" or "quit" ends it.
 */
#ifndef LINE_H
#define LINE_H

#include "calc.h"
#include "proto.h"
#include "stream.h"

struct line_conf {
	unsigned long	max_line;	/* bytes of a request line */
	int		idle_timeout_ms;	/* between lines */
	int		line_timeout_ms;	/* to finish a line begun */
	const struct calc_limits *calc;	/* for the connection's session */
};

/* How a connection ended, for the log. */
enum line_end {
	LINE_END_QUIT,		/* the client sent exit or quit */
	LINE_END_EOF,		/* the client closed */
	LINE_END_IDLE,		/* idle-timeout */
	LINE_END_LINE_TIMEOUT,	/* line-timeout: a line not finished */
	LINE_END_SHED,		/* shed to make room: the pool was full */
	LINE_END_STOP,		/* the server stops: an idle session ends */
	LINE_END_ERROR		/* an I/O error */
};

/* Told what the connection is doing, asked whether we stop (proto.h). */
struct line_hooks {
	void	(*state)(void *arg, enum proto_state st);
	int	(*stopping)(void *arg);
	void	 *arg;
};

/*
 * Serve one connection to its end, with one engine session for it (its
 * variables live as long as the connection).  Memory is bounded by
 * max_line; time by idle_timeout_ms per wait.  stats counts answered
 * lines and, of them, errors.
 */
enum line_end	line_serve(struct stream *st, const struct line_conf *lc,
		    const struct line_hooks *hooks, struct proto_stats *stats);

/*
 * Refuse the client on socket fd with one line, "error: " and why, if
 * the socket takes it at once.
 */
void		line_refuse(int fd, const char *why);

/* A word for the log ("quit", "eof", ...). */
const char	*line_end_name(enum line_end end);

#endif /* LINE_H */
