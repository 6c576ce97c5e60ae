/*
 * worker.c - the stream worker, after Apache prefork's child_main: wait on
 * every stream listener, accept one connection, serve it to the end,
 * record it in the scoreboard, and exit after max-connections-per-worker
 * so that the master starts a fresh one.
 *
 * Listeners are shared by all workers; each worker waits on them with
 * epoll and EPOLLEXCLUSIVE, so one connection wakes one worker, and
 * accepts without blocking, so a lost race costs nothing.
 */
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/sockios.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"
#include "proctitle.h"
#include "proto.h"
#include "proxy.h"
#include "stream.h"
#include "tls.h"
#include "util.h"
#include "wire.h"
#include "worker.h"

#define WORKER_POLL_MS	1000	/* how often an idle worker looks around */

static volatile sig_atomic_t	worker_stop;
static volatile sig_atomic_t	worker_serving;	/* inside a connection */
static volatile sig_atomic_t	worker_closed;	/* listeners closed */
static volatile sig_atomic_t	worker_closing;	/* stop: idle sessions end */
static volatile sig_atomic_t	worker_cancel;	/* waits are cancelled:
						   shed, or closing */
static const struct sb_slot	*worker_slot;	/* this worker's */
static int			worker_fds[CONF_LISTEN_MAX];
static int			worker_nfds;

/* The connection being served, as the state hook sees it. */
static struct {
	const struct stream		*st;
	const struct proto_stats	*stats;
	uint64_t			 answers;	/* stats->requests given */
	uint32_t			 phase;		/* as published */
	volatile sig_atomic_t		 idle;		/* PROTO_IDLE now */
} worker_conn_now;

/* Close this process's copies of the listening sockets. */
static void
worker_close_listeners(void)
{
	int	 i;

	for (i = 0; i < worker_nfds; i++)
		close(worker_fds[i]);
	worker_closed = 1;
}

/*
 * Asked to stop: a worker serving a client lets go of the listeners at
 * once (close(2) is async-signal-safe), so that once the master closes
 * its own copies on shutdown the sockets close and new clients are
 * refused rather than left in a backlog nobody accepts from.
 *
 * SIGTERM (stop, or a reload that removed the client's listener) ends
 * an idle session at once, with a last word of its protocol; a session
 * at work or mid-request finishes its request first.  SIGUSR2 (a reload
 * that kept the listener) lets the client go on to its end.
 */
static void
worker_on_signal(int sig)
{
	worker_stop = 1;
	if (sig != SIGUSR2) {
		worker_closing = 1;
		if (worker_serving && worker_conn_now.idle)
			worker_cancel = 1;
	}
	if (worker_serving && !worker_closed)
		worker_close_listeners();
}

/*
 * SIGUSR1: the master, its pool full and clients waiting, asks this
 * worker to shed its client.  Waits are cancelled (stream.h), and the
 * protocol says a last word to the client.  A request meant for the
 * connection before this one (the master saw it a moment too late) is
 * ignored: the slot names the connection it is for.
 */
static void
worker_on_shed(int sig)
{
	(void)sig;
	if (worker_slot != NULL && __atomic_load_n(&worker_slot->shed_conn,
	    __ATOMIC_RELAXED) == worker_slot->connections)
		worker_cancel = 1;
}

/* The worker's own signals, beside the ones every child has. */
static void
worker_signals(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = worker_on_shed;		/* no SA_RESTART */
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = worker_on_signal;
	sigaction(SIGUSR2, &sa, NULL);
	stream_cancel_on(&worker_cancel);
}

/* Note the stream listeners' sockets, for worker_close_listeners(). */
static void
worker_note_listeners(const struct conf *conf)
{
	size_t	 i;

	for (i = 0; i < conf->nlisten; i++)
		if (proto_get(conf->listen[i].proto)->socktype == SOCK_STREAM)
			worker_fds[worker_nfds++] = conf->listen[i].fd;
}

