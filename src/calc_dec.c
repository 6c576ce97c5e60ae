/*
 * calc_dec.c - the calculator engine's exact decimals of 64 bits.
 *
 * A decimal that is no integer, with at most 18 places and a mantissa
 * that fits int64_t, is held as m * 10^-s (CALC_DEC, calc_int.h): most
 * of what people type, and their sums, differences, products and exact
 * quotients, computed without GMP nor memory.  Whatever does not fit is
 * refused with -1, and the caller computes it with mpq instead; the two
 * give the same values, so the choice is never seen.
 */
#include <stdint.h>
#include <stdlib.h>

#include "calc.h"
#include "calc_int.h"

#define DEC_SCALE_MAX	18	/* most places; 10^18 < 2^63 */

static const uint64_t tens[DEC_SCALE_MAX + 2] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL
};

static uint64_t
u_abs(int64_t m)
{
	return (m < 0 ? 0 - (uint64_t)m : (uint64_t)m);
}

static uint64_t
gcd_u64(uint64_t a, uint64_t b)
{
	uint64_t t;

	while (b != 0) {
		t = a % b;
		a = b;
		b = t;
	}
	return (a);
}

/*
 * Set r to m * 10^-s in canonical form: an integer when the places are
 * all zeros, else a decimal of at most DEC_SCALE_MAX places whose
 * mantissa does not end in 0.  Returns -1 for what has no such form and
 * for a mantissa of INT64_MIN: mpq's canonical integers stop at 63 bits,
 * and the negation of a decimal must not overflow.
 */
int
calc_dec_make(struct calc_value *r, int64_t m, unsigned s)
{
	if (m == INT64_MIN)
		return (-1);
	while (s > 0 && m % 10 == 0) {
		m /= 10;
		s--;
	}
	if (m == 0)
		s = 0;
	if (s > DEC_SCALE_MAX)
		return (-1);
	if (s == 0) {
		r->k = CALC_INT;
		r->u.i = m;
	} else {
		r->k = CALC_DEC;
		r->u.d.m = m;
		r->u.d.s = s;
	}
	return (0);
}

/* The mantissa and scale of v, an integer or a decimal. */
static void
dec_parts(const struct calc_value *v, int64_t *m, unsigned *s)
{
	if (v->k == CALC_INT) {
		*m = v->u.i;
		*s = 0;
	} else {
		*m = v->u.d.m;
		*s = v->u.d.s;
	}
}

/* *m *= 10^k; returns -1 on overflow. */
static int
scale_up(int64_t *m, unsigned k)
{
	if (k == 0)
		return (0);
	if (k > DEC_SCALE_MAX)
		return (-1);
	return (__builtin_mul_overflow(*m, (int64_t)tens[k], m) ? -1 : 0);
}

/* *n *= b^k for an unsigned *n; returns -1 on overflow. */
static int
mul_pow(uint64_t *n, uint64_t b, unsigned k)
{
	while (k-- > 0)
		if (__builtin_mul_overflow(*n, b, n))
			return (-1);
	return (0);
}

/*
 * Does n / d, d not 0, end after finitely many places?  It does when the
 * part of d prime to 10 divides n: that part is then what the gcd takes
 * out of d, leaving 2^i 5^j.  One division where the gcd takes several,
 * and most quotients people type do not end.
 */
static int
dec_ends(uint64_t n, uint64_t d)
{
	d >>= __builtin_ctzll(d);
	while (d % 5 == 0)
		d /= 5;
	return (d == 1 || n % d == 0);
}

/*
 * r = n / d * 10^-s, negated when neg, for n / d in lowest terms (d not
 * 0): the quotient ends when d is 2^i 5^j, and is then the numerator
 * times 10^max(i,j) / (2^i 5^j), with max(i,j) more places.  Returns 0,
 * or -1 when it does not end or has no CALC_INT or CALC_DEC form.
 */
static inline int
dec_quotient(struct calc_value *r, int neg, uint64_t n, uint64_t d, long s)
{
	unsigned twos = 0, fives = 0, t;

	while (d % 2 == 0) {
		d /= 2;
		twos++;
	}
	while (d % 5 == 0) {
		d /= 5;
		fives++;
	}
	if (d != 1)
		return (-1);
	t = twos > fives ? twos : fives;
	if (mul_pow(&n, 2, t - twos) == -1 || mul_pow(&n, 5, t - fives) == -1)
		return (-1);
	s += (long)t;
	if (s < 0) {
		if (mul_pow(&n, 10, (unsigned)-s) == -1)
			return (-1);
		s = 0;
	}
	if (n > (uint64_t)INT64_MAX || s > 2 * DEC_SCALE_MAX)
		return (-1);
	return (calc_dec_make(r, neg ? -(int64_t)n : (int64_t)n, (unsigned)s));
}

/*
 * a / b, when the quotient ends within DEC_SCALE_MAX places: brought to
 * lowest terms for dec_quotient().  Not inline: its registers would be
 * saved on every decimal operation.
 */
static int NOINLINE
dec_div(struct calc_value *r, int64_t ma, unsigned sa, int64_t mb,
    unsigned sb)
{
	uint64_t n = u_abs(ma), d = u_abs(mb), g;

	if (!dec_ends(n, d))
		return (-1);
	/* coprime, mostly: two divisions saved */
	if ((g = gcd_u64(n, d)) != 1) {
		n /= g;
		d /= g;
	}
	return (dec_quotient(r, (ma < 0) != (mb < 0), n, d,
	    (long)sa - (long)sb));
}

