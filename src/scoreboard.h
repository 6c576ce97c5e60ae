/*
 * scoreboard.h - the shared-memory scoreboard.
 *
 * The master maps it before the first fork; every worker writes its own
 * slot (state, peer, heartbeat, counters) and the master reads them all to
 * size the pool, enforce request-timeout and answer /metrics.  Fields are
 * written with atomic stores, so readers see whole values without locks.
 */
#ifndef SCOREBOARD_H
#define SCOREBOARD_H

#include <sys/types.h>

#include <stdint.h>

#include "conf.h"

#define SB_SLOTS	1024	/* hard limit of workers-max */
#define SB_PEER_MAX	48	/* "[IPv6]:port" */
#define SB_DOING_MAX	80	/* what a busy worker is doing */

enum sb_state {
	SB_FREE = 0,		/* no process */
	SB_STARTING,		/* forked, not yet accepting */
	SB_IDLE,		/* waiting in accept */
	SB_BUSY,		/* serving a client */
	SB_UDP			/* a UDP worker */
};

struct sb_slot {
	pid_t		pid;
	uint32_t	generation;
	uint32_t	state;		/* enum sb_state */
	uint64_t	peer_key;	/* hash of the client's address */
	uint64_t	busy_since_ms;	/* monotonic, when serving began */
	uint64_t	heartbeat_ms;	/* monotonic, last progress */
	uint64_t	connections;	/* served by this process */
	char		peer[SB_PEER_MAX];
	char		doing[SB_DOING_MAX];
};

/* Totals kept across worker lifetimes, by protocol. */
struct sb_totals {
	uint64_t	connections[PROTO_COUNT];
	uint64_t	requests[PROTO_COUNT];
	uint64_t	errors[PROTO_COUNT];
	uint64_t	rejected[PROTO_COUNT];	/* over the per-address cap */
	uint64_t	respawns;
	uint64_t	started_ms;		/* realtime, master start */
};

/* What is counted for each protocol and each listener. */
enum sb_counter {
	SB_CONNECTIONS,
	SB_REQUESTS,
	SB_ERRORS,
	SB_REJECTED,		/* over the per-address cap */
	SB_COUNTERS
};

#define SB_LISTENERS	64	/* listener names seen since the start */

/* The counters of one listener, by its name; kept across reloads. */
struct sb_listener {
	char		name[80];	/* "tcp 0.0.0.0:54321", "" when free */
	uint32_t	proto;
	uint64_t	count[SB_COUNTERS];
};

struct scoreboard {
	struct sb_totals	totals;
	struct sb_listener	listener[SB_LISTENERS];
	uint32_t		slots_used;	/* past the highest slot used */
	uint32_t		idle;		/* slots in SB_IDLE */
	struct sb_slot		slot[SB_SLOTS];
};

/* Map a zeroed scoreboard shared by the master and its children. */
struct scoreboard	*sb_create(void);

/* A 64-bit key for a client address (ignoring the port). */
uint64_t	 sb_peer_key(const struct sockaddr *sa);

/*
 * The entry of the listener called name (set by the master, before the
 * workers that count in it are forked), made when new.  Returns its
 * index, or -1 when SB_LISTENERS names are taken: the listener is then
 * counted only in its protocol's totals.
 */
int		 sb_listener_index(struct scoreboard *sb, const char *name,
		    int proto);

/* Count n events c of a listener: in its protocol and its entry (sbi). */
void		 sb_count(struct scoreboard *sb, int proto, int sbi,
		    enum sb_counter c, uint64_t n);

/* The master takes slot i for a process: scans need not go past it. */
void		 sb_slot_taken(struct scoreboard *sb, size_t i);

/*
 * Atomic accessors, so that every reader sees whole values.  Every change
 * of state goes through sb_set_state(), which keeps the count of idle
 * slots that sb_idle() reads without a scan.
 */
void		 sb_set_state(struct scoreboard *sb, struct sb_slot *s,
		    enum sb_state st);
unsigned	 sb_idle(const struct scoreboard *sb);
enum sb_state	 sb_get_state(const struct sb_slot *s);
void		 sb_add(uint64_t *counter, uint64_t n);
uint64_t	 sb_get(const uint64_t *counter);

/*
 * Count the busy slots other than self that serve peer_key.  Racy by
 * design but conservative: a worker publishes its own peer before
 * counting, so two simultaneous connections cannot both slip under.
 */
unsigned long	 sb_count_peer(struct scoreboard *sb, const struct sb_slot *self,
		    uint64_t peer_key);

#endif /* SCOREBOARD_H */
