/*
 * overload.c - the master under pressure (see overload.h).
 *
 * A process per client is cheap to starve: every idle, slow or half-sent
 * connection holds a whole worker.  The deadlines of every read bound how
 * long one can hold it; the share per network bounds how many one host
 * holds; this file handles the rest, a pool full of many hosts' sessions
 * while new clients wait.  The master sees the wait in the listeners'
 * accept queues (TCP_INFO) and each session's phase in the scoreboard,
 * and asks the workers whose sessions give least to shed them: SIGUSR1
 * cancels the worker's wait, and its protocol says why to the client.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "overload.h"
#include "proto.h"
#include "stream.h"
#include "util.h"
#include "wire.h"

#define OVERLOAD_RESHED_MS	250	/* a shed asked and not yet done is
					   asked again after this */
#define OVERLOAD_QUIET_S	10	/* a network's refusal entry is freed
					   after this many quiet seconds */
#define OVERLOAD_LOG_MS		1000	/* refusals are logged this often */
#define OVERLOAD_GRACE_MS	250	/* a session this new in its phase is
					   not shed: a client that just came
					   gets time for its handshake and
					   request */
#define OVERLOAD_PENALTY_MS	10000	/* a network shed is refused "busy"
					   this long while under pressure */
#define OVERLOAD_CALM_MS	5000	/* pressure ends after this long
					   with room in the pool */

/* A session that may be shed, and how it ranks. */
struct overload_victim {
	size_t		 slot;
	int		 rank;		/* 0 handshake or partial, 1 idle */
	uint64_t	 since;		/* in its phase since, ms */
};

/* Connections waiting in the accept queues of the stream listeners. */
static unsigned
overload_queued(const struct conf *c)
{
	struct tcp_info	 ti;
	socklen_t	 len;
	unsigned	 n = 0;
	size_t		 i;

	for (i = 0; i < c->nlisten; i++) {
		if (proto_get(c->listen[i].proto)->socktype != SOCK_STREAM)
			continue;
		len = sizeof(ti);
		/* On a listening socket: the length of its accept queue. */
		if (getsockopt(c->listen[i].fd, IPPROTO_TCP, TCP_INFO, &ti,
		    &len) == 0)
			n += ti.tcpi_unacked;
	}
	return n;
}

static int
overload_victim_cmp(const void *a, const void *b)
{
	const struct overload_victim	*x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	return x->since < y->since ? -1 : x->since > y->since;
}

/*
 * Whether the session of slot s may be shed now: busy, waiting on its
 * client, and not active within shed-protect.  *asked is set when a shed
 * was asked of it lately and is still under way.
 */
static int
overload_sheddable(const struct sb_slot *s, const struct conf *c,
    uint64_t now, int *asked)
{
	uint32_t	 phase = __atomic_load_n(&s->phase, __ATOMIC_ACQUIRE);
	uint64_t	 answered, shed;

	*asked = 0;
	if (s->pid == 0 || sb_get_state(s) != SB_BUSY ||
	    phase == SB_PHASE_WORK)
		return 0;
	/* A client that does not read its answers is not protected. */
	answered = __atomic_load_n(&s->answered_ms, __ATOMIC_RELAXED);
	if (phase != SB_PHASE_SENDING && answered != 0 &&
	    now - answered < c->shed_protect * 1000)
		return 0;
	if (now - __atomic_load_n(&s->phase_since_ms, __ATOMIC_RELAXED) <
	    OVERLOAD_GRACE_MS)
		return 0;
	shed = __atomic_load_n(&s->shed, __ATOMIC_RELAXED);
	*asked = shed != 0 && (uint32_t)now - (uint32_t)shed <
	    OVERLOAD_RESHED_MS;
	return 1;
}

/* Make room for n victims. */
static int
overload_room(struct overload *o, size_t n)
{
	struct overload_victim	*v;

	if (n <= o->cap)
		return 0;
	if ((v = reallocarray(o->victims, n, sizeof(*v))) == NULL)
		return -1;
	o->victims = v;
	o->cap = n;
	return 0;
}