/*
 * Tell the master that idle workers run short, so that it grows the pool
 * now rather than at its next pass.
 */
static void
worker_notify(const struct child_env *env)
{
	char	 c = 'b';

	(void)write(env->notify_fd, &c, 1);
}

/* Publish the phase of the connection, and since when. */
static void
worker_phase(struct sb_slot *slot, enum sb_phase phase, uint64_t now)
{
	if (worker_conn_now.phase == phase)
		return;
	worker_conn_now.phase = phase;
	__atomic_store_n(&slot->phase_since_ms, now, __ATOMIC_RELAXED);
	__atomic_store_n(&slot->phase, (uint32_t)phase, __ATOMIC_RELEASE);
}

/*
 * Whether the client has taken every answer written to it.  Bytes that
 * the kernel holds unsent mean that its receive window is shut: it does
 * not read.  Answers sent but not yet acknowledged are taken (they are on
 * their way), so a distant client is not mistaken for a slow one.
 */
static int
worker_answers_taken(void)
{
	int	 unsent;

	if (ioctl(worker_conn_now.st->fd, SIOCOUTQNSD, &unsent) == -1)
		return 1;
	return unsent == 0;
}

/*
 * Before a wait for the client's next request: wait a little, a third of
 * a second in all, for the client to take its answers, which it does at
 * once when it reads and its window is open.  The wait ends at once when
 * a request comes, or a signal (shed, stop).  Returns whether they were
 * taken.
 */
static int
worker_await_taken(void)
{
	static const int	 steps_ms[] = { 1, 4, 16, 64, 256 };
	struct pollfd		 pfd = { .fd = worker_conn_now.st->fd,
				    .events = POLLIN };
	size_t			 i;

	for (i = 0; i < sizeof(steps_ms) / sizeof(steps_ms[0]); i++) {
		if (worker_answers_taken())
			return 1;
		if (worker_cancel || tls_pending(worker_conn_now.st) ||
		    poll(&pfd, 1, steps_ms[i]) != 0)
			break;
	}
	return worker_answers_taken();
}

/*
 * Whether the answers given since the last call count as given: once the
 * client has taken them (worker_answers_taken), waiting for that a little
 * when the connection is about to wait for the client anyway.
 */
static int
worker_answers_given(enum proto_state st)
{
	const struct proto_stats	*ps = worker_conn_now.stats;

	if (ps == NULL || ps->requests == worker_conn_now.answers ||
	    st == PROTO_SENDING)
		return 0;
	if (!(st == PROTO_WORK ? worker_answers_taken() : worker_await_taken()))
		return 0;
	worker_conn_now.answers = ps->requests;
	return 1;
}

/*
 * The protocol's state hook: the slot's marks for the master.  WORK sets
 * busy_since (request-timeout watches it); an answer the client has taken
 * marks the session active (shed-protect), and an active session cancels
 * a shed request that crossed its last request (the master saw it idle a
 * moment before).  A connection waiting for a client that has not taken
 * its answers is SENDING, not IDLE: it is not protected, and goes first.
 */
