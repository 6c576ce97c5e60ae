/*
 * calc.h - the calculator engine.
 *
 * A pure library: it parses and evaluates one expression at a time inside
 * a session (variables and "ans" live in the session), and formats the
 * result as text.  It does no I/O, keeps no global state and checks every
 * resource bound before doing the work, so it is safe to feed any bytes.
 *
 * Numbers are exact rationals (GMP) while the operations allow, with a
 * 64-bit integer fast path.  Inexact values are intervals (MPFI on MPFR)
 * that hold the true value; an inexact answer is printed only when both
 * ends round to the same precision digits, so every digit is right, and
 * the line is evaluated again at twice the working precision until they
 * do, each try charged to max_work ("error: precision exhausted" when the
 * budget runs out).  The process's MPFR exponent range is set to its
 * widest by calc_session_new().
 *
 * Work.  Besides the size of each number, an evaluation bounds the sum of
 * the costs of its operations: before each operation on multi-limb
 * numbers, the engine estimates its cost from the sizes of the operands
 * and fails the expression with "error: expression too costly" if the sum
 * would pass max_work.  The unit is about a nanosecond of one x86-64 core
 * (GMP 6.2, MPFR 4.2): the estimates are upper bounds of the times
 * measured there, so the default of 20 million caps a line at some 20 ms.
 * Small integers cost nothing.  Under the other default limits, every
 * single operation fits the default budget (10^9999, 3248!, the gcd of
 * two 10000-digit numbers, the sine of a 10000-digit integer, printing
 * 10000 digits), except sin, cos and tan of a large integer within 2^-48
 * of a multiple of pi/2, which MPFR takes up to 80 ms to round.  A larger
 * max_digits or precision may need a larger max_work.
 */
#ifndef CALC_H
#define CALC_H

#include <stddef.h>

/* Defaults of the session limits; calcd.conf(5) documents the keywords. */
#define CALC_DEFAULT_PRECISION		34	/* significant digits */
#define CALC_DEFAULT_MAX_DIGITS		10000	/* digits of an integer */
#define CALC_DEFAULT_MAX_DEPTH		256	/* nesting of (), f(), unary ops */
#define CALC_DEFAULT_MAX_LENGTH		4096	/* bytes of one expression */
#define CALC_DEFAULT_MAX_VARIABLES	64	/* variables of one session */
#define CALC_DEFAULT_MAX_WORK		20000000 /* work units of one line */

/* Ranges accepted by calc_limits_check(). */
#define CALC_PRECISION_MIN		1
#define CALC_PRECISION_MAX		1000
#define CALC_MAX_DIGITS_MIN		20
#define CALC_MAX_DIGITS_MAX		1000000
#define CALC_MAX_DEPTH_MIN		1
#define CALC_MAX_DEPTH_MAX		10000
#define CALC_MAX_LENGTH_MIN		16
#define CALC_MAX_LENGTH_MAX		(1024 * 1024)
#define CALC_MAX_VARIABLES_MIN		0
#define CALC_MAX_VARIABLES_MAX		10000
#define CALC_MAX_WORK_MIN		1000
#define CALC_MAX_WORK_MAX		4000000000UL

struct calc_limits {
	unsigned long	precision;	/* significant digits of inexact output */
	unsigned long	max_digits;	/* largest integer, in decimal digits */
	unsigned long	max_depth;	/* deepest nesting */
	size_t		max_length;	/* longest expression, in bytes */
	unsigned long	max_variables;	/* most variables in one session */
	unsigned long	max_work;	/* work of one expression, in units */
};

/* What calc_eval() found. */
enum calc_status {
	CALC_OK = 0,		/* a value; the text is the result */
	CALC_ERROR = 1,		/* the text is "error: ..." */
	CALC_EMPTY = 2		/* blank input: no answer, text is "" */
};

struct calc_session;

/* Fill *lim with the defaults above. */
void	calc_limits_default(struct calc_limits *lim);

/*
 * Return NULL when every field of *lim is within its range, else a static
 * message naming the first field out of range.
 */
const char *calc_limits_check(const struct calc_limits *lim);

/*
 * Create a session with a copy of *lim (NULL for the defaults).  Returns
 * NULL when memory is exhausted or *lim fails calc_limits_check().
 */
struct calc_session *calc_session_new(const struct calc_limits *lim);

/* Free the session, its variables and its buffers.  NULL is a no-op. */
void	calc_session_free(struct calc_session *s);

/*
 * Evaluate the len bytes at expr (any bytes; no NUL terminator needed) and
 * set *out to the NUL-terminated answer, *outlen to its length.  The text
 * belongs to the session and stays valid until the next call on it.
 * "name = expr" assigns; every value also becomes "ans".  Errors leave the
 * variables untouched.  The cost is bounded by the session's limits.
 */
enum calc_status calc_eval(struct calc_session *s, const char *expr,
	    size_t len, const char **out, size_t *outlen);

#endif /* CALC_H */
