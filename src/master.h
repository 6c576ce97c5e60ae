/*
 * master.h - the master process: listeners, scoreboard, the worker pool,
 * signals and systemd notification.  It never touches client bytes.
 */
#ifndef MASTER_H
#define MASTER_H

#include "conf.h"

struct master;

/*
 * Prepare a master for the loaded configuration c, which it then owns
 * (heap-allocated): resolve the user, load TLS credentials and, unless
 * test is set, open the listeners.  Returns NULL after logging why.
 */
struct master	*master_setup(struct conf *c, int test);

/* Free a master that was set up but will not run. */
void		 master_free(struct master *m);

/* Fork the workers and run until stopped; returns the exit status. */
int		 master_run(struct master *m);

#endif /* MASTER_H */
