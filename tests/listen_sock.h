/*
 * listen_sock.h - bind a daemon's listening sockets before it starts and
 * pass them to it as systemd's socket activation does, so that no other
 * process can take a port between the test choosing it and the daemon
 * using it.  Shared by the check harness and tests/listen_exec.
 *
 * A configuration template names a port by a word between double
 * percent signs: "listen tcp 127.0.0.1:%%PORT%%".  Every listen line whose
 * port is such a word gets a socket bound here; lines that share a word
 * share the port number (a tcp and a udp listener, or 127.0.0.1 and
 * ::1), which the kernel picks for the first of them (port 0).  Listen
 * lines with a fixed port are left to the daemon.
 */
#ifndef LISTEN_SOCK_H
#define LISTEN_SOCK_H

#define LSOCK_MAX	32	/* sockets (and port words) in one template */
#define LSOCK_WORD_MAX	32	/* a port word, NUL included */

struct lsock_set {
	int		 nfd;
	int		 fd[LSOCK_MAX];		/* bound (and listening) */
	int		 nword;
	char		 word[LSOCK_MAX][LSOCK_WORD_MAX];
	unsigned short	 port[LSOCK_MAX];	/* the port of word[i] */
};

/*
 * Bind a socket for every listen line of tmpl whose port is a word.
 * Returns 0, or -1 with a message in err; on failure nothing stays open.
 */
int		 lsock_bind_template(const char *tmpl, struct lsock_set *set,
		    char *err, size_t errlen);
/* The port bound for word, or 0 when no listen line has it. */
unsigned short	 lsock_port(const struct lsock_set *set, const char *word);
void		 lsock_close(struct lsock_set *set);
/*
 * In the child about to exec the daemon: move the sockets to descriptors
 * 3 onwards and set LISTEN_FDS and LISTEN_PID (this process, which exec
 * keeps).  The caller closes every descriptor from 3 + set->nfd.
 * Returns -1 when a descriptor cannot be moved.
 */
int		 lsock_pass(struct lsock_set *set);

#endif /* LISTEN_SOCK_H */
