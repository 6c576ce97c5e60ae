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
#include <sys/prctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calc.h"
#include "http.h"
#include "line.h"
#include "log.h"
#include "metrics.h"
#include "proxy.h"
#include "stream.h"
#include "tls.h"
#include "util.h"
#include "worker.h"

#define WORKER_POLL_MS	1000	/* how often an idle worker looks around */

static volatile sig_atomic_t	worker_stop;
static volatile sig_atomic_t	worker_serving;	/* inside a connection */
static volatile sig_atomic_t	worker_closed;	/* listeners closed */
static int			worker_fds[CONF_LISTEN_MAX];
static int			worker_nfds;

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
 * refused rather than left in a backlog nobody accepts from.  It then
 * finishes its client.
 */
static void
worker_on_signal(int sig)
{
	(void)sig;
	worker_stop = 1;
	if (worker_serving && !worker_closed)
		worker_close_listeners();
}

void
worker_child_signals(void (*on_stop)(int))
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

static void	worker_setuid(const struct worker_env *);

void
worker_drop_privileges(const struct worker_env *env)
{
	if (env->drop_privileges)
		worker_setuid(env);
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1 ||
	    getppid() != env->master_pid)
		exit(0);
}

static void
worker_setuid(const struct worker_env *env)
{
	if (setgroups(1, &env->gid) == -1)
		fatal("setgroups");
	if (setresgid(env->gid, env->gid, env->gid) == -1)
		fatal("setresgid %lu", (unsigned long)env->gid);
	if (setresuid(env->uid, env->uid, env->uid) == -1)
		fatal("setresuid %lu", (unsigned long)env->uid);
	if (setuid(0) != -1 || seteuid(0) != -1)
		fatalx("privileges could be regained after dropping them");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_NO_NEW_PRIVS)");
}

int
worker_listen_set(const struct conf *conf, int udp)
{
	struct epoll_event	 ev;
	size_t			 i;
	int			 ep;

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	for (i = 0; i < conf->nlisten; i++) {
		if ((conf->listen[i].proto == PROTO_UDP) != udp)
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.u32 = i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, conf->listen[i].fd, &ev) == -1)
			fatal("epoll_ctl %s", conf->listen[i].name);
	}
	return ep;
}

/* Note the stream listeners' sockets, for worker_close_listeners(). */
static void
worker_note_listeners(const struct conf *conf)
{
	size_t	 i;

	for (i = 0; i < conf->nlisten; i++)
		if (conf->listen[i].proto != PROTO_UDP)
			worker_fds[worker_nfds++] = conf->listen[i].fd;
}

/*
 * Tell the master that idle workers run short, so that it grows the pool
 * now rather than at its next pass.
 */
static void
worker_notify(const struct worker_env *env)
{
	char	 c = 'b';

	(void)write(env->notify_fd, &c, 1);
}

/* line protocol hook: a request is being worked on, or not. */
static void
worker_busy_hook(void *arg, int busy)
{
	struct sb_slot	*slot = arg;
	uint64_t	 now = busy ? util_coarse_ms() : 0;

	__atomic_store_n(&slot->busy_since_ms, now, __ATOMIC_RELAXED);
	if (busy)
		__atomic_store_n(&slot->heartbeat_ms, now, __ATOMIC_RELAXED);
}

/* What one connection did, for its log line. */
struct worker_stats {
	uint64_t	requests;
	uint64_t	errors;
};

/* Serve the line protocol on a connection; return how it ended. */
static const char *
worker_serve_line(const struct worker_env *env, struct stream *st,
    struct worker_stats *ws)
{
	const struct conf	*conf = env->conf;
	struct calc_session	*calc;
	struct line_conf	 lc;
	struct line_hooks	 hooks = { worker_busy_hook, env->slot };
	struct line_stats	 stats = { 0, 0 };
	enum line_end		 end;

	if ((calc = calc_session_new(&conf->calc)) == NULL) {
		log_warnx("out of memory for a calculator session");
		return "out of memory";
	}
	lc.max_line = conf->max_line;
	lc.idle_timeout_ms = conf->idle_timeout * 1000;
	end = line_serve(st, calc, &lc, &hooks, &stats);
	calc_session_free(calc);
	ws->requests = stats.requests;
	ws->errors = stats.errors;
	return line_end_name(end);
}

