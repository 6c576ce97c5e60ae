/*
 * calcc.c - the calcd client.
 *
 * calcc sends expressions to a calculator and prints one answer per
 * expression: from its arguments, from a pipe, or interactively with line
 * editing.  The calculator is calcd over TCP (the default), TLS or UDP,
 * or the engine in this process (--local).  Over TCP and TLS everything
 * goes over one connection, pipelined: a pipe of a hundred thousand lines
 * costs about what the server costs.
 *
 * Exit status: 0 when every answer was a value, 1 when any answer was an
 * error, 2 on a usage error, a connection failure or when calcc itself
 * fails (output, memory).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <editline/readline.h>
#include <gnutls/gnutls.h>

#include "calc.h"
#include "client.h"
#include "proto.h"
#include "stream.h"
#include "tls.h"
#include "wire.h"

/*
 * GnuTLS initialises itself in a library constructor unless the program
 * defines this; then only a run that makes a TLS connection pays for it
 * (tls.c), not every start: a sixth of an empty "calcc --local".
 */
GNUTLS_SKIP_GLOBAL_INIT

#define CALCC_PROMPT	"calc> "	/* interactive prompt */
#define CALCC_HISTORY	1000		/* lines kept for line editing */

#define CALCC_HOST	"localhost"
#define CALCC_TIMEOUT	5		/* seconds: connect, each answer */
#define CALCC_RETRIES	3		/* UDP tries after the first */
#define CALCC_CHUNK	(64 * 1024)	/* bytes read or sent at once */

#define EXIT_ANSWER_ERROR	1	/* some answer was "error: ..." */
#define EXIT_TROUBLE		2	/* usage error or failure of calcc */

/* Where the expressions go. */
enum calcc_mode {
	MODE_STREAM,		/* calcd over TCP, or TLS with opts.net.tls */
	MODE_UDP,		/* calcd over UDP */
	MODE_LOCAL		/* the engine, in this process */
};

/* What one line of input did. */
enum line_result {
	LINE_OK,		/* a value, or blank: no answer */
	LINE_ERROR,		/* an "error: ..." answer */
	LINE_QUIT		/* "exit" or "quit": end the session */
};

struct calcc_opts {
	enum calcc_mode		 mode;
	struct client_opts	 net;
	int			 verbose;	/* -v: 1, -vv: 2 */
	int			 resume;	/* --resume: TLS twice */
};

/* Long options without a short form start above any character. */
enum {
	OPT_LOCAL = 256,
	OPT_HELP,
	OPT_CAFILE,
	OPT_INSECURE,
	OPT_TIMEOUT,
	OPT_RETRIES,
	OPT_RESUME
};

static const struct option longopts[] = {
	{ "tls",	no_argument,		NULL,	's' },
	{ "udp",	no_argument,		NULL,	'u' },
	{ "cafile",	required_argument,	NULL,	OPT_CAFILE },
	{ "insecure",	no_argument,		NULL,	OPT_INSECURE },
	{ "timeout",	required_argument,	NULL,	OPT_TIMEOUT },
	{ "retries",	required_argument,	NULL,	OPT_RETRIES },
	{ "local",	no_argument,		NULL,	OPT_LOCAL },
	{ "resume",	no_argument,		NULL,	OPT_RESUME },
	{ "verbose",	no_argument,		NULL,	'v' },
	{ "version",	no_argument,		NULL,	'V' },
	{ "help",	no_argument,		NULL,	OPT_HELP },
	{ NULL,		0,			NULL,	0 }
};

/* "+": options come before the expressions, so "-3" after them is one. */
static const char shortopts[] = "+46h:p:suvV";

static void	usage(FILE *fp, int status) __attribute__((noreturn));
static int	parse_number(const char *s, const char *what, int min, int max);
static void	version(void) __attribute__((noreturn));
static void	parse_options(int argc, char *argv[], struct calcc_opts *opts);
static enum line_result
		local_eval(struct calc_session *s, const char *line, size_t len,
		    const char **out, size_t *outlen);
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
	    "usage: calcc [-46suv] [-h host] [-p port] [--cafile file] "
	    "[--insecure]\n"
	    "             [--resume] [--timeout seconds] [--retries n] [--] "
	    "[expression ...]\n"
	    "       calcc --local [--] [expression ...]\n"
	    "       calcc -V | --version\n"
	    "       calcc --help\n");
	exit(status);
}

