/*
 * master.c - the master process, after Apache prefork's parent: open the
 * listeners, map the scoreboard, fork workers, and then only reap,
 * respawn, count and signal.
 *
 * Signals arrive through a signalfd, so SIGCHLD, SIGHUP and SIGTERM are
 * handled in the main loop without races.  Workers write a byte to a
 * pipe when they become busy, so the pool grows as soon as it runs low
 * rather than at the next one-second tick.
 */
#include <sys/signalfd.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "listener.h"
#include "log.h"
#include "master.h"
#include "overload.h"
#include "proctitle.h"
#include "scoreboard.h"
#include "tls.h"
#include "udp.h"
#include "util.h"
#include "worker.h"

#define MASTER_TICK_MS		1000	/* maintenance when nothing happens */
#define MASTER_GROW_MS		100	/* maintenance while the pool grows */
#define MASTER_NOTE_MS		10	/* soonest pass after a busy note */
#define MASTER_PRESSED_MS	20	/* passes while clients wait on a
					   full pool */
#define MASTER_FULL_MS		50	/* passes while the pool is full: a
					   client that comes waits no longer
					   for the master to see it */
#define MASTER_UDP_SLOTS	64	/* slots kept for UDP workers */
#define MASTER_SPAWN_BATCH_MAX	64	/* most workers started at once */
#define MASTER_EARLY_DEATH_MS	1000	/* a worker dying younger crashed */
#define MASTER_BACKOFF_MIN_MS	100	/* first delay after a crash */
#define MASTER_BACKOFF_MAX_MS	10000	/* longest delay between crashes */
#define MASTER_KILL_GRACE_MS	2000	/* SIGTERM to SIGKILL, stuck workers */
#define MASTER_KILL_WAIT_MS	5000	/* after SIGKILL, before giving up */

/* What the master alone knows of each child, beside its slot. */
struct master_child {
	pid_t		pid;
	uint32_t	generation;
	uint64_t	spawned_ms;
	uint64_t	retired_ms;	/* asked to leave (SIGUSR2 or SIGTERM) */
	uint64_t	stuck_ms;	/* SIGTERM sent because it hung */
	int		termed;		/* SIGTERM sent */
	int		killed;		/* SIGKILL sent */
	int		udp;		/* a UDP worker */
};

struct master {
	struct conf		*conf;
	struct tls_server	*tls;		/* NULL without TLS listeners */
	struct scoreboard	*sb;
	struct master_child	*child;		/* one per scoreboard slot */
	struct overload		 overload;
	size_t			 nslots;	/* high-water mark of slots */
	uint32_t		 generation;
	int			 sigfd;
	int			 notify[2];	/* workers -> master */
	unsigned		 spawn_batch;
	unsigned		 failures;	/* crashes in a row */
	uint64_t		 backoff_until;
	uint64_t		 last_maintain;
	int			 stopping;
	uint64_t		 stop_deadline;
	pid_t			 pid;
	int			 drop_privileges;
	uid_t			 uid;
	gid_t			 gid;
};

/*
 * Scoreboard slots for c: two full generations of workers (the old one
 * finishes its clients after a reload) and the UDP workers.
 */
static size_t
master_slots(const struct conf *c)
{
	return 2 * c->workers_max + MASTER_UDP_SLOTS;
}

/* Resolve the configured user when running as root. */
static int
master_resolve_user(struct master *m, const struct conf *c)
{
	struct passwd	*pw;

	m->drop_privileges = geteuid() == 0;
	if (!m->drop_privileges)
		return 0;
	if ((pw = getpwnam(c->user)) == NULL) {
		log_warnx("user %s: no such user", c->user);
		return -1;
	}
	if (pw->pw_uid == 0) {
		log_warnx("user %s: workers must not run as root", c->user);
		return -1;
	}
	m->uid = pw->pw_uid;
	m->gid = pw->pw_gid;
	return 0;
}

