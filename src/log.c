/*
 * log.c - syslog or stderr logging, after OpenBSD's log.c.
 */
#include <sys/uio.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "json.h"
#include "log.h"

#define LOG_LINE_MAX	2048	/* bytes of a JSON line, at most */
#define LOG_FIELDS_MAX	24	/* fields of one structured line */

static int		 log_to_stderr = 1;
static int		 log_json;		/* log-format json */
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

void
log_set_json(int json)
{
	log_json = json;
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

/* A JSON line being made: it never outgrows buf, and stays one line. */
struct log_line {
	char	 buf[LOG_LINE_MAX];
	size_t	 len;
};

/* Room kept for the closing brace and newline. */
#define LOG_LINE_TAIL	3

static void
log_line_raw(struct log_line *l, const char *s)
{
	size_t	 n = strlen(s);

	if (l->len + n + LOG_LINE_TAIL > sizeof(l->buf))
		return;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

/* ", "name": "value"", the value cut short rather than the line broken. */
static void
log_line_str(struct log_line *l, const char *name, const char *value)
{
	size_t	 room;

	log_line_raw(l, l->len > 1 ? ", \"" : "\"");
	log_line_raw(l, name);
	log_line_raw(l, "\": \"");
	room = sizeof(l->buf) - l->len - LOG_LINE_TAIL - 1;
	if (room > 1)
		l->len += json_escape(l->buf + l->len, room, value,
		    strlen(value), NULL);
	log_line_raw(l, "\"");
}

static void
log_line_num(struct log_line *l, const char *name, uint64_t v, int boolean)
{
	char	 num[32];

	log_line_raw(l, l->len > 1 ? ", \"" : "\"");
	log_line_raw(l, name);
	if (boolean)
		snprintf(num, sizeof(num), "\": %s", v ? "true" : "false");
	else
		snprintf(num, sizeof(num), "\": %llu", (unsigned long long)v);
	log_line_raw(l, num);
}

static const char *
log_level_name(int pri)
{
	switch (pri) {
	case LOG_CRIT:
		return "crit";
	case LOG_ERR:
		return "error";
	case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

/*
 * The JSON object of a line: time (UTC, milliseconds), level, process,
 * pid, msg, then the fields; newline-terminated.
 */
static size_t
log_json_line(struct log_line *l, int pri, const char *msg,
    const struct log_field *f, size_t n)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 when[80];
	size_t		 i;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	l->len = 0;
	log_line_raw(l, "{");
	log_line_str(l, "time", when);
	log_line_str(l, "level", log_level_name(pri));
	log_line_str(l, "process", log_proc);
	log_line_num(l, "pid", (uint64_t)getpid(), 0);
	log_line_str(l, "msg", msg);
	for (i = 0; i < n; i++) {
		if (f[i].type == LOG_FIELD_STR)
			log_line_str(l, f[i].name, f[i].str ? f[i].str : "");
		else
			log_line_num(l, f[i].name, f[i].num,
			    f[i].type == LOG_FIELD_BOOL);
	}
	memcpy(l->buf + l->len, "}\n", 2);
	return l->len += 2;
}

/*
 * The journal's own fields: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, the
 * process, and CALCD_NAME for each field.  Values may hold any byte:
 * sd_journal_sendv() frames them.
 */
static void
log_journal(int pri, const char *msg, const struct log_field *f, size_t n)
{
	struct iovec	 iov[LOG_FIELDS_MAX + 4];
	char		 text[LOG_FIELDS_MAX + 4][LOG_LINE_MAX / 4];
	size_t		 i, k = 0, j;
	int		 len;

	len = snprintf(text[k], sizeof(text[k]), "MESSAGE=%s", msg);
	iov[k].iov_base = text[k];
	iov[k].iov_len = len < 0 ? 0 : (size_t)len >= sizeof(text[k]) ?
	    sizeof(text[k]) - 1 : (size_t)len;
	k++;
	snprintf(text[k], sizeof(text[k]), "PRIORITY=%d", pri);
	snprintf(text[k + 1], sizeof(text[k + 1]), "SYSLOG_IDENTIFIER=calcd");
	snprintf(text[k + 2], sizeof(text[k + 2]), "CALCD_PROCESS=%s",
	    log_proc);
	for (j = 0; j < 3; j++, k++) {
		iov[k].iov_base = text[k];
		iov[k].iov_len = strlen(text[k]);
	}
	for (i = 0; i < n && i < LOG_FIELDS_MAX; i++, k++) {
		char	 key[64];

		snprintf(key, sizeof(key), "CALCD_%s", f[i].name);
		for (j = 6; key[j] != '\0'; j++)
			key[j] = toupper((unsigned char)key[j]);
		if (f[i].type == LOG_FIELD_STR)
			len = snprintf(text[k], sizeof(text[k]), "%s=%s", key,
			    f[i].str ? f[i].str : "");
		else
			len = snprintf(text[k], sizeof(text[k]), "%s=%llu", key,
			    (unsigned long long)f[i].num);
		iov[k].iov_base = text[k];
		iov[k].iov_len = len < 0 ? 0 : (size_t)len >= sizeof(text[k]) ?
		    sizeof(text[k]) - 1 : (size_t)len;
	}
	(void)sd_journal_sendv(iov, (int)k);
}

static void	log_vwrite(int, const char *, va_list, const char *)
		    __attribute__((format(printf, 2, 0)));

/*
 * Write one line.  On stderr each line carries a timestamp, the process
 * name and its pid, and is written with one write(2) so that lines from
 * several processes do not interleave.
 */
/* A line in JSON: to syslog as its message, or to stderr. */
static void
log_vwrite_json(int pri, const char *msg, const char *suffix,
    const struct log_field *f, size_t n)
{
	struct log_line	 l;
	char		 full[1280];

	if (suffix != NULL) {
		snprintf(full, sizeof(full), "%s: %s", msg, suffix);
		msg = full;
	}
	log_json_line(&l, pri, msg, f, n);
	if (!log_to_stderr)
		syslog(pri, "%.*s", (int)l.len - 1, l.buf);
	else
		(void)write(STDERR_FILENO, l.buf, l.len);
}

static void
log_vwrite(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char	 msg[1024], line[1200];
	int	 n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_json && !log_to_journal) {
		log_vwrite_json(pri, msg, suffix, NULL, 0);
		return;
	}
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
log_fields(const struct log_field *f, size_t n, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[1024];

	va_start(ap, fmt);
	if (log_to_journal) {
		vsnprintf(msg, sizeof(msg), fmt, ap);
		log_journal(LOG_INFO, msg, f, n);
	} else if (log_json) {
		vsnprintf(msg, sizeof(msg), fmt, ap);
		log_vwrite_json(LOG_INFO, msg, NULL, f, n);
	} else
		log_vwrite(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
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
