/*
 * harness.h - start calcd on loopback in a temporary directory and talk
 * to it, for the check suites (after nginx-tests and OpenBSD's regress).
 *
 * A test writes its configuration inline as a template: "%%PORT%%" and
 * "%%PORT1%%" to "%%PORT3%%" become loopback ports, "%%DIR%%" the test's
 * directory.  The harness binds the listen lines' sockets itself (port
 * 0, so the kernel picks a port no other process holds) and passes them
 * to the daemon as systemd's socket activation does; a test that is
 * about calcd binding its ports asks for that with h_daemon_init_own().
 * The daemon runs as "$CALCD -d -c DIR/calcd.conf" with its log in
 * DIR/calcd.log.  Every wait is bounded.
 *
 * Functions return 0 (or a count, a pid) on success and -1 on failure,
 * with a message for the test report in h_err().
 *
 * Environment:
 *   CALCD		the daemon (default "$top_builddir/src/calcd")
 *   CALCD_KEEP_TMP=1	keep the temporary directories
 *   CALCD_SHOW_LOG=1	copy each daemon's log to stderr when its test ends
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "listen_sock.h"

#define H_PORTS		4	/* %%PORT%%, %%PORT1%% .. %%PORT3%% */
#define H_PATH_MAX	512
/*
 * Deadlines for what takes milliseconds on an idle machine: generous, as
 * they only cost time when a test fails, and the machine may be busy.
 */
#define H_START_MS	20000	/* until a new daemon accepts */
#define H_STOP_MS	20000	/* SIGTERM to exit, before SIGKILL: past
				   the default shutdown-timeout (10 s), as
				   64 workers ending on a loaded machine
				   took more than 10 s; the tests of a
				   prompt stop measure it themselves */
#define H_LINE_MS	10000	/* wait for one expected answer */
#define H_CHILDREN_MAX	1100	/* more than workers-max can be */

/* What h_read_line() found. */
#define H_LINE		 1	/* a line */
#define H_EOF		 0	/* the server closed */
#define H_ERROR		-1	/* an error, see h_err() */
#define H_TIMEOUT	-2	/* nothing within the time given */

struct h_daemon {
	char		 dir[H_PATH_MAX - 32];
	char		 conf[H_PATH_MAX];	/* DIR/calcd.conf */
	char		 log[H_PATH_MAX];	/* DIR/calcd.log */
	char		*tmpl;			/* the configuration's template */
	char		 probe[64];		/* first tcp address, or "" */
	unsigned short	 probe_port;
	unsigned short	 port[H_PORTS];
	int		 own_ports;		/* calcd binds them itself */
	int		 started;		/* h_daemon_start() ran */
	struct lsock_set socks;			/* bound, until passed */
	pid_t		 pid;			/* the master, 0 once reaped */
	int		 status;		/* exit status once reaped */
	pid_t		 children[H_CHILDREN_MAX]; /* seen at the last stop */
	int		 nchildren;
};

struct h_client {
	int		 fd;
	unsigned short	 lport;		/* local port: finds the worker */
	char		 laddr[64];	/* "127.0.0.1:PORT" as calcd logs it */
	size_t		 len;		/* bytes waiting in buf */
	char		 buf[8192];
};

/* The last failure, for ck_assert_msg(). */
const char	*h_err(void);

/*
 * Make the run's root directory, under which every test makes its own;
 * called once by main() before the tests fork.  h_finish() removes it
 * (unless CALCD_KEEP_TMP=1), showing the logs of tests that died before
 * cleaning up when CALCD_SHOW_LOG=1.
 */
void		 h_init(const char *suite);
void		 h_finish(void);

/* The daemon binary: $CALCD or $top_builddir/src/calcd. */
const char	*h_calcd(void);
uint64_t	 h_now_ms(void);
void		 h_sleep_ms(int ms);

/* A fresh directory named after the running test, under the root. */
int		 h_tmpdir(char *dir, size_t len);
int		 h_write_file(const char *path, const void *data, size_t len);
/* A whole file as a NUL-terminated heap string (free it), or NULL. */
char		*h_read_file(const char *path, size_t *len);
void		 h_rmtree(const char *dir);

/* A TCP port free on every IPv4 and IPv6 loopback address, or -1. */
int		 h_free_port(void);
/* Whether ::1 can be bound here. */
int		 h_have_ipv6(void);

/*
 * Run argv with stdout and stderr appended to the file out and wait at
 * most timeout_ms.  Returns the exit status, 128 + signal, or -1.
 */
