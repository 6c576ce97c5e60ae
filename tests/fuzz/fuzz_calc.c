/*
 * fuzz_calc.c - libFuzzer target for the calculator engine.
 *
 * Each input is evaluated whole, then line by line in the same session so
 * that assignments, variables and "ans" carry over; once in a session with
 * the default limits and once in one with small limits, where the bounds
 * trip early.  Every answer is checked against the promises of calc.h and
 * DESIGN.md section 3; a broken promise aborts, which libFuzzer reports
 * as a crash.  Build and run with tests/fuzz/run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calc.h"

/* A session with the limits tightened, so that they are hit often. */
#define SMALL_PRECISION		10
#define SMALL_MAX_DIGITS	100
#define SMALL_MAX_DEPTH		20
#define SMALL_MAX_LENGTH	256
#define SMALL_MAX_VARIABLES	4

/* Room beyond max_digits + precision for a sign, a point and an exponent. */
#define FORMAT_SLACK		32

/* One session and what the checks need to know of it. */
struct fuzz_session {
	struct calc_session	*s;
	struct calc_limits	 lim;
	char			*ans;	/* copy of the last value, or NULL */
};

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const char *text)
{
	fprintf(stderr, "fuzz_calc: %s: \"%s\"\n", what, text);
	abort();
}

/* Return 1 when the len bytes at p are blank: spaces, tabs, CR, LF. */
static int
is_blank(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (strchr(" \t\r\n", p[i]) == NULL || p[i] == '\0')
			return (0);
	return (1);
}

static int
is_space(char c)
{
	return (c != '\0' && strchr(" \t\r\n\v\f", c) != NULL);
}

/*
 * Return 1 when text holds a control character: an answer is one line of
 * the line protocol, so it may not hold a CR or LF, nor echo raw bytes
 * that would.
 */
static int
has_control(const char *text)
{
	const unsigned char *p;

	for (p = (const unsigned char *)text; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return (1);
	return (0);
}

/* Skip the decimal digits at p; set *n to how many there were. */
static const char *
skip_digits(const char *p, size_t *n)
{
	*n = 0;
	while (*p >= '0' && *p <= '9') {
		p++;
		(*n)++;
	}
	return (p);
}

/*
 * Return 1 when text is a number as the engine prints it:
 * -?[0-9]*(\.[0-9]*)?(e[+-][0-9]+)? with at least one mantissa digit.
 */
static int
is_number(const char *text)
{
	const char *p = text;
	size_t lead, frac = 0, exp;

	if (*p == '-')
		p++;
	p = skip_digits(p, &lead);
	if (*p == '.')
		p = skip_digits(p + 1, &frac);
	if (lead + frac == 0)
		return (0);
	if (*p == 'e') {
		p++;
		if (*p != '+' && *p != '-')
			return (0);
		p = skip_digits(p + 1, &exp);
		if (exp == 0)
			return (0);
	}
	return (*p == '\0');
}

/*
 * Check one answer of calc_eval() on the len bytes at expr against the
 * interface's promises; abort on a broken one.
 */
static void
check_answer(const struct fuzz_session *fs, const char *expr, size_t len,
    enum calc_status st, const char *out, size_t outlen)
{
	if (out == NULL)
		fail("no text", "");
	if (strlen(out) != outlen)
		fail("length differs from outlen", out);
	if (has_control(out))
		fail("control character in the answer line", out);
	switch (st) {
	case CALC_OK:
		if (!is_number(out))
			fail("value is not a number", out);
		if (outlen > fs->lim.max_digits + fs->lim.precision +
		    FORMAT_SLACK)
			fail("value longer than the limits allow", out);
		if (strcmp(out, "-0") == 0)
			fail("negative zero", out);
		break;
	case CALC_ERROR:
		if (strncmp(out, "error: ", 7) != 0)
			fail("error without \"error: \"", out);
		if (outlen == 7 || is_space(out[7]) ||
		    is_space(out[outlen - 1]))
			fail("error message empty or padded", out);
		break;
	case CALC_EMPTY:
		if (!is_blank(expr, len))
			fail("EMPTY for an expression that is not blank", out);
		if (outlen != 0)
			fail("EMPTY with text", out);
		return;
	default:
		fail("unknown status", out);
	}
	if (is_blank(expr, len) && len <= fs->lim.max_length)
		fail("blank input answered", out);
}

/*
 * Evaluate the len bytes at expr in fs, check the answer, then check that
 * "ans" holds the last value: the new one after a value, the old one after
 * an error (errors leave the variables untouched).
 */
static void
eval_one(struct fuzz_session *fs, const char *expr, size_t len)
{
	const char *out;
	size_t outlen;
	enum calc_status st;

	st = calc_eval(fs->s, expr, len, &out, &outlen);
	check_answer(fs, expr, len, st, out, outlen);
	if (st == CALC_OK) {
		free(fs->ans);
		if ((fs->ans = strdup(out)) == NULL)
			abort();
	}
	if (fs->ans == NULL)
		return;
	st = calc_eval(fs->s, "ans", 3, &out, &outlen);
	check_answer(fs, "ans", 3, st, out, outlen);
	if (st != CALC_OK || strcmp(out, fs->ans) != 0)
		fail("ans is not the last value", out);
}

/* Evaluate the whole input, then each of its lines, in one session. */
static void
run_session(const struct calc_limits *lim, const char *data, size_t size)
{
	struct fuzz_session fs;
	const char *p, *end = data + size, *nl;

	memset(&fs, 0, sizeof(fs));
	fs.lim = *lim;
	if ((fs.s = calc_session_new(lim)) == NULL)
		abort();
	eval_one(&fs, data, size);
	for (p = data; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		eval_one(&fs, p, (size_t)(nl - p));
	}
	free(fs.ans);
	calc_session_free(fs.s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct calc_limits lim;
	char *copy;

	/* An exact-size heap copy, so that ASan sees any read past the end. */
	if ((copy = malloc(size ? size : 1)) == NULL)
		abort();
	memcpy(copy, data, size);

	calc_limits_default(&lim);
	if (calc_limits_check(&lim) != NULL)
		abort();
	run_session(&lim, copy, size);

	lim.precision = SMALL_PRECISION;
	lim.max_digits = SMALL_MAX_DIGITS;
	lim.max_depth = SMALL_MAX_DEPTH;
	lim.max_length = SMALL_MAX_LENGTH;
	lim.max_variables = SMALL_MAX_VARIABLES;
	if (calc_limits_check(&lim) != NULL)
		abort();
	run_session(&lim, copy, size);

	free(copy);
	return (0);
}
