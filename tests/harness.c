/*
 * harness.c - start calcd on loopback in a temporary directory and talk
 * to it, for the check suites.  See harness.h for the contract.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "harness.h"

#define H_POLL_MS	10	/* sleep between two looks at a condition */
#define H_PROBE_MS	200	/* one connect attempt while starting */
#define H_START_TRIES	3	/* new ports after "Address already in use" */
#define H_LOG_MAX	(16 * 1024 * 1024)	/* most of a log we read */

static char	h_errbuf[2048];
static char	h_root[H_PATH_MAX];

static int
h_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Record why a call failed, for h_err(); return -1. */
static int
h_fail(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(h_errbuf, sizeof(h_errbuf), fmt, ap);
	va_end(ap);
	return -1;
}

const char *
h_err(void)
{
	return h_errbuf;
}

static int
h_env_set(const char *name)
{
	const char	*v = getenv(name);

	return v != NULL && strcmp(v, "1") == 0;
}

uint64_t
h_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
h_sleep_ms(int ms)
{
	struct timespec	 ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Write s[0..n) into out as a C string literal body, shortened if long. */
static const char *
h_quote(const char *s, size_t n, char *out, size_t outlen)
{
	size_t	 o = 0, i;

	for (i = 0; i < n && o + 8 < outlen; i++) {
		unsigned char ch = s[i];

		if (ch == '\r')
			o += snprintf(out + o, outlen - o, "\\r");
		else if (ch == '\n')
			o += snprintf(out + o, outlen - o, "\\n");
		else if (ch == '"' || ch == '\\')
			o += snprintf(out + o, outlen - o, "\\%c", ch);
		else if (isprint(ch))
			out[o++] = ch;
		else
			o += snprintf(out + o, outlen - o, "\\x%02x", ch);
	}
	if (i < n)
		o += snprintf(out + o, outlen - o, "...");
	out[o] = '\0';
	return out;
}

char *
h_read_file(const char *path, size_t *lenp)
{
	char	*buf;
	size_t	 cap = 8192, len = 0;
	ssize_t	 n;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if ((buf = malloc(cap)) == NULL)
		goto fail;
	for (;;) {
		if (len + 1 == cap) {
			char *p;

			if (cap >= H_LOG_MAX || (p = realloc(buf, cap * 2)) ==
			    NULL)
				break;
			buf = p;
			cap *= 2;
		}
		if ((n = read(fd, buf + len, cap - len - 1)) <= 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	close(fd);
	if (lenp)
		*lenp = len;
	return buf;
 fail:
	close(fd);
	return NULL;
}

/* Copy a daemon's log to stderr between two marker lines. */
static void
h_show_log(const char *path)
{
	char	*text;

	if ((text = h_read_file(path, NULL)) == NULL)
		return;
	fprintf(stderr, "---- %s ----\n%s---- end of %s ----\n", path, text,
	    path);
	free(text);
}

/* The last lines of a log, for a failure message. */
static const char *
h_log_tail(const char *path, char *out, size_t outlen)
{
	char	*text, *p;
	size_t	 len;
	int	 lines = 0;

	out[0] = '\0';
	if ((text = h_read_file(path, &len)) == NULL)
		return out;
	for (p = text + len; p > text; p--)
		if (p[-1] == '\n' && p != text + len && ++lines == 4)
			break;
	snprintf(out, outlen, "%s", p);
	free(text);
	return out;
}

void
h_init(const char *suite)
{
	const char	*tmp = getenv("TMPDIR");

	snprintf(h_root, sizeof(h_root), "%s/calcd-%s.XXXXXX",
	    tmp && *tmp ? tmp : "/tmp", suite);
	if (mkdtemp(h_root) == NULL) {
		fprintf(stderr, "Bail out! mkdtemp %s: %s\n", h_root,
		    strerror(errno));
		exit(99);
	}
}

void
h_finish(void)
{
	char		 path[H_PATH_MAX * 2];
	struct dirent	*de;
	DIR		*dir;

	if (h_root[0] == '\0')
		return;
	/* Tests that failed never reached h_daemon_free(). */
	if (h_env_set("CALCD_SHOW_LOG") && (dir = opendir(h_root)) != NULL) {
		while ((de = readdir(dir)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s/calcd.log", h_root,
			    de->d_name);
			h_show_log(path);
		}
		closedir(dir);
	}
	if (h_env_set("CALCD_KEEP_TMP"))
		fprintf(stderr, "# kept %s\n", h_root);
	else
		h_rmtree(h_root);
}

const char *
h_calcd(void)
{
	static char	 path[H_PATH_MAX];
	const char	*env = getenv("CALCD"), *top;

	if (env != NULL && *env != '\0')
		return env;
	top = getenv("top_builddir");
	snprintf(path, sizeof(path), "%s/src/calcd", top && *top ? top : ".");
	return path;
}

int
h_tmpdir(char *dir, size_t len)
{
	const char	*name = tcase_name();
	const char	*root = h_root[0] ? h_root : "/tmp";

	snprintf(dir, len, "%s/%s.XXXXXX", root, name ? name : "test");
	if (mkdtemp(dir) == NULL)
		return h_fail("mkdtemp %s: %s", dir, strerror(errno));
	return 0;
}

int
h_write_file(const char *path, const void *data, size_t len)
{
	const char	*p = data;
	ssize_t		 n;
	int		 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1)
		return h_fail("open %s: %s", path, strerror(errno));
	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			close(fd);
			return h_fail("write %s: %s", path, strerror(errno));
		}
		p += n;
		len -= n;
	}
	if (close(fd) == -1)
		return h_fail("close %s: %s", path, strerror(errno));
	return 0;
}