static void
worker_state_hook(void *arg, enum proto_state st)
{
	const struct child_env	*env = arg;
	struct sb_slot		*slot = env->slot;
	uint64_t		 since = util_coarse_ms(), now;
	int			 taken;

	worker_conn_now.idle = st == PROTO_IDLE;
	taken = worker_answers_given(st);
	now = util_coarse_ms();
	if (taken)
		__atomic_store_n(&slot->answered_ms, now, __ATOMIC_RELAXED);
	if (st == PROTO_WORK) {
		__atomic_store_n(&slot->busy_since_ms, now, __ATOMIC_RELAXED);
		__atomic_store_n(&slot->heartbeat_ms, now, __ATOMIC_RELAXED);
		worker_phase(slot, SB_PHASE_WORK, now);
		return;
	}
	__atomic_store_n(&slot->busy_since_ms, 0, __ATOMIC_RELAXED);
	if (st != PROTO_SENDING && worker_conn_now.stats != NULL &&
	    worker_conn_now.stats->requests != worker_conn_now.answers)
		st = PROTO_SENDING;	/* not taken */
	/* The phase dates from before the wait for the answers. */
	worker_phase(slot, st == PROTO_IDLE ? SB_PHASE_IDLE :
	    st == PROTO_SENDING ? SB_PHASE_SENDING : SB_PHASE_PARTIAL, since);
	if (worker_closing) {
		/* Idle: end it now; mid-request: let it finish first. */
		worker_cancel = worker_conn_now.idle;
		return;
	}
	if (worker_cancel && slot->answered_ms != 0 && now - slot->answered_ms <
	    env->conf->shed_protect * 1000) {
		worker_cancel = 0;
		__atomic_store_n(&slot->shed, 0, __ATOMIC_RELAXED);
	}
}

/* Whether a cancelled wait means the server is stopping (or shedding). */
static int
worker_stopping_hook(void *arg)
{
	(void)arg;
	return worker_closing;
}

/* The metrics text from the scoreboard, for HTTP's /metrics. */
static int
worker_metrics_hook(void *arg, char *buf, size_t len)
{
	const struct child_env	*env = arg;

	return metrics_write(env->sb, buf, len);
}

/* What a protocol is told of the connection on listener l from peer. */
static void
worker_conn(const struct child_env *env, const struct conf_listen *l,
    const struct sockaddr *peer, struct proto_conn *pc)
{
	memset(pc, 0, sizeof(*pc));
	pc->conf = env->conf;
	pc->listener = l->name;
	pc->client = env->slot->peer;
	pc->metrics_allowed = conf_netlist_match(&env->conf->metrics_allow,
	    peer);
	pc->state = worker_state_hook;
	pc->stopping = worker_stopping_hook;
	pc->metrics = worker_metrics_hook;
	pc->arg = (void *)env;
}

/*
 * Whether to refuse the client at once, and why: its network already
 * holds its share of the pool, or the pool is full and a session of its
 * network was shed lately (its new connections would only take the room
 * made for others).  Refusals are counted for the master to log once a
 * second.
 */
static const char *
worker_refusal(const struct child_env *env, const struct conf_listen *l)
{
	struct sb_slot	*slot = env->slot;

	if (sb_count_peer(env->sb, slot, slot->peer_key) >=
	    conf_address_share(env->conf)) {
		sb_count(env->sb, l->proto, l->sbi, SB_REJECTED, 1);
		sb_note_refusal(env->sb, slot->peer_key, slot->peer,
		    SB_REFUSED_SHARE);
		return "too many connections from your address";
	}
	if (sb_penalized(env->sb, slot->peer_key, util_coarse_ms())) {
		sb_count(env->sb, l->proto, l->sbi, SB_BUSY_REFUSED, 1);
		sb_note_refusal(env->sb, slot->peer_key, slot->peer,
		    SB_REFUSED_BUSY);
		return WIRE_BUSY_WHY;
	}
	return NULL;
}

/* The client of the slot, for logs, fair share and the master's view. */
static void
worker_slot_peer(const struct child_env *env, const struct sockaddr *peer)
{
	struct sb_slot	*slot = env->slot;

	util_format_addr(peer, slot->peer, sizeof(slot->peer));
	proctitle_set("worker %s %s", proto_name(slot->proto), slot->peer);
	__atomic_store_n(&slot->peer_key, sb_peer_key(peer,
	    env->conf->address_prefix_v4, env->conf->address_prefix_v6),
	    __ATOMIC_SEQ_CST);
}

