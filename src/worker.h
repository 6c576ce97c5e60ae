/*
 * worker.h - the stream worker: a child of the master that accepts one
 * connection at a time on every stream listener and serves it to the end.
 */
#ifndef WORKER_H
#define WORKER_H

#include <sys/types.h>

#include "conf.h"
#include "scoreboard.h"
#include "tls.h"

/* What the master hands a new worker. */
struct worker_env {
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
void	worker_drop_privileges(const struct worker_env *env);

/*
 * A child's signals: SIGTERM and SIGINT call on_stop; SIGHUP and SIGPIPE
 * are ignored; SIGCHLD is the default; the master's mask is undone.
 */
void	worker_child_signals(void (*on_stop)(int));

/*
 * An epoll set of every udp listener (udp set) or every stream listener,
 * each in exclusive mode, so that one event wakes one process; the
 * event data is the listener's index.  Fatal on failure.
 */
int	worker_listen_set(const struct conf *conf, int udp);

/* Run the worker; never returns. */
void	worker_main(const struct worker_env *env) __attribute__((noreturn));

#endif /* WORKER_H */