/*
 * The sessions that may be shed, best victims first, into o->victims;
 * returns their count and the count of sheds under way in *asked.
 */
static size_t
overload_rank(struct overload *o, struct scoreboard *sb, const struct conf *c,
    uint64_t now, unsigned *asked)
{
	size_t		 i, n = 0, used;
	int		 in_progress;

	*asked = 0;
	used = __atomic_load_n(&sb->slots_used, __ATOMIC_ACQUIRE);
	if (overload_room(o, used) == -1)
		return 0;
	for (i = 0; i < used; i++) {
		const struct sb_slot *s = &sb->slot[i];

		if (!overload_sheddable(s, c, now, &in_progress))
			continue;
		if (in_progress) {
			(*asked)++;
			continue;
		}
		o->victims[n].slot = i;
		o->victims[n].rank = s->phase == SB_PHASE_IDLE;	/* last */
		o->victims[n].since = s->phase_since_ms;
		n++;
	}
	qsort(o->victims, n, sizeof(*o->victims), overload_victim_cmp);
	return n;
}

/* Ask the worker of slot s to shed its session, and count it. */
static void
overload_shed_one(struct scoreboard *sb, struct sb_slot *s, uint64_t now)
{
	static const enum sb_counter	 why[] = {
		[SB_PHASE_HANDSHAKE] = SB_SHED_HANDSHAKE,
		[SB_PHASE_PARTIAL] = SB_SHED_PARTIAL,
		[SB_PHASE_IDLE] = SB_SHED_IDLE,
		[SB_PHASE_SENDING] = SB_SHED_PARTIAL,
	};
	uint64_t			 conn, key;
	uint32_t			 phase;

	/*
	 * The connection's number, then what is read of it, then the number
	 * again: a worker that ended its session (its network is 0) or moved
	 * on to its next client meanwhile is left alone, and that client's
	 * network is not penalized.
	 */
	conn = __atomic_load_n(&s->connections, __ATOMIC_ACQUIRE);
	phase = __atomic_load_n(&s->phase, __ATOMIC_ACQUIRE);
	key = __atomic_load_n(&s->peer_key, __ATOMIC_ACQUIRE);
	if (phase == SB_PHASE_WORK || phase > SB_PHASE_SENDING || key == 0 ||
	    __atomic_load_n(&s->connections, __ATOMIC_ACQUIRE) != conn)
		return;
	__atomic_store_n(&s->shed_conn, conn, __ATOMIC_RELAXED);
	__atomic_store_n(&s->shed, (uint32_t)now | 1, __ATOMIC_RELEASE);
	if (kill(s->pid, SIGUSR1) == -1)
		return;
	sb_count(sb, s->proto, s->sbi, why[phase], 1);
	sb_note_shed(sb, key, s->peer, now + OVERLOAD_PENALTY_MS);
	log_debug("shedding %s on %s (%s)", s->peer, s->doing,
	    phase == SB_PHASE_IDLE ? "idle" : phase == SB_PHASE_PARTIAL ?
	    "request half-sent" : phase == SB_PHASE_SENDING ?
	    "answers not read" : "handshake");
}

/*
 * Accept up to n waiting connections and answer them "busy" in their
 * protocol (TLS ones are closed: there is no handshake to speak in).
 */
static void
overload_refuse_busy(struct scoreboard *sb, const struct conf *c, unsigned n)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	const struct proto	*p;
	char			 peer[SB_PEER_MAX];
	size_t			 i;
	int			 fd;

	for (i = 0; i < c->nlisten && n > 0; i++) {
		p = proto_get(c->listen[i].proto);
		if (p->socktype != SOCK_STREAM)
			continue;
		while (n > 0) {
			len = sizeof(ss);
			fd = accept4(c->listen[i].fd, (struct sockaddr *)&ss,
			    &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (fd == -1)
				break;
			if (p->refuse != NULL)
				p->refuse(fd, WIRE_BUSY_WHY);
			stream_refuse_close(fd);
			n--;
			sb_count(sb, c->listen[i].proto, c->listen[i].sbi,
			    SB_BUSY_REFUSED, 1);
			util_format_addr((struct sockaddr *)&ss, peer,
			    sizeof(peer));
			sb_note_refusal(sb, sb_peer_key((struct sockaddr *)&ss,
			    c->address_prefix_v4, c->address_prefix_v6), peer,
			    SB_REFUSED_BUSY);
		}
	}
}

