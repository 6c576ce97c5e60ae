/*
 * log.h - logging for the daemon: syslog (facility daemon), or stderr when
 * running in the foreground.  After OpenBSD's log.c: log_warn() appends
 * strerror(errno), log_warnx() does not; fatal() and fatalx() exit 1.
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>

/* Start logging as ident; to stderr when foreground, debug adds log_debug. */
void	log_init(const char *ident, int foreground, int debug);
/* Name the process in each line ("master", "worker"...). */
void	log_procname(const char *name);

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