static int
h_rm_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void
h_rmtree(const char *dir)
{
	nftw(dir, h_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * Bind port 0 on the dual-stack wildcard, so that the port the kernel
 * picks is free on 127.0.0.1 and ::1 alike, read it back and close.
 * Another process may take it before the daemon binds it: the daemon's
 * start retries with new ports when that happens.
 */
int
h_free_port(void)
{
	struct sockaddr_in6	 sin6;
	struct sockaddr_in	 sin;
	socklen_t		 len;
	int			 fd, off = 0, port = -1;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_any;
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd != -1 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
	    sizeof(off)) == 0 && bind(fd, (struct sockaddr *)&sin6,
	    sizeof(sin6)) == 0) {
		len = sizeof(sin6);
		if (getsockname(fd, (struct sockaddr *)&sin6, &len) == 0)
			port = ntohs(sin6.sin6_port);
	} else {
		if (fd != -1)
			close(fd);
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		len = sizeof(sin);
		if (fd != -1 && bind(fd, (struct sockaddr *)&sin,
		    sizeof(sin)) == 0 && getsockname(fd,
		    (struct sockaddr *)&sin, &len) == 0)
			port = ntohs(sin.sin_port);
	}
	if (fd != -1)
		close(fd);
	if (port == -1)
		return h_fail("no free port: %s", strerror(errno));
	return port;
}

int
h_have_ipv6(void)
{
	struct sockaddr_in6	 sin6;
	int			 fd, ok;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_loopback;
	if ((fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	ok = bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) == 0;
	close(fd);
	return ok;
}

/* In a child: close every descriptor above stderr. */
static void
h_close_from(int lowfd)
{
	long	 max, fd;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, lowfd, ~0U, 0) == 0)
		return;
#endif
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = lowfd; fd < max; fd++)
		close(fd);
}

/*
 * In a child: stdin from /dev/null, stdout and stderr appended to out,
 * the sockets of pass (or NULL) from descriptor 3 as systemd passes
 * them, nothing else open, signals as a fresh process has them, then
 * exec.
 */
static void __attribute__((noreturn))
h_exec(char *const argv[], const char *out, struct lsock_set *pass)
{
	struct lsock_set none_passed = { .nfd = 0 };
	sigset_t	 none;
	int		 fd;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	unsetenv("NOTIFY_SOCKET");
	if ((fd = open("/dev/null", O_RDONLY)) != -1) {
		dup2(fd, STDIN_FILENO);
		if (fd != STDIN_FILENO)
			close(fd);
	}
	if ((fd = open(out, O_WRONLY | O_CREAT | O_APPEND, 0644)) != -1) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	if (pass == NULL)
		pass = &none_passed;
	if (lsock_pass(pass) == -1) {
		fprintf(stderr, "pass the listening sockets: %s\n",
		    strerror(errno));
		_exit(127);
	}
	h_close_from(3 + pass->nfd);
	execv(argv[0], argv);
	fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* waitpid for at most timeout_ms: 1 when reaped (status set), else 0. */
static int
h_waitpid(pid_t pid, int *status, int timeout_ms)
{
	uint64_t	 deadline = h_now_ms() + timeout_ms;
	pid_t		 r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid || (r == -1 && errno != EINTR))
			return 1;
		if (h_now_ms() >= deadline)
			return 0;
		h_sleep_ms(H_POLL_MS);
	}
}

static int
h_exit_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