/* A whole number from an option, in [min, max]; exits otherwise. */
static int
parse_number(const char *s, const char *what, int min, int max)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (s[0] == '\0' || *end != '\0' || errno || v < min || v > max)
		errx(EXIT_TROUBLE, "--%s: '%s' is not a number from %d to %d",
		    what, s, min, max);
	return (int)v;
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
	opts->mode = MODE_STREAM;
	opts->net.host = CALCC_HOST;
	opts->net.family = AF_UNSPEC;
	opts->net.timeout_ms = CALCC_TIMEOUT * 1000;
	opts->net.retries = CALCC_RETRIES;
	while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (ch) {
		case '4':
			opts->net.family = AF_INET;
			break;
		case '6':
			opts->net.family = AF_INET6;
			break;
		case 'h':
			opts->net.host = optarg;
			break;
		case 'p':
			opts->net.port = optarg;
			break;
		case 's':
			opts->net.tls = 1;
			break;
		case 'u':
			opts->mode = MODE_UDP;
			break;
		case OPT_CAFILE:
			opts->net.cafile = optarg;
			break;
		case OPT_INSECURE:
			opts->net.insecure = 1;
			break;
		case OPT_TIMEOUT:
			opts->net.timeout_ms = parse_number(optarg, "timeout",
			    1, 3600) * 1000;
			break;
		case OPT_RETRIES:
			opts->net.retries = parse_number(optarg, "retries", 0,
			    100);
			break;
		case OPT_LOCAL:
			opts->mode = MODE_LOCAL;
			break;
		case OPT_RESUME:
			opts->resume = 1;
			break;
		case 'v':
			opts->verbose++;
			opts->net.trace = stderr;
			break;
		case 'V':
			version();
		case OPT_HELP:
			usage(stdout, 0);
		default:
			usage(stderr, EXIT_TROUBLE);
		}
	}
	if (opts->mode == MODE_UDP && opts->net.tls)
		errx(EXIT_TROUBLE, "--tls and --udp do not go together");
	if (opts->resume && !opts->net.tls)
		errx(EXIT_TROUBLE, "--resume needs --tls");
	if (opts->net.port == NULL)
		opts->net.port = proto_get(opts->mode == MODE_UDP ? PROTO_UDP :
		    opts->net.tls ? PROTO_TLS : PROTO_TCP)->port_text;
	if (opts->net.insecure && opts->net.tls)
		warnx("warning: --insecure: the server's certificate is not "
		    "verified");
}

/*
 * Evaluate the len bytes at line (any bytes, a trailing CR or LF included)
 * in session s.  Sets *out to the answer, or to NULL for a blank line or
 * a quit.  Returns what the line did.
 */
static enum line_result
local_eval(struct calc_session *s, const char *line, size_t len,
    const char **out, size_t *outlen)
{
	enum calc_status status;

	*out = NULL;
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (wire_is_quit(line, len))
		return (LINE_QUIT);
	if (wire_is_help(line, len)) {
		*out = WIRE_HELP;
		*outlen = sizeof(WIRE_HELP) - 1;
		return (LINE_OK);
	}
	status = calc_eval(s, line, len, out, outlen);
	if (status == CALC_EMPTY) {
		*out = NULL;
		return (LINE_OK);
	}
	return (status == CALC_OK ? LINE_OK : LINE_ERROR);
}

/*
 * Evaluate the line as local_eval() does and print the answer on a line
 * of its own to stdout, or nothing for a blank line.
 */
