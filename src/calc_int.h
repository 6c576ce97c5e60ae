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

/*
 * The kinds of values.  An exact number is CALC_INT when it is an integer
 * of at most 63 bits, else CALC_DEC when calc_dec_make() takes it, else
 * mostly CALC_RAT; a CALC_RAT may hold what CALC_DEC could, but neither
 * holds an integer of at most 63 bits.  Every CALC_DEC behaves, costs
 * included, as the CALC_RAT of the same value would.
 */
enum calc_kind {
	CALC_INT,		/* exact, fits int64_t: the fast path */
	CALC_DEC,		/* exact, d.m * 10^-d.s, see calc_dec.c */
	CALC_RAT,		/* exact, canonical mpq_t */
	CALC_REAL		/* inexact, never NaN nor infinite */
};

struct calc_dec {
	int64_t		m;	/* not INT64_MIN, not a multiple of 10 */
	unsigned	s;	/* 1 to 18 places */
};

struct calc_value {
	enum calc_kind	k;
	union {
		int64_t		i;
		struct calc_dec	d;
		mpq_t		q;
		mpfr_t		f;
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

/* The decimals of calc_dec.c. */
int		calc_dec_make(struct calc_value *r, int64_t m, unsigned s);
int		calc_dec_op(int op, struct calc_value *r,
		    const struct calc_value *a, const struct calc_value *b);
int		calc_dec_pow(struct calc_value *r, const struct calc_value *a,
		    unsigned k);
void		calc_dec_frac(const struct calc_value *v, uint64_t *num,
		    uint64_t *den);
void		calc_dec_limbs(const struct calc_value *v, size_t *n,
		    size_t *d);
void		calc_dec_to_q(mpq_ptr q, const struct calc_value *v);
size_t		calc_dec_scan(const char *s, size_t n, struct calc_value *v);
size_t		calc_u64_limbs(uint64_t n);

/* Work estimates of GMP's mpn layer, for operands of a and b limbs. */
uint64_t	calc_work_mul(size_t a, size_t b);
uint64_t	calc_work_div(size_t n, size_t d);
uint64_t	calc_work_str(size_t n);
size_t		calc_bits_limbs(uint64_t bits);

#endif /* CALC_INT_H */