int
h_run(char *const argv[], const char *out, int timeout_ms)
{
	pid_t	 pid;
	int	 status = 0;

	if ((pid = fork()) == -1)
		return h_fail("fork: %s", strerror(errno));
	if (pid == 0)
		h_exec(argv, out, NULL);
	if (!h_waitpid(pid, &status, timeout_ms)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return h_fail("%s did not finish within %d ms", argv[0],
		    timeout_ms);
	}
	return h_exit_status(status);
}

/* Pick H_PORTS distinct free ports. */
static int
h_pick_ports(struct h_daemon *d)
{
	int	 i, j, p, tries = 0;

	for (i = 0; i < H_PORTS; i++) {
		if ((p = h_free_port()) == -1)
			return -1;
		for (j = 0; j < i; j++)
			if (d->port[j] == p)
				break;
		if (j < i && ++tries < 100) {
			i--;
			continue;
		}
		d->port[i] = p;
	}
	return 0;
}

/* Note the first "listen tcp ADDR:PORT" line: the start probes it. */
static void
h_find_probe(struct h_daemon *d, const char *text)
{
	char	 proto[16], addr[64], *colon;
	const char *line;

	d->probe[0] = '\0';
	for (line = text; line != NULL && *line != '\0';
	    line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (sscanf(line, " listen %15s %63s", proto, addr) != 2 ||
		    strcmp(proto, "tcp") != 0 ||
		    (colon = strrchr(addr, ':')) == NULL)
			continue;
		*colon = '\0';
		d->probe_port = (unsigned short)strtoul(colon + 1, NULL, 10);
		if (strcmp(addr, "*") == 0)
			snprintf(d->probe, sizeof(d->probe), "127.0.0.1");
		else if (addr[0] == '[') {
			addr[strlen(addr) - 1] = '\0';
			snprintf(d->probe, sizeof(d->probe), "%s", addr + 1);
		} else
			snprintf(d->probe, sizeof(d->probe), "%s", addr);
		return;
	}
}

/*
 * Expand "%%PORT%%", "%%PORT1%%".."%%PORT3%%" and "%%DIR%%" in tmpl into
 * a heap string.
 */
static char *
h_expand(const struct h_daemon *d, const char *tmpl)
{
	char		*out, *o, word[32];
	const char	*p, *end;
	size_t		 cap = strlen(tmpl) + 1;
	int		 i;

	/* Each word grows at most to a directory name. */
	for (p = tmpl; (p = strstr(p, "%%")) != NULL; p += 2)
		cap += sizeof(d->dir);
	if ((out = o = malloc(cap)) == NULL) {
		h_fail("out of memory");
		return NULL;
	}
	for (p = tmpl; *p != '\0';) {
		if (strncmp(p, "%%", 2) != 0 ||
		    (end = strstr(p + 2, "%%")) == NULL ||
		    (size_t)(end - p - 2) >= sizeof(word)) {
			*o++ = *p++;
			continue;
		}
		memcpy(word, p + 2, end - p - 2);
		word[end - p - 2] = '\0';
		p = end + 2;
		if (strcmp(word, "DIR") == 0) {
			o += sprintf(o, "%s", d->dir);
			continue;
		}
		if (strcmp(word, "PORT") == 0)
			i = 0;
		else if (sscanf(word, "PORT%d", &i) != 1 || i < 1 ||
		    i >= H_PORTS)
			goto fail;
		o += sprintf(o, "%u", d->port[i]);
	}
	*o = '\0';
	return out;
 fail:
	h_fail("unknown template word %%%%%s%%%%", word);
	free(out);
	return NULL;
}

int
h_daemon_config(struct h_daemon *d, const char *tmpl)
{
	char	*text, *copy;
	int	 rc;

	if ((copy = strdup(tmpl)) == NULL)
		return h_fail("out of memory");
	free(d->tmpl);
	d->tmpl = copy;		/* tmpl may have been the old d->tmpl */
	if ((text = h_expand(d, d->tmpl)) == NULL)
		return -1;
	h_find_probe(d, text);
	rc = h_write_file(d->conf, text, strlen(text));
	free(text);
	return rc;
}

/*
 * Bind the sockets of tmpl's listen lines and take their ports; a port
 * word no listen line has gets a free port.
 */
