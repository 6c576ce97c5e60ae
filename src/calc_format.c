/*
 * calc_format.c - the calculator engine's one number formatter.
 *
 * Exact integers print in full.  Every other value prints rounded to the
 * session's precision in significant digits, ties to even (as IEEE 754 and
 * mpfr_get_str() with MPFR_RNDN do), without trailing zeros; an exact
 * value whose decimal expansion ends within that precision therefore
 * prints exactly.  Like printf's %g, the notation is scientific when the
 * decimal exponent E of the leading digit is below -6 or at least the
 * precision: 1.5e+40, 1e-7.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calc.h"
#include "calc_int.h"

#define LOG10_2		0.30102999566398119521	/* log10(2) */
#define SCI_BELOW	(-6)	/* smallest E in fixed notation */
#define NUM_SLACK	40	/* sign, point, "0.00000", exponent */

/* Room for the digits of one value: precision digits, a carry, a NUL. */
typedef char digits_t[CALC_PRECISION_MAX + 3];

/* Make room for size bytes in b.  Returns 0, or -1 when memory is out. */
int
calc_buf_reserve(struct calc_buf *b, size_t size)
{
	char *s;

	if (size <= b->cap)
		return (0);
	if ((s = realloc(b->s, size)) == NULL)
		return (-1);
	b->s = s;
	b->cap = size;
	return (0);
}

/*
 * Write the significant digits d[0..n) with decimal exponent e (the value
 * is d[0].d[1]... times 10^e) to b, trailing zeros stripped.  b has room
 * for n + NUM_SLACK bytes.
 */
static void
put_decimal(struct calc_buf *b, int neg, const char *d, size_t n, long e,
    unsigned long prec)
{
	char *o = b->s;
	size_t i;

	while (n > 1 && d[n - 1] == '0')
		n--;
	if (neg)
		*o++ = '-';
	if (e < SCI_BELOW || e >= (long)prec) {
		*o++ = d[0];
		if (n > 1) {
			*o++ = '.';
			memcpy(o, d + 1, n - 1);
			o += n - 1;
		}
		o += sprintf(o, "e%c%lu", e < 0 ? '-' : '+',
		    e < 0 ? 0UL - (unsigned long)e : (unsigned long)e);
	} else if (e < 0) {
		*o++ = '0';
		*o++ = '.';
		for (i = 1; i < (size_t)-e; i++)
			*o++ = '0';
		memcpy(o, d, n);
		o += n;
	} else {
		for (i = 0; i <= (size_t)e; i++)
			*o++ = i < n ? d[i] : '0';
		if (n > (size_t)e + 1) {
			*o++ = '.';
			memcpy(o, d + e + 1, n - e - 1);
			o += n - e - 1;
		}
	}
	*o = '\0';
	b->len = (size_t)(o - b->s);
}

/*
 * Set d to |q| rounded to prec significant digits, ties to even, and *ep
 * to the decimal exponent of the leading digit.  The first guess of the
 * exponent, from the sizes in bits, is off by at most one either way.
 */
static void
rat_digits(char *d, long *ep, mpq_srcptr q, unsigned long prec)
{
	mpz_t n, den, t, r, lo, hi;
	double x;
	long e, k;
	int c;

	mpz_inits(n, den, t, r, lo, hi, NULL);
	x = ((double)mpz_sizeinbase(mpq_numref(q), 2) -
	    (double)mpz_sizeinbase(mpq_denref(q), 2)) * LOG10_2;
	e = (long)x;
	if (x < (double)e)
		e--;
	mpz_ui_pow_ui(hi, 10, prec);
	mpz_ui_pow_ui(lo, 10, prec - 1);
	for (;;) {
		/* t = floor(|q| * 10^k), which has prec digits if e is right */
		k = (long)prec - 1 - e;
		mpz_abs(n, mpq_numref(q));
		mpz_set(den, mpq_denref(q));
		if (k >= 0) {
			mpz_ui_pow_ui(t, 10, (unsigned long)k);
			mpz_mul(n, n, t);
		} else {
			mpz_ui_pow_ui(t, 10, (unsigned long)-k);
			mpz_mul(den, den, t);
		}
		mpz_tdiv_qr(t, r, n, den);
		if (mpz_cmp(t, hi) >= 0)
			e++;
		else if (mpz_cmp(t, lo) < 0)
			e--;
		else
			break;
	}
	mpz_mul_2exp(r, r, 1);
	c = mpz_cmp(r, den);
	if (c > 0 || (c == 0 && mpz_odd_p(t)))
		mpz_add_ui(t, t, 1);
	if (mpz_cmp(t, hi) == 0) {
		mpz_set(t, lo);
		e++;
	}
	mpz_get_str(d, 10, t);
	*ep = e;
	mpz_clears(n, den, t, r, lo, hi, NULL);
}