/* Block the signals the loop handles and read them from a signalfd. */
static void
master_signals(struct master *m)
{
	struct sigaction	 sa;
	sigset_t		 set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		fatal("sigprocmask");
	if ((m->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		fatal("signalfd");
}

static void
master_status(struct master *m, unsigned idle, unsigned busy)
{
	sd_notifyf(0, "STATUS=%u busy, %u idle workers, generation %u",
	    busy, idle, m->generation);
}

/*
 * Fork one worker of the current generation into a free slot: a stream
 * worker, or a UDP worker when udp is set.
 */
static int
master_spawn(struct master *m, int udp)
{
	struct child_env	 env;
	struct sb_slot		*slot;
	size_t			 i;
	pid_t			 pid;

	for (i = 0; i < m->sb->nslots && m->child[i].pid != 0; i++)
		;
	if (i == m->sb->nslots)
		return -1;
	slot = &m->sb->slot[i];
	memset(slot, 0, sizeof(*slot));
	slot->generation = m->generation;
	sb_set_state(m->sb, slot, SB_STARTING);
	sb_slot_taken(m->sb, i);

	memset(&env, 0, sizeof(env));
	env.conf = m->conf;
	env.sb = m->sb;
	env.slot = slot;
	env.tls = m->tls;
	env.notify_fd = m->notify[1];
	env.drop_privileges = m->drop_privileges;
	env.uid = m->uid;
	env.gid = m->gid;
	env.master_pid = m->pid;

	switch (pid = fork()) {
	case -1:
		log_warn("fork");
		sb_set_state(m->sb, slot, SB_FREE);
		return -1;
	case 0:
		close(m->sigfd);
		close(m->notify[0]);
		if (udp)
			udp_main(&env);
		worker_main(&env);
	}
	slot->pid = pid;
	memset(&m->child[i], 0, sizeof(m->child[i]));
	m->child[i].pid = pid;
	m->child[i].generation = m->generation;
	m->child[i].spawned_ms = util_now_ms();
	m->child[i].udp = udp;
	if (i + 1 > m->nslots)
		m->nslots = i + 1;
	return 0;
}

/* Note a crash or a failed fork and push the next spawn back. */
static void
master_backoff(struct master *m, const char *why)
{
	uint64_t	 delay = MASTER_BACKOFF_MIN_MS;

	if (m->failures < 16)
		m->failures++;
	delay <<= m->failures - 1;
	if (delay > MASTER_BACKOFF_MAX_MS)
		delay = MASTER_BACKOFF_MAX_MS;
	m->backoff_until = util_now_ms() + delay;
	log_warnx("%s; next worker in %llu ms", why, (unsigned long long)delay);
}

/* Describe how a child ended, for the log. */
static void
master_describe_exit(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d%s", WTERMSIG(status),
		    WCOREDUMP(status) ? " (core dumped)" : "");
	else
		snprintf(buf, len, "exited with status %d",
		    WEXITSTATUS(status));
}

/* Free the slot of a dead child and judge whether it crashed. */
static void
master_reaped(struct master *m, size_t i, int status)
{
	struct master_child	*ch = &m->child[i];
	struct sb_slot		*slot = &m->sb->slot[i];
	uint64_t		 age = util_now_ms() - ch->spawned_ms;
	const char		*what = ch->udp ? "UDP worker" : "worker";
	char			 how[64], why[160];
	int			 normal;

	normal = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (!normal && !ch->stuck_ms && !ch->killed && !(ch->retired_ms &&
	    WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)) {
		master_describe_exit(status, how, sizeof(how));
		if (sb_get_state(slot) == SB_BUSY)
			log_warnx("%s %ld %s while serving %s on %s", what,
			    (long)ch->pid, how, slot->peer, slot->doing);
		else
			log_warnx("%s %ld %s", what, (long)ch->pid, how);
		sb_add(&m->sb->totals.respawns, 1);
		if (age < MASTER_EARLY_DEATH_MS) {
			snprintf(why, sizeof(why), "%s %ld died %llu ms "
			    "after it started", what, (long)ch->pid,
			    (unsigned long long)age);
			master_backoff(m, why);
		}
	} else if (age >= MASTER_EARLY_DEATH_MS || slot->connections)
		m->failures = 0;
	sb_set_state(m->sb, slot, SB_FREE);
	memset(slot, 0, sizeof(*slot));
	memset(ch, 0, sizeof(*ch));
}

static void
master_reap(struct master *m)
{
	pid_t	 pid;
	size_t	 i;
	int	 status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < m->nslots; i++)
			if (m->child[i].pid == pid)
				break;
		if (i < m->nslots)
			master_reaped(m, i, status);
	}
}