static int
h_bind_ports(struct h_daemon *d, const char *tmpl)
{
	char		 word[16], err[256];
	int		 i, j, p;

	if (lsock_bind_template(tmpl, &d->socks, err, sizeof(err)) == -1)
		return h_fail("%s", err);
	for (i = 0; i < H_PORTS; i++) {
		if (i == 0)
			snprintf(word, sizeof(word), "PORT");
		else
			snprintf(word, sizeof(word), "PORT%d", i);
		if ((d->port[i] = lsock_port(&d->socks, word)) != 0)
			continue;
		/* Free now, and not one of ours: the kernel holds those. */
		for (j = 0; j < 100; j++) {
			if ((p = h_free_port()) == -1)
				return -1;
			d->port[i] = p;
			for (p = 0; p < i && d->port[p] != d->port[i]; p++)
				;
			if (p == i)
				break;
		}
	}
	return 0;
}

/* h_daemon_init() and h_daemon_init_own(). */
static int
h_daemon_make(struct h_daemon *d, const char *tmpl, int own)
{
	memset(d, 0, sizeof(*d));
	d->own_ports = own;
	if (h_tmpdir(d->dir, sizeof(d->dir)) == -1)
		return -1;
	snprintf(d->conf, sizeof(d->conf), "%s/calcd.conf", d->dir);
	snprintf(d->log, sizeof(d->log), "%s/calcd.log", d->dir);
	if ((own ? h_pick_ports(d) : h_bind_ports(d, tmpl)) == -1)
		return -1;
	return h_daemon_config(d, tmpl);
}

int
h_daemon_init(struct h_daemon *d, const char *tmpl)
{
	return h_daemon_make(d, tmpl, 0);
}

int
h_daemon_init_own(struct h_daemon *d, const char *tmpl)
{
	return h_daemon_make(d, tmpl, 1);
}

/* One connect attempt, bounded by timeout_ms; 0 when it connected. */
static int
h_probe(const char *addr, unsigned short port, int timeout_ms)
{
	struct h_client	 c;
	int		 rc;

	memset(&c, 0, sizeof(c));
	c.fd = -1;
	rc = h_connect_within(&c, addr, port, timeout_ms);
	h_close(&c);
	return rc;
}

/*
 * Fork and exec the daemon.  It stays in the test's process group: when a
 * test fails or times out, check kills that group, daemon included.
 */
static int
h_spawn(struct h_daemon *d)
{
	char	*argv[] = { (char *)h_calcd(), "-d", "-c", d->conf, NULL };

	if (access(argv[0], X_OK) == -1)
		return h_fail("%s: %s (set CALCD or top_builddir)", argv[0],
		    strerror(errno));
	if ((d->pid = fork()) == -1) {
		d->pid = 0;
		return h_fail("fork: %s", strerror(errno));
	}
	if (d->pid == 0)
		h_exec(argv, d->log, d->own_ports ? NULL : &d->socks);
	lsock_close(&d->socks);		/* the daemon has them now */
	return 0;
}

/*
 * Wait until the daemon logs that it started its workers (so its
 * listeners are open).  When it bound its own ports and has a tcp
 * listener, also until it accepts there: a connection alone could reach
 * another process that holds the port.  Sockets the harness passed are
 * the daemon's by construction, and are not probed: the probe is a client
 * from 127.0.0.1 whose worker holds its share of the address until it
 * sees the close, which a test of max-connections-per-address would meet
 * as one connection too many.  Returns 0, -1 when it died or timed out.
 */
static int
h_wait_ready(struct h_daemon *d)
{
	uint64_t	 deadline = h_now_ms() + H_START_MS;
	char		 tail[1024];
	int		 status;

	while (h_now_ms() < deadline) {
		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			d->pid = 0;
			d->status = h_exit_status(status);
			return h_fail("calcd exited with status %d while "
			    "starting; its log ends:\n%s", d->status,
			    h_log_tail(d->log, tail, sizeof(tail)));
		}
		if (h_log_count(d, "started ") > 0 && (!d->own_ports ||
		    d->probe[0] == '\0' ||
		    h_probe(d->probe, d->probe_port, H_PROBE_MS) == 0))
			return 0;
		h_sleep_ms(H_POLL_MS);
	}
	return h_fail("calcd did not accept within %d ms; its log ends:\n%s",
	    H_START_MS, h_log_tail(d->log, tail, sizeof(tail)));
}

/* A daemon that did not come up: stop it, keeping the reason; -1. */
static int
h_start_failed(struct h_daemon *d)
{
	char	 why[sizeof(h_errbuf)];

	memcpy(why, h_errbuf, sizeof(why));
	if (d->pid != 0)
		h_daemon_stop(d);
	return h_fail("%s", why);
}

