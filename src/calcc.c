/*
 * calcc.c - the calcd client.
 *
 * calcc sends expressions to a calculator and prints one answer per
 * expression: from its arguments, from a pipe, or interactively with line
 * editing.  This version evaluates locally with the engine (--local); the
 * network modes (TCP, TLS, UDP) will plug in as further modes next to it.
 *
 * Exit status: 0 when every answer was a value, 1 when any answer was an
 * error, 2 on a usage error or when calcc itself fails (output, memory).
 */
#include "config.h"

#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <editline/readline.h>

#include "calc.h"

#define CALCC_PROMPT	"calc> "	/* interactive prompt */
#define CALCC_HISTORY	1000		/* lines kept for line editing */

#define EXIT_ANSWER_ERROR	1	/* some answer was "error: ..." */
#define EXIT_TROUBLE		2	/* usage error or failure of calcc */

/* Where the expressions go. */
enum calcc_mode {
	MODE_NONE,		/* not chosen: later, the server */
	MODE_LOCAL		/* the engine, in this process */
};

/* What one line of input did. */
enum line_result {
	LINE_OK,		/* a value, or blank: no answer */
	LINE_ERROR,		/* an "error: ..." answer */
	LINE_QUIT		/* "exit" or "quit": end the session */
};

struct calcc_opts {
	enum calcc_mode	 mode;
};

/* Long options without a short form start above any character. */
enum {
	OPT_LOCAL = 256,
	OPT_HELP
};

static const struct option longopts[] = {
	{ "local",	no_argument,	NULL,	OPT_LOCAL },
	{ "version",	no_argument,	NULL,	'V' },
	{ "help",	no_argument,	NULL,	OPT_HELP },
	{ NULL,		0,		NULL,	0 }
};

/* "+": options come before the expressions, so "-3" after them is one. */
static const char shortopts[] = "+V";

static void	usage(FILE *fp, int status) __attribute__((noreturn));
static void	version(void) __attribute__((noreturn));
static void	parse_options(int argc, char *argv[], struct calcc_opts *opts);
static int	is_quit(const char *line, size_t len);
static enum line_result
		local_line(struct calc_session *s, const char *line, size_t len);
static int	local_args(struct calc_session *s, int argc, char *argv[]);
static int	local_pipe(struct calc_session *s, FILE *in);
static int	local_interactive(struct calc_session *s);
static int	local_main(int argc, char *argv[]);
static void	output_check(void);

/*
 * Print the synopsis to fp and exit with status.  The text is the SYNOPSIS
 * of calcc(1).
 */
static void
usage(FILE *fp, int status)
{
	fprintf(fp,
	    "usage: calcc --local [--] [expression ...]\n"
	    "       calcc -V | --version\n"
	    "       calcc --help\n");
	exit(status);
}

static void
version(void)
{
	printf("calcc (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
	output_check();
	exit(0);
}

/*
 * Parse the options of argv into *opts; exits on --help, --version and on
 * a usage error.  On return optind indexes the first expression.
 */
static void
parse_options(int argc, char *argv[], struct calcc_opts *opts)
{
	int ch;

	memset(opts, 0, sizeof(*opts));
	opts->mode = MODE_NONE;
	while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_LOCAL:
			opts->mode = MODE_LOCAL;
			break;
		case 'V':
			version();
		case OPT_HELP:
			usage(stdout, 0);
		default:
			usage(stderr, EXIT_TROUBLE);
		}
	}
	if (opts->mode == MODE_NONE) {
		warnx("no server support yet: use --local");
		usage(stderr, EXIT_TROUBLE);
	}
}

/*
 * Return 1 when the len bytes at line, around spaces and tabs, are "exit"
 * or "quit", the words that end a session as they do on the server.
 */
static int
is_quit(const char *line, size_t len)
{
	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	return (len == 4 &&
	    (memcmp(line, "exit", 4) == 0 || memcmp(line, "quit", 4) == 0));
}