/* http hook: the metrics text from the scoreboard. */
static int
worker_metrics_hook(void *arg, char *buf, size_t len)
{
	const struct worker_env	*env = arg;

	return metrics_write(env->sb, buf, len);
}

/* http hook: busy marks go to this worker's slot. */
static void
worker_http_busy_hook(void *arg, int busy)
{
	const struct worker_env	*env = arg;

	worker_busy_hook(env->slot, busy);
}

/* Serve HTTP on a connection; return how it ended. */
static const char *
worker_serve_http(const struct worker_env *env, const struct conf_listen *l,
    struct stream *st, const struct sockaddr *peer, int refuse,
    struct worker_stats *ws)
{
	const struct conf	*conf = env->conf;
	struct http_conf	 hc;
	struct http_hooks	 hooks;
	struct http_stats	 stats = { 0, 0 };
	enum http_end		 end;

	memset(&hc, 0, sizeof(hc));
	hc.max_uri = conf->http_max_uri;
	hc.max_header_size = conf->http_max_header_size;
	hc.max_headers = conf->http_max_headers;
	hc.max_body = conf->http_max_body;
	hc.header_timeout_ms = conf->http_header_timeout * 1000;
	hc.keepalive_timeout_ms = conf->http_keepalive_timeout * 1000;
	hc.body_timeout_ms = conf->http_header_timeout * 1000;
	hc.max_requests = conf->http_max_requests;
	hc.calc = &conf->calc;
	hc.listener = l->name;
	hc.client = env->slot->peer;
	hc.metrics_allowed = conf_netlist_match(&conf->metrics_allow, peer);
	hc.tls = CONF_PROTO_IS_TLS(l->proto);
	hc.refuse = refuse;
	hooks.busy = worker_http_busy_hook;
	hooks.metrics = worker_metrics_hook;
	hooks.arg = (void *)env;
	end = http_serve(st, &hc, &hooks, &stats);
	ws->requests = stats.requests;
	ws->errors = stats.errors;
	return http_end_name(end);
}

/*
 * Fair share: whether the client's address already holds
 * max-connections-per-address workers.
 */
static int
worker_over_share(const struct worker_env *env, const struct conf_listen *l)
{
	unsigned long	 n;

	n = sb_count_peer(env->sb, env->slot, env->slot->peer_key);
	if (n < env->conf->max_connections_per_address)
		return 0;
	sb_count(env->sb, l->proto, l->sbi, SB_REJECTED, 1);
	log_warnx("%s: %s refused: %lu connections from this address",
	    l->name, env->slot->peer, n);
	return 1;
}

/* Refuse a line-protocol client over its share with one error line. */
static const char *
worker_refuse_line(struct stream *st)
{
	static const char	 msg[] = "error: too many connections "
	    "from your address\r\n";

	stream_write(st, msg, sizeof(msg) - 1, 1000);
	return "refused";
}