int		 h_run(char *const argv[], const char *out, int timeout_ms);

/*
 * Make the directory, bind the listen lines' sockets (ports of the
 * template that no listen line has are merely free ones), write the
 * configuration.
 */
int		 h_daemon_init(struct h_daemon *d, const char *tmpl);
/*
 * The same, but calcd binds its listeners itself on ports picked free
 * here (another process may take one meanwhile: the start then retries
 * with new ones).  For the tests of what calcd does with sockets it
 * opened: a passed socket stays open until calcd exits.
 */
int		 h_daemon_init_own(struct h_daemon *d, const char *tmpl);
/* (Re)write DIR/calcd.conf from a template, for reloads. */
int		 h_daemon_config(struct h_daemon *d, const char *tmpl);
/*
 * Start the daemon and wait until it accepts (H_START_MS).  Started a
 * second time, it gets freshly bound sockets, so d->port may change.
 */
int		 h_daemon_start(struct h_daemon *d);
int		 h_daemon_signal(struct h_daemon *d, int sig);
/* Wait for the master to exit: its exit status, or -1 on timeout. */
int		 h_daemon_wait(struct h_daemon *d, int timeout_ms);
/*
 * SIGTERM, then wait H_STOP_MS: the exit status.  A daemon that does not
 * stop is killed with its workers, and -1 returned.
 */
int		 h_daemon_stop(struct h_daemon *d);
/* Stop the daemon if it runs, show its log, remove its directory. */
void		 h_daemon_free(struct h_daemon *d);

/* The pids of ppid's children into pids[max]: the count, or -1. */
int		 h_children(pid_t ppid, pid_t *pids, int max);
/* Whether pid runs (exists and is not a zombie). */
int		 h_pid_alive(pid_t pid);
/* A line of /proc/PID/status ("Uid") without its label, or -1. */
int		 h_proc_status(pid_t pid, const char *field, char *buf,
		    size_t len);

/* The daemon's log as a heap string (free it), or NULL. */
char		*h_log_text(const struct h_daemon *d);
/* Wait until pid is gone (reaped or a zombie): 0, or -1 at timeout_ms. */
int		 h_pid_wait_gone(pid_t pid, int timeout_ms);
/*
 * Wait until the process is in one of the /proc states given ("R", "S",
 * "RD"...): 0, or -1 when it is gone or timeout_ms passed.
 */
int		 h_pid_wait_state(pid_t pid, const char *states, int timeout_ms);
/* The CPU time pid has used, in clock ticks, or -1. */
long		 h_pid_cpu_ticks(pid_t pid);
/* Whether a TCP socket listens on 127.0.0.1 or ::1 port. */
int		 h_port_listens(unsigned short port);

/* How many lines of the daemon's log contain needle. */
int		 h_log_count(const struct h_daemon *d, const char *needle);
/* Wait until at least count lines contain needle. */
int		 h_log_wait(const struct h_daemon *d, const char *needle,
		    int count, int timeout_ms);
/* The worker serving c, from its "accepted ADDR:PORT" debug line. */
pid_t		 h_worker_of(const struct h_daemon *d,
		    const struct h_client *c);

/* Connect to addr ("127.0.0.1", "::1") port, within H_LINE_MS. */
int		 h_connect(struct h_client *c, const char *addr,
		    unsigned short port);
/* The same from the IPv4 address src (127.0.x.y: another network). */
int		 h_connect_from(struct h_client *c, const char *src,
		    const char *addr, unsigned short port);
int		 h_connect_within(struct h_client *c, const char *addr,
		    unsigned short port, int timeout_ms);
int		 h_send(struct h_client *c, const void *data, size_t len);
int		 h_sends(struct h_client *c, const char *s);
/*
 * Read one line, without its LF (a CR stays), waiting at most timeout_ms.
 * Returns H_LINE, H_EOF, H_ERROR or H_TIMEOUT.
 */
int		 h_read_line(struct h_client *c, char *line, size_t len,
		    int timeout_ms);
/* Read one line and require it to be want followed by CRLF. */
int		 h_expect_line(struct h_client *c, const char *want);
/* Require the server to close (EOF, not a reset) within timeout_ms. */
int		 h_expect_eof(struct h_client *c, int timeout_ms);
/* Require nothing to arrive for ms milliseconds. */
int		 h_expect_silence(struct h_client *c, int ms);
void		 h_close(struct h_client *c);

#endif /* HARNESS_H */
