/*
 * master.h - the master process: listeners, scoreboard, the worker pool,
 * signals and systemd notification.  It never touches client bytes.
 */
#ifndef MASTER_H
#define MASTER_H

#include "conf.h"

/*
 * Run the daemon with the loaded configuration c (which the master now
 * owns; it must be heap-allocated).  Returns the exit status.
 */
int	master_run(struct conf *c);

#endif /* MASTER_H */
