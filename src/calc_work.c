/*
 * calc_work.c - the calculator engine's work model: what each operation
 * costs, estimated before it is done.
 *
 * Before each operation on multi-limb numbers, the evaluation charges an
 * estimate of its cost, from the sizes of its operands, to its budget
 * (lim.max_work), and fails with "expression too costly" when the
 * estimate would pass it (charge(), calc_int.h); small integers cost
 * nothing.  The unit is about a nanosecond: the estimates are upper
 * bounds, mostly within four times, of the times GMP 6.2 and MPFR 4.2
 * took on an x86-64 core, measured from 1 to 65536 limbs and up to 1000
 * digits of precision.  Where the cost depends on more than the sizes
 * (MPFR's retries when a result is hard to round), the operation either
 * avoids that (calc_val_to_wp(), real_pow_z() in calc_arith.c) or probes
 * before charging (trig_close() in calc_func.c).  Sizes are in limbs.
 */
#include <stdint.h>

#include <gmp.h>
#include <mpfr.h>

#include "calc.h"
#include "calc_int.h"

#define FN_LINEAR	256	/* limbs up to which an MPFR function is linear */

static uint64_t
isqrt(uint64_t n)
{
	uint64_t x = n, y = (n + 1) / 2;

	while (y < x) {
		x = y;
		y = (x + n / x) / 2;
	}
	return (x);
}

/* Limbs of a decimal of d digits. */
static size_t
digit_limbs(uint64_t d)
{
	return (calc_bits_limbs(d * 3322 / 1000 + 1));
}

/*
 * Multiplying numbers of a and b limbs: schoolbook up to 64 limbs of the
 * shorter one, then about n^1.5 (Karatsuba and Toom) for each slice of
 * the longer one.  FFT, past some 5000 limbs, does better than that.
 */
uint64_t
calc_work_mul(size_t a, size_t b)
{
	uint64_t lo = a < b ? a : b, hi = a < b ? b : a;

	if (lo <= 64)
		return (lo * hi);
	return (8 * hi * isqrt(lo));
}

/* Dividing n limbs by d limbs: about three products of the quotient by d. */
uint64_t
calc_work_div(size_t n, size_t d)
{
	if (n < d)
		return (n + d);
	return (3 * calc_work_mul(n - d + 1, d) + 6 * (uint64_t)n);
}

/* Converting an integer of n limbs to decimal, or from it. */
uint64_t
calc_work_str(size_t n)
{
	return (2 * calc_work_mul(n, n) + 64 * (uint64_t)n);
}

/*
 * The gcd of numbers of a and b limbs: a division, then Lehmer's
 * quadratic algorithm, or the half-gcd, M(n) log n, past some 1000 limbs.
 * The lcm and mpq's canonical forms cost the same.
 */
uint64_t
calc_work_gcd(size_t a, size_t b)
{
	uint64_t lo = a < b ? a : b, hi = a < b ? b : a, q, h;

	q = 6 * lo * lo;
	h = 3 * lg(lo) * calc_work_mul(lo, lo);
	return (calc_work_div(hi, lo) + (q < h ? q : h) + 256 * lo);
}

/* A power, a factorial or a root of r limbs: a few products of r limbs. */
uint64_t
calc_work_pow(size_t r)
{
	return (2 * calc_work_mul(r, r) + 1024);
}

/*
 * An MPFR function at the working precision, Ziv's retries included:
 * linear up to FN_LINEAR limbs (16000 digits), then growing with the
 * square, above sin, exp and log measured up to 108800 bits (1701 limbs:
 * 96 ms for sin), which the retries of an undecided line reach.
 */
uint64_t
calc_work_fn(const struct calc_session *s)
{
	return (calc_work_fn_prec((uint64_t)s->wp));
}

/* ... at prec bits. */
uint64_t
calc_work_fn_prec(uint64_t prec)
{
	uint64_t n = calc_bits_limbs(prec) + 2;

	if (n > FN_LINEAR)
		return (WORK_FN * n * n / FN_LINEAR);
	return (WORK_FN * n);
}

/*
 * sin, cos and tan of a number of r bits before the point: MPFR reduces it
 * modulo pi with pi to some r + wp bits, twice when its cache of pi falls
 * short.  trig_close() costs the same.
 */
uint64_t
calc_work_trig(const struct calc_session *s, uint64_t r)
{
	size_t n = calc_bits_limbs(r + (uint64_t)s->wp + 64);

	if (r <= (uint64_t)s->wp)
		return (0);
	return (WORK_TRIG * lg(n) * calc_work_mul(n, n));
}