/* Send sig to every child older than the generation given. */
static void
master_signal_children(struct master *m, int sig, uint32_t below_generation)
{
	size_t	 i;

	for (i = 0; i < m->nslots; i++) {
		struct master_child *ch = &m->child[i];

		if (ch->pid == 0 || ch->generation >= below_generation)
			continue;
		if (sig == SIGTERM && ch->termed)
			continue;
		if (sig == SIGTERM) {
			ch->termed = 1;
			if (ch->retired_ms == 0)
				ch->retired_ms = util_now_ms();
		}
		if (sig == SIGKILL)
			ch->killed = 1;
		if (kill(ch->pid, sig) == -1 && errno != ESRCH)
			log_warn("kill %ld", (long)ch->pid);
	}
}

/* Whether c has a listener called name ("tcp 127.0.0.1:54321"). */
static int
master_has_listener(const struct conf *c, const char *name)
{
	size_t	 i;

	for (i = 0; i < c->nlisten; i++)
		if (strcmp(c->listen[i].name, name) == 0)
			return 1;
	return 0;
}

/*
 * After a reload, retire the workers of older generations with SIGUSR2:
 * each finishes with its client, if it has one, and exits (an idle one
 * may just have accepted a client: it serves it).  One serving a client
 * on a listener the new configuration removed gets SIGTERM instead,
 * which ends an idle session at once.  UDP workers get SIGTERM.
 */
static void
master_retire_old(struct master *m)
{
	size_t	 i;
	int	 sig;

	for (i = 0; i < m->nslots; i++) {
		struct master_child	*ch = &m->child[i];
		struct sb_slot		*slot = &m->sb->slot[i];

		if (ch->pid == 0 || ch->generation >= m->generation ||
		    ch->retired_ms)
			continue;
		sig = ch->udp || (sb_get_state(slot) == SB_BUSY &&
		    !master_has_listener(m->conf, slot->doing)) ? SIGTERM :
		    SIGUSR2;
		ch->retired_ms = util_now_ms();
		ch->termed = sig == SIGTERM;
		if (kill(ch->pid, sig) == -1 && errno != ESRCH)
			log_warn("kill %ld", (long)ch->pid);
	}
}

/*
 * Kill a worker that has worked on one request for longer than
 * request-timeout: SIGTERM first, SIGKILL when it does not go.
 */
static void
master_check_stuck(struct master *m, size_t i, uint64_t now)
{
	struct master_child	*ch = &m->child[i];
	struct sb_slot		*slot = &m->sb->slot[i];
	uint64_t		 since;

	since = __atomic_load_n(&slot->busy_since_ms, __ATOMIC_RELAXED);
	if (ch->stuck_ms == 0 && since != 0 && now > since &&
	    now - since > m->conf->request_timeout * 1000) {
		log_warnx("worker %ld stuck for %llu ms on %s from %s; "
		    "killing it", (long)ch->pid,
		    (unsigned long long)(now - since), slot->doing, slot->peer);
		ch->stuck_ms = now;
		ch->termed = 1;
		kill(ch->pid, SIGTERM);
	} else if (ch->stuck_ms && !ch->killed &&
	    now - ch->stuck_ms > MASTER_KILL_GRACE_MS) {
		ch->killed = 1;
		kill(ch->pid, SIGKILL);
	}
}

/* Give each listener of c its counters in the scoreboard, by name. */
static void
master_index_listeners(struct scoreboard *sb, struct conf *c)
{
	size_t	 i;

	for (i = 0; i < c->nlisten; i++) {
		c->listen[i].sbi = sb_listener_index(sb, c->listen[i].name,
		    c->listen[i].proto);
		if (c->listen[i].sbi == -1)
			log_warnx("%s: no room for its counters; /metrics "
			    "counts it in its protocol only", c->listen[i].name);
	}
}