/*
 * Evaluate the len bytes at line (any bytes, a trailing CR or LF included)
 * in session s and print the answer on a line of its own to stdout, or
 * nothing for a blank line.  Returns what the line did.
 */
static enum line_result
local_line(struct calc_session *s, const char *line, size_t len)
{
	const char *out;
	size_t outlen;
	enum calc_status status;

	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (is_quit(line, len))
		return (LINE_QUIT);
	status = calc_eval(s, line, len, &out, &outlen);
	if (status == CALC_EMPTY)
		return (LINE_OK);
	fwrite(out, 1, outlen, stdout);
	putchar('\n');
	return (status == CALC_OK ? LINE_OK : LINE_ERROR);
}

/*
 * Evaluate each of the argc strings of argv in session s.  Returns the
 * exit status: EXIT_ANSWER_ERROR when any answer was an error, else 0.
 */
static int
local_args(struct calc_session *s, int argc, char *argv[])
{
	enum line_result r;
	int i, status = 0;

	for (i = 0; i < argc; i++) {
		r = local_line(s, argv[i], strlen(argv[i]));
		if (r == LINE_QUIT)
			break;
		if (r == LINE_ERROR)
			status = EXIT_ANSWER_ERROR;
	}
	return (status);
}

/*
 * Evaluate the lines of in, however long, in session s, answers through
 * stdout's buffer: no prompt, no flush per line, so a pipe of a million
 * lines costs what the engine costs.  Returns the exit status as
 * local_args() does; exits on a read error.
 */
static int
local_pipe(struct calc_session *s, FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	enum line_result r;
	int status = 0;

	while ((len = getline(&line, &cap, in)) != -1) {
		r = local_line(s, line, (size_t)len);
		if (r == LINE_QUIT)
			break;
		if (r == LINE_ERROR)
			status = EXIT_ANSWER_ERROR;
	}
	if (ferror(in))
		err(EXIT_TROUBLE, "standard input");
	free(line);
	return (status);
}

/*
 * Read lines from the terminal with line editing and history, and answer
 * each at once, until exit, quit or end of file.  Returns the exit status
 * as local_args() does.
 */
static int
local_interactive(struct calc_session *s)
{
	char *line;
	enum line_result r = LINE_OK;
	int status = 0;

	rl_readline_name = "calcc";
	stifle_history(CALCC_HISTORY);
	while (r != LINE_QUIT && (line = readline(CALCC_PROMPT)) != NULL) {
		if (line[strspn(line, " \t")] != '\0')
			add_history(line);
		r = local_line(s, line, strlen(line));
		free(line);
		if (r == LINE_ERROR)
			status = EXIT_ANSWER_ERROR;
		fflush(stdout);
	}
	if (r != LINE_QUIT)
		putchar('\n');	/* end of file: leave the terminal on a new line */
	return (status);
}

/*
 * Run one local session over the argc expressions of argv, or over
 * standard input when there are none.  Returns the exit status.
 */
static int
local_main(int argc, char *argv[])
{
	struct calc_session *s;
	int status;

	if ((s = calc_session_new(NULL)) == NULL)
		errx(EXIT_TROUBLE, "cannot start a calculator session");
	if (argc > 0)
		status = local_args(s, argc, argv);
	else if (isatty(STDIN_FILENO))
		status = local_interactive(s);
	else
		status = local_pipe(s, stdin);
	calc_session_free(s);
	return (status);
}

/* Exit with EXIT_TROUBLE when stdout could not take every answer. */
static void
output_check(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EXIT_TROUBLE, "standard output");
}

int
main(int argc, char *argv[])
{
	struct calcc_opts opts;
	int status;

	parse_options(argc, argv, &opts);
	argc -= optind;
	argv += optind;

	switch (opts.mode) {
	case MODE_LOCAL:
		status = local_main(argc, argv);
		break;
	default:
		usage(stderr, EXIT_TROUBLE);
	}
	output_check();
	return (status);
}