static enum line_result
local_line(struct calc_session *s, const char *line, size_t len)
{
	const char *out;
	size_t outlen;
	enum line_result r;

	r = local_eval(s, line, len, &out, &outlen);
	if (out != NULL) {
		fwrite(out, 1, outlen, stdout);
		putchar('\n');
	}
	return (r);
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
 * The buffers of local_pipe(): input read in large blocks and split into
 * lines in place, answers gathered and written to stdout in large blocks.
 */
struct pipe_io {
	FILE	*in;
	char	*ib;		/* input; lines are ib[start..end) */
	size_t	 icap;
	size_t	 start;
	size_t	 end;
	int	 eof;
	char	*ob;		/* answers not yet written */
	size_t	 olen;
};

/* Append the n bytes at s and a newline to the answers, writing when full. */
static void
pipe_put(struct pipe_io *io, const char *s, size_t n)
{
	if (io->olen + n + 1 > CALCC_CHUNK && io->olen > 0) {
		fwrite(io->ob, 1, io->olen, stdout);
		io->olen = 0;
	}
	if (n + 1 > CALCC_CHUNK) {
		fwrite(s, 1, n, stdout);
		putchar('\n');
		return;
	}
	memcpy(io->ob + io->olen, s, n);
	io->ob[io->olen + n] = '\n';
	io->olen += n + 1;
}

/*
 * Read more input after the partial line ib[start..end), moving it to the
 * front and growing the buffer when the line fills it.  Returns 0, or -1
 * at the end of input; exits on a read error.
 */
static int
pipe_fill(struct pipe_io *io)
{
	size_t n;
	char *b;

	if (io->eof)
		return (-1);
	if (io->start > 0) {
		memmove(io->ib, io->ib + io->start, io->end - io->start);
		io->end -= io->start;
		io->start = 0;
	}
	if (io->end == io->icap) {
		if ((b = realloc(io->ib, io->icap * 2)) == NULL)
			err(EXIT_TROUBLE, NULL);
		io->ib = b;
		io->icap *= 2;
	}
	n = fread(io->ib + io->end, 1, io->icap - io->end, io->in);
	if (n == 0) {
		if (ferror(io->in)) {
			fwrite(io->ob, 1, io->olen, stdout);
			err(EXIT_TROUBLE, "standard input");
		}
		io->eof = 1;
		return (-1);
	}
	io->end += n;
	return (0);
}

/*
 * Set *line and *len to the next line of input, its newline included as
 * getline() would.  Returns 0, or -1 at the end of input.
 */
static int
pipe_line(struct pipe_io *io, const char **line, size_t *len)
{
	const char *nl;
	size_t from = io->start;

	for (;;) {
		nl = memchr(io->ib + from, '\n', io->end - from);
		if (nl != NULL) {
			*line = io->ib + io->start;
			*len = (size_t)(nl + 1 - *line);
			io->start += *len;
			return (0);
		}
		from = io->end - io->start;
		if (pipe_fill(io) == -1)
			break;
		from += io->start;
	}
	if (io->end == io->start)
		return (-1);
	*line = io->ib + io->start;
	*len = io->end - io->start;
	io->start = io->end;
	return (0);
}

/*
 * Evaluate the lines of in, however long, in session s, the answers
 * gathered in blocks: no prompt, no flush per line, so a pipe of a million
 * lines costs what the engine costs.  Returns the exit status as
 * local_args() does; exits on a read error.
 */
static int
local_pipe(struct calc_session *s, FILE *in)
{
	struct pipe_io io = { .in = in, .icap = CALCC_CHUNK };
	const char *line, *out;
	size_t len, outlen;
	enum line_result r;
	int status = 0;

	if ((io.ib = malloc(io.icap)) == NULL ||
	    (io.ob = malloc(CALCC_CHUNK)) == NULL)
		err(EXIT_TROUBLE, NULL);
	while (pipe_line(&io, &line, &len) == 0) {
		r = local_eval(s, line, len, &out, &outlen);
		if (out != NULL)
			pipe_put(&io, out, outlen);
		if (r == LINE_QUIT)
			break;
		if (r == LINE_ERROR)
			status = EXIT_ANSWER_ERROR;
	}
	fwrite(io.ob, 1, io.olen, stdout);
	free(io.ib);
	free(io.ob);
	return (status);
}

/* Set by SIGINT while a line is being typed: the line is abandoned. */
static volatile sig_atomic_t interrupted;

static void
on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* The history file, or NULL when there is no home to keep it in. */
static char history_path[PATH_MAX];

/*
 * Where history is kept: $XDG_STATE_HOME/calcc/history when that is set
 * (the directory is made), else ~/.calcc_history.
 */
static void
history_locate(void)
{
	const char	*state = getenv("XDG_STATE_HOME"), *home;
	char		 dir[PATH_MAX];
	int		 n;

	if (state != NULL && *state == '/') {
		n = snprintf(dir, sizeof(dir), "%s/calcc", state);
		if (n < 0 || (size_t)n >= sizeof(dir))
			return;
		(void)mkdir(state, 0700);	/* as the XDG spec asks */
		if (mkdir(dir, 0700) == -1 && errno != EEXIST)
			return;
		n = snprintf(history_path, sizeof(history_path), "%s/history",
		    dir);
	} else if ((home = getenv("HOME")) != NULL && *home != '\0')
		n = snprintf(history_path, sizeof(history_path),
		    "%s/.calcc_history", home);
	else
		return;
	if (n < 0 || (size_t)n >= sizeof(history_path))
		history_path[0] = '\0';
}

/*
 * Start an interactive session: line editing, the history of earlier
 * sessions, and Ctrl-C clearing the line instead of ending calcc.
 */
static void
interactive_begin(void)
{
	struct sigaction	 sa;

	rl_readline_name = "calcc";
	stifle_history(CALCC_HISTORY);
	history_locate();
	if (history_path[0] != '\0')
		read_history(history_path);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);	/* no SA_RESTART: stop the read */
}

