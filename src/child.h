/*
 * child.h - what every child of the master shares: the environment the
 * master hands it, its signals, the privilege drop, and the epoll set of
 * the listeners it serves.  The stream worker (worker.h) and the UDP
 * worker (udp.h) are both children.
 */
#ifndef CHILD_H
#define CHILD_H

#include <sys/types.h>

#include "conf.h"
#include "scoreboard.h"
#include "tls.h"

/* What the master hands a new child. */
struct child_env {
	const struct conf	*conf;
	struct scoreboard	*sb;
	struct sb_slot		*slot;
	struct tls_server	*tls;		/* NULL without TLS listeners */
	int			 notify_fd;	/* a byte: "idle ones run short" */
	int			 drop_privileges;
	uid_t			 uid;
	gid_t			 gid;
	pid_t			 master_pid;
};

/*
 * Drop root for good: groups, gid, uid, in that order; fatal on failure.
 * Then ask for SIGTERM when the master dies (a change of uid clears that
 * request, so it comes after), and leave at once if it already has.
 */
void	child_drop_privileges(const struct child_env *env);

/*
 * A child's signals: SIGTERM and SIGINT call on_stop; SIGHUP and SIGPIPE
 * are ignored; SIGCHLD is the default; the master's mask is undone.
 */
void	child_signals(void (*on_stop)(int));

/*
 * An epoll set of the listeners of one socket type (SOCK_STREAM or
 * SOCK_DGRAM), each in exclusive mode, so that one event wakes one
 * process; the event data is the listener's index.  Fatal on failure.
 */
int	child_listen_set(const struct conf *conf, int socktype);

#endif /* CHILD_H */
