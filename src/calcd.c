/*
 * calcd.c - the daemon's entry point: options, configuration, then the
 * master process.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
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
	    "usage: calcd [-dftV] [-c file]\n");
	exit(status);
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
	int		 ch, debug = 0, foreground = 0, test = 0;

	while ((ch = getopt_long(argc, argv, "c:dfhtV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'd':
			debug = foreground = 1;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'h':
			usage(0);
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
	proctitle_init(argc, argv);

	if ((c = malloc(sizeof(*c))) == NULL) {
		perror("calcd");
		return 1;
	}
	/* Absolute, because the daemon changes to / and reloads it. */
	if ((abspath = realpath(path, NULL)) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 1;
	}
	if (conf_load(abspath, c, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
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
