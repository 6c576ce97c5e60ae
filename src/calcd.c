/*
 * calcd.c - the daemon's entry point: options, configuration, then the
 * master process.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "master.h"
#include "proctitle.h"

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: calcd [-dftV] [-c file]\n"
	    "       calcd -s reload|stop\n");
	exit(status);
}

/* What -s sends, as nginx's -s. */
static const struct {
	const char	*name;
	int		 sig;
} calcd_signals[] = {
	{ "reload",	SIGHUP },
	{ "stop",	SIGTERM },
};

static int
calcd_signal_number(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(calcd_signals) / sizeof(calcd_signals[0]); i++)
		if (strcmp(name, calcd_signals[i].name) == 0)
			return calcd_signals[i].sig;
	return -1;
}

/*
 * The executable of process pid, without the " (deleted)" that follows it
 * once a package upgrade has replaced the file.  Returns -1 with errno.
 */
static int
calcd_exe(const char *pid, char *buf, size_t len)
{
	char	 link[64];
	ssize_t	 n;
	size_t	 cut = sizeof(" (deleted)") - 1;

	snprintf(link, sizeof(link), "/proc/%s/exe", pid);
	if ((n = readlink(link, buf, len - 1)) == -1)
		return -1;
	buf[n] = '\0';
	if ((size_t)n > cut && strcmp(buf + n - cut, " (deleted)") == 0)
		buf[n - cut] = '\0';
	return 0;
}

/*
 * calcd -s NAME: send the signal NAME stands for to the running master
 * named by MAINPID, which systemd sets for ExecReload= and ExecStop=
 * commands; so a unit reloads without kill(1), which a minimal system may
 * lack.  The process must run this same program: a stale or mistaken PID
 * is refused rather than signalled.  Returns the exit status, 0 once the
 * signal is sent (the master acts on it after this returns).
 */
static int
calcd_signal(int sig, const char *name)
{
	const char	*env = getenv("MAINPID");
	char		 self[PATH_MAX], target[PATH_MAX], *end;
	long		 pid;

	if (env == NULL || *env == '\0') {
		fprintf(stderr, "calcd: -s %s: MAINPID is not set: systemd "
		    "sets it for ExecReload=; by hand, MAINPID=PID calcd -s "
		    "%s\n", name, name);
		return 1;
	}
	errno = 0;
	pid = strtol(env, &end, 10);
	if (errno != 0 || *end != '\0' || end == env || pid < 2 ||
	    pid > INT_MAX) {
		fprintf(stderr, "calcd: -s %s: MAINPID '%s' is not a process "
		    "ID\n", name, env);
		return 1;
	}
	if (calcd_exe("self", self, sizeof(self)) == -1) {
		fprintf(stderr, "calcd: /proc/self/exe: %s\n", strerror(errno));
		return 1;
	}
	if (calcd_exe(env, target, sizeof(target)) == -1) {
		fprintf(stderr, "calcd: -s %s: process %ld: %s\n", name, pid,
		    errno == ENOENT ? "no such process" : strerror(errno));
		return 1;
	}
	if (strcmp(self, target) != 0) {
		fprintf(stderr, "calcd: -s %s: process %ld runs %s, not %s\n",
		    name, pid, target, self);
		return 1;
	}
	if (kill((pid_t)pid, sig) == -1) {
		fprintf(stderr, "calcd: -s %s: process %ld: %s\n", name, pid,
		    strerror(errno));
		return 1;
	}
	return 0;
}

/*
 * Detach from the terminal unless systemd supervises us (NOTIFY_SOCKET
 * is set): a Type=notify service must stay the process it started.
 */
static void
calcd_daemonize(void)
{
	if (getenv("NOTIFY_SOCKET") != NULL)
		return;
	if (daemon(0, 0) == -1)
		fatal("daemon");
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help",	no_argument,	NULL, 'h' },
		{ "version",	no_argument,	NULL, 'V' },
		{ NULL,		0,		NULL, 0 }
	};
	const char	*path = CONF_DEFAULT_PATH;
	char		*abspath;
	struct master	*m;
	struct conf	*c;
	char		 err[CONF_ERR_MAX];
	const char	*signame = NULL;
	int		 ch, debug = 0, foreground = 0, test = 0, sig = 0;
	int		 confopt = 0;

	while ((ch = getopt_long(argc, argv, "c:dfhs:tV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			confopt = 1;
			break;
		case 'd':
			debug = foreground = 1;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'h':
			usage(0);
		case 's':
			signame = optarg;
			if ((sig = calcd_signal_number(signame)) == -1) {
				fprintf(stderr, "calcd: -s %s: unknown signal "
				    "(reload or stop)\n", signame);
				usage(2);
			}
			break;
		case 't':
			test = 1;
			break;
		case 'V':
			printf("calcd %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	if (signame != NULL) {
		/* -s acts on a running master: no other option applies. */
		if (debug || foreground || test || confopt)
			usage(2);
		return calcd_signal(sig, signame);
	}
	proctitle_init(argc, argv);

	if ((c = malloc(sizeof(*c))) == NULL) {
		perror("calcd");
		return 1;
	}
	/* Absolute, because the daemon changes to / and reloads it. */
	if ((abspath = realpath(path, NULL)) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		free(c);
		return 1;
	}
	if (conf_load(abspath, c, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		free(abspath);
		free(c);
		return 1;
	}
	free(abspath);
	/* As root the workers become user: name its line when it cannot. */
	if (geteuid() == 0 && conf_check_user(c, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	/* Setup errors go to the terminal; then syslog unless -f. */
	log_init("calcd", 1, debug);
	if ((m = master_setup(c, test)) == NULL)
		return 1;
	if (test) {
		fprintf(stderr, "%s: configuration OK\n", c->path);
		master_free(m);
		return 0;
	}
	if (!foreground) {
		log_init("calcd", 0, debug);
		calcd_daemonize();
	}
	return master_run(m);
}
