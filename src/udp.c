/*
 * udp.c - the UDP worker: recvmmsg(2) a batch of datagrams, answer each
 * (datagram.h), sendmmsg(2) the answers.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datagram.h"
#include "log.h"
#include "proctitle.h"
#include "proto.h"
#include "udp.h"
#include "util.h"

#define UDP_BATCH	64		/* datagrams per system call */
#define UDP_DGRAM_MAX	65536		/* bytes of one datagram */
#define UDP_POLL_MS	1000		/* how often an idle worker looks up */

static volatile sig_atomic_t	udp_stop;

static void
udp_on_signal(int sig)
{
	(void)sig;
	udp_stop = 1;
}

/* The batch buffers, allocated once. */
struct udp_batch {
	struct mmsghdr		 in[UDP_BATCH], out[UDP_BATCH];
	struct iovec		 iin[UDP_BATCH], iout[UDP_BATCH];
	struct sockaddr_storage	 peer[UDP_BATCH];
	char			*req;		/* UDP_BATCH * UDP_DGRAM_MAX */
	char			*rep;
};

static void
udp_batch_init(struct udp_batch *b)
{
	int	 i;

	memset(b, 0, sizeof(*b));
	if ((b->req = malloc((size_t)UDP_BATCH * UDP_DGRAM_MAX)) == NULL ||
	    (b->rep = malloc((size_t)UDP_BATCH * UDP_DGRAM_MAX)) == NULL)
		fatal("malloc");
	for (i = 0; i < UDP_BATCH; i++) {
		b->iin[i].iov_base = b->req + (size_t)i * UDP_DGRAM_MAX;
		b->iout[i].iov_base = b->rep + (size_t)i * UDP_DGRAM_MAX;
	}
}

/*
 * Answer what is waiting on one socket, a batch at a time, and return
 * when it would block.
 */
static void
udp_serve(const struct child_env *env, const struct conf_listen *l,
    struct udp_batch *b)
{
	int			 n, i, error, errors;

	for (;;) {
		for (i = 0; i < UDP_BATCH; i++) {
			b->iin[i].iov_len = UDP_DGRAM_MAX;
			memset(&b->in[i].msg_hdr, 0, sizeof(b->in[i].msg_hdr));
			b->in[i].msg_hdr.msg_iov = &b->iin[i];
			b->in[i].msg_hdr.msg_iovlen = 1;
			b->in[i].msg_hdr.msg_name = &b->peer[i];
			b->in[i].msg_hdr.msg_namelen = sizeof(b->peer[i]);
		}
		n = recvmmsg(l->fd, b->in, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				log_warn("recvmmsg %s", l->name);
			return;
		}
		__atomic_store_n(&env->slot->busy_since_ms, util_now_ms(),
		    __ATOMIC_RELAXED);
		for (i = errors = 0; i < n; i++) {
			b->iout[i].iov_len = datagram_answer(&env->conf->calc,
			    b->iin[i].iov_base, b->in[i].msg_len,
			    b->iout[i].iov_base, UDP_DGRAM_MAX, &error);
			errors += error;
			memset(&b->out[i].msg_hdr, 0, sizeof(b->out[i].msg_hdr));
			b->out[i].msg_hdr.msg_iov = &b->iout[i];
			b->out[i].msg_hdr.msg_iovlen = 1;
			b->out[i].msg_hdr.msg_name = &b->peer[i];
			b->out[i].msg_hdr.msg_namelen =
			    b->in[i].msg_hdr.msg_namelen;
		}
		if (sendmmsg(l->fd, b->out, n, MSG_DONTWAIT) < 0 &&
		    errno != EAGAIN)
			log_warn("sendmmsg %s", l->name);
		__atomic_store_n(&env->slot->busy_since_ms, 0,
		    __ATOMIC_RELAXED);
		sb_count(env->sb, PROTO_UDP, l->sbi, SB_REQUESTS, n);
		sb_count(env->sb, PROTO_UDP, l->sbi, SB_ERRORS, errors);
	}
}

void
udp_main(const struct child_env *env)
{
	static struct udp_batch	 batch;
	struct epoll_event	 ev[8];
	int			 ep, n, i;

	log_procname("udp");
	proctitle_set("udp worker");
	child_signals(udp_on_signal);
	child_drop_privileges(env);
	ep = child_listen_set(env->conf, SOCK_DGRAM);
	udp_batch_init(&batch);
	sb_set_state(env->sb, env->slot, SB_UDP);
	log_debug("answering datagrams");
	while (!udp_stop) {
		n = epoll_wait(ep, ev, 8, UDP_POLL_MS);
		if (n == -1 && errno != EINTR)
			fatal("epoll_wait");
		for (i = 0; i < n && !udp_stop; i++)
			udp_serve(env, &env->conf->listen[ev[i].data.u32],
			    &batch);
	}
	exit(0);
}
