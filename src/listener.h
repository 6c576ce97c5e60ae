/*
 * listener.h - the listening sockets, opened by the master and shared by
 * its workers.  They outlive every worker and survive a reload when their
 * protocol and address do not change.
 */
#ifndef LISTENER_H
#define LISTENER_H

#include "conf.h"

/*
 * Socket activation: take the sockets systemd passed (LISTEN_FDS), for
 * listener_open_all() to use where their protocol and address match a
 * listener.  Returns how many, or -1 after logging why.
 */
int	listener_take_systemd(void);

/* Log the passed sockets that no listener took. */
void	listener_warn_unused_passed(void);

/* Whether fd is a socket systemd passed. */
int	listener_is_passed(int fd);

/*
 * Open every listener of c that has no socket yet, taking the socket of
 * an identical listener of old (may be NULL) where there is one.  On
 * failure, sockets opened by this call are closed again and -1 returned.
 */
int	listener_open_all(struct conf *c, struct conf *old, int backlog);

/*
 * Close the listeners of c, except those whose socket is also in keep;
 * a socket systemd passed is kept for a later listener_open_all().
 */
void	listener_close_all(struct conf *c, const struct conf *keep);

#endif /* LISTENER_H */