int
h_daemon_start(struct h_daemon *d)
{
	int	 try, inuse;

	if (!d->own_ports) {
		/* The sockets went to the last daemon: bind new ones. */
		if (d->started && (h_bind_ports(d, d->tmpl) == -1 ||
		    h_daemon_config(d, d->tmpl) == -1))
			return -1;
		d->started = 1;
		if (h_spawn(d) == -1)
			return -1;
		return h_wait_ready(d) == 0 ? 0 : h_start_failed(d);
	}
	for (try = 0; try < H_START_TRIES; try++) {
		inuse = h_log_count(d, "Address already in use");
		d->started = 1;
		if (h_spawn(d) == -1)
			return -1;
		if (h_wait_ready(d) == 0)
			return 0;
		if (d->pid != 0)
			return h_start_failed(d);
		/* Someone took a port between h_free_port() and bind(). */
		if (h_log_count(d, "Address already in use") == inuse ||
		    h_pick_ports(d) == -1 || h_daemon_config(d, d->tmpl) == -1)
			return -1;
	}
	return -1;
}

int
h_daemon_signal(struct h_daemon *d, int sig)
{
	if (d->pid == 0)
		return h_fail("calcd is not running");
	if (kill(d->pid, sig) == -1)
		return h_fail("kill %ld: %s", (long)d->pid, strerror(errno));
	return 0;
}

int
h_daemon_wait(struct h_daemon *d, int timeout_ms)
{
	int	 status;

	if (d->pid == 0)
		return d->status;
	if (!h_waitpid(d->pid, &status, timeout_ms))
		return h_fail("calcd still runs after %d ms", timeout_ms);
	d->pid = 0;
	d->status = h_exit_status(status);
	return d->status;
}

/* SIGKILL what is left of a daemon: the master and the children seen. */
static void
h_daemon_kill(struct h_daemon *d)
{
	int	 i;

	for (i = 0; i < d->nchildren; i++)
		if (h_pid_alive(d->children[i]))
			kill(d->children[i], SIGKILL);
	if (d->pid != 0) {
		kill(d->pid, SIGKILL);
		h_daemon_wait(d, H_STOP_MS);
	}
}

int
h_daemon_stop(struct h_daemon *d)
{
	int	 n, rc;

	if (d->pid == 0)
		return d->status;
	if ((n = h_children(d->pid, d->children, H_CHILDREN_MAX)) >= 0)
		d->nchildren = n;
	if (h_daemon_signal(d, SIGTERM) == -1)
		return -1;
	if ((rc = h_daemon_wait(d, H_STOP_MS)) != -1)
		return rc;
	h_daemon_kill(d);
	return h_fail("calcd did not stop within %d ms of SIGTERM; killed",
	    H_STOP_MS);
}

void
h_daemon_free(struct h_daemon *d)
{
	lsock_close(&d->socks);		/* bound but never started */
	if (d->pid != 0 && h_daemon_stop(d) == -1)
		h_daemon_kill(d);
	h_daemon_kill(d);
	if (h_env_set("CALCD_SHOW_LOG"))
		h_show_log(d->log);
	if (!h_env_set("CALCD_KEEP_TMP") && d->dir[0] != '\0')
		h_rmtree(d->dir);
	free(d->tmpl);
	d->tmpl = NULL;
}

/* The children of ppid by scanning /proc/PID/stat, for old kernels. */
static int
h_children_scan(pid_t ppid, pid_t *pids, int max)
{
	char		 path[300], buf[512], *p;
	struct dirent	*de;
	DIR		*dir;
	long		 pp;
	int		 n = 0, fd;
	ssize_t		 len;

	if ((dir = opendir("/proc")) == NULL)
		return h_fail("opendir /proc: %s", strerror(errno));
	while ((de = readdir(dir)) != NULL && n < max) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		/* "pid (comm) state ppid ...": comm may hold blanks. */
		if ((p = strrchr(buf, ')')) == NULL ||
		    sscanf(p + 1, " %*c %ld", &pp) != 1)
			continue;
		if (pp == ppid)
			pids[n++] = (pid_t)strtol(de->d_name, NULL, 10);
	}
	closedir(dir);
	return n;
}

int
h_children(pid_t ppid, pid_t *pids, int max)
{
	char	 path[64], *text, *p, *end;
	long	 v;
	int	 n = 0;

	snprintf(path, sizeof(path), "/proc/%ld/task/%ld/children",
	    (long)ppid, (long)ppid);
	if ((text = h_read_file(path, NULL)) == NULL)
		return h_children_scan(ppid, pids, max);
	for (p = text; n < max; p = end) {
		v = strtol(p, &end, 10);
		if (end == p)
			break;
		pids[n++] = (pid_t)v;
	}
	free(text);
	return n;
}

