/*
 * metrics.c - Prometheus text format (version 0.0.4) from the scoreboard.
 */
#include <sys/socket.h>

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "metrics.h"

struct metrics_buf {
	char	*p;
	size_t	 len, used;
	int	 full;
};

static void
metrics_printf(struct metrics_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
metrics_printf(struct metrics_buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (b->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->used, b->len - b->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->len - b->used)
		b->full = 1;
	else
		b->used += n;
}

/* One counter family with a sample per protocol. */
static void
metrics_by_proto(struct metrics_buf *b, const char *name, const char *help,
    const uint64_t *values)
{
	int	 p;

	metrics_printf(b, "# HELP %s %s\n# TYPE %s counter\n", name, help,
	    name);
	for (p = 0; p < PROTO_COUNT; p++)
		metrics_printf(b, "%s{protocol=\"%s\"} %llu\n", name,
		    proto_name(p), (unsigned long long)sb_get(&values[p]));
}

/*
 * One counter family with a sample per listener, named as in the log
 * ("tcp 0.0.0.0:54321": no quote or backslash to escape).  Listeners a
 * reload removed keep their samples: counters do not go back.
 */
static void
metrics_by_listener(struct metrics_buf *b, struct scoreboard *sb,
    const char *name, const char *help, enum sb_counter c)
{
	const struct sb_listener	*l;
	size_t				 i;

	metrics_printf(b, "# HELP %s %s\n# TYPE %s counter\n", name, help,
	    name);
	for (i = 0; i < SB_LISTENERS; i++) {
		l = &sb->listener[i];
		if (l->name[0] == '\0')
			continue;
		metrics_printf(b, "%s{listener=\"%s\",protocol=\"%s\"} %llu\n",
		    name, l->name, proto_name(l->proto),
		    (unsigned long long)sb_get(&l->count[c]));
	}
}

/*
 * One counter family with a sample per listener and reason, from the
 * counters reasons[] names.
 */
static void
metrics_by_reason(struct metrics_buf *b, struct scoreboard *sb,
    const char *name, const char *help, const enum sb_counter *counters,
    const char *const *reasons, size_t n)
{
	const struct sb_listener	*l;
	size_t				 i, r;

	metrics_printf(b, "# HELP %s %s\n# TYPE %s counter\n", name, help,
	    name);
	for (i = 0; i < SB_LISTENERS; i++) {
		l = &sb->listener[i];
		if (l->name[0] == '\0' ||
		    proto_get(l->proto)->socktype != SOCK_STREAM)
			continue;
		for (r = 0; r < n; r++)
			metrics_printf(b, "%s{listener=\"%s\",protocol=\"%s\","
			    "reason=\"%s\"} %llu\n", name, l->name,
			    proto_name(l->proto), reasons[r],
			    (unsigned long long)sb_get(&l->count[counters[r]]));
	}
}

/* Refusals and sheds of the overload defences (overload.h). */
static void
metrics_overload(struct metrics_buf *b, struct scoreboard *sb)
{
	static const enum sb_counter	 refused[] = {
		SB_REJECTED, SB_BUSY_REFUSED
	};
	static const char *const	 refused_why[] = { "share", "busy" };
	static const enum sb_counter	 shed[] = {
		SB_SHED_HANDSHAKE, SB_SHED_PARTIAL, SB_SHED_IDLE
	};
	static const char *const	 shed_why[] = {
		"handshake", "partial", "idle"
	};

	metrics_by_reason(b, sb, "calcd_refused_connections_total",
	    "Connections refused at accept: over the network's share, or "
	    "the pool busy.", refused, refused_why, 2);
	metrics_by_reason(b, sb, "calcd_shed_connections_total",
	    "Sessions shed to make room in a full pool, by what they were "
	    "doing.", shed, shed_why, 3);
}

static void
metrics_workers(struct metrics_buf *b, struct scoreboard *sb)
{
	static const char *const names[] = {
		[SB_STARTING] = "starting", [SB_IDLE] = "idle",
		[SB_BUSY] = "busy", [SB_UDP] = "udp",
	};
	unsigned	 count[SB_UDP + 1] = { 0 };
	size_t		 i;
	int		 st;

	for (i = 0; i < sb->nslots; i++) {
		st = sb_get_state(&sb->slot[i]);
		if (st > SB_FREE && st <= SB_UDP)
			count[st]++;
	}
	metrics_printf(b, "# HELP calcd_workers Worker processes by state.\n"
	    "# TYPE calcd_workers gauge\n");
	for (st = SB_STARTING; st <= SB_UDP; st++)
		metrics_printf(b, "calcd_workers{state=\"%s\"} %u\n",
		    names[st], count[st]);
}

int
metrics_write(struct scoreboard *sb, char *buf, size_t len)
{
	struct metrics_buf	 b = { buf, len, 0, 0 };
	struct sb_totals	*t = &sb->totals;
	struct timespec		 now;
	double			 start, up;

	metrics_by_proto(&b, "calcd_connections_total",
	    "Connections accepted, by protocol.", t->connections);
	metrics_by_proto(&b, "calcd_requests_total",
	    "Requests answered, by protocol.", t->requests);
	metrics_by_proto(&b, "calcd_errors_total",
	    "Requests answered with an error, by protocol.", t->errors);
	metrics_by_proto(&b, "calcd_rejected_connections_total",
	    "Connections refused over max-connections-per-address.",
	    t->rejected);
	metrics_by_listener(&b, sb, "calcd_listener_connections_total",
	    "Connections accepted, by listener.", SB_CONNECTIONS);
	metrics_by_listener(&b, sb, "calcd_listener_requests_total",
	    "Requests answered, by listener.", SB_REQUESTS);
	metrics_by_listener(&b, sb, "calcd_listener_errors_total",
	    "Requests answered with an error, by listener.", SB_ERRORS);
	metrics_by_listener(&b, sb, "calcd_listener_rejected_connections_total",
	    "Connections refused over max-connections-per-address, by "
	    "listener.", SB_REJECTED);
	metrics_overload(&b, sb);
	metrics_workers(&b, sb);
	metrics_printf(&b, "# HELP calcd_worker_respawns_total Workers that "
	    "died unexpectedly and were replaced.\n"
	    "# TYPE calcd_worker_respawns_total counter\n"
	    "calcd_worker_respawns_total %llu\n",
	    (unsigned long long)sb_get(&t->respawns));
	clock_gettime(CLOCK_REALTIME, &now);
	start = t->started_ms / 1000.0;
	up = now.tv_sec + now.tv_nsec / 1e9 - start;
	metrics_printf(&b, "# HELP calcd_start_time_seconds Start time of the "
	    "master since the epoch.\n# TYPE calcd_start_time_seconds gauge\n"
	    "calcd_start_time_seconds %.3f\n"
	    "# HELP calcd_uptime_seconds Seconds since the master started.\n"
	    "# TYPE calcd_uptime_seconds gauge\ncalcd_uptime_seconds %.3f\n",
	    start, up < 0 ? 0 : up);
	return b.full ? -1 : (int)b.used;
}