/*
 * A listener behind a load balancer: the balancer, which must be in
 * proxy-allow, sends a PROXY header first, and the client it names
 * stands for the connection from then on, in the scoreboard (fair share),
 * the log, and HTTP's metrics-allow and /headers.  *client is left
 * AF_UNSPEC when the header names nobody (a balancer's health check).
 * Returns 0, or -1 with why in err.
 */
static int
worker_proxy(const struct child_env *env, int fd, const struct sockaddr *peer,
    struct sockaddr_storage *client, char *via, size_t vialen, char *err,
    size_t errlen)
{
	if (!conf_netlist_match(&env->conf->proxy_allow, peer)) {
		snprintf(err, errlen, "refused: a PROXY listener, and the "
		    "address is not in proxy-allow");
		return -1;
	}
	if (proxy_read(fd, env->conf->proxy_timeout * 1000, client, err,
	    errlen) == -1)
		return -1;
	if (client->ss_family == AF_UNSPEC)
		return 0;
	snprintf(via, vialen, "%s", env->slot->peer);
	worker_slot_peer(env, (struct sockaddr *)client);
	return 0;
}

/* Mark the slot busy with a new client, and tell the master. */
static void
worker_slot_busy(const struct child_env *env, const struct conf_listen *l,
    const struct sockaddr *peer)
{
	struct sb_slot	*slot = env->slot;

	/*
	 * At work before it is numbered: a master that reads the new
	 * number sees WORK, not the last connection's phase (overload.c).
	 */
	worker_conn_now.phase = SB_PHASE_WORK;
	__atomic_store_n(&slot->phase, SB_PHASE_WORK, __ATOMIC_RELEASE);
	__atomic_store_n(&slot->connections, slot->connections + 1,
	    __ATOMIC_RELEASE);
	worker_cancel = worker_closing;
	slot->shed = 0;
	slot->answered_ms = 0;
	slot->sbi = l->sbi;
	slot->proto = l->proto;
	worker_slot_peer(env, peer);
	snprintf(slot->doing, sizeof(slot->doing), "%s", l->name);
	sb_set_state(env->sb, slot, SB_BUSY);
	if (sb_idle(env->sb) < env->conf->workers_min_spare)
		worker_notify(env);
	sb_count(env->sb, l->proto, l->sbi, SB_CONNECTIONS, 1);
}

static void
worker_slot_idle(const struct child_env *env)
{
	struct sb_slot	*slot = env->slot;

	__atomic_store_n(&slot->busy_since_ms, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&slot->peer_key, 0, __ATOMIC_SEQ_CST);
	slot->doing[0] = '\0';
	sb_set_state(env->sb, slot, SB_IDLE);
	proctitle_set("worker idle");
}

/*
 * The TLS handshake of a connection on a TLS listener, without blocking
 * and to one deadline, offering the protocol's ALPN name; the stream then
 * blocks, as plain ones do.  Returns 0 with the session's description in
 * info, or -1 with why in err.
 */
static int
worker_tls(const struct child_env *env, const struct proto *p,
    struct stream *st, char *info, size_t infolen, char *err, size_t errlen)
{
	char	 tls[80];

	if (tls_accept(env->tls, st, p->alpn,
	    env->conf->tls_handshake_timeout * 1000, err, errlen) == -1)
		return -1;
	if (stream_set_blocking(st) == -1) {
		snprintf(err, errlen, "i/o error");
		return -1;
	}
	tls_describe(st, tls, sizeof(tls));
	snprintf(info, infolen, ", %s", tls);
	return 0;
}

/*
 * The one line of a connection: listener, peer, the balancer it came
 * through, TLS, requests, errors, bytes, duration and how it ended; as
 * text, or as fields in JSON or the journal (log.h).
 */
