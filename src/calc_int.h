/*
 * calc_int.h - private to the calculator engine: the value type shared by
 * the evaluator (calc.c) and the formatter (calc_format.c), and the work
 * estimates both charge (in the unit calc.h describes).
 */
#ifndef CALC_INT_H
#define CALC_INT_H

#include <stddef.h>
#include <stdint.h>

#include <gmp.h>
#include <mpfr.h>

enum calc_kind {
	CALC_INT,		/* exact, fits int64_t: the fast path */
	CALC_RAT,		/* exact, canonical mpq_t */
	CALC_REAL		/* inexact, never NaN nor infinite */
};

struct calc_value {
	enum calc_kind	k;
	union {
		int64_t	i;
		mpq_t	q;
		mpfr_t	f;
	} u;
};

/* A text buffer that grows; s is always NUL-terminated. */
struct calc_buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

/* What calc_format() found. */
enum calc_fmt {
	CALC_FMT_OK,
	CALC_FMT_TOO_LARGE,	/* an integer over max_digits digits */
	CALC_FMT_NOMEM
};

int		calc_buf_reserve(struct calc_buf *b, size_t size);
enum calc_fmt	calc_format(struct calc_buf *b, const struct calc_value *v,
		    unsigned long precision, unsigned long max_digits);
uint64_t	calc_format_work(const struct calc_value *v,
		    unsigned long precision);

/* Work estimates of GMP's mpn layer, for operands of a and b limbs. */
uint64_t	calc_work_mul(size_t a, size_t b);
uint64_t	calc_work_div(size_t n, size_t d);
uint64_t	calc_work_str(size_t n);
size_t		calc_bits_limbs(uint64_t bits);

#endif /* CALC_INT_H */
