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

/* "00" to "99": two digits per division. */
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

/*
 * Write the decimal digits of u to d, which has room for 21 bytes, with
 * a NUL.  Returns their number.  snprintf() and mpz_get_str() cost more
 * than the rest of a short line; two digits per division halve the rest.
 */
static size_t
u64_digits(char *d, uint64_t u)
{
	char t[20], *o = t + sizeof(t);
	size_t n;

	while (u >= 100) {
		o -= 2;
		memcpy(o, digit_pairs + 2 * (u % 100), 2);
		u /= 100;
	}
	if (u >= 10) {
		o -= 2;
		memcpy(o, digit_pairs + 2 * u, 2);
	} else
		*--o = (char)('0' + u);
	n = (size_t)(t + sizeof(t) - o);
	memcpy(d, o, n);
	d[n] = '\0';
	return (n);
}

#define TEN18	1000000000000000000ULL	/* the digits of one step */

/*
 * The next 18 digits of a fraction by long division: floor(*r * 10^18 /
 * den), *r < den, and *r the remainder.  The quotient fits 64 bits, so a
 * single divq does it on x86-64, where the C of 128 bits calls
 * __udivti3 for the general case.
 */
static uint64_t
div_step(uint64_t *r, uint64_t den)
{
	unsigned __int128 t = (unsigned __int128)*r * TEN18;
	uint64_t q;

#if defined(__x86_64__) && defined(__GNUC__)
	uint64_t hi = (uint64_t)(t >> 64), lo = (uint64_t)t;

	__asm__("divq %4" : "=a"(q), "=d"(*r) : "a"(lo), "d"(hi), "rm"(den));
#else
	q = (uint64_t)(t / den);
	*r = (uint64_t)(t - (unsigned __int128)q * den);
#endif
	return (q);
}

/*
 * Write the 9 digits of u < 10^9 to d, leading zeros kept, no NUL, by
 * multiplications only: t is u / 10^8 in fixed point with 57 bits after
 * the point (the factor 2^57 / 10^8 rounded up), its integer part the
 * first digit; each product of the fraction by 100 brings the next two
 * into the integer part.  The error stays below one unit of the 8th
 * place for every u < 10^9, which was checked against the digits of
 * division, all of them.
 */
static void
put_digits9(char *d, uint32_t u)
{
	const uint64_t frac = ((uint64_t)1 << 57) - 1;
	uint64_t t = (uint64_t)u * 1441151881U;

	d[0] = (char)('0' + (t >> 57));
	t = (t & frac) * 100;
	memcpy(d + 1, digit_pairs + 2 * (t >> 57), 2);
	t = (t & frac) * 100;
	memcpy(d + 3, digit_pairs + 2 * (t >> 57), 2);
	t = (t & frac) * 100;
	memcpy(d + 5, digit_pairs + 2 * (t >> 57), 2);
	t = (t & frac) * 100;
	memcpy(d + 7, digit_pairs + 2 * (t >> 57), 2);
}

/*
 * Write the 18 digits of u < 10^18 to d, leading zeros kept, no NUL: two
 * halves of 9, where two digits a division by 100 cost three times as
 * many instructions (half of a line such as 1/7).
 */
static void
put_digits18(char *d, uint64_t u)
{
	uint64_t hi = u / 1000000000U;

	put_digits9(d, (uint32_t)hi);
	put_digits9(d + 9, (uint32_t)(u - hi * 1000000000U));
}

/* Write the 19 digits of u < 10^19 to d, leading zeros kept, and a NUL. */
static size_t
fixed19(char *d, uint64_t u)
{
	char t[21];
	size_t n = u64_digits(t, u);

	memset(d, '0', 19 - n);
	memcpy(d + 19 - n, t, n + 1);
	return (19);
}

/*
 * Write the decimal digits of u to d, which has room for 40 bytes, with a
 * NUL, by two divisions by 10^19 in 128-bit arithmetic; return their
 * number.
 */