/*
 * Retire n idle workers of the current generation, newest slots first,
 * so that the pool packs into the low slots.  SIGUSR2, as after a
 * reload: a worker the master saw idle may have just accepted a client,
 * and it serves that client to its end (SIGTERM would end its session
 * as if the server were stopping).
 */
static void
master_retire(struct master *m, unsigned n)
{
	size_t	 i;

	for (i = m->nslots; i-- > 0 && n > 0;) {
		struct master_child *ch = &m->child[i];

		if (ch->pid == 0 || ch->udp || ch->retired_ms || ch->stuck_ms ||
		    ch->generation != m->generation ||
		    sb_get_state(&m->sb->slot[i]) != SB_IDLE)
			continue;
		ch->retired_ms = util_now_ms();
		if (kill(ch->pid, SIGUSR2) == -1 && errno != ESRCH)
			log_warn("kill %ld", (long)ch->pid);
		n--;
	}
}

/*
 * Size the pool, after Apache prefork's perform_idle_server_maintenance:
 * keep workers-min-spare to workers-max-spare idle workers of the current
 * generation and never more than workers-max processes.  Spawning doubles
 * from 1 up to MASTER_SPAWN_BATCH_MAX per pass while the pool stays short;
 * half the surplus retires per pass.  Returns the delay to the next pass.
 */
static int
master_maintain(struct master *m)
{
	const struct conf	*c = m->conf;
	uint64_t		 now = util_now_ms();
	unsigned		 idle = 0, busy = 0, total = 0, udp = 0, n;
	size_t			 i;

	m->last_maintain = now;
	for (i = 0; i < m->nslots; i++) {
		struct master_child *ch = &m->child[i];
		enum sb_state st = sb_get_state(&m->sb->slot[i]);

		if (ch->pid == 0)
			continue;
		master_check_stuck(m, i, now);
		if (ch->udp) {
			udp += ch->generation == m->generation &&
			    !ch->retired_ms;
			continue;
		}
		total++;
		if (ch->generation != m->generation || ch->retired_ms)
			continue;
		if (st == SB_IDLE || st == SB_STARTING)
			idle++;
		else if (st == SB_BUSY)
			busy++;
	}
	master_status(m, idle, busy);
	overload_log_refusals(&m->overload, m->sb, now);
	if (m->stopping)
		return MASTER_TICK_MS;
	if (now < m->backoff_until)
		return (int)(m->backoff_until - now);
	if (conf_has_udp(c) && udp < c->udp_workers &&
	    master_spawn(m, 1) == -1)
		master_backoff(m, "cannot start a UDP worker");
	if (idle > c->workers_max_spare) {
		master_retire(m, (idle - c->workers_max_spare + 1) / 2);
		return MASTER_TICK_MS;
	}
	if (total >= c->workers_max && idle == 0) {
		m->spawn_batch = 1;
		return overload_relieve(&m->overload, m->sb, c, now) ?
		    MASTER_PRESSED_MS : MASTER_FULL_MS;
	}
	overload_calm(&m->overload, m->sb, now);
	if (idle >= c->workers_min_spare || total >= c->workers_max) {
		m->spawn_batch = 1;
		return MASTER_TICK_MS;
	}
	n = c->workers_min_spare - idle;
	if (n > m->spawn_batch)
		n = m->spawn_batch;
	if (n > c->workers_max - total)
		n = c->workers_max - total;
	while (n-- > 0)
		if (master_spawn(m, 0) == -1) {
			master_backoff(m, "cannot start a worker");
			break;
		}
	if (m->spawn_batch < MASTER_SPAWN_BATCH_MAX)
		m->spawn_batch *= 2;
	return MASTER_GROW_MS;
}

/* Whether the user of a configuration can be resolved (as root). */
static int
master_reload_user(struct master *m, const struct conf *c)
{
	struct master	 probe = *m;

	if (master_resolve_user(&probe, c) == -1)
		return -1;
	m->uid = probe.uid;
	m->gid = probe.gid;
	return 0;
}

/*
 * Load the TLS credentials of c when it has a TLS listener, with the
 * session-ticket key of tls-ticket-key-file, or else the one of prev (a
 * reload), or else a new one.  Returns 0 with *out set (NULL without TLS
 * listeners), or -1 after logging why.
 */
