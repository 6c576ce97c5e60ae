/*
 * log.c - syslog or stderr logging, after OpenBSD's log.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int		 log_to_stderr = 1;
static int		 log_to_journal;	/* stderr is the journal */
static int		 log_verbose;
static const char	*log_proc = "calcd";
static pid_t		 log_pid;		/* 0: not known yet */

void
log_init(const char *ident, int foreground, int debug)
{
	log_to_stderr = foreground;
	log_to_journal = foreground && getenv("JOURNAL_STREAM") != NULL;
	log_verbose = debug;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}

/* Named after a fork: the process id is read again too. */
void
log_procname(const char *name)
{
	log_proc = name;
	log_pid = 0;
}

/*
 * The start of a line on stderr, "2026-01-02 03:04:05 worker[123]: ",
 * made again only when the second changes: workers log a line per
 * connection.
 */
static const char *
log_prefix(void)
{
	static char		 prefix[96];
	static time_t		 made = -1;
	static const char	*made_for;
	struct tm		 tm;
	time_t			 now = time(NULL);

	if (log_pid == 0) {
		log_pid = getpid();
		made = -1;
	}
	if (now != made || made_for != log_proc) {
		localtime_r(&now, &tm);
		snprintf(prefix, sizeof(prefix), "%04d-%02d-%02d "
		    "%02d:%02d:%02d %s[%ld]: ", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		    tm.tm_sec, log_proc, (long)log_pid);
		made = now;
		made_for = log_proc;
	}
	return prefix;
}

static void	log_vwrite(int, const char *, va_list, const char *)
		    __attribute__((format(printf, 2, 0)));

/*
 * Write one line.  On stderr each line carries a timestamp, the process
 * name and its pid, and is written with one write(2) so that lines from
 * several processes do not interleave.
 */
static void
log_vwrite(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char	 msg[1024], line[1200];
	int	 n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!log_to_stderr) {
		if (suffix)
			syslog(pri, "%s: %s: %s", log_proc, msg, suffix);
		else
			syslog(pri, "%s: %s", log_proc, msg);
		return;
	}
	if (log_to_journal) {
		/* sd-daemon(3) priority prefix; the journal adds the time. */
		n = snprintf(line, sizeof(line), "<%d>%s: %s%s%s\n", pri,
		    log_proc, msg, suffix ? ": " : "", suffix ? suffix : "");
		goto out;
	}
	n = snprintf(line, sizeof(line), "%s%s%s%s\n", log_prefix(), msg,
	    suffix ? ": " : "", suffix ? suffix : "");
 out:
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	(void)write(STDERR_FILENO, line, n);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