/*
 * A line from the terminal, or NULL at end of file.  Ctrl-C abandons
 * the line being typed and prompts again on a fresh line, as a shell
 * does.  A line with more than blanks goes into the history, which is
 * written at once (mode 0600) so that a lost connection keeps it.
 */
static char *
interactive_line(void)
{
	char	*line;
	int	 fd;

	for (;;) {
		interrupted = 0;
		line = readline(CALCC_PROMPT);
		if (line == NULL && interrupted) {
			putchar('\n');
			continue;
		}
		if (line != NULL && interrupted) {
			free(line);	/* read, then interrupted: drop it */
			putchar('\n');
			continue;
		}
		break;
	}
	if (line == NULL || line[strspn(line, " \t\r")] == '\0')
		return line;
	add_history(line);
	if (history_path[0] != '\0' && (fd = open(history_path,
	    O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) != -1) {
		close(fd);
		write_history(history_path);
	}
	return line;
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

	interactive_begin();
	while (r != LINE_QUIT && (line = interactive_line()) != NULL) {
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


/* -vv: when each line that gets an answer was sent, in order. */
struct rtt {
	int	 sent_text;	/* the line being sent has more than blanks */
	double	*sent;
	size_t	 nsent, sentcap, nanswered;
};

/*
 * The answers of a stream session as they arrive: CRLF becomes LF on
 * stdout, the greeting is dropped (or printed, interactively), and any
 * line starting "error: " marks the run as failed.
 */
struct answers {
	int		 greeted;	/* the greeting line is behind us */
	int		 show_greeting;
	int		 at_start;	/* at the start of an answer line */
	size_t		 match;		/* bytes of "error: " matched */
	int		 status;	/* exit status so far */
	unsigned long	 lines;		/* answers printed */
	char		 first[128];	/* the greeting, to report a refusal */
	size_t		 firstlen;
	struct rtt	*timed;		/* -vv: the send times, or NULL */
};

static const char error_prefix[] = WIRE_ERROR;

/*
 * Take the first line: the greeting, or the server's refusal (an error
 * line, then it closes), which ends the run.
 */
static void
answers_greeting(struct answers *a, char c)
{
	if (c != '\n') {
		if (c != '\r' && a->firstlen < sizeof(a->first) - 1)
			a->first[a->firstlen++] = c;
		return;
	}
	a->first[a->firstlen] = '\0';
	a->greeted = 1;
	if (strncmp(a->first, error_prefix, sizeof(error_prefix) - 1) == 0)
		errx(EXIT_TROUBLE, "server refused: %s", a->first);
	if (a->show_greeting)
		printf("%s\n", a->first);
}

/* Print n bytes of answers from buf. */
static void
answers_take(struct answers *a, const char *buf, size_t n)
{
	size_t	 i;
	char	 c;

	for (i = 0; i < n; i++) {
		c = buf[i];
		if (!a->greeted) {
			answers_greeting(a, c);
			continue;
		}
		if (c == '\r')
			continue;
		putc_unlocked(c, stdout);
		if (c == '\n' && a->timed != NULL &&
		    a->timed->nanswered < a->timed->nsent) {
			fflush(stdout);
			fprintf(stderr, "* answer %zu in %.2f ms\n",
			    a->timed->nanswered + 1, client_now_ms() -
			    a->timed->sent[a->timed->nanswered]);
			a->timed->nanswered++;
		}
		if (c == '\n') {
			a->lines++;
			a->at_start = 1;
			a->match = 0;
			continue;
		}
		if (a->at_start && a->match < sizeof(error_prefix) - 1 &&
		    c == error_prefix[a->match]) {
			if (++a->match == sizeof(error_prefix) - 1)
				a->status = EXIT_ANSWER_ERROR;
		} else
			a->at_start = 0;
	}
}

/*
 * Whether the line of len bytes, around blanks, is "exit" or "quit": the
 * server closes after it, so nothing after it is sent.
 */
static int
line_quits(const char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	return wire_is_quit(line, len);
}

/* Whether the line has only blanks, which the server does not answer. */
static int
line_blank(const char *line, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r' &&
		    line[i] != '\n')
			return 0;
	return 1;
}

/* The requests not yet sent, and whether the input has ended. */
struct requests {
	char	*buf;
	size_t	 len, cap;
	size_t	 inflight;	/* a TLS write to repeat as it was */
	size_t	 scanned;	/* bytes checked for a quitting line */
	int	 eof;		/* no more input */
	int	 quit;		/* a quitting line is queued: stop there */
	int	 midline;	/* the last byte queued was not a newline */
	struct rtt *timed;	/* -vv: the send times, or NULL */
};

/* -vv: note the time at which each answered line of data[0..n) left. */
static void
rtt_sent(struct rtt *r, const char *data, size_t n)
{
	double	 now = client_now_ms();
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (data[i] != '\n') {
			if (data[i] != ' ' && data[i] != '\t' &&
			    data[i] != '\r')
				r->sent_text = 1;
			continue;
		}
		if (!r->sent_text)
			continue;
		r->sent_text = 0;
		if (r->nsent == r->sentcap) {
			r->sentcap = r->sentcap ? r->sentcap * 2 : 64;
			if ((r->sent = realloc(r->sent, r->sentcap *
			    sizeof(*r->sent))) == NULL)
				err(EXIT_TROUBLE, "realloc");
		}
		r->sent[r->nsent++] = now;
	}
}

/*
 * Queue n bytes of input, cut after the first line that quits.  The
 * session is closed by sending "exit" when the input ends, so that the
 * server's close tells us every answer has arrived.
 */
static void
requests_add(struct requests *r, const char *data, size_t n)
{
	char	*nl, *line;

	if (r->quit)
		return;
	if (r->len + n + 6 > r->cap) {
		r->cap = r->len + n + 6 + CALCC_CHUNK;
		if ((r->buf = realloc(r->buf, r->cap)) == NULL)
			err(EXIT_TROUBLE, "realloc");
	}
	memcpy(r->buf + r->len, data, n);
	r->len += n;
	if (n > 0)
		r->midline = data[n - 1] != '\n';
	while ((nl = memchr(r->buf + r->scanned, '\n',
	    r->len - r->scanned)) != NULL) {
		line = r->buf + r->scanned;
		r->scanned = nl + 1 - r->buf;
		if (line_quits(line, nl - line)) {
			r->len = r->scanned;
			r->quit = 1;
			return;
		}
	}
}

/* The input is over: end the session ourselves. */
static void
requests_end(struct requests *r)
{
	r->eof = 1;
	if (r->quit)
		return;
	/* A last line without LF, perhaps sent already: end it. */
	if (r->midline)
		requests_add(r, "\n", 1);
	requests_add(r, "exit\n", 5);
}

/* Read what stdin has into r; at end of file, close the session. */
static void
requests_read(struct requests *r)
{
	char	 buf[CALCC_CHUNK];
	ssize_t	 n;

	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n > 0)
		requests_add(r, buf, (size_t)n);
	else if (n == 0)
		requests_end(r);
	else if (errno != EINTR && errno != EAGAIN)
		err(EXIT_TROUBLE, "standard input");
}