static int
master_load_tls(const struct conf *c, const struct tls_server *prev,
    struct tls_server **out)
{
	char	 err[512];

	*out = NULL;
	if (!conf_has_tls(c))
		return 0;
	*out = tls_server_new(c->tls_certificate, c->tls_key, c->tls_priority,
	    prev, err, sizeof(err));
	if (*out != NULL && c->tls_ticket_key_file[0] != '\0' &&
	    tls_server_ticket_key_file(*out, c->tls_ticket_key_file, err,
	    sizeof(err)) == -1) {
		tls_server_free(*out);
		*out = NULL;
	}
	if (*out == NULL) {
		log_warnx("%s", err);
		return -1;
	}
	return 0;
}

/*
 * SIGHUP: read the configuration again.  Listeners that did not change
 * keep their sockets, so no connection is refused; a new generation of
 * workers starts and the old one finishes its clients and exits.  Any
 * error keeps the running configuration.
 */
static void
master_reload(struct master *m)
{
	struct conf		*c;
	struct tls_server	*tls = NULL;
	char			 err[CONF_ERR_MAX];

	sd_notify(0, "RELOADING=1");
	log_info("reloading %s", m->conf->path);
	if ((c = malloc(sizeof(*c))) == NULL) {
		log_warn("reload");
		goto done;
	}
	if (conf_load(m->conf->path, c, err, sizeof(err)) == -1) {
		log_warnx("reload failed, keeping the old configuration: %s",
		    err);
		goto fail;
	}
	if (master_slots(c) > m->sb->nslots) {
		log_warnx("reload failed, keeping the old configuration: "
		    "workers-max %lu needs a restart (it started at %lu)",
		    c->workers_max, m->conf->workers_max);
		goto fail;
	}
	if (master_reload_user(m, c) == -1 ||
	    master_load_tls(c, m->tls, &tls) == -1 ||
	    listener_open_all(c, m->conf, c->listen_backlog) == -1) {
		log_warnx("reload failed, keeping the old configuration");
		tls_server_free(tls);
		goto fail;
	}
	listener_close_all(m->conf, c);
	master_index_listeners(m->sb, c);
	free(m->conf);
	m->conf = c;
	log_set_json(strcmp(c->log_format, "json") == 0);
	tls_server_free(m->tls);
	m->tls = tls;
	m->generation++;
	m->spawn_batch = m->conf->workers_min_spare;
	master_retire_old(m);
	log_info("configuration reloaded, generation %u", m->generation);
	master_maintain(m);
	goto done;
 fail:
	free(c);
 done:
	sd_notify(0, "READY=1");
}

/* Handle every pending signal; returns -1 when asked to stop. */
static int
master_read_signals(struct master *m)
{
	struct signalfd_siginfo	 si;
	int			 stop = 0;

	while (read(m->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			master_reap(m);
			break;
		case SIGHUP:
			if (!m->stopping)
				master_reload(m);
			break;
		case SIGTERM:
		case SIGINT:
			stop = 1;
			break;
		}
	}
	return stop ? -1 : 0;
}

static unsigned
master_live_children(struct master *m)
{
	unsigned	 n = 0;
	size_t		 i;

	for (i = 0; i < m->nslots; i++)
		if (m->child[i].pid != 0)
			n++;
	return n;
}

/*
 * SIGTERM: stop accepting, let busy workers finish their clients until
 * shutdown-timeout, then kill what is left.
 */
static void
master_shutdown(struct master *m)
{
	struct pollfd	 pfd = { .fd = m->sigfd, .events = POLLIN };
	uint64_t	 now;
	int		 killed = 0;

	sd_notify(0, "STOPPING=1");
	log_info("stopping");
	m->stopping = 1;
	m->stop_deadline = util_now_ms() + m->conf->shutdown_timeout * 1000;
	listener_close_all(m->conf, NULL);
	master_signal_children(m, SIGTERM, UINT32_MAX);
	while (master_live_children(m) > 0) {
		now = util_now_ms();
		if (now >= m->stop_deadline && killed) {
			log_warnx("%u workers did not die; leaving them",
			    master_live_children(m));
			break;
		}
		if (now >= m->stop_deadline) {
			log_warnx("shutdown-timeout: killing %u workers",
			    master_live_children(m));
			master_signal_children(m, SIGKILL, UINT32_MAX);
			m->stop_deadline = now + MASTER_KILL_WAIT_MS;
			killed = 1;
		}
		poll(&pfd, 1, (int)(m->stop_deadline - now));
		master_read_signals(m);
	}
	log_info("stopped");
}