static void
worker_log_conn(const struct child_env *env, const struct conf_listen *l,
    const struct stream *st, const struct proto_stats *ps, const char *how,
    const char *via, const char *tlsinfo, uint64_t ms)
{
	const char		*version, *cipher;
	int			 resumed;

	tls_summary(st, &version, &cipher, &resumed);
	{
		const struct log_field	 f[] = {
			LOG_STR("listener", l->name),
			LOG_STR("peer", env->slot->peer),
			LOG_STR("via", via),
			LOG_STR("tls_version", version),
			LOG_STR("tls_cipher", cipher),
			LOG_BOOL("tls_resumed", resumed),
			LOG_NUM("requests", ps->requests),
			LOG_NUM("errors", ps->errors),
			LOG_NUM("bytes_in", st->bytes_in),
			LOG_NUM("bytes_out", st->bytes_out),
			LOG_NUM("duration_ms", ms),
			LOG_STR("end", how),
		};

		log_fields(f, sizeof(f) / sizeof(f[0]), "%s: %s: %s%s%s%s, "
		    "%llu requests, %llu errors, %llu bytes in, %llu bytes out, "
		    "%llu ms", l->name, env->slot->peer, how,
		    *via ? ", via " : "", via, tlsinfo,
		    (unsigned long long)ps->requests,
		    (unsigned long long)ps->errors,
		    (unsigned long long)st->bytes_in,
		    (unsigned long long)st->bytes_out, (unsigned long long)ms);
	}
}

/*
 * Refused (over its share, or its network shed while the pool is full):
 * the client is refused at once, before any handshake, with a word in its
 * protocol if the socket takes it without waiting, and a close that only
 * reads what is already there (stream_refuse_close), no lingering.  The
 * master logs refusals in aggregate.
 */
static void
worker_refuse(const struct child_env *env, const struct proto *p,
    struct stream *st, const char *why)
{
	if (p->refuse != NULL)
		p->refuse(st->fd, why);
	log_debug("refused %s: %s", env->slot->peer, why);
	stream_refuse_close(st->fd);
	st->fd = -1;
}

/*
 * Serve one accepted connection to its end with its protocol, and log one
 * line for it.  The share is checked first, after a PROXY header names
 * the client and before any TLS handshake.  The line is written before
 * the connection is closed, so that a client that sees the close can find
 * it in the log.
 */
static void
worker_serve(const struct child_env *env, const struct conf_listen *l,
    int fd, const struct sockaddr *peer)
{
	const struct proto	*p = proto_get(l->proto);
	struct proto_stats	 ps = { 0, 0 };
	struct proto_conn	 pc;
	struct stream		 st;
	struct sockaddr_storage	 client;
	uint64_t		 start = util_now_ms();
	const char		*how = "", *why;
	char			 err[256], tlsinfo[96] = "", via[SB_PEER_MAX] = "";

	worker_slot_busy(env, l, peer);
	log_debug("%s: accepted %s", l->name, env->slot->peer);
	if (p->tls)
		stream_init(&st, fd);
	else
		stream_init_blocking(&st, fd);
	if (l->proxy || p->tls)
		worker_phase(env->slot, SB_PHASE_HANDSHAKE, util_coarse_ms());
	if (l->proxy) {
		if (worker_proxy(env, fd, peer, &client, via, sizeof(via), err,
		    sizeof(err)) == -1) {
			how = err;
			goto done;
		}
		if (client.ss_family != AF_UNSPEC)
			peer = (struct sockaddr *)&client;
	}
	if ((why = worker_refusal(env, l)) != NULL) {
		worker_refuse(env, p, &st, why);
		worker_slot_idle(env);
		return;
	}
	if (p->tls && worker_tls(env, p, &st, tlsinfo, sizeof(tlsinfo), err,
	    sizeof(err)) == -1) {
		how = worker_cancel ? "shed in the TLS handshake" : err;
		goto done;
	}
	worker_conn(env, l, peer, &pc);
	worker_conn_now.st = &st;
	worker_conn_now.stats = &ps;
	worker_conn_now.answers = 0;
	how = p->serve(&st, &pc, &ps);
	worker_conn_now.stats = NULL;
	worker_conn_now.idle = 0;
 done:
	sb_count(env->sb, l->proto, l->sbi, SB_REQUESTS, ps.requests);
	sb_count(env->sb, l->proto, l->sbi, SB_ERRORS, ps.errors);
	worker_log_conn(env, l, &st, &ps, how, via, tlsinfo,
	    util_now_ms() - start);
	if (worker_cancel && !worker_closing)
		stream_peer_done(&st);	/* shed: no lingering either */
	stream_close(&st);
	worker_slot_idle(env);
}