static size_t
u128_digits(char *d, unsigned __int128 u)
{
	const uint64_t e19 = 10000000000000000000ULL;
	uint64_t lo, mid, hi;
	char *o = d;

	lo = (uint64_t)(u % e19);
	u /= e19;
	mid = (uint64_t)(u % e19);
	hi = (uint64_t)(u / e19);
	if (hi > 0) {
		o += u64_digits(o, hi);
		o += fixed19(o, mid);
		o += fixed19(o, lo);
	} else if (mid > 0) {
		o += u64_digits(o, mid);
		o += fixed19(o, lo);
	} else
		o += u64_digits(o, lo);
	return ((size_t)(o - d));
}

/*
 * rat_digits() for a fraction n/den of 64-bit numerator and denominator,
 * by long division in 128-bit arithmetic, 18 digits a step, without GMP:
 * the significant digits, one more, and whether a remainder is left
 * decide the rounding exactly.  Returns -1, d untouched, for a larger
 * fraction.
 */
static int
small_rat_digits(char *d, long *ep, mpq_srcptr q, unsigned long prec)
{
	char buf[CALC_PRECISION_MAX + 48];
	uint64_t n, den, r;
	size_t len = 0, i;
	long e;
	int up;

	if (GMP_NUMB_BITS != 64 || mpz_size(mpq_numref(q)) != 1 ||
	    mpz_size(mpq_denref(q)) != 1)
		return (-1);
	n = mpz_getlimbn(mpq_numref(q), 0);
	den = mpz_getlimbn(mpq_denref(q), 0);
	r = n % den;
	if (n / den > 0) {
		len = u64_digits(buf, n / den);
		e = (long)len - 1;
	} else {
		/* the zeros after the point, then the first digit */
		for (e = -1; (unsigned __int128)r * 10 < den; e--)
			r *= 10;
	}
	while (len <= prec) {
		put_digits18(buf + len, div_step(&r, den));
		len += 18;
	}
	/* buf[prec] is the first digit dropped; past it, the sticky rest */
	up = buf[prec] > '5';
	if (buf[prec] == '5') {
		for (i = prec + 1; i < len && buf[i] == '0'; i++)
			continue;
		up = i < len || r != 0 || ((buf[prec - 1] - '0') & 1);
	}
	buf[prec] = '\0';
	if (up) {
		for (i = prec; i-- > 0 && buf[i] == '9'; )
			buf[i] = '0';
		if (i == (size_t)-1) {
			buf[0] = '1';
			e++;
		} else
			buf[i]++;
	}
	memcpy(d, buf, prec + 1);
	*ep = e;
	return (0);
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
 * Write the n digits d of a decimal of s places, n <= prec and s - n <= 5,
 * as put_decimal() writes them: in fixed notation, the point inside or
 * before them, none of them a trailing zero.  The commonest answer to a
 * decimal, without put_decimal()'s general loops.
 */
static void
put_dec_fixed(struct calc_buf *b, int neg, const char *d, size_t n,
    size_t s)
{
	char *o = b->s;

	if (neg)
		*o++ = '-';
	if (n > s) {
		memcpy(o, d, n - s);
		o += n - s;
		*o++ = '.';
	} else {
		*o++ = '0';
		*o++ = '.';
		memset(o, '0', s - n);
		o += s - n;
	}
	memcpy(o, d + (n > s ? n - s : 0), n > s ? s : n);
	o += n > s ? s : n;
	*o = '\0';
	b->len = (size_t)(o - b->s);
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
	/* at least the scientific notation's smallest exponent */
	if (n <= prec && e >= SCI_BELOW) {
		put_dec_fixed(b, v->u.d.m < 0, d, n, v->u.d.s);
		return;
	}
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

/* 10^q for q <= REAL_POW_MAX, as two limbs of 64 bits, low first. */
static const uint64_t pow10_table[REAL_POW_MAX + 1][2] = {
	{ 0x0000000000000001ULL, 0x0000000000000000ULL },	/* 10^0 */
	{ 0x000000000000000aULL, 0x0000000000000000ULL },	/* 10^1 */
	{ 0x0000000000000064ULL, 0x0000000000000000ULL },	/* 10^2 */
	{ 0x00000000000003e8ULL, 0x0000000000000000ULL },	/* 10^3 */
	{ 0x0000000000002710ULL, 0x0000000000000000ULL },	/* 10^4 */
	{ 0x00000000000186a0ULL, 0x0000000000000000ULL },	/* 10^5 */
	{ 0x00000000000f4240ULL, 0x0000000000000000ULL },	/* 10^6 */
	{ 0x0000000000989680ULL, 0x0000000000000000ULL },	/* 10^7 */
	{ 0x0000000005f5e100ULL, 0x0000000000000000ULL },	/* 10^8 */
	{ 0x000000003b9aca00ULL, 0x0000000000000000ULL },	/* 10^9 */
	{ 0x00000002540be400ULL, 0x0000000000000000ULL },	/* 10^10 */
	{ 0x000000174876e800ULL, 0x0000000000000000ULL },	/* 10^11 */
	{ 0x000000e8d4a51000ULL, 0x0000000000000000ULL },	/* 10^12 */
	{ 0x000009184e72a000ULL, 0x0000000000000000ULL },	/* 10^13 */
	{ 0x00005af3107a4000ULL, 0x0000000000000000ULL },	/* 10^14 */
	{ 0x00038d7ea4c68000ULL, 0x0000000000000000ULL },	/* 10^15 */
	{ 0x002386f26fc10000ULL, 0x0000000000000000ULL },	/* 10^16 */
	{ 0x016345785d8a0000ULL, 0x0000000000000000ULL },	/* 10^17 */
	{ 0x0de0b6b3a7640000ULL, 0x0000000000000000ULL },	/* 10^18 */
	{ 0x8ac7230489e80000ULL, 0x0000000000000000ULL },	/* 10^19 */
	{ 0x6bc75e2d63100000ULL, 0x0000000000000005ULL },	/* 10^20 */
	{ 0x35c9adc5dea00000ULL, 0x0000000000000036ULL },	/* 10^21 */
	{ 0x19e0c9bab2400000ULL, 0x000000000000021eULL },	/* 10^22 */
	{ 0x02c7e14af6800000ULL, 0x000000000000152dULL },	/* 10^23 */
	{ 0x1bcecceda1000000ULL, 0x000000000000d3c2ULL },	/* 10^24 */
	{ 0x161401484a000000ULL, 0x0000000000084595ULL },	/* 10^25 */
	{ 0xdcc80cd2e4000000ULL, 0x000000000052b7d2ULL },	/* 10^26 */
	{ 0x9fd0803ce8000000ULL, 0x00000000033b2e3cULL },	/* 10^27 */
	{ 0x3e25026110000000ULL, 0x00000000204fce5eULL },	/* 10^28 */
	{ 0x6d7217caa0000000ULL, 0x00000001431e0faeULL },	/* 10^29 */
	{ 0x4674edea40000000ULL, 0x0000000c9f2c9cd0ULL },	/* 10^30 */
	{ 0xc0914b2680000000ULL, 0x0000007e37be2022ULL },	/* 10^31 */
	{ 0x85acef8100000000ULL, 0x000004ee2d6d415bULL },	/* 10^32 */
	{ 0x38c15b0a00000000ULL, 0x0000314dc6448d93ULL },	/* 10^33 */
	{ 0x378d8e6400000000ULL, 0x0001ed09bead87c0ULL },	/* 10^34 */
	{ 0x2b878fe800000000ULL, 0x0013426172c74d82ULL },	/* 10^35 */
	{ 0xb34b9f1000000000ULL, 0x00c097ce7bc90715ULL },	/* 10^36 */
	{ 0x00f436a000000000ULL, 0x0785ee10d5da46d9ULL },	/* 10^37 */
	{ 0x098a224000000000ULL, 0x4b3b4ca85a86c47aULL },	/* 10^38 */
};

/*
 * Set z[0..2) to 10^q, q <= REAL_POW_MAX: a table, as the powers are
 * wanted three or four times for every inexact answer.
 */
static void
pow10_limbs(mp_limb_t *z, unsigned q)
{
	z[0] = (mp_limb_t)pow10_table[q][0];
	z[1] = (mp_limb_t)pow10_table[q][1];
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
	size_t k = ((size_t)mpfr_get_prec(f) + 63) / 64, shift;
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
	/* t < 10^37 < 2^128: no mpn_get_str() */
	u128_digits(d, (unsigned __int128)t[1] << 64 | t[0]);
	*ep = e;
	return (0);
}

/*
 * Set d to the prec digits of |x|, an end of an interval, rounded as
 * rat_digits() rounds, *ep to the decimal exponent of the first and *neg
 * to its sign; d is "" for 0.
 */
static void
end_digits(char *d, long *ep, int *neg, mpfr_srcptr x, unsigned long prec)
{
	mpfr_exp_t fe;

	*neg = mpfr_sgn(x) < 0;
	*ep = 0;
	if (mpfr_zero_p(x)) {
		d[0] = '\0';
		return;
	}
	if (real_digits(d, ep, x, prec) == 0)
		return;
	mpfr_get_str(d, &fe, 10, prec, x, MPFR_RNDN);
	if (d[0] == '-')
		memmove(d, d + 1, prec + 1);
	*ep = (long)fe - 1;
}

/*
 * Format the interval f, which holds the true value: when its ends round
 * to the same digits, so does every number between them, the true value
 * too; else the rounding is undecided at this precision.
 */
static enum calc_fmt
fmt_real(struct calc_buf *b, mpfi_srcptr f, unsigned long prec)
{
	digits_t lo, hi;
	long elo, ehi;
	int nlo, nhi;

	end_digits(lo, &elo, &nlo, REAL_LO(f), prec);
	end_digits(hi, &ehi, &nhi, REAL_HI(f), prec);
	if (elo != ehi || (nlo != nhi && lo[0] != '\0') || strcmp(lo, hi) != 0)
		return (CALC_FMT_UNDECIDED);
	if (lo[0] == '\0') {
		strcpy(b->s, "0");	/* also -0 */
		b->len = 1;
	} else
		put_decimal(b, nlo, lo, prec, elo, prec);
	return (CALC_FMT_OK);
}

/*
 * Print an integer of at most two 64-bit limbs, |z| < 2^128: mpz_get_str()
 * costs more than the rest of a line such as 2^99.  b has room for 41
 * bytes.
 */
static void
fmt_u128(struct calc_buf *b, mpz_srcptr z)
{
	unsigned __int128 u = mpz_getlimbn(z, 0);
	char *o = b->s;

	if (mpz_size(z) == 2)
		u |= (unsigned __int128)mpz_getlimbn(z, 1) << 64;
	if (mpz_sgn(z) < 0)
		*o++ = '-';
	o += u128_digits(o, u);
	b->len = (size_t)(o - b->s);
}

/* Print an exact integer in full, unless it has more than max digits. */
static enum calc_fmt
fmt_integer(struct calc_buf *b, mpz_srcptr z, unsigned long max)
{
	size_t n;

	if (GMP_NUMB_BITS == 64 && GMP_NAIL_BITS == 0 && mpz_size(z) <= 2) {
		if (calc_buf_reserve(b, 48) == -1)
			return (CALC_FMT_NOMEM);
		fmt_u128(b, z);
		return (b->len - (mpz_sgn(z) < 0) > max ? CALC_FMT_TOO_LARGE :
		    CALC_FMT_OK);
	}
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
		return (2 * (32 * calc_work_mul(p, p) + 4096));
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
	long e;

	if (b->cap < prec + NUM_SLACK &&
	    calc_buf_reserve(b, prec + NUM_SLACK) == -1)
		return (CALC_FMT_NOMEM);
	switch (v->k) {
	case CALC_INT:
		fmt_int(b, v->u.i);
		break;
	case CALC_DEC:
		fmt_dec(b, v, prec);
		break;
	case CALC_RAT:
		if (q_den_is_one(v->u.q))
			return (fmt_integer(b, mpq_numref(v->u.q),
			    max_digits));
		/* either gives prec digits exactly */
		if (small_rat_digits(d, &e, v->u.q, prec) == -1)
			rat_digits(d, &e, v->u.q, prec);
		put_decimal(b, mpq_sgn(v->u.q) < 0, d, prec, e, prec);
		break;
	case CALC_REAL:
		return (fmt_real(b, v->u.f, prec));
	}
	return (CALC_FMT_OK);
}
