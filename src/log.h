/*
 * log.h - logging for the daemon: syslog (facility daemon), or stderr when
 * running in the foreground.  After OpenBSD's log.c: log_warn() appends
 * strerror(errno), log_warnx() does not; fatal() and fatalx() exit 1.
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Start logging as ident; to stderr when foreground, debug adds log_debug. */
void	log_init(const char *ident, int foreground, int debug);
/* Name the process in each line ("master", "worker"...). */
void	log_procname(const char *name);

/*
 * log-format: 0 for text lines, 1 for one JSON object per line (time,
 * level, process, pid, msg, and the fields of log_fields()).  Under the
 * journal, fields are journal fields whatever the format.
 */
void	log_set_json(int json);

/* A named value of a structured line; see LOG_STR() and friends. */
struct log_field {
	const char	*name;		/* "bytes_in": CALCD_BYTES_IN */
	int		 type;		/* LOG_FIELD_* */
	const char	*str;
	uint64_t	 num;
};
#define LOG_FIELD_STR	0
#define LOG_FIELD_NUM	1
#define LOG_FIELD_BOOL	2
#define LOG_STR(n, v)	{ (n), LOG_FIELD_STR, (v), 0 }
#define LOG_NUM(n, v)	{ (n), LOG_FIELD_NUM, NULL, (v) }
#define LOG_BOOL(n, v)	{ (n), LOG_FIELD_BOOL, NULL, (v) }

/*
 * Log an info line whose text is fmt, with the n fields f: the text alone
 * in text format; the fields as members of the JSON object, or as
 * journal fields (CALCD_ and the name in capitals) under the journal.
 * Whatever bytes a field holds, the line stays one line.
 */
void	log_fields(const struct log_field *f, size_t n, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

void	log_warn(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif /* LOG_H */