/*
 * ... and when the number lies within 2^-TRIG_CLOSE of a multiple of pi/2:
 * with c the bits lost to cancellation, MPFR retries with pi to r + c bits
 * and computes the function at c bits, as many times as it takes to find
 * c.  For the numerator of a convergent of pi, c is about r: the sine of
 * one of 1000 digits took 6 ms, of 10000 digits 80 ms.
 */
uint64_t
calc_work_trig_close(uint64_t r)
{
	return (WORK_CLOSE * r * isqrt(r));
}

/* Limbs of v: numerator and denominator, or mantissa. */
static size_t
val_limbs(const struct calc_value *v)
{
	size_t n, d;

	if (v->k == CALC_DEC) {
		calc_dec_limbs(v, &n, &d);
		return (n + d);
	}
	if (v->k == CALC_RAT)
		return (q_limbs(v->u.q));
	if (v->k == CALC_REAL)
		return (2 * calc_bits_limbs((uint64_t)mpfi_get_prec(v->u.f)));
	return (1);
}

/* Copying or converting v: linear, with the allocation. */
uint64_t
calc_work_copy(const struct calc_value *v)
{
	return (WORK_LIMB * val_limbs(v));
}

/* Limbs of v once calc_val_to_f() made it inexact: all of an integer's. */
static size_t
val_f_limbs(const struct calc_session *s, const struct calc_value *v)
{
	size_t n = calc_bits_limbs((uint64_t)s->wp);

	long mag;

	if (v->k == CALC_RAT && val_is_int(v) &&
	    z_limbs(mpq_numref(v->u.q)) > n)
		return (z_limbs(mpq_numref(v->u.q)));
	if (v->k == CALC_RAT && !val_is_int(v)) {
		/* the bits of the integer part on top, calc_val_to_f_at() */
		mag = (long)mpz_sizeinbase(mpq_numref(v->u.q), 2) -
		    (long)mpz_sizeinbase(mpq_denref(v->u.q), 2) + 1;
		if (mag > 0)
			return (calc_bits_limbs((uint64_t)s->wp +
			    (uint64_t)mag));
	}
	return (v->k == CALC_REAL ? val_limbs(v) : n);
}

/* mpfr_sqrt or mpfr_cbrt of v, which reads all the bits of an integer. */
uint64_t
calc_work_froot(const struct calc_session *s, const struct calc_value *v)
{
	size_t w = calc_bits_limbs((uint64_t)s->wp);

	return (calc_work_copy(v) +
	    8 * calc_work_div(val_f_limbs(s, v) + w, w) + WORK_ROOT);
}

/*
 * The exact a op b, op one of + - * / %, from what mpq does: gcds of the
 * denominators (+ -) or across (* /), products, and for % a division, a
 * truncation and a product more.  With integers, the gcds are of 1.
 */
static uint64_t
work_qop(int op, size_t na, size_t da, size_t nb, size_t db)
{
	uint64_t w = WORK_LIMB * (na + da + nb + db);

	if (op == '+' || op == '-')
		return (w + calc_work_gcd(da, db) +
		    calc_work_gcd(na + db > nb + da ? na + db : nb + da,
		    da < db ? da : db) +
		    calc_work_mul(na, db) + calc_work_mul(nb, da) +
		    calc_work_mul(da, db));
	if (op == '*')
		return (w + calc_work_gcd(na, db) + calc_work_gcd(nb, da) +
		    calc_work_mul(na, nb) + calc_work_mul(da, db));
	w += calc_work_gcd(na, nb) + calc_work_gcd(da, db) +
	    calc_work_mul(na, db) + calc_work_mul(nb, da);
	if (op == '/')
		return (w);
	return (3 * w + calc_work_div(na + db, da + nb));
}

/* The limbs of the numerator and denominator of v, exact, as mpq has them. */
void
calc_q_sizes(const struct calc_value *v, size_t *n, size_t *d)
{
	if (v->k == CALC_INT) {
		*n = calc_u64_limbs(v->u.i < 0 ? 0 - (uint64_t)v->u.i :
		    (uint64_t)v->u.i);
		*d = 1;
	} else if (v->k == CALC_DEC)
		calc_dec_limbs(v, n, d);
	else {
		*n = z_limbs(mpq_numref(v->u.q));
		*d = z_limbs(mpq_denref(v->u.q));
	}
}

/* The exact a op b as work_qop() counts it. */
uint64_t
calc_work_vop(int op, const struct calc_value *a, const struct calc_value *b)
{
	size_t na, da, nb, db;

	calc_q_sizes(a, &na, &da);
	calc_q_sizes(b, &nb, &db);
	return (work_qop(op, na, da, nb, db));
}

