/*
 * listen_exec - start a daemon on listening sockets bound beforehand, as
 * systemd's socket activation starts it, for the shell tests.
 *
 *	listen_exec TEMPLATE CONF PORTS COMMAND [ARG...]
 *
 * Binds a socket for every listen line of TEMPLATE whose port is a word
 * ("listen tcp 127.0.0.1:%%tcp%%", see listen_sock.h), writes CONF with
 * each word replaced by its port, writes PORTS as shell assignments
 * ("tcp=40123", one a line), then execs COMMAND with the sockets from
 * descriptor 3, LISTEN_FDS and LISTEN_PID.  No other process can take a
 * port between the choice and the daemon's use of it.  Exits 2 on a
 * usage error, 1 when a socket or a file cannot be made.
 */
#include <sys/syscall.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listen_sock.h"

#define LE_TEMPLATE_MAX	(64 * 1024)	/* a test's configuration */

static void __attribute__((noreturn))
le_die(const char *what, const char *why)
{
	fprintf(stderr, "listen_exec: %s: %s\n", what, why);
	exit(1);
}

/* The whole of path as a NUL-terminated string (static). */
static const char *
le_read(const char *path)
{
	static char	 buf[LE_TEMPLATE_MAX];
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		le_die(path, strerror(errno));
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	if (n == -1)
		le_die(path, strerror(errno));
	if (len == sizeof(buf) - 1)
		le_die(path, "too long");
	close(fd);
	buf[len] = '\0';
	return buf;
}

/*
 * Write tmpl to path with each bound word replaced by its port; a word
 * no listen line bound stays as it is, and calcd will refuse it.
 */
static void
le_write_conf(const char *path, const char *tmpl,
    const struct lsock_set *set)
{
	const char	*p, *end;
	char		 word[LSOCK_WORD_MAX];
	unsigned short	 port;
	FILE		*f;

	if ((f = fopen(path, "w")) == NULL)
		le_die(path, strerror(errno));
	for (p = tmpl; *p != '\0';) {
		if (strncmp(p, "%%", 2) == 0 &&
		    (end = strstr(p + 2, "%%")) != NULL &&
		    (size_t)(end - p - 2) < sizeof(word)) {
			memcpy(word, p + 2, end - p - 2);
			word[end - p - 2] = '\0';
			if ((port = lsock_port(set, word)) != 0) {
				fprintf(f, "%u", port);
				p = end + 2;
				continue;
			}
		}
		fputc(*p++, f);
	}
	if (fclose(f) == EOF)
		le_die(path, strerror(errno));
}

/* Whether word can be a shell variable name. */
static int
le_shell_name(const char *word)
{
	const char	*p;

	if (!isalpha((unsigned char)word[0]) && word[0] != '_')
		return 0;
	for (p = word; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return 0;
	return 1;
}

/* PORTS, written under another name and renamed: whole when it exists. */
static void
le_write_ports(const char *path, const struct lsock_set *set)
{
	char	 tmp[4096];
	FILE	*f;
	int	 i;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		le_die(tmp, strerror(errno));
	for (i = 0; i < set->nword; i++)
		if (le_shell_name(set->word[i]))
			fprintf(f, "%s=%u\n", set->word[i], set->port[i]);
	if (fclose(f) == EOF || rename(tmp, path) == -1)
		le_die(path, strerror(errno));
}

/* Close every descriptor from lowfd on, as systemd leaves none behind. */
static void
le_close_from(int lowfd)
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

int
main(int argc, char *argv[])
{
	struct lsock_set	 set;
	const char		*tmpl;
	char			 err[256];

	if (argc < 5) {
		fprintf(stderr, "usage: listen_exec TEMPLATE CONF PORTS "
		    "COMMAND [ARG...]\n");
		return 2;
	}
	tmpl = le_read(argv[1]);
	if (lsock_bind_template(tmpl, &set, err, sizeof(err)) == -1)
		le_die(argv[1], err);
	le_write_conf(argv[2], tmpl, &set);
	le_write_ports(argv[3], &set);
	if (lsock_pass(&set) == -1)
		le_die("pass the sockets", strerror(errno));
	le_close_from(3 + set.nfd);
	execvp(argv[4], argv + 4);
	le_die(argv[4], strerror(errno));
}