int
overload_relieve(struct overload *o, struct scoreboard *sb,
    const struct conf *c, uint64_t now)
{
	unsigned	 queued, asked, want, i;
	size_t		 n;

	if ((queued = overload_queued(c)) == 0) {
		overload_calm(o, sb, now);
		return 0;
	}
	o->calm_since = 0;
	__atomic_store_n(&sb->pressed, 1, __ATOMIC_RELAXED);
	n = overload_rank(o, sb, c, now, &asked);
	want = queued > asked ? queued - asked : 0;
	for (i = 0; i < want && i < n; i++)
		overload_shed_one(sb, &sb->slot[o->victims[i].slot], now);
	if (n > 0 || asked > 0) {
		o->stuck_since = 0;
		return 1;
	}
	if (o->stuck_since == 0)
		o->stuck_since = now;
	if (now - o->stuck_since >= c->queue_timeout * 1000)
		overload_refuse_busy(sb, c, queued);
	return 1;
}

/*
 * The pressure ends only after OVERLOAD_CALM_MS of calm, so that the
 * networks shed stay out while a flood that comes and goes lasts.
 */
void
overload_calm(struct overload *o, struct scoreboard *sb, uint64_t now)
{
	o->stuck_since = 0;
	if (o->calm_since == 0)
		o->calm_since = now;
	if (now - o->calm_since >= OVERLOAD_CALM_MS)
		__atomic_store_n(&sb->pressed, 0, __ATOMIC_RELAXED);
}

/* Log and reset one network's refusals; free its entry once quiet. */
static void
overload_log_entry(struct sb_refusal *r, uint64_t now)
{
	uint32_t	 share, busy;
	uint64_t	 key;

	share = __atomic_exchange_n(&r->count[SB_REFUSED_SHARE], 0,
	    __ATOMIC_RELAXED);
	busy = __atomic_exchange_n(&r->count[SB_REFUSED_BUSY], 0,
	    __ATOMIC_RELAXED);
	if (share > 0)
		log_warnx("%s: %u refused in the last second: too many "
		    "connections from its network", r->peer, share);
	if (busy > 0)
		log_warnx("%s: %u refused in the last second: server busy",
		    r->peer, busy);
	if (share > 0 || busy > 0) {
		r->quiet = 0;
		return;
	}
	if (++r->quiet < OVERLOAD_QUIET_S ||
	    __atomic_load_n(&r->shed_until_ms, __ATOMIC_RELAXED) > now)
		return;
	key = __atomic_load_n(&r->key, __ATOMIC_ACQUIRE);
	r->quiet = 0;
	r->shed_until_ms = 0;
	__atomic_compare_exchange_n(&r->key, &key, 0, 0, __ATOMIC_ACQ_REL,
	    __ATOMIC_ACQUIRE);
}

void
overload_log_refusals(struct overload *o, struct scoreboard *sb,
    uint64_t now)
{
	uint64_t	 lost;
	size_t		 i;

	if (now - o->logged_ms < OVERLOAD_LOG_MS)
		return;
	o->logged_ms = now;
	for (i = 0; i < SB_REFUSALS; i++)
		if (__atomic_load_n(&sb->refusal[i].key, __ATOMIC_ACQUIRE))
			overload_log_entry(&sb->refusal[i], now);
	lost = __atomic_exchange_n(&sb->refusals_lost, 0, __ATOMIC_RELAXED);
	if (lost > 0)
		log_warnx("refused %llu connections from other networks in "
		    "the last second", (unsigned long long)lost);
}

void
overload_free(struct overload *o)
{
	free(o->victims);
	o->victims = NULL;
	o->cap = 0;
}
