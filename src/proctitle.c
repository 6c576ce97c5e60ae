/*
 * proctitle.c - process titles over the argument vector (see proctitle.h).
 *
 * Linux shows /proc/PID/cmdline, which reads the memory that held the
 * argument strings.  The strings of argv and of the environment lie one
 * after the other; once the environment is copied away, that whole area
 * is free to hold a title, NUL-padded so that nothing old shows after it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proctitle.h"

#define PROCTITLE_MAX	256	/* bytes of a title, at most */

extern char	**environ;

static char	*proctitle_area;	/* argv[0], NULL until init */
static size_t	 proctitle_room;	/* bytes to the end of the strings */

/*
 * The end of the strings that follow each other from start, among the n
 * strings of v.
 */
static char *
proctitle_end(char *start, char **v, int n)
{
	char	*end = start;
	int	 i;

	for (i = 0; i < n && v[i] != NULL; i++)
		if (v[i] == end)
			end = v[i] + strlen(v[i]) + 1;
	return end;
}

/* Copy the environment, so that its strings may be written over. */
static int
proctitle_move_environ(void)
{
	char	**copy;
	int	  n, i;

	for (n = 0; environ[n] != NULL; n++)
		;
	if ((copy = calloc(n + 1, sizeof(*copy))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if ((copy[i] = strdup(environ[i])) == NULL)
			return -1;
	environ = copy;
	return 0;
}

void
proctitle_init(int argc, char *argv[])
{
	char	*end;
	int	 nenv;

	if (argc < 1 || argv[0] == NULL)
		return;
	end = proctitle_end(argv[0], argv, argc);
	for (nenv = 0; environ[nenv] != NULL; nenv++)
		;
	end = proctitle_end(end, environ, nenv);
	/* err(3) and warn(3) name the program from argv[0]. */
	if ((program_invocation_name = strdup(program_invocation_name)) ==
	    NULL || (program_invocation_short_name =
	    strdup(program_invocation_short_name)) == NULL ||
	    proctitle_move_environ() == -1)
		return;
	proctitle_area = argv[0];
	proctitle_room = end - argv[0];
}

void
proctitle_set(const char *fmt, ...)
{
	char	 title[PROCTITLE_MAX];
	va_list	 ap;
	int	 n;
	size_t	 len;

	if (proctitle_area == NULL || proctitle_room < 2)
		return;
	n = snprintf(title, sizeof(title), "calcd: ");
	va_start(ap, fmt);
	vsnprintf(title + n, sizeof(title) - n, fmt, ap);
	va_end(ap);
	len = strlen(title);
	if (len > proctitle_room - 1)
		len = proctitle_room - 1;
	memcpy(proctitle_area, title, len);
	memset(proctitle_area + len, '\0', proctitle_room - len);
}