/*
 * Write the decimal digits of u to d, which has room for 21 bytes, with
 * a NUL.  Returns their number.  snprintf() and mpz_get_str() cost more
 * than the rest of a short line.
 */
static size_t
u64_digits(char *d, uint64_t u)
{
	char t[20];
	size_t n = 0, i;

	do {
		t[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	for (i = 0; i < n; i++)
		d[i] = t[n - 1 - i];
	d[n] = '\0';
	return (n);
}

/* Print a small integer. */
static void
fmt_int(struct calc_buf *b, int64_t i)
{
	char *o = b->s;

	if (i < 0)
		*o++ = '-';
	b->len = (size_t)(o - b->s) +
	    u64_digits(o, i < 0 ? 0 - (uint64_t)i : (uint64_t)i);
}

/*
 * Print the decimal m * 10^-s as rat_digits() and put_decimal() would
 * print its fraction: its digits are exact when there are at most prec of
 * them, else the fraction rounds them.
 */
static void
fmt_dec(struct calc_buf *b, const struct calc_value *v, unsigned long prec)
{
	uint64_t u = v->u.d.m < 0 ? 0 - (uint64_t)v->u.d.m : (uint64_t)v->u.d.m;
	digits_t d;
	size_t n;
	long e;
	mpq_t q;

	n = u64_digits(d, u);
	e = (long)n - 1 - (long)v->u.d.s;
	if (n > prec) {
		mpq_init(q);
		calc_dec_to_q(q, v);
		rat_digits(d, &e, q, prec);
		mpq_clear(q);
		n = strlen(d);
	}
	put_decimal(b, v->u.d.m < 0, d, n, e, prec);
}

/*
 * The fast path of inexact numbers, for limbs of 64 bits without nails:
 * mpfr_get_str() spends some 3000 instructions on 34 digits, most of them
 * estimating the exponent.  A number of k <= REAL_LIMBS limbs L and
 * exponent x is L * 2^(x - 64k); with E its decimal exponent and q =
 * prec - 1 - E, its digits are L * 10^q / 2^(64k - x) rounded to an
 * integer, ties to even, as rat_digits() rounds the same fraction.
 */
#define REAL_LIMBS	4	/* precision up to 256 bits */
#define REAL_DIGITS	37	/* 10^(digits + 1) fits two limbs */
#define REAL_POW_MAX	38	/* 10^q fits two limbs */
#define REAL_TRIES	4	/* guesses of the exponent */

/* Set z[0..2) to 10^q, q <= REAL_POW_MAX. */
static void
pow10_limbs(mp_limb_t *z, unsigned q)
{
	mp_limb_t a = 1, b = 1;
	unsigned i;

	for (i = 0; i < q && i < 19; i++)
		a *= 10;
	for (; i < q; i++)
		b *= 10;
	z[0] = a;
	z[1] = mpn_mul_1(z, z, 1, b);
}

/* Is bit i of the n limbs at z set, or (sticky) any bit below it? */
static int
limb_bit(const mp_limb_t *z, size_t i, int sticky)
{
	size_t w = i / 64, j;
	mp_limb_t mask = (mp_limb_t)1 << (i % 64);

	if (!sticky)
		return ((z[w] & mask) != 0);
	if (z[w] & (mask - 1))
		return (1);
	for (j = 0; j < w; j++)
		if (z[j] != 0)
			return (1);
	return (0);
}

/*
 * Set t[0..2) to floor(L * 10^q / 2^shift) and n to L * 10^q, for the k
 * limbs L.  Returns -1 when the quotient does not fit two limbs.
 */
static int
real_scale(mp_limb_t *t, mp_limb_t *n, const mp_limb_t *l, size_t k,
    unsigned q, size_t shift)
{
	mp_limb_t pw[2], r[REAL_LIMBS + 2];
	size_t off = shift / 64, i, len;

	pow10_limbs(pw, q);
	if (k >= 2)
		mpn_mul(n, l, (mp_size_t)k, pw, 2);
	else
		mpn_mul(n, pw, 2, l, 1);
	len = k + 2 - off;
	if (shift % 64 != 0)
		mpn_rshift(r, n + off, (mp_size_t)len, (unsigned)(shift % 64));
	else
		memcpy(r, n + off, len * sizeof(*r));
	for (i = 2; i < len; i++)
		if (r[i] != 0)
			return (-1);
	t[0] = r[0];
	t[1] = len > 1 ? r[1] : 0;
	return (0);
}

/*
 * Set d to the prec digits of |f|, rounded as rat_digits() rounds, and
 * *ep to the decimal exponent of the first.  Returns -1, d untouched, for
 * numbers too long or too far from 1 for two limbs: mpfr_get_str() then.
 */
static int
real_digits(char *d, long *ep, mpfr_srcptr f, unsigned long prec)
{
	const mp_limb_t *l = mpfr_custom_get_significand(f);
	mp_limb_t n[REAL_LIMBS + 2], t[2], hi[2], lo[2];
	size_t k = ((size_t)mpfr_get_prec(f) + 63) / 64, shift, i, len;
	long x = (long)mpfr_get_exp(f), e, q;
	double g;
	int tries, c;

	if (GMP_NUMB_BITS != 64 || GMP_NAIL_BITS != 0 || k > REAL_LIMBS ||
	    prec > REAL_DIGITS || x >= (long)(64 * k) || x < -1000)
		return (-1);
	shift = (size_t)((long)(64 * k) - x);
	pow10_limbs(hi, (unsigned)prec);
	pow10_limbs(lo, (unsigned)prec - 1);
	/* |f| lies in [2^(x-1), 2^x) */
	g = (double)(x - 1) * LOG10_2;
	e = (long)g;
	if (g < (double)e)
		e--;
	for (tries = 0; ; tries++) {
		q = (long)prec - 1 - e;
		if (tries == REAL_TRIES || q < 0 || q > REAL_POW_MAX ||
		    shift >= 64 * (k + 2))
			return (-1);
		if (real_scale(t, n, l, k, (unsigned)q, shift) == -1 ||
		    mpn_cmp(t, hi, 2) >= 0)
			e++;
		else if (mpn_cmp(t, lo, 2) < 0)
			e--;
		else
			break;
	}
	c = limb_bit(n, shift - 1, 0);
	if (c && (limb_bit(n, shift - 1, 1) || (t[0] & 1))) {
		mpn_add_1(t, t, 2, 1);
		if (mpn_cmp(t, hi, 2) == 0) {
			t[0] = lo[0];
			t[1] = lo[1];
			e++;
		}
	}
	len = mpn_get_str((unsigned char *)d, 10, t, t[1] != 0 ? 2 : 1);
	for (i = 0; i < len; i++)
		d[i] += '0';
	d[len] = '\0';
	*ep = e;
	return (0);
}

/* Print an exact integer in full, unless it has more than max digits. */
static enum calc_fmt
fmt_integer(struct calc_buf *b, mpz_srcptr z, unsigned long max)
{
	size_t n;

	/* mpz_sizeinbase() may be one too big: count the digits printed */
	n = mpz_sizeinbase(z, 10);
	if (n > max + 1)
		return (CALC_FMT_TOO_LARGE);
	if (calc_buf_reserve(b, n + 2) == -1)
		return (CALC_FMT_NOMEM);
	mpz_get_str(b->s, 10, z);
	b->len = strlen(b->s);
	if (b->len - (mpz_sgn(z) < 0) > max)
		return (CALC_FMT_TOO_LARGE);
	return (CALC_FMT_OK);
}

/*
 * The work calc_format() does on v, in the unit of calc.h.  An integer is
 * converted in full.  A fraction n/d is scaled by 10^k, k the digits
 * between the precision and its exponent, and divided, up to three times
 * (the first guess of the exponent may be off by one either way).  An
 * inexact number is converted to prec digits.
 */
static uint64_t
prec_limbs(unsigned long prec)
{
	return (calc_bits_limbs((uint64_t)prec * 3322 / 1000 + 1));
}

/* The bits of n, 1 for 0 as mpz_sizeinbase() counts them. */
static size_t
u64_bits(uint64_t n)
{
	return (n == 0 ? 1 : (size_t)(64 - __builtin_clzll(n)));
}

/*
 * The work of a fraction of n limbs over d, of nb and db bits, in
 * calc_format_work().
 */
static uint64_t
frac_work(size_t n, size_t d, size_t nb, size_t db, unsigned long prec)
{
	size_t k, p = prec_limbs(prec);

	/* 10^k: the bits between the two sizes, and the precision's */
	k = calc_bits_limbs((uint64_t)(nb > db ? nb - db : db - nb) + 64) + p;
	return (3 * (2 * calc_work_mul(k, k) + calc_work_mul(n > d ? n : d, k) +
	    calc_work_div(n + k, d) + calc_work_div(n, d + k)) +
	    calc_work_str(p));
}

uint64_t
calc_format_work(const struct calc_value *v, unsigned long prec)
{
	size_t p = prec_limbs(prec);
	mpz_srcptr num, den;
	uint64_t un, ud;

	if (v->k == CALC_INT)
		return (0);
	if (v->k == CALC_REAL)
		return (32 * calc_work_mul(p, p) + 4096);
	if (v->k == CALC_DEC) {
		calc_dec_frac(v, &un, &ud);
		return (frac_work(calc_u64_limbs(un) + 1, calc_u64_limbs(ud),
		    u64_bits(un), u64_bits(ud), prec));
	}
	num = mpq_numref(v->u.q);
	den = mpq_denref(v->u.q);
	if (mpz_cmp_ui(den, 1) == 0)
		return (calc_work_str(mpz_size(num) + 1));
	return (frac_work(mpz_size(num) + 1, mpz_size(den),
	    mpz_sizeinbase(num, 2), mpz_sizeinbase(den, 2), prec));
}

/*
 * Format v into b.  Returns CALC_FMT_TOO_LARGE for an exact integer of
 * more than max_digits digits; b then holds garbage.
 */
enum calc_fmt
calc_format(struct calc_buf *b, const struct calc_value *v,
    unsigned long prec, unsigned long max_digits)
{
	digits_t d;
	mpfr_exp_t fe;
	long e;

	if (calc_buf_reserve(b, prec + NUM_SLACK) == -1)
		return (CALC_FMT_NOMEM);
	switch (v->k) {
	case CALC_INT:
		fmt_int(b, v->u.i);
		break;
	case CALC_DEC:
		fmt_dec(b, v, prec);
		break;
	case CALC_RAT:
		if (mpz_cmp_ui(mpq_denref(v->u.q), 1) == 0)
			return (fmt_integer(b, mpq_numref(v->u.q),
			    max_digits));
		rat_digits(d, &e, v->u.q, prec);
		put_decimal(b, mpq_sgn(v->u.q) < 0, d, strlen(d), e, prec);
		break;
	case CALC_REAL:
		if (mpfr_zero_p(v->u.f)) {
			strcpy(b->s, "0");	/* also -0 */
			b->len = 1;
			break;
		}
		if (real_digits(d, &e, v->u.f, prec) == 0) {
			put_decimal(b, mpfr_sgn(v->u.f) < 0, d, prec, e, prec);
			break;
		}
		mpfr_get_str(d, &fe, 10, prec, v->u.f, MPFR_RNDN);
		if (d[0] == '-')
			put_decimal(b, 1, d + 1, prec, (long)fe - 1, prec);
		else
			put_decimal(b, 0, d, prec, (long)fe - 1, prec);
		break;
	}
	return (CALC_FMT_OK);
}