/*
 * Send what the socket takes now.  A TLS write that would block must be
 * repeated with the same length, so that length is remembered.  Returns
 * 0, or -1 when the connection is lost.
 */
static int
requests_send(struct requests *r, struct stream *st)
{
	size_t	 len = r->inflight;
	ssize_t	 n;

	if (len == 0)
		len = r->len < CALCC_CHUNK ? r->len : CALCC_CHUNK;
	n = st->ops->write(st, r->buf, len);
	if (n == STREAM_AGAIN) {
		r->inflight = len;
		return 0;
	}
	r->inflight = 0;
	if (n < 0)
		return -1;
	if (r->timed != NULL)
		rtt_sent(r->timed, r->buf, (size_t)n);
	memmove(r->buf, r->buf + n, r->len - n);
	r->len -= n;
	r->scanned -= (size_t)n < r->scanned ? (size_t)n : r->scanned;
	return 0;
}

/*
 * Read what the server sent into a.  Returns 1 when bytes came, 0 when
 * there are none now, -1 when the server closed.
 */
static int
answers_read(struct answers *a, struct stream *st)
{
	char	 buf[CALCC_CHUNK];
	ssize_t	 n;
	int	 got = 0;

	while ((n = st->ops->read(st, buf, sizeof(buf))) > 0) {
		answers_take(a, buf, (size_t)n);
		got = 1;
	}
	if (n == STREAM_AGAIN)
		return got;
	return -1;
}

