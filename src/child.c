/*
 * child.c - the setup every child of the master shares (see child.h).
 */
#include <sys/epoll.h>
#include <sys/prctl.h>

#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "log.h"
#include "proto.h"

void
child_signals(void (*on_stop)(int))
{
	struct sigaction	 sa;
	sigset_t		 none;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void	child_setuid(const struct child_env *);

void
child_drop_privileges(const struct child_env *env)
{
	if (env->drop_privileges)
		child_setuid(env);
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1 ||
	    getppid() != env->master_pid)
		exit(0);
}

/*
 * No new privileges comes first, so that whoever sees the new uid also
 * sees it (it needs no privilege, and holds across the change).
 */
static void
child_setuid(const struct child_env *env)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_NO_NEW_PRIVS)");
	if (setgroups(1, &env->gid) == -1)
		fatal("setgroups");
	if (setresgid(env->gid, env->gid, env->gid) == -1)
		fatal("setresgid %lu", (unsigned long)env->gid);
	if (setresuid(env->uid, env->uid, env->uid) == -1)
		fatal("setresuid %lu", (unsigned long)env->uid);
	if (setuid(0) != -1 || seteuid(0) != -1)
		fatalx("privileges could be regained after dropping them");
}

int
child_listen_set(const struct conf *conf, int socktype)
{
	struct epoll_event	 ev;
	size_t			 i;
	int			 ep;

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	for (i = 0; i < conf->nlisten; i++) {
		if (proto_get(conf->listen[i].proto)->socktype != socktype)
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.u32 = i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, conf->listen[i].fd, &ev) == -1)
			fatal("epoll_ctl %s", conf->listen[i].name);
	}
	return ep;
}