/* Comparing a and b as calc_val_cmp() does: mpq and mpfr_cmp_q multiply. */
uint64_t
calc_work_cmp(const struct calc_value *a, const struct calc_value *b)
{
	size_t da = a->k == CALC_RAT ? z_limbs(mpq_denref(a->u.q)) : 1;
	size_t db = b->k == CALC_RAT ? z_limbs(mpq_denref(b->u.q)) : 1;

	return (calc_work_mul(val_limbs(a), db) +
	    calc_work_mul(val_limbs(b), da) + calc_work_copy(a) +
	    calc_work_copy(b));
}

/*
 * The inexact a op b: converting the operands (an integer keeps all its
 * bits), then one MPFR operation; fmod finds the remainder of numbers of
 * any exponents by modular powers of two.
 */
uint64_t
calc_work_fop(const struct calc_session *s, int op, const struct calc_value *a,
    const struct calc_value *b)
{
	size_t la = val_f_limbs(s, a), lb = val_f_limbs(s, b);
	uint64_t w = calc_work_copy(a) + calc_work_copy(b);

	if (op == '+' || op == '-')
		return (w + la + lb);
	if (op == '*')
		return (w + calc_work_mul(la, lb));
	if (op == '/')
		return (w + calc_work_div(la + lb, lb));
	return (w + calc_work_div(la + lb, lb) + calc_work_fn(s) / 4);
}

/*
 * mpfr_gamma(x + 1) for an inexact integer x >= 0: the product, when x!
 * has at most wp bits (x log2 x bounds them), else an asymptotic series
 * whose cost grows with the square of the precision (1000! to 1000 digits
 * took 19 ms).
 */
uint64_t
calc_work_gamma(const struct calc_session *s, mpfr_srcptr x)
{
	uint64_t n, wl = calc_bits_limbs((uint64_t)s->wp);

	if (mpfr_cmp_ui(x, 1UL << 20) < 0) {
		n = mpfr_get_ui(x, MPFR_RNDN);
		if (n * lg(n) <= (uint64_t)s->wp)
			return (calc_work_fn(s));
	}
	return (WORK_GAMMA * wl * wl + 8 * WORK_FN);
}

/* The next step of gcd or lcm: g op x. */
uint64_t
calc_work_gcd_step(const struct func *f, mpz_srcptr g, mpz_srcptr x)
{
	size_t ng = z_limbs(g), nx = z_limbs(x);

	if (f->id == F_GCD)
		return (calc_work_gcd(ng, nx));
	return (calc_work_gcd(ng, nx) + calc_work_mul(ng, nx) +
	    calc_work_div(ng + nx, ng < nx ? ng : nx));
}

/*
 * The exact M * 10^x, M of m digits: reading M, a power of ten, then a
 * product, or for x < 0 the gcd that makes the fraction canonical.
 */
uint64_t
calc_work_literal(size_t m, long long x)
{
	size_t lm = digit_limbs(m);
	size_t lx = digit_limbs((uint64_t)(x < 0 ? -x : x));

	return (calc_work_str(lm) + calc_work_pow(lx) + (x >= 0 ?
	    calc_work_mul(lm, lx) : calc_work_gcd(lm, lx)));
}

/* The decimal digits of |m|, its significant digits as literals count. */
static size_t
lg10(int64_t m)
{
	uint64_t u = m < 0 ? 0 - (uint64_t)m : (uint64_t)m;
	size_t n = 1;

	while (u >= 10) {
		u /= 10;
		n++;
	}
	return (n);
}

/*
 * The charge of a decimal literal that lex() read, as push_decimal()'s,
 * when limbs are short of 64 bits (work_dec_literal(), calc_int.h).
 */
uint64_t
calc_work_dec_literal(const struct calc_dec *d)
{
	return (calc_work_literal(lg10(d->m), -(long long)d->s));
}

/*
 * Fill s->ws from the general estimates, for limbs of 64 bits: an integer
 * or a decimal is then one limb over one, a decimal literal lex() read has
 * at most 18 digits and 18 places (one limb each, as digit_limbs() counts
 * them), and formatting a decimal scales it by 10^k with k of two limbs
 * plus the precision's, whatever its bits (frac_work() in calc_format.c).
 */
void
calc_work_init(struct calc_session *s)
{
	static const char ops[] = "+-*/%";
	struct work_small *ws = &s->ws;
	struct calc_value d;
	size_t i, w = calc_bits_limbs((uint64_t)s->wp);

	for (i = 0; i < sizeof(ws->op) / sizeof(ws->op[0]); i++)
		ws->op[i] = work_qop(ops[i], 1, 1, 1, 1);
	ws->dec = calc_work_literal(18, -18);
	d.k = CALC_DEC;
	d.u.d.m = 5;
	d.u.d.s = 1;
	ws->fmt = calc_format_work(&d, s->lim.precision);
	ws->sqrt = calc_work_pow(2);
	ws->root = WORK_LIMB * 2 + 8 * calc_work_div(w + w, w) + WORK_ROOT;
}