/*
 * A stream session fed from r (and from stdin while from_stdin): send
 * pipelined, print answers as they come, until the server closes after
 * the "exit" that ends the requests.  Returns the exit status.
 */
static int
net_pipeline(const struct calcc_opts *o, struct stream *st,
    struct requests *r, int from_stdin, int show_greeting)
{
	struct answers	 a;
	struct rtt	 rtt;
	struct pollfd	 pfd[2];
	int		 n;

	memset(&a, 0, sizeof(a));
	memset(&rtt, 0, sizeof(rtt));
	a.at_start = 1;
	if (o->verbose >= 2)
		r->timed = a.timed = &rtt;
	a.show_greeting = show_greeting;
	for (;;) {
		pfd[0].fd = st->fd;
		pfd[0].events = POLLIN | (r->len ? POLLOUT : 0);
		pfd[1].fd = from_stdin && !r->eof && !r->quit &&
		    r->len < 4 * CALCC_CHUNK ? STDIN_FILENO : -1;
		pfd[1].events = POLLIN;
		if ((n = poll(pfd, 2, o->net.timeout_ms)) == -1 &&
		    errno != EINTR)
			err(EXIT_TROUBLE, "poll");
		if (n == 0)
			errx(EXIT_TROUBLE, "%s port %s: no answer within %d s",
			    o->net.host, o->net.port, o->net.timeout_ms / 1000);
		if (pfd[1].revents)
			requests_read(r);
		if ((pfd[0].revents & POLLOUT) && requests_send(r, st) == -1)
			break;
		if ((pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    answers_read(&a, st) == -1)
			break;
	}
	if (r->len > 0 || (!r->eof && !r->quit))
		errx(EXIT_TROUBLE, "%s port %s: connection closed by the "
		    "server", o->net.host, o->net.port);
	r->timed = NULL;
	free(rtt.sent);
	return a.status;
}

/* Read one line of the server (without CRLF) into *line; exits on EOF. */
static size_t
net_read_line(const struct calcc_opts *o, struct stream *st, char **line,
    size_t *cap, char *buf, size_t *buflen)
{
	char	*nl;
	size_t	 len = 0;
	ssize_t	 n;

	for (;;) {
		if ((nl = memchr(buf, '\n', *buflen)) != NULL) {
			size_t take = nl + 1 - buf;

			if (len + take + 1 > *cap && (*line = realloc(*line,
			    *cap = len + take + 1)) == NULL)
				err(EXIT_TROUBLE, "realloc");
			memcpy(*line + len, buf, take);
			len += take;
			memmove(buf, nl + 1, *buflen - take);
			*buflen -= take;
			break;
		}
		if (len + *buflen + 1 > *cap && (*line = realloc(*line,
		    *cap = len + *buflen + 1)) == NULL)
			err(EXIT_TROUBLE, "realloc");
		memcpy(*line + len, buf, *buflen);
		len += *buflen;
		*buflen = 0;
		n = stream_read(st, buf, CALCC_CHUNK, o->net.timeout_ms);
		if (n == STREAM_TIMEOUT)
			errx(EXIT_TROUBLE, "%s port %s: no answer within %d s",
			    o->net.host, o->net.port, o->net.timeout_ms / 1000);
		if (n <= 0)
			errx(EXIT_TROUBLE, "%s port %s: connection closed by "
			    "the server", o->net.host, o->net.port);
		*buflen = (size_t)n;
	}
	while (len > 0 && ((*line)[len - 1] == '\n' ||
	    (*line)[len - 1] == '\r'))
		len--;
	(*line)[len] = '\0';
	return len;
}

/*
 * Talk to the server from the terminal: the greeting, then a prompt,
 * line editing and history, one answer per line.
 */
static int
net_interactive(const struct calcc_opts *o, struct stream *st)
{
	char	*input, *line = NULL, buf[CALCC_CHUNK];
	size_t	 cap = 0, buflen = 0, len;
	double	 t0;
	int	 status = 0, quit = 0;

	net_read_line(o, st, &line, &cap, buf, &buflen);
	if (strncmp(line, error_prefix, sizeof(error_prefix) - 1) == 0)
		errx(EXIT_TROUBLE, "server refused: %s", line);
	printf("%s\n", line);
	interactive_begin();
	while (!quit && (input = interactive_line()) != NULL) {
		len = strlen(input);
		quit = wire_is_quit(input, len);
		t0 = client_now_ms();
		if (stream_write(st, input, len, o->net.timeout_ms) != 0 ||
		    stream_write(st, "\n", 1, o->net.timeout_ms) != 0)
			errx(EXIT_TROUBLE, "%s port %s: connection lost",
			    o->net.host, o->net.port);
		if (!quit && !line_blank(input, len)) {
			net_read_line(o, st, &line, &cap, buf, &buflen);
			printf("%s\n", line);
			if (o->verbose >= 2)
				fprintf(stderr, "* answer in %.2f ms\n",
				    client_now_ms() - t0);
			if (strncmp(line, error_prefix,
			    sizeof(error_prefix) - 1) == 0)
				status = EXIT_ANSWER_ERROR;
		}
		free(input);
		fflush(stdout);
	}
	if (!quit)
		putchar('\n');
	free(line);
	return status;
}

/* -v: what the TLS session on st is, on stderr. */
static void
print_tls(const struct tls_client *tc, const struct stream *st)
{
	struct tls_info	 ti;

	if (tls_client_info(tc, st, &ti) == -1)
		return;
	fprintf(stderr, "* TLS: %s, %s, key exchange %s, ALPN %s, %s "
	    "session\n", ti.version, ti.cipher, ti.group,
	    ti.alpn[0] ? ti.alpn : "none", ti.resumed ? "resumed" : "new");
	if (ti.subject[0] != '\0') {
		fprintf(stderr, "* certificate: %s\n", ti.subject);
		fprintf(stderr, "*   issuer: %s\n", ti.issuer);
		fprintf(stderr, "*   valid: %s to %s\n", ti.not_before,
		    ti.not_after);
		fprintf(stderr, "*   SHA-256: %s\n", ti.sha256);
	} else
		fprintf(stderr, "* certificate: not sent (resumed)\n");
	fprintf(stderr, "* verification: %s\n", ti.verify);
}

/*
 * --resume: a first connection whose session is kept (its ticket comes
 * with the greeting, so that is read), then closed, so that the real one
 * can offer to resume it.
 */
static void
net_prime(const struct calcc_opts *o, struct tls_client *tc)
{
	struct stream	 st;
	char		 errbuf[512], buf[CALCC_CHUNK], *line = NULL;
	size_t		 cap = 0, buflen = 0;

	if (client_connect(&o->net, tc, &st, errbuf, sizeof(errbuf)) == -1)
		errx(EXIT_TROUBLE, "%s", errbuf);
	net_read_line(o, &st, &line, &cap, buf, &buflen);
	if (o->verbose)
		print_tls(tc, &st);
	tls_client_keep(tc, &st);
	(void)stream_write(&st, "exit\n", 5, o->net.timeout_ms);
	stream_close(&st);
	free(line);
	if (o->verbose)
		fprintf(stderr, "* closed; connecting again to resume\n");
}

/*
 * Over TCP or TLS: the arguments, a pipe or the terminal, on one
 * connection.  Returns the exit status.
 */
static int
net_main(const struct calcc_opts *o, int argc, char *argv[])
{
	struct requests		 r;
	struct stream		 st;
	struct tls_client	*tc = NULL;
	char			 errbuf[512];
	int			 i, status;

	if (o->net.tls && (tc = client_tls(&o->net, NULL, o->resume ?
	    TLS_CLIENT_RESUME : 0, errbuf, sizeof(errbuf))) == NULL)
		errx(EXIT_TROUBLE, "%s", errbuf);
	if (o->resume)
		net_prime(o, tc);
	if (client_connect(&o->net, tc, &st, errbuf, sizeof(errbuf)) == -1)
		errx(EXIT_TROUBLE, "%s", errbuf);
	if (o->verbose && tc != NULL)
		print_tls(tc, &st);
	memset(&r, 0, sizeof(r));
	if (argc > 0) {
		for (i = 0; i < argc && !r.quit; i++) {
			requests_add(&r, argv[i], strlen(argv[i]));
			requests_add(&r, "\n", 1);
		}
		requests_end(&r);
		status = net_pipeline(o, &st, &r, 0, 0);
	} else if (isatty(STDIN_FILENO))
		status = net_interactive(o, &st);
	else
		status = net_pipeline(o, &st, &r, 1, 0);
	free(r.buf);
	stream_close(&st);
	tls_client_free(tc);
	return status;
}

/*
 * Ask one expression over UDP and print the answer; blank lines are not
 * sent.  Returns the line's result; exits when no answer comes.
 */
static enum line_result
udp_line(const struct calcc_opts *o, const char *expr, size_t len)
{
	char	 out[65536], errbuf[256], *copy;
	ssize_t	 n;

	while (len > 0 && (expr[len - 1] == '\n' || expr[len - 1] == '\r'))
		len--;
	if (wire_is_quit(expr, len))
		return LINE_QUIT;
	if (line_blank(expr, len))
		return LINE_OK;
	if ((copy = strndup(expr, len)) == NULL)
		err(EXIT_TROUBLE, "strndup");
	n = client_udp_ask(&o->net, copy, out, sizeof(out), errbuf,
	    sizeof(errbuf));
	free(copy);
	if (n < 0)
		errx(EXIT_TROUBLE, "%s", errbuf);
	printf("%s\n", out);
	return strncmp(out, error_prefix, sizeof(error_prefix) - 1) == 0 ?
	    LINE_ERROR : LINE_OK;
}

/* Over UDP: one datagram per expression, from the arguments or stdin. */
static int
udp_main(const struct calcc_opts *o, int argc, char *argv[])
{
	enum line_result r = LINE_OK;
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 len;
	int	 i, status = 0, tty = argc == 0 && isatty(STDIN_FILENO);

	for (i = 0; i < argc && r != LINE_QUIT; i++)
		if ((r = udp_line(o, argv[i], strlen(argv[i]))) == LINE_ERROR)
			status = EXIT_ANSWER_ERROR;
	if (tty) {
		rl_readline_name = "calcc";
		stifle_history(CALCC_HISTORY);
	}
	while (argc == 0 && r != LINE_QUIT) {
		if (tty) {
			free(line);
			if ((line = readline(CALCC_PROMPT)) == NULL)
				break;
			len = strlen(line);
			if (!line_blank(line, len))
				add_history(line);
		} else if ((len = getline(&line, &cap, stdin)) == -1)
			break;
		if ((r = udp_line(o, line, (size_t)len)) == LINE_ERROR)
			status = EXIT_ANSWER_ERROR;
		fflush(stdout);
	}
	free(line);
	return status;
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
	case MODE_UDP:
		status = udp_main(&opts, argc, argv);
		break;
	default:
		status = net_main(&opts, argc, argv);
		break;
	}
	output_check();
	return (status);
}