static void
master_drain_notify(struct master *m)
{
	char	 buf[256];

	while (read(m->notify[0], buf, sizeof(buf)) > 0)
		;
}

/*
 * The main loop: signals, "busy" notes from workers, and maintenance
 * passes when they are due.  A note brings the next pass forward, but
 * passes never run more often than every MASTER_NOTE_MS.
 */
static void
master_loop(struct master *m)
{
	struct pollfd	 pfd[2];
	uint64_t	 now, next = 0;
	int		 timeout;

	for (;;) {
		now = util_now_ms();
		if (now >= next) {
			next = now + master_maintain(m);
			continue;
		}
		timeout = (int)(next - now);
		pfd[0].fd = m->sigfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = m->notify[0];
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, timeout) == -1 && errno != EINTR)
			fatal("poll");
		if (pfd[0].revents && master_read_signals(m) == -1)
			return;
		if (pfd[1].revents || pfd[0].revents) {
			master_drain_notify(m);
			if (next > m->last_maintain + MASTER_NOTE_MS)
				next = m->last_maintain + MASTER_NOTE_MS;
		}
	}
}

static void
master_log_listeners(const struct conf *c)
{
	size_t	 i;

	for (i = 0; i < c->nlisten; i++)
		log_info("listening on %s%s", c->listen[i].name,
		    listener_is_passed(c->listen[i].fd) ? " (from systemd)" :
		    "");
	listener_warn_unused_passed();
}

/*
 * Everything that can fail on a bad configuration or a busy port, done
 * before calcd detaches so that the shell sees the error: resolve the
 * user, load TLS credentials, open the listeners.  With test set, only
 * the first two (calcd -t).  Returns NULL after logging why.
 */
struct master *
master_setup(struct conf *c, int test)
{
	struct master	*m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		fatal("calloc");
	m->conf = c;
	m->spawn_batch = 1;
	if (master_resolve_user(m, c) == -1 ||
	    master_load_tls(c, NULL, &m->tls) == -1 ||
	    (!test && (listener_take_systemd() == -1 ||
	    listener_open_all(c, NULL, c->listen_backlog) == -1))) {
		tls_server_free(m->tls);
		free(m);
		return NULL;
	}
	return m;
}

void
master_free(struct master *m)
{
	listener_close_all(m->conf, NULL);
	free(m->conf);
	tls_server_free(m->tls);
	if (m->sb != NULL)
		sb_destroy(m->sb);
	overload_free(&m->overload);
	free(m->child);
	free(m);
}

int
master_run(struct master *m)
{
	const struct conf	*c = m->conf;
	unsigned		 i;

	m->pid = getpid();
	log_procname("master");
	proctitle_set("master");
	log_set_json(strcmp(c->log_format, "json") == 0);
	if ((m->sb = sb_create(master_slots(c))) == NULL)
		fatal("mmap scoreboard");
	if ((m->child = calloc(m->sb->nslots, sizeof(*m->child))) == NULL)
		fatal("calloc");
	master_index_listeners(m->sb, m->conf);
	if (pipe2(m->notify, O_NONBLOCK | O_CLOEXEC) == -1)
		fatal("pipe2");
	master_signals(m);
	master_log_listeners(c);
	for (i = 0; i < c->workers_min_spare; i++)
		if (master_spawn(m, 0) == -1)
			fatal("cannot start the first workers");
	sd_notifyf(0, "READY=1\nMAINPID=%ld", (long)m->pid);
	log_info("started %lu workers", c->workers_min_spare);
	master_loop(m);
	master_shutdown(m);
	sd_notify(0, "STATUS=stopped");
	master_free(m);
	return 0;
}