/* dec_quotient(), for a caller that has the lowest terms already. */
int
calc_dec_quotient(struct calc_value *r, int neg, uint64_t n, uint64_t d,
    long s)
{
	return (dec_quotient(r, neg, n, d, s));
}

/*
 * r = a op b for op one of + - * /, a and b integers or decimals (b not
 * 0).  Returns 0, or -1 when the result has no CALC_INT or CALC_DEC form
 * as calc_dec_make() gives it.
 */
int
calc_dec_op(int op, struct calc_value *r, const struct calc_value *a,
    const struct calc_value *b)
{
	int64_t ma, mb, m;
	unsigned sa, sb, s;

	dec_parts(a, &ma, &sa);
	dec_parts(b, &mb, &sb);
	switch (op) {
	case '+':
	case '-':
		s = sa > sb ? sa : sb;
		if (scale_up(&ma, s - sa) == -1 || scale_up(&mb, s - sb) == -1)
			return (-1);
		if (op == '+' ? __builtin_add_overflow(ma, mb, &m) :
		    __builtin_sub_overflow(ma, mb, &m))
			return (-1);
		return (calc_dec_make(r, m, s));
	case '*':
		if (__builtin_mul_overflow(ma, mb, &m))
			return (-1);
		return (calc_dec_make(r, m, sa + sb));
	case '/':
		return (dec_div(r, ma, sa, mb, sb));
	default:
		return (-1);
	}
}

/*
 * r = a^k for a decimal a, when m^k fits and k s places are at most
 * DEC_SCALE_MAX; else -1.  As m does not end in 0, neither does m^k.
 */
int
calc_dec_pow(struct calc_value *r, const struct calc_value *a, unsigned k)
{
	int64_t m = 1;
	unsigned i;

	if (k > DEC_SCALE_MAX || a->u.d.s * k > DEC_SCALE_MAX)
		return (-1);
	for (i = 0; i < k; i++)
		if (__builtin_mul_overflow(m, a->u.d.m, &m))
			return (-1);
	return (calc_dec_make(r, m, a->u.d.s * k));
}

/*
 * The canonical fraction of the decimal v, as mpq holds it: |m| / 10^s
 * divided by their gcd, which is 2^i or 5^j as m does not end in 0.
 */
void
calc_dec_frac(const struct calc_value *v, uint64_t *num, uint64_t *den)
{
	uint64_t n = u_abs(v->u.d.m), d = tens[v->u.d.s];
	unsigned k;

	for (k = 0; k < v->u.d.s && n % 2 == 0; k++) {
		n /= 2;
		d /= 2;
	}
	for (k = 0; k < v->u.d.s && n % 5 == 0; k++) {
		n /= 5;
		d /= 5;
	}
	*num = n;
	*den = d;
}

/*
 * The limbs of the canonical fraction of the decimal v, as calc.c counts
 * them.  With limbs of 64 bits, both fit one.
 */
void
calc_dec_limbs(const struct calc_value *v, size_t *n, size_t *d)
{
	uint64_t num, den;

	if (GMP_NUMB_BITS >= 64) {
		*n = *d = 1;
		return;
	}
	calc_dec_frac(v, &num, &den);
	*n = calc_u64_limbs(num);
	*d = calc_u64_limbs(den);
}

/* Limbs of GMP for n, at least 1 as calc.c counts them. */
size_t
calc_u64_limbs(uint64_t n)
{
#if GMP_NUMB_BITS >= 64
	(void)n;
	return (1);
#else
	size_t l = 1;

	while ((n >>= GMP_NUMB_BITS) != 0)
		l++;
	return (l);
#endif
}

static void
z_set_u64(mpz_ptr z, uint64_t u)
{
	mpz_import(z, 1, 1, sizeof(u), 0, 0, &u);
}

/* Set q, initialised, to the decimal v. */
void
calc_dec_to_q(mpq_ptr q, const struct calc_value *v)
{
	uint64_t num, den;

	calc_dec_frac(v, &num, &den);
	z_set_u64(mpq_numref(q), num);
	if (v->u.d.m < 0)
		mpz_neg(mpq_numref(q), mpq_numref(q));
	z_set_u64(mpq_denref(q), den);
}

/* The value of the digit c, or 10 or more when c is no digit. */
static unsigned
digit(char c)
{
	return ((unsigned)(unsigned char)c - '0');
}

/*
 * Read the digits around a point at the start of s[0..n) into v as
 * push_decimal() in calc.c would read them as a literal: the integer or
 * decimal they are.  Returns the bytes read, up to the first that is
 * neither a digit nor the first point, or 0 when there is no digit or
 * more than 18.
 */
size_t
calc_dec_scan(const char *s, size_t n, struct calc_value *v)
{
	uint64_t m = 0;
	size_t i = 0, nd, places = 0, zeros = 0;

	/* past 18 digits m wraps, but is then not used */
	for (; i < n && digit(s[i]) <= 9; i++)
		m = m * 10 + digit(s[i]);
	nd = i;
	if (i < n && s[i] == '.') {
		for (i++; i < n && digit(s[i]) <= 9; i++)
			m = m * 10 + digit(s[i]);
		places = i - nd - 1;
		nd += places;
	}
	if (nd == 0 || nd > DEC_SCALE_MAX)
		return (0);
	while (zeros < places && m % 10 == 0) {
		m /= 10;
		zeros++;
	}
	if (zeros == places) {
		v->k = CALC_INT;
		v->u.i = (int64_t)m;
	} else {
		v->k = CALC_DEC;
		v->u.d.m = (int64_t)m;
		v->u.d.s = (unsigned)(places - zeros);
	}
	return (i);
}