/* The state letter of /proc/PID/stat ('R', 'S', 'Z'...), 0 if gone. */
static char
h_pid_state(pid_t pid)
{
	char	 path[64], buf[512], *p;
	ssize_t	 len;
	int	 fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return 0;
	return p[2];
}

int
h_pid_alive(pid_t pid)
{
	char	 st = h_pid_state(pid);

	return st != 0 && st != 'Z' && st != 'X';
}

int
h_pid_wait_gone(pid_t pid, int timeout_ms)
{
	uint64_t	 deadline = h_now_ms() + timeout_ms;

	while (h_pid_alive(pid)) {
		if (h_now_ms() >= deadline)
			return h_fail("process %ld still runs after %d ms",
			    (long)pid, timeout_ms);
		h_sleep_ms(H_POLL_MS);
	}
	return 0;
}

int
h_pid_wait_state(pid_t pid, const char *states, int timeout_ms)
{
	uint64_t	 deadline = h_now_ms() + timeout_ms;
	char		 st;

	for (;;) {
		if ((st = h_pid_state(pid)) == 0 || st == 'Z' || st == 'X')
			return h_fail("process %ld is gone", (long)pid);
		if (strchr(states, st) != NULL)
			return 0;
		if (h_now_ms() >= deadline)
			return h_fail("process %ld still in state %c after %d "
			    "ms, want one of \"%s\"", (long)pid, st,
			    timeout_ms, states);
		h_sleep_ms(1);
	}
}

long
h_pid_cpu_ticks(pid_t pid)
{
	char		 path[64], *text, *p;
	unsigned long	 utime, stime;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((text = h_read_file(path, NULL)) == NULL)
		return h_fail("%s: %s", path, strerror(errno));
	/* After "pid (comm)": state ppid pgrp session tty tpgid flags
	   minflt cminflt majflt cmajflt utime stime. */
	if ((p = strrchr(text, ')')) == NULL || sscanf(p + 1, " %*c %*d %*d "
	    "%*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) {
		free(text);
		return h_fail("%s: cannot parse", path);
	}
	free(text);
	return (long)(utime + stime);
}

/* Whether path (/proc/net/tcp or tcp6) has a listening socket on port. */
static int
h_port_listens_in(const char *path, unsigned short port)
{
	char		*text, *line, *nl;
	unsigned	 lport, st;
	int		 found = 0;

	if ((text = h_read_file(path, NULL)) == NULL)
		return 0;
	for (line = text; line != NULL && !found; line = nl ? nl + 1 : NULL) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		/* "  0: 0100007F:1F90 00000000:0000 0A ..." */
		if (sscanf(line, " %*u: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x",
		    &lport, &st) == 2 && lport == port && st == 0x0A)
			found = 1;
	}
	free(text);
	return found;
}

int
h_port_listens(unsigned short port)
{
	return h_port_listens_in("/proc/net/tcp", port) ||
	    h_port_listens_in("/proc/net/tcp6", port);
}

int
h_proc_status(pid_t pid, const char *field, char *buf, size_t len)
{
	char	 path[64], *text, *line, *v, *nl, *end;
	size_t	 flen = strlen(field);

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((text = h_read_file(path, NULL)) == NULL)
		return h_fail("%s: %s", path, strerror(errno));
	for (line = text; line != NULL; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (strncmp(line, field, flen) != 0 || line[flen] != ':')
			continue;
		if (nl)
			*nl = '\0';
		for (v = line + flen + 1; *v == ' ' || *v == '\t'; v++)
			;
		end = v + strlen(v);
		while (end > v && isspace((unsigned char)end[-1]))
			*--end = '\0';
		snprintf(buf, len, "%s", v);
		free(text);
		return 0;
	}
	free(text);
	return h_fail("%s: no %s line", path, field);
}

char *
h_log_text(const struct h_daemon *d)
{
	char	*text;

	if ((text = h_read_file(d->log, NULL)) == NULL)
		h_fail("%s: %s", d->log, strerror(errno));
	return text;
}

int
h_log_count(const struct h_daemon *d, const char *needle)
{
	char	*text, *line, *nl;
	int	 n = 0;

	if ((text = h_read_file(d->log, NULL)) == NULL)
		return 0;
	for (line = text; line != NULL; line = nl ? nl + 1 : NULL) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		if (strstr(line, needle) != NULL)
			n++;
	}
	free(text);
	return n;
}

int
h_log_wait(const struct h_daemon *d, const char *needle, int count,
    int timeout_ms)
{
	uint64_t	 deadline = h_now_ms() + timeout_ms;
	int		 n;

	while ((n = h_log_count(d, needle)) < count) {
		if (h_now_ms() >= deadline)
			return h_fail("the log has %d of %d lines with \"%s\" "
			    "after %d ms", n, count, needle, timeout_ms);
		h_sleep_ms(H_POLL_MS);
	}
	return 0;
}

