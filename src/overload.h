/*
 * overload.h - what the master does when its pool is full and clients
 * wait (DESIGN.md section 5, "overload"): shed the sessions that cost
 * most and give least, answer "busy" to clients that cannot be served
 * soon, and log refusals in aggregate.  It reads the scoreboard and the
 * listeners' queues and signals workers; it reads no client byte.
 */
#ifndef OVERLOAD_H
#define OVERLOAD_H

#include <stdint.h>

#include "conf.h"
#include "scoreboard.h"

struct overload_victim;

/* What the master remembers between passes. */
struct overload {
	uint64_t	 stuck_since;	/* ms: clients wait, nothing to shed */
	uint64_t	 calm_since;	/* ms: the pool has had room */
	uint64_t	 logged_ms;	/* refusals last logged */
	size_t		 cap;		/* room in victims[] */
	struct overload_victim	*victims;
};

/*
 * One pass while the pool is at workers-max with no idle worker: when
 * connections wait in the stream listeners' queues, ask as many workers
 * to shed their sessions (handshakes and half-sent requests first, the
 * oldest first, then the longest idle; never one at work, nor one that
 * answered within shed-protect, nor one that came just now), and while
 * clients wait, refuse new connections from the networks shed lately
 * (sb_penalized()); when nothing can be shed for
 * queue-timeout, accept the waiting connections and answer them "busy".
 * Returns 1 while clients wait, for the master to come back soon.
 */
int	overload_relieve(struct overload *o, struct scoreboard *sb,
	    const struct conf *c, uint64_t now);

/* The pool has room, or nobody waits. */
void	overload_calm(struct overload *o, struct scoreboard *sb,
	    uint64_t now);

/* Once a second: log the refusals counted since, by network. */
void	overload_log_refusals(struct overload *o, struct scoreboard *sb,
	    uint64_t now);

void	overload_free(struct overload *o);

#endif /* OVERLOAD_H */