/* The client of the slot, for logs, fair share and the master's view. */
static void
worker_slot_peer(const struct worker_env *env, const struct sockaddr *peer)
{
	struct sb_slot	*slot = env->slot;

	util_format_addr(peer, slot->peer, sizeof(slot->peer));
	__atomic_store_n(&slot->peer_key, sb_peer_key(peer), __ATOMIC_SEQ_CST);
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
worker_proxy(const struct worker_env *env, int fd, const struct sockaddr *peer,
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
	snprintf(via, vialen, ", via %s", env->slot->peer);
	worker_slot_peer(env, (struct sockaddr *)client);
	return 0;
}

/* Mark the slot busy with a new client, and tell the master. */
static void
worker_slot_busy(const struct worker_env *env, const struct conf_listen *l,
    const struct sockaddr *peer)
{
	struct sb_slot	*slot = env->slot;

	worker_slot_peer(env, peer);
	snprintf(slot->doing, sizeof(slot->doing), "%s", l->name);
	sb_set_state(env->sb, slot, SB_BUSY);
	if (sb_idle(env->sb) < env->conf->workers_min_spare)
		worker_notify(env);
	slot->connections++;
	sb_count(env->sb, l->proto, l->sbi, SB_CONNECTIONS, 1);
}

static void
worker_slot_idle(const struct worker_env *env)
{
	struct sb_slot	*slot = env->slot;

	__atomic_store_n(&slot->busy_since_ms, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&slot->peer_key, 0, __ATOMIC_SEQ_CST);
	slot->doing[0] = '\0';
	sb_set_state(env->sb, slot, SB_IDLE);
}

/* Serve one accepted connection to its end and log one line for it. */
static void
worker_serve(const struct worker_env *env, const struct conf_listen *l,
    int fd, const struct sockaddr *peer)
{
	struct worker_stats	 ws = { 0, 0 };
	struct stream		 st;
	struct sockaddr_storage	 client;
	uint64_t		 start = util_now_ms();
	const char		*how;
	char			 err[256], tls[80], tlsinfo[96] = "";
	char			 via[96] = "";
	int			 refuse;

	worker_slot_busy(env, l, peer);
	log_debug("%s: accepted %s", l->name, env->slot->peer);
	/* TLS handshakes run without blocking, to one deadline. */
	if (CONF_PROTO_IS_TLS(l->proto))
		stream_init(&st, fd);
	else
		stream_init_blocking(&st, fd);
	if (l->proxy) {
		if (worker_proxy(env, fd, peer, &client, via, sizeof(via), err,
		    sizeof(err)) == -1) {
			how = err;
			goto done;
		}
		if (client.ss_family != AF_UNSPEC)
			peer = (struct sockaddr *)&client;
	}
	if (CONF_PROTO_IS_TLS(l->proto)) {
		if (tls_accept(env->tls, &st, CONF_PROTO_IS_HTTP(l->proto),
		    env->conf->tls_handshake_timeout * 1000, err,
		    sizeof(err)) == -1) {
			how = err;
			goto done;
		}
		if (stream_set_blocking(&st) == -1) {
			how = "i/o error";
			goto done;
		}
		tls_describe(&st, tls, sizeof(tls));
		snprintf(tlsinfo, sizeof(tlsinfo), ", %s", tls);
	}
	refuse = worker_over_share(env, l);
	if (CONF_PROTO_IS_HTTP(l->proto))
		how = worker_serve_http(env, l, &st, peer, refuse, &ws);
	else if (refuse)
		how = worker_refuse_line(&st);
	else
		how = worker_serve_line(env, &st, &ws);
 done:
	stream_close(&st);
	sb_count(env->sb, l->proto, l->sbi, SB_REQUESTS, ws.requests);
	sb_count(env->sb, l->proto, l->sbi, SB_ERRORS, ws.errors);
	log_info("%s: %s: %s%s%s, %llu requests, %llu errors, %llu bytes in, "
	    "%llu bytes out, %llu ms", l->name, env->slot->peer, how, via,
	    tlsinfo,
	    (unsigned long long)ws.requests, (unsigned long long)ws.errors,
	    (unsigned long long)st.bytes_in, (unsigned long long)st.bytes_out,
	    (unsigned long long)(util_now_ms() - start));
	worker_slot_idle(env);
}

/* Accept one connection on listener i if one is waiting. */
static int
worker_accept(const struct worker_env *env, size_t i)
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
	    (CONF_PROTO_IS_TLS(l->proto) ? SOCK_NONBLOCK : 0));
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
worker_sweep(const struct worker_env *env)
{
	unsigned long	 served = 0;
	size_t		 i;

	for (i = 0; i < env->conf->nlisten; i++)
		if (env->conf->listen[i].proto != PROTO_UDP)
			served += worker_accept(env, i);
	return served;
}

void
worker_main(const struct worker_env *env)
{
	struct epoll_event	 ev[8];
	unsigned long		 served = 0, lifetime;
	int			 ep, n, i;

	log_procname("worker");
	/* SIGTERM: finish the client, then exit. */
	worker_child_signals(worker_on_signal);
	worker_drop_privileges(env);
	ep = worker_listen_set(env->conf, 0);
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