/*
 * At -d a worker logs "worker[PID]: tcp ADDR: accepted PEER" before its
 * greeting; PEER is the client's local address, which is unique among
 * the connections open at a time.
 */
pid_t
h_worker_of(const struct h_daemon *d, const struct h_client *c)
{
	uint64_t	 deadline = h_now_ms() + H_LINE_MS;
	char		 tail[96], *text, *line, *nl, *w;
	size_t		 tlen;
	pid_t		 pid = -1;

	tlen = snprintf(tail, sizeof(tail), ": accepted %s", c->laddr);
	for (;;) {
		if ((text = h_read_file(d->log, NULL)) != NULL) {
			for (line = text; line != NULL;
			    line = nl ? nl + 1 : NULL) {
				if ((nl = strchr(line, '\n')) != NULL)
					*nl = '\0';
				if (strlen(line) < tlen || strcmp(line +
				    strlen(line) - tlen, tail) != 0 ||
				    (w = strstr(line, "worker[")) == NULL)
					continue;
				pid = (pid_t)strtol(w + 7, NULL, 10);
			}
			free(text);
		}
		if (pid > 0)
			return pid;
		if (h_now_ms() >= deadline)
			return h_fail("no \"accepted %s\" line in the log",
			    c->laddr);
		h_sleep_ms(H_POLL_MS);
	}
}

/* Wait for events on c, at most timeout_ms: 1 ready, 0 timeout, -1. */
static int
h_poll(struct h_client *c, short events, int timeout_ms)
{
	struct pollfd	 pfd = { .fd = c->fd, .events = events };
	uint64_t	 deadline = h_now_ms() + timeout_ms, now;
	int		 n;

	for (;;) {
		now = h_now_ms();
		n = poll(&pfd, 1, now >= deadline ? 0 : (int)(deadline - now));
		if (n >= 0)
			return n;
		if (errno != EINTR)
			return h_fail("poll: %s", strerror(errno));
	}
}

/* The source address of the next connection (h_connect_from), or NULL. */
static const char	*h_source;

/* Bind fd to the IPv4 address src, any port. */
static int
h_bind_source(int fd, const char *src)
{
	struct sockaddr_in	 sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (inet_pton(AF_INET, src, &sin.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	return bind(fd, (struct sockaddr *)&sin, sizeof(sin));
}

int
h_connect_within(struct h_client *c, const char *addr, unsigned short port,
    int timeout_ms)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 sslen;
	char			 host[INET6_ADDRSTRLEN];
	int			 err = 0;

	memset(c, 0, sizeof(*c));
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sslen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sslen = sizeof(*sin6);
	} else {
		c->fd = -1;
		return h_fail("connect: bad address %s", addr);
	}
	c->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (c->fd == -1)
		return h_fail("socket: %s", strerror(errno));
	if (h_source != NULL && h_bind_source(c->fd, h_source) == -1) {
		err = errno;
		h_close(c);
		return h_fail("bind %s: %s", h_source, strerror(err));
	}
	if (connect(c->fd, (struct sockaddr *)&ss, sslen) == -1) {
		socklen_t elen = sizeof(err);

		if (errno != EINPROGRESS)
			err = errno;
		else if (h_poll(c, POLLOUT, timeout_ms) != 1)
			err = ETIMEDOUT;
		else
			getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &elen);
	}
	if (err == 0) {
		sslen = sizeof(ss);
		if (getsockname(c->fd, (struct sockaddr *)&ss, &sslen) == -1)
			err = errno;
	}
	if (err != 0) {
		h_close(c);
		return h_fail("connect to %s port %u: %s", addr, port,
		    strerror(err));
	}
	if (ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		c->lport = ntohs(sin->sin_port);
		snprintf(c->laddr, sizeof(c->laddr), "%s:%u", host, c->lport);
	} else {
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		c->lport = ntohs(sin6->sin6_port);
		snprintf(c->laddr, sizeof(c->laddr), "[%s]:%u", host,
		    c->lport);
	}
	return 0;
}

int
h_connect(struct h_client *c, const char *addr, unsigned short port)
{
	return h_connect_within(c, addr, port, H_LINE_MS);
}

int
h_connect_from(struct h_client *c, const char *src, const char *addr,
    unsigned short port)
{
	int	 r;

	h_source = src;
	r = h_connect_within(c, addr, port, H_LINE_MS);
	h_source = NULL;
	return r;
}