/* Accept one connection on listener i if one is waiting. */
static int
worker_accept(const struct child_env *env, size_t i)
{
	const struct conf_listen	*l = &env->conf->listen[i];
	struct sockaddr_storage		 ss;
	socklen_t			 sslen = sizeof(ss);
	int				 fd, one = 1;

	if (worker_closed)
		return 0;
	/*
	 * A worker has one client: plain connections block, and the kernel
	 * bounds each wait (see stream.h).  TLS ones start without blocking
	 * for the handshake.
	 */
	fd = accept4(l->fd, (struct sockaddr *)&ss, &sslen, SOCK_CLOEXEC |
	    (proto_get(l->proto)->tls ? SOCK_NONBLOCK : 0));
	if (fd == -1) {
		if (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR && errno != ECONNABORTED)
			log_warn("accept %s", l->name);
		return 0;
	}
	/*
	 * Answers are whole lines and responses, written at once: Nagle
	 * would only hold them (e.g. a greeting behind TLS session tickets)
	 * until the client's delayed ACK.
	 */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	worker_serving = 1;
	worker_serve(env, l, fd, (struct sockaddr *)&ss);
	worker_serving = 0;
	return 1;
}

/* How many connections this worker serves: the limit less up to 10%. */
static unsigned long
worker_lifetime(const struct conf *conf)
{
	unsigned long	 max = conf->max_connections_per_worker;

	srandom(getpid() ^ (unsigned)util_now_ms());
	return max - random() % (max / 10 + 1);
}

/*
 * Try each stream listener once.  With EPOLLEXCLUSIVE the kernel wakes
 * one waiting worker per new connection; a worker that leaves right after
 * such a wakeup (told to stop, or at the end of its life) would strand
 * the connection in the backlog, so it takes what is waiting first.  The
 * same sweep runs when epoll_wait() times out, as a safety net.
 */
static unsigned long
worker_sweep(const struct child_env *env)
{
	unsigned long	 served = 0;
	size_t		 i;

	for (i = 0; i < env->conf->nlisten; i++)
		if (proto_get(env->conf->listen[i].proto)->socktype ==
		    SOCK_STREAM)
			served += worker_accept(env, i);
	return served;
}

void
worker_main(const struct child_env *env)
{
	struct epoll_event	 ev[8];
	unsigned long		 served = 0, lifetime;
	int			 ep, n, i;

	log_procname("worker");
	proctitle_set("worker idle");
	worker_slot = env->slot;
	/* SIGTERM: finish the client, then exit. */
	child_signals(worker_on_signal);
	worker_signals();
	child_drop_privileges(env);
	ep = child_listen_set(env->conf, SOCK_STREAM);
	worker_note_listeners(env->conf);
	lifetime = worker_lifetime(env->conf);
	sb_set_state(env->sb, env->slot, SB_IDLE);

	while (!worker_stop && served < lifetime) {
		n = epoll_wait(ep, ev, 8, WORKER_POLL_MS);
		if (n == -1 && errno != EINTR)
			fatal("epoll_wait");
		if (n == 0)
			served += worker_sweep(env);
		/* Every event returned was a wakeup meant for this worker. */
		for (i = 0; i < n; i++)
			served += worker_accept(env, ev[i].data.u32);
	}
	if (worker_stop)
		served += worker_sweep(env);
	log_debug("exiting after %lu connections", served);
	exit(0);
}
