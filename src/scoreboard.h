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

#define SB_PEER_MAX	48	/* "[IPv6]:port" */
#define SB_DOING_MAX	80	/* what a busy worker is doing */

enum sb_state {
	SB_FREE = 0,		/* no process */
	SB_STARTING,		/* forked, not yet accepting */
	SB_IDLE,		/* waiting in accept */
	SB_BUSY,		/* serving a client */
	SB_UDP			/* a UDP worker */
};

/* What a busy worker's connection is doing, for shedding. */
enum sb_phase {
	SB_PHASE_WORK = 0,	/* working: never shed */
	SB_PHASE_HANDSHAKE,	/* PROXY header or TLS handshake */
	SB_PHASE_PARTIAL,	/* waiting on the client mid-request */
	SB_PHASE_IDLE,		/* waiting for a request */
	SB_PHASE_SENDING	/* waiting for the client to read answers */
};

struct sb_slot {
	pid_t		pid;
	uint32_t	generation;
	uint32_t	state;		/* enum sb_state */
	uint64_t	peer_key;	/* hash of the client's network */
	uint64_t	busy_since_ms;	/* monotonic, when serving began */
	uint64_t	heartbeat_ms;	/* monotonic, last progress */
	uint64_t	connections;	/* served by this process */
	uint32_t	phase;		/* enum sb_phase, while SB_BUSY */
	uint32_t	shed;		/* the master asked to shed it */
	uint64_t	shed_conn;	/* ... the connection numbered so */
	uint64_t	phase_since_ms;	/* monotonic, the phase began */
	uint64_t	answered_ms;	/* monotonic, last answer, or 0 */
	int32_t		sbi;		/* the connection's listener */
	uint32_t	proto;
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
	SB_BUSY_REFUSED,	/* refused: the pool was full */
	SB_SHED_HANDSHAKE,	/* shed in a PROXY header or TLS handshake */
	SB_SHED_PARTIAL,	/* shed with a request half-sent */
	SB_SHED_IDLE,		/* shed while idle */
	SB_COUNTERS
};

/*
 * Refusals waiting to be logged, by client network: workers count them
 * here and the master logs each network's count once a second, so that a
 * flood of refusals is a line a second, not a line each.
 */
#define SB_REFUSALS	64

enum sb_refusal_why {
	SB_REFUSED_SHARE,	/* over max-connections-per-address */
	SB_REFUSED_BUSY		/* the pool was full */
};

struct sb_refusal {
	uint64_t	key;		/* peer_key, 0 when free */
	uint32_t	count[2];	/* by enum sb_refusal_why */
	uint32_t	quiet;		/* seconds without a refusal */
	uint64_t	shed_until_ms;	/* a session of it was shed: while
					   the pool is full, its new
					   connections are refused */
	char		peer[SB_PEER_MAX];
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
	struct sb_refusal	refusal[SB_REFUSALS];
	uint64_t		refusals_lost;	/* no room in refusal[] */
	uint32_t		pressed;	/* the pool is full and clients
						   wait: set by the master */
	uint32_t		nslots;		/* room in slot[] */
	uint32_t		slots_used;	/* past the highest slot used */
	uint32_t		idle;		/* slots in SB_IDLE */
	struct sb_slot		slot[];
};

/*
 * Map a zeroed scoreboard with nslots slots, shared by the master and its
 * children; sb_destroy() unmaps it.
 */
struct scoreboard	*sb_create(size_t nslots);
void		 sb_destroy(struct scoreboard *sb);

/*
 * A 64-bit key for a client's network: its address (not the port) cut to
 * prefix4 bits for IPv4 (an IPv4-mapped IPv6 address counts as IPv4) and
 * prefix6 bits for IPv6, so that the hosts of one /64 count as one.
 */
uint64_t	 sb_peer_key(const struct sockaddr *sa, unsigned prefix4,
		    unsigned prefix6);

/*
 * Count a refusal of the client peer (its key and text) for the master
 * to log; never blocks.
 */
void		 sb_note_refusal(struct scoreboard *sb, uint64_t key,
		    const char *peer, enum sb_refusal_why why);

/* The master shed a session of network key: mark it until until_ms. */
void		 sb_note_shed(struct scoreboard *sb, uint64_t key,
		    const char *peer, uint64_t until_ms);

/*
 * Whether a new connection of network key is to be refused as "busy":
 * the pool is full, clients wait, and a session of the network was shed
 * lately.  A network that made the pool full waits; others get the room.
 */
int		 sb_penalized(struct scoreboard *sb, uint64_t key,
		    uint64_t now_ms);

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