int
h_send(struct h_client *c, const void *data, size_t len)
{
	const char	*p = data;
	ssize_t		 n;
	int		 r;

	while (len > 0) {
		n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK)
			return h_fail("send: %s", strerror(errno));
		if ((r = h_poll(c, POLLOUT, H_LINE_MS)) == -1)
			return -1;
		if (r == 0)
			return h_fail("send: blocked for %d ms with %zu bytes "
			    "left", H_LINE_MS, len);
	}
	return 0;
}

int
h_sends(struct h_client *c, const char *s)
{
	return h_send(c, s, strlen(s));
}

int
h_read_line(struct h_client *c, char *line, size_t len, int timeout_ms)
{
	uint64_t	 deadline = h_now_ms() + timeout_ms, now;
	char		 q[128], *nl;
	size_t		 n;
	ssize_t		 r;

	for (;;) {
		if ((nl = memchr(c->buf, '\n', c->len)) != NULL) {
			n = nl - c->buf;
			if (len > 0) {
				size_t k = n < len - 1 ? n : len - 1;

				memcpy(line, c->buf, k);
				line[k] = '\0';
			}
			c->len -= n + 1;
			memmove(c->buf, nl + 1, c->len);
			return H_LINE;
		}
		if (c->len == sizeof(c->buf)) {
			h_fail("a line longer than %zu bytes: \"%s\"",
			    sizeof(c->buf), h_quote(c->buf, c->len, q,
			    sizeof(q)));
			return H_ERROR;
		}
		r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
		if (r > 0) {
			c->len += r;
			continue;
		}
		if (r == 0) {
			if (c->len > 0) {
				h_fail("EOF after a partial line \"%s\"",
				    h_quote(c->buf, c->len, q, sizeof(q)));
				return H_ERROR;
			}
			return H_EOF;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			h_fail("recv: %s", strerror(errno));
			return H_ERROR;
		}
		now = h_now_ms();
		if (now >= deadline ||
		    (r = h_poll(c, POLLIN, (int)(deadline - now))) == 0)
			return H_TIMEOUT;
		if (r == -1)
			return H_ERROR;
	}
}

int
h_expect_line(struct h_client *c, const char *want)
{
	char	 line[1024], q1[256], q2[256];
	size_t	 wlen = strlen(want);
	int	 r;

	r = h_read_line(c, line, sizeof(line), H_LINE_MS);
	if (r == H_LINE && strlen(line) == wlen + 1 &&
	    memcmp(line, want, wlen) == 0 && line[wlen] == '\r')
		return 0;
	h_quote(want, wlen, q1, sizeof(q1));
	if (r == H_LINE)
		return h_fail("expected \"%s\\r\\n\", got \"%s\\n\"", q1,
		    h_quote(line, strlen(line), q2, sizeof(q2)));
	if (r == H_EOF)
		return h_fail("expected \"%s\\r\\n\", got EOF", q1);
	if (r == H_TIMEOUT)
		return h_fail("expected \"%s\\r\\n\", got nothing within "
		    "%d ms", q1, H_LINE_MS);
	snprintf(q2, sizeof(q2), "%.200s", h_errbuf);
	return h_fail("expected \"%s\\r\\n\": %s", q1, q2);
}

int
h_expect_eof(struct h_client *c, int timeout_ms)
{
	char	 line[1024], q[256];
	int	 r;

	r = h_read_line(c, line, sizeof(line), timeout_ms);
	if (r == H_EOF)
		return 0;
	if (r == H_LINE)
		return h_fail("expected EOF, got \"%s\\n\"",
		    h_quote(line, strlen(line), q, sizeof(q)));
	if (r == H_TIMEOUT)
		return h_fail("expected EOF, the connection is still open "
		    "after %d ms", timeout_ms);
	snprintf(q, sizeof(q), "%.200s", h_errbuf);
	return h_fail("expected EOF: %s", q);
}

int
h_expect_silence(struct h_client *c, int ms)
{
	char	 line[1024], q[256];
	int	 r;

	r = h_read_line(c, line, sizeof(line), ms);
	if (r == H_TIMEOUT)
		return 0;
	if (r == H_LINE)
		return h_fail("expected nothing for %d ms, got \"%s\\n\"", ms,
		    h_quote(line, strlen(line), q, sizeof(q)));
	if (r == H_EOF)
		return h_fail("expected nothing for %d ms, got EOF", ms);
	snprintf(q, sizeof(q), "%.200s", h_errbuf);
	return h_fail("expected nothing for %d ms: %s", ms, q);
}

void
h_close(struct h_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->len = 0;
}
