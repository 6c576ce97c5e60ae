/*
 * calc_arith.c - the calculator engine's values and operators.
 *
 * Values are small integers (int64_t), decimals (calc_dec.c), exact
 * rationals (mpq_t) or inexact reals (mpfr_t at the working precision);
 * see calc_int.h.  Every operation estimates the size of an exact result
 * before computing it: no exact number ever exceeds twice the size limit,
 * even transiently.  It also estimates its cost and charges it to the
 * evaluation's budget of work before doing it (calc_work.c).
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include <gmp.h>
#include <mpfr.h>

#include "calc.h"
#include "calc_int.h"

#define ROOT_MAX	64	/* largest q of an exact x^(p/q) */
#define POW_SLACK	64	/* exponent bits past the base's precision */

/*
 * Values.
 */

/*
 * Make v a real, an interval of prec bits of any value.  The interval
 * lives on the heap, so that a value stays as small as a rational (the
 * stack of values copies them); like GMP's, a failed allocation aborts.
 */
void
calc_real_new(struct calc_value *v, mpfr_prec_t prec)
{
	if ((v->u.f = malloc(sizeof(*v->u.f))) == NULL)
		abort();
	mpfi_init2(v->u.f, prec);
	v->k = CALC_REAL;
}

/* Free the interval of a real. */
void
calc_real_free(mpfi_ptr f)
{
	mpfi_clear(f);
	free(f);
}

static void
z_set_i64(mpz_ptr z, int64_t i)
{
	uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;

	mpz_import(z, 1, 1, sizeof(u), 0, 0, &u);
	if (i < 0)
		mpz_neg(z, z);
}

/* Set *i to z and return 0, or return -1 when z needs more than 63 bits. */
static int
z_get_i64(mpz_srcptr z, int64_t *i)
{
	uint64_t u = 0;

	if (mpz_sizeinbase(z, 2) > 63)
		return (-1);
	mpz_export(&u, NULL, 1, sizeof(u), 0, 0, z);
	*i = mpz_sgn(z) < 0 ? -(int64_t)u : (int64_t)u;
	return (0);
}

/* Turn a small integer or a decimal into a rational, in place. */
void
calc_val_to_q(struct calc_value *v)
{
	struct calc_value d;

	if (v->k == CALC_INT) {
		d.u.i = v->u.i;
		v->k = CALC_RAT;
		mpq_init(v->u.q);
		z_set_i64(mpq_numref(v->u.q), d.u.i);
	} else if (v->k == CALC_DEC) {
		d = *v;
		v->k = CALC_RAT;
		mpq_init(v->u.q);
		calc_dec_to_q(v->u.q, &d);
	}
}

/*
 * Make v inexact, in place: the smallest interval of prec bits that holds
 * it, or more bits.  An integer keeps all its bits, a point, so that
 * sin(10^100) is the sine of that integer; another rational gets prec
 * bits past the bits of its integer part, as a function of it needs them
 * (the argument of cos(2.343^510) has 189 bits before its point).
 */
void
calc_val_to_f_at(struct calc_session *s, struct calc_value *v,
    mpfr_prec_t prec)
{
	mpq_t q;
	size_t bits;
	long mag;

	(void)s;
	calc_val_to_q(v);
	if (v->k != CALC_RAT)
		return;
	q[0] = v->u.q[0];
	bits = mpz_sizeinbase(mpq_numref(q), 2);
	if (mpz_cmp_ui(mpq_denref(q), 1) == 0) {
		if (bits > (size_t)prec)
			prec = (mpfr_prec_t)bits;
	} else {
		mag = (long)bits - (long)mpz_sizeinbase(mpq_denref(q), 2) + 1;
		if (mag > 0)
			prec += (mpfr_prec_t)mag;
	}
	calc_real_new(v, prec);
	mpfi_set_q(v->u.f, q);
	mpq_clear(q);
}

/* calc_val_to_f_at() the working precision. */
void
calc_val_to_f(struct calc_session *s, struct calc_value *v)
{
	calc_val_to_f_at(s, v, s->wp);
}

/*
 * Make v inexact at the working precision, in place: the argument of a
 * function that does not need all the bits of an integer (all but sin,
 * cos and tan).  MPFR would otherwise work at the integer's precision
 * whenever the result is hard to round: log10(10^9999 + 1), 9999 within
 * 10^-9999, took it 80 ms.
 */
void
calc_val_to_wp(struct calc_session *s, struct calc_value *v)
{
	calc_val_to_f(s, v);
	if (mpfi_get_prec(v->u.f) > s->wp)
		mpfi_round_prec(v->u.f, s->wp);
}

void
calc_val_copy(struct calc_value *d, const struct calc_value *v)
{
	d->k = v->k;
	if (v->k == CALC_INT)
		d->u.i = v->u.i;
	else if (v->k == CALC_DEC)
		d->u.d = v->u.d;
	else if (v->k == CALC_RAT) {
		mpq_init(d->u.q);
		mpq_set(d->u.q, v->u.q);
	} else {
		calc_real_new(d, mpfi_get_prec(v->u.f));
		mpfi_set(d->u.f, v->u.f);
	}
}

/*
 * The sign of v: -1, 0 or 1, or CALC_SGN_UNKNOWN for an interval that
 * holds 0 and more.
 */
int
calc_val_sgn(const struct calc_value *v)
{
	if (v->k == CALC_INT)
		return ((v->u.i > 0) - (v->u.i < 0));
	if (v->k == CALC_DEC)
		return ((v->u.d.m > 0) - (v->u.d.m < 0));
	if (v->k == CALC_RAT)
		return (mpq_sgn(v->u.q));
	if (mpfr_sgn(REAL_LO(v->u.f)) > 0)
		return (1);
	if (mpfr_sgn(REAL_HI(v->u.f)) < 0)
		return (-1);
	if (mpfr_zero_p(REAL_LO(v->u.f)) && mpfr_zero_p(REAL_HI(v->u.f)))
		return (0);
	return (CALC_SGN_UNKNOWN);
}

/* Compare the interval a with the rational b, as calc_val_cmp() does. */
static int
real_cmp_q(mpfi_srcptr a, mpq_srcptr b)
{
	int lo = mpfr_cmp_q(REAL_LO(a), b), hi = mpfr_cmp_q(REAL_HI(a), b);

	if (lo > 0)
		return (1);
	if (hi < 0)
		return (-1);
	return (lo == 0 && hi == 0 ? 0 : CALC_CMP_UNKNOWN);
}

/*
 * Compare a and b, which may become rationals: -1, 0 or 1, or
 * CALC_CMP_UNKNOWN when an interval meets the other value and is not
 * equal to it.
 */
int
calc_val_cmp(struct calc_value *a, struct calc_value *b)
{
	int c;

	if (a->k == CALC_INT && b->k == CALC_INT)
		return ((a->u.i > b->u.i) - (a->u.i < b->u.i));
	if (a->k == CALC_REAL && b->k == CALC_REAL) {
		if (mpfr_less_p(REAL_HI(a->u.f), REAL_LO(b->u.f)))
			return (-1);
		if (mpfr_greater_p(REAL_LO(a->u.f), REAL_HI(b->u.f)))
			return (1);
		if (mpfr_equal_p(REAL_LO(a->u.f), REAL_HI(a->u.f)) &&
		    mpfr_equal_p(REAL_LO(b->u.f), REAL_HI(b->u.f)) &&
		    mpfr_equal_p(REAL_LO(a->u.f), REAL_LO(b->u.f)))
			return (0);
		return (CALC_CMP_UNKNOWN);
	}
	calc_val_to_q(a);
	calc_val_to_q(b);
	if (a->k == CALC_RAT && b->k == CALC_RAT)
		return (mpq_cmp(a->u.q, b->u.q));
	if (a->k == CALC_REAL)
		return (real_cmp_q(a->u.f, b->u.q));
	c = real_cmp_q(b->u.f, a->u.q);
	return (c == CALC_CMP_UNKNOWN ? c : (c < 0) - (c > 0));
}

/*
 * Bring a fresh result r to its canonical form: an exact integer that
 * fits becomes a small integer; an exact number over the size limit is an
 * error if it is an integer, else it becomes inexact.  An interval with
 * a NaN end is a domain error of the operation name; one with an
 * infinite end is too large when it lies on one side of 0, else (1/x for
 * an x across 0) undecided at this precision; an underflow is too small.
 * On error r is freed.
 */
int
calc_finish(struct parser *p, struct calc_value *r, const char *name)
{
	struct calc_session *s = p->s;
	mpq_t q;
	int64_t i;
	int side;

	if (r->k == CALC_REAL) {
		if (mpfi_nan_p(r->u.f)) {
			val_clear(r);
			return (calc_fail(p, "domain error in %s", name));
		}
		if (mpfi_inf_p(r->u.f)) {
			side = mpfr_sgn(REAL_LO(r->u.f)) > 0 ||
			    mpfr_sgn(REAL_HI(r->u.f)) < 0;
			val_clear(r);
			return (side ? calc_too_large(p) : calc_undecided(p));
		}
		if (mpfr_underflow_p()) {
			mpfr_clear_underflow();
			val_clear(r);
			return (calc_fail(p, "result too small"));
		}
	} else if (r->k == CALC_RAT && val_is_int(r)) {
		if (mpz_sizeinbase(mpq_numref(r->u.q), 2) > s->maxbits) {
			val_clear(r);
			return (calc_too_large(p));
		}
		if (z_get_i64(mpq_numref(r->u.q), &i) == 0) {
			val_clear(r);
			val_int(r, i);
		}
	} else if (r->k == CALC_RAT &&
	    (mpz_sizeinbase(mpq_numref(r->u.q), 2) > s->maxbits ||
	    mpz_sizeinbase(mpq_denref(r->u.q), 2) > s->maxbits)) {
		if (charge(p, calc_work_copy(r)) == -1) {
			val_clear(r);
			return (-1);
		}
		q[0] = r->u.q[0];
		real_init(s, r);
		mpfi_set_q(r->u.f, q);
		mpq_clear(q);
	}
	return (0);
}

/*
 * Arithmetic.  Each operation reads its operands (and may change their
 * representation in place, never their value), writes a fresh result to
 * r and returns 0, or returns -1 with r untouched.
 */

/* The small-integer fast path; -1 means "overflow: use GMP". */
static int
int_op(int op, struct calc_value *r, int64_t a, int64_t b)
{
	int64_t x;

	switch (op) {
	case '+':
		if (__builtin_add_overflow(a, b, &x))
			return (-1);
		break;
	case '-':
		if (__builtin_sub_overflow(a, b, &x))
			return (-1);
		break;
	case '*':
		if (__builtin_mul_overflow(a, b, &x))
			return (-1);
		break;
	case '/':
		if ((a == INT64_MIN && b == -1) || a % b != 0)
			return (-1);
		x = a / b;
		break;
	case '%':
		x = b == -1 ? 0 : a % b;
		break;
	default:
		return (-1);
	}
	val_int(r, x);
	return (0);
}

/* a^e for a small e >= 0 by squaring; -1 on overflow. */
static int
int_pow(struct calc_value *r, int64_t a, int64_t e)
{
	int64_t x = 1;

	if (e < 0 && a != 1 && a != -1)
		return (-1);
	if (e < 0)
		e = -e;
	for (;;) {
		if ((e & 1) && __builtin_mul_overflow(x, a, &x))
			return (-1);
		if ((e >>= 1) == 0)
			break;
		if (__builtin_mul_overflow(a, a, &a))
			return (-1);
	}
	val_int(r, x);
	return (0);
}

/* r = a - b * trunc(a / b), the remainder of C and bc. */
static void
q_mod(mpq_ptr r, mpq_srcptr a, mpq_srcptr b)
{
	mpz_t t;

	mpz_init(t);
	mpq_div(r, a, b);
	mpz_tdiv_q(t, mpq_numref(r), mpq_denref(r));
	mpq_set_z(r, t);
	mpq_mul(r, r, b);
	mpq_sub(r, a, r);
	mpz_clear(t);
}

/* The gcd of a and b, by Stein's binary method. */
static uint64_t
u64_gcd(uint64_t a, uint64_t b)
{
	int s;

	if (a == 0 || b == 0)
		return (a | b);
	s = __builtin_ctzll(a | b);
	a >>= __builtin_ctzll(a);
	do {
		b >>= __builtin_ctzll(b);
		if (a > b) {
			uint64_t t = a;

			a = b;
			b = t;
		}
		b -= a;
	} while (b != 0);
	return (a << s);
}

/*
 * |a| / |b|, b not 0, in lowest terms, reduced in 64 bits.  Returns -1
 * for INT64_MIN, whose absolute value does not fit.
 */
static int
int_lowest(int64_t a, int64_t b, uint64_t *n, uint64_t *d)
{
	uint64_t g;

	if (a == INT64_MIN || b == INT64_MIN)
		return (-1);
	*n = (uint64_t)(a < 0 ? -a : a);
	*d = (uint64_t)(b < 0 ? -b : b);
	/* mostly coprime: two divisions saved */
	if ((g = u64_gcd(*n, *d)) != 1) {
		*n /= g;
		*d /= g;
	}
	return (0);
}

/* r = n / d, negated when neg, n / d in lowest terms: GMP only stores it. */
static void
rat_set_u64(struct calc_session *s, struct calc_value *r, int neg,
    uint64_t n, uint64_t d)
{
	rat_init(s, r);
	mpz_set_ui(mpq_numref(r->u.q), n);
	if (neg)
		mpz_neg(mpq_numref(r->u.q), mpq_numref(r->u.q));
	mpz_set_ui(mpq_denref(r->u.q), d);
}

/*
 * r = a / b, b not 0, as the canonical mpq that mpq_div() would make.
 * Returns -1 for INT64_MIN.
 */
static int
int_quotient(struct calc_session *s, struct calc_value *r, int64_t a,
    int64_t b)
{
	uint64_t n, d;

	if (int_lowest(a, b, &n, &d) == -1)
		return (-1);
	rat_set_u64(s, r, (a < 0) != (b < 0), n, d);
	return (0);
}

/*
 * r = a / b, b not 0, as calc_dec_op() and then rat_op_q() would make it:
 * the decimal when the quotient ends, else the mpq, from one gcd where
 * the two take one each.  The commonest fraction, a line such as 22/7.
 * Returns -1 for INT64_MIN.
 */
static int
int_div(struct calc_session *s, struct calc_value *r, int64_t a, int64_t b)
{
	uint64_t n, d;
	int neg = (a < 0) != (b < 0);

	if (int_lowest(a, b, &n, &d) == -1)
		return (-1);
	if (calc_dec_quotient(r, neg, n, d, 0) == -1)
		rat_set_u64(s, r, neg, n, d);
	return (0);
}

/* r = a op b with mpq, the work charged. */
static int
rat_op_q(struct parser *p, int op, struct calc_value *r, struct calc_value *a,
    struct calc_value *b)
{
	if (op == '/' && a->k == CALC_INT && b->k == CALC_INT &&
	    int_quotient(p->s, r, a->u.i, b->u.i) == 0)
		/* of 63 bits at most, only an integer has more to check */
		return (val_is_int(r) ? calc_finish(p, r, NULL) : 0);
	calc_val_to_q(a);
	calc_val_to_q(b);
	rat_init(p->s, r);
	if (op == '+')
		mpq_add(r->u.q, a->u.q, b->u.q);
	else if (op == '-')
		mpq_sub(r->u.q, a->u.q, b->u.q);
	else if (op == '*')
		mpq_mul(r->u.q, a->u.q, b->u.q);
	else if (op == '/')
		mpq_div(r->u.q, a->u.q, b->u.q);
	else
		q_mod(r->u.q, a->u.q, b->u.q);
	return (calc_finish(p, r, NULL));
}

/*
 * The exact a op b: charged as mpq costs it, then computed as a decimal
 * when both are integers or decimals and the result is one, else by mpq.
 */
static int
rat_op(struct parser *p, int op, struct calc_value *r, struct calc_value *a,
    struct calc_value *b)
{
	uint64_t w;

	if (SMALL_LIMBS && a->k <= CALC_DEC && b->k <= CALC_DEC)
		w = p->s->ws.op[op_slot(op)];
	else
		w = calc_work_vop(op, a, b);
	if (charge(p, w) == -1)
		return (-1);
	if (op != '%' && a->k <= CALC_DEC && b->k <= CALC_DEC &&
	    calc_dec_op(op, r, a, b) == 0)
		return (0);
	return (rat_op_q(p, op, r, a, b));
}

/*
 * a % b = a - b * trunc(a / b) on intervals: trunc is monotonic, so the
 * interval of the ends' truncations holds the true one, and the result
 * is exact to the working precision once the quotient's interval holds
 * one integer part (exp(335) % 3.9 needs exp(335) to some 600 bits: the
 * retries get there).  The quotient and the product keep the bits of the
 * integer part on top of the working precision.
 */
static int
real_mod(struct parser *p, struct calc_value *r, struct calc_value *a,
    struct calc_value *b)
{
	mpfr_prec_t prec = p->s->wp;
	mpfr_exp_t x;
	mpfi_t q;

	mpfi_init2(q, prec);
	mpfi_div(q, a->u.f, b->u.f);
	x = mpfr_regular_p(REAL_HI(q)) ? mpfr_get_exp(REAL_HI(q)) : 0;
	if (mpfr_regular_p(REAL_LO(q)) && mpfr_get_exp(REAL_LO(q)) > x)
		x = mpfr_get_exp(REAL_LO(q));
	if (x > 0 && (size_t)x <= p->s->maxbits) {
		if (charge(p, 3 * calc_work_mul(calc_bits_limbs((uint64_t)prec +
		    (uint64_t)x), calc_bits_limbs((uint64_t)prec +
		    (uint64_t)x))) == -1) {
			mpfi_clear(q);
			return (-1);
		}
		prec += x;
		mpfi_set_prec(q, prec);
		mpfi_div(q, a->u.f, b->u.f);
	}
	mpfr_rint_trunc(REAL_LO(q), REAL_LO(q), MPFR_RNDD);
	mpfr_rint_trunc(REAL_HI(q), REAL_HI(q), MPFR_RNDU);
	mpfi_mul(q, q, b->u.f);
	real_init(p->s, r);
	mpfi_sub(r->u.f, a->u.f, q);
	mpfi_clear(q);
	return (calc_finish(p, r, "%"));
}

/*
 * The inexact a op b on intervals; binop() found b / 0 and b % 0.  A
 * divisor across 0 is undecided at this precision.
 */
static int
real_op(struct parser *p, int op, struct calc_value *r, struct calc_value *a,
    struct calc_value *b)
{
	char name[2] = { (char)op, '\0' };

	if ((op == '/' || op == '%') &&
	    calc_val_sgn(b) == CALC_SGN_UNKNOWN)
		return (calc_undecided(p));
	if (charge(p, calc_work_fop(p->s, op, a, b)) == -1)
		return (-1);
	calc_val_to_f(p->s, a);
	calc_val_to_f(p->s, b);
	if (op == '%')
		return (real_mod(p, r, a, b));
	real_init(p->s, r);
	if (op == '+')
		mpfi_add(r->u.f, a->u.f, b->u.f);
	else if (op == '-')
		mpfi_sub(r->u.f, a->u.f, b->u.f);
	else if (op == '*')
		mpfi_mul(r->u.f, a->u.f, b->u.f);
	else
		mpfi_div(r->u.f, a->u.f, b->u.f);
	return (calc_finish(p, r, name));
}

/*
 * Bits of an integer exponent past which a^e, for an inexact a whose
 * absolute value is not 1, overflows or underflows every MPFR exponent
 * range (exponents below 2^62): |ln |a|| is at least 2^-prec(a) when |a|
 * lies in [1/2, 2) and at least ln 2 elsewhere, so |e ln |a|| passes
 * 2^63 beyond that.
 */
static size_t
pow_limit(mpfi_srcptr a)
{
	mpfr_exp_t x = mpfr_get_exp(REAL_HI(a));

	if (mpfr_zero_p(REAL_HI(a)) || (mpfr_regular_p(REAL_LO(a)) &&
	    mpfr_get_exp(REAL_LO(a)) < x))
		x = mpfr_get_exp(REAL_LO(a));
	return (POW_SLACK + (x == 0 || x == 1 ? (size_t)mpfi_get_prec(a) : 0));
}

/* a^|e| by binary powering into t, whose precision is set. */
static void
pow_loop(mpfi_ptr t, mpfi_srcptr a, mpz_srcptr e)
{
	size_t i = mpz_sizeinbase(e, 2) - 1;
	mpz_t m;

	mpz_init(m);
	mpz_abs(m, e);
	mpfi_set(t, a);
	/* once 0 or infinite, the power stays so: |t| only moves away from 1 */
	for (; i > 0 && !mpfi_inf_p(t) && !mpfi_is_zero(t); i--) {
		mpfi_sqr(t, t);
		if (mpz_tstbit(m, i - 1))
			mpfi_mul(t, t, a);
	}
	mpz_clear(m);
}

/*
 * r = a^e for an interval a (of wp + Z + 16 bits, Z the bits of e, or an
 * integer of any size) and an integer e, by binary powering on intervals
 * at wp + Z + 16 bits: each squaring doubles the relative width so far,
 * so the result is within a few ulps of wp bits when a was that narrow.
 * Past pow_limit() bits the result is too small or too large at once.
 */
static int
real_pow_z(struct parser *p, struct calc_value *r, mpfi_srcptr a,
    mpz_srcptr e)
{
	size_t z = mpz_sizeinbase(e, 2), n;
	int c;		/* |a| against 1 */
	mpfi_t t;

	mpfi_init2(t, mpfi_get_prec(a));
	mpfi_abs(t, a);
	c = mpfr_cmp_ui(REAL_LO(t), 1) > 0 ? 1 :
	    mpfr_cmp_ui(REAL_HI(t), 1) < 0 ? -1 :
	    mpfr_cmp_ui(REAL_LO(t), 1) == 0 && mpfr_cmp_ui(REAL_HI(t), 1) == 0 ?
	    0 : CALC_CMP_UNKNOWN;
	mpfi_clear(t);
	if (mpz_sgn(e) == 0 || mpfi_is_zero(a) || c == 0) {
		real_init(p->s, r);
		mpfi_set_ui(r->u.f, !mpfi_is_zero(a) || mpz_sgn(e) == 0);
		if (mpfi_is_neg(a) && mpz_odd_p(e))
			mpfi_neg(r->u.f, r->u.f);
	} else if (z > pow_limit(a)) {
		if (c == CALC_CMP_UNKNOWN)
			return (calc_undecided(p));
		if ((c > 0) != (mpz_sgn(e) > 0))
			return (calc_fail(p, "result too small"));
		return (calc_too_large(p));
	} else {
		n = calc_bits_limbs((uint64_t)p->s->wp + z + 16);
		if (charge(p, WORK_LIMB *
		    calc_bits_limbs((uint64_t)mpfi_get_prec(a)) +
		    z * (4 * calc_work_mul(n, n) + 64 * (uint64_t)n)) == -1)
			return (-1);
		mpfi_init2(t, p->s->wp + (mpfr_prec_t)z + 16);
		pow_loop(t, a, e);
		if (mpz_sgn(e) < 0 && mpfi_inf_p(t)) {
			/* 1/t is below the smallest exponent, or near it */
			mpfi_clear(t);
			return (calc_fail(p, "result too small"));
		}
		real_init(p->s, r);
		if (mpz_sgn(e) < 0)
			mpfi_ui_div(r->u.f, 1, t);
		else
			mpfi_set(r->u.f, t);
		mpfi_clear(t);
	}
	return (calc_finish(p, r, "^"));
}

/*
 * Set e to the integer b, exact or a point interval.  An inexact b of more than
 * wp + POW_SLACK bits is even and past pow_limit() of any base (an exact
 * base of more than wp bits is an integer): 2 to that many bits, with b's
 * sign, stands for it.
 */
static void
pow_exponent(const struct calc_session *s, mpz_ptr e,
    const struct calc_value *b)
{
	mpfr_srcptr f;

	if (b->k == CALC_INT) {
		z_set_i64(e, b->u.i);
		return;
	}
	if (b->k == CALC_RAT) {
		mpz_set(e, mpq_numref(b->u.q));
		return;
	}
	f = REAL_LO(b->u.f);
	if (mpfr_zero_p(f) ||
	    mpfr_get_exp(f) <= (mpfr_exp_t)s->wp + POW_SLACK)
		mpfr_get_z(e, f, MPFR_RNDN);
	else {
		mpz_setbit(e, (mp_bitcnt_t)s->wp + POW_SLACK);
		if (mpfr_sgn(f) < 0)
			mpz_neg(e, e);
	}
}

/*
 * a^b inexactly, for a base or an exponent that is inexact or a result too
 * large to be exact.  An integer exponent, exact or a point, goes to
 * real_pow_z() with the base to the bits it needs; another is exp(b ln a)
 * on intervals.  A negative base has a real power when the exponent is a
 * rational of odd denominator: (-8)^(1/3) is -2.
 */
static int
real_pow(struct parser *p, struct calc_value *r, struct calc_value *a,
    struct calc_value *b)
{
	int neg, odd, rc, sa;
	size_t z;
	mpz_t e;
	mpfi_t t;

	if (val_is_int(b) || (b->k == CALC_REAL &&
	    mpfr_equal_p(REAL_LO(b->u.f), REAL_HI(b->u.f)) &&
	    mpfr_integer_p(REAL_LO(b->u.f)))) {
		mpz_init(e);
		pow_exponent(p->s, e, b);
		/* the bits the powering loses, or up to wp of them */
		z = mpz_sizeinbase(e, 2);
		calc_val_to_f_at(p->s, a, p->s->wp + 16 +
		    (z < (size_t)p->s->wp ? (mpfr_prec_t)z : p->s->wp));
		rc = real_pow_z(p, r, a->u.f, e);
		mpz_clear(e);
		return (rc);
	}
	if (charge(p, 3 * calc_work_fn(p->s) + calc_work_copy(a) +
	    calc_work_copy(b)) == -1)
		return (-1);
	/* a negative base takes an exact exponent of odd denominator */
	odd = b->k == CALC_RAT && mpz_odd_p(mpq_denref(b->u.q));
	neg = odd && mpz_odd_p(mpq_numref(b->u.q));
	calc_val_to_f(p->s, a);
	calc_val_to_f(p->s, b);
	if ((sa = calc_val_sgn(a)) == CALC_SGN_UNKNOWN)
		return (calc_undecided(p));
	real_init(p->s, r);
	if (sa == 0) {
		mpfi_set_ui(r->u.f, 0);
		return (calc_finish(p, r, "^"));
	}
	mpfi_set(r->u.f, a->u.f);
	if (sa < 0) {
		if (!odd) {
			val_clear(r);
			return (calc_fail(p, "domain error in ^"));
		}
		mpfi_neg(r->u.f, r->u.f);
	} else
		neg = 0;
	/* exp(b ln a), the exponent to wp bits past its integer part */
	mpfi_init2(t, p->s->wp + 64);
	mpfi_log(t, r->u.f);
	mpfi_mul(t, t, b->u.f);
	mpfi_exp(r->u.f, t);
	mpfi_clear(t);
	if (neg)
		mpfi_neg(r->u.f, r->u.f);
	return (calc_finish(p, r, "^"));
}

/*
 * a^e for an exact a and an integer e.  The size is bounded before the
 * work: with B the bits of the larger of a's numerator and denominator,
 * the result needs at least (B - 1) * |e| bits and at most B * |e|.
 * Returns 0, -1 on error, or 1 when the result is no integer and too
 * large to be exact: the caller then computes it inexactly.
 */
static int
rat_pow_z(struct parser *p, struct calc_value *r, mpq_srcptr a,
    mpz_srcptr e)
{
	mpz_srcptr n = mpq_numref(a), d = mpq_denref(a);
	size_t bits, maxbits = p->s->maxbits;
	int integer;

	if (mpz_cmpabs_ui(n, 1) <= 0 && mpz_cmp_ui(d, 1) == 0) {
		/* 0, 1 and -1 to any power; 0^-1 was caught before */
		val_int(r, mpz_sgn(n) == 0 ? mpz_sgn(e) == 0 :
		    mpz_sgn(n) < 0 && mpz_odd_p(e) ? -1 : 1);
		return (0);
	}
	bits = mpz_sizeinbase(n, 2);
	if (mpz_sizeinbase(d, 2) > bits)
		bits = mpz_sizeinbase(d, 2);
	integer = mpz_sgn(e) >= 0 ? mpz_cmp_ui(d, 1) == 0 :
	    mpz_cmpabs_ui(n, 1) == 0;
	if (mpz_cmpabs_ui(e, maxbits) > 0 ||
	    (uint64_t)(bits - 1) * mpz_get_ui(e) > maxbits)
		return (integer ? calc_too_large(p) : 1);
	if (charge(p, 2 * calc_work_pow(calc_bits_limbs((uint64_t)bits *
	    mpz_get_ui(e)))) == -1)
		return (-1);
	r->k = CALC_RAT;
	mpq_init(r->u.q);
	mpz_pow_ui(mpq_numref(r->u.q), n, mpz_get_ui(e));
	mpz_pow_ui(mpq_denref(r->u.q), d, mpz_get_ui(e));
	if (mpz_sgn(e) < 0)
		mpq_inv(r->u.q, r->u.q);
	return (calc_finish(p, r, "^"));
}

/* Set r to the exact k-th root of a and return 1, or return 0. */
int
calc_q_root(mpq_ptr r, mpq_srcptr a, unsigned long k)
{
	return (mpz_root(mpq_numref(r), mpq_numref(a), k) != 0 &&
	    mpz_root(mpq_denref(r), mpq_denref(a), k) != 0);
}

/*
 * a^(m/q), a exact, q > 1: exact when a is a perfect q-th power for a
 * small q.  Returns as rat_pow_z() does.
 */
static int
rat_pow_q(struct parser *p, struct calc_value *r, mpq_srcptr a, mpq_srcptr b)
{
	mpz_srcptr q = mpq_denref(b);
	mpq_t root;
	int rc = 1;

	if (mpq_sgn(a) < 0 && mpz_even_p(q))
		return (calc_fail(p, "domain error in ^"));
	if (mpz_cmp_ui(q, ROOT_MAX) > 0)
		return (1);
	if (charge(p, calc_work_pow(q_limbs(a))) == -1)
		return (-1);
	mpq_init(root);
	if (calc_q_root(root, a, mpz_get_ui(q)))
		rc = rat_pow_z(p, r, root, mpq_numref(b));
	mpq_clear(root);
	return (rc);
}

/*
 * a^e for a decimal a and an integer e >= 0, when the power is a decimal
 * or integer of 64 bits: charged as rat_pow_z() charges the same
 * fraction, whose size check it passes (its numerator and denominator fit
 * 63 bits, and maxbits is over 70).  Returns 1, having charged nothing,
 * when the general path must compute it.
 */
static int
dec_pow(struct parser *p, struct calc_value *r, const struct calc_value *a,
    int64_t e)
{
	struct calc_value t;
	uint64_t num, den;
	size_t bits;

	if (e < 0 || e > UINT_MAX || calc_dec_pow(&t, a, (unsigned)e) == -1)
		return (1);
	calc_dec_frac(a, &num, &den);
	bits = lg(num > den ? num : den);
	if (charge(p, 2 * calc_work_pow(calc_bits_limbs((uint64_t)bits *
	    (uint64_t)e))) == -1)
		return (-1);
	*r = t;
	return (0);
}

/*
 * a^e for small integers a and e >= 0 whose power overflows 63 bits, as
 * rat_pow_z() checks, charges and computes it (a is neither 0, 1 nor -1,
 * whose powers int_pow() takes): the numerator alone, without turning the
 * operands into fractions first, which cost more than 2^99 itself.
 */
static int
int_pow_big(struct parser *p, struct calc_value *r, int64_t a, int64_t e)
{
	uint64_t u = a < 0 ? 0 - (uint64_t)a : (uint64_t)a;
	size_t maxbits = p->s->maxbits;
	uint64_t bits = lg(u);

	if ((uint64_t)e > maxbits || (bits - 1) * (uint64_t)e > maxbits)
		return (calc_too_large(p));
	if (charge(p, 2 * calc_work_pow(calc_bits_limbs(bits *
	    (uint64_t)e))) == -1)
		return (-1);
	rat_init(p->s, r);
	mpz_ui_pow_ui(mpq_numref(r->u.q), u, (unsigned long)e);
	mpz_set_ui(mpq_denref(r->u.q), 1);
	if (a < 0 && (e & 1))
		mpz_neg(mpq_numref(r->u.q), mpq_numref(r->u.q));
	return (calc_finish(p, r, "^"));
}

static int
val_pow(struct parser *p, struct calc_value *r, struct calc_value *a,
    struct calc_value *b)
{
	int rc;

	if (calc_val_sgn(a) == 0 && calc_val_sgn(b) < 0)
		return (calc_fail(p, "division by zero"));
	if (calc_val_sgn(a) == 0 && calc_val_sgn(b) == CALC_SGN_UNKNOWN)
		return (calc_undecided(p));
	if (a->k == CALC_INT && b->k == CALC_INT &&
	    int_pow(r, a->u.i, b->u.i) == 0)
		return (0);
	if (a->k == CALC_INT && b->k == CALC_INT && b->u.i >= 0)
		return (int_pow_big(p, r, a->u.i, b->u.i));
	if (a->k != CALC_REAL && b->k != CALC_REAL) {
		calc_val_to_q(a);
		calc_val_to_q(b);
		if (val_is_int(b))
			rc = rat_pow_z(p, r, a->u.q, mpq_numref(b->u.q));
		else
			rc = rat_pow_q(p, r, a->u.q, b->u.q);
		if (rc != 1)
			return (rc);
	}
	return (real_pow(p, r, a, b));
}

/*
 * r = x! for an interval x: a point that is an integer >= 0, else a
 * domain error when no such integer lies in x, else undecided.  The
 * factorial is gamma(x + 1) rounded to nearest, widened by an ulp each
 * way unless exact.
 */
static int
real_factorial(struct parser *p, struct calc_value *r, mpfi_srcptr x)
{
	mpfr_srcptr lo = REAL_LO(x), hi = REAL_HI(x);
	mpfr_t t;
	int exact;

	if (!mpfr_equal_p(lo, hi)) {
		if (mpfr_sgn(hi) < 0)
			return (calc_fail(p, "domain error in !"));
		mpfr_init2(t, mpfi_get_prec(x));
		mpfr_rint_floor(t, hi, MPFR_RNDD);
		if (mpfr_less_p(t, lo)) {
			mpfr_clear(t);
			return (calc_fail(p, "domain error in !"));
		}
		mpfr_clear(t);
		return (calc_undecided(p));
	}
	if (!mpfr_integer_p(lo) || mpfr_sgn(lo) < 0)
		return (calc_fail(p, "domain error in !"));
	if (charge(p, calc_work_gamma(p->s, lo)) == -1)
		return (-1);
	mpfr_init2(t, mpfi_get_prec(x) + 1);
	mpfr_add_ui(t, lo, 1, MPFR_RNDN);
	real_init(p->s, r);
	exact = mpfr_gamma(REAL_LO(r->u.f), t, MPFR_RNDN) == 0;
	mpfr_set(REAL_HI(r->u.f), REAL_LO(r->u.f), MPFR_RNDN);
	if (!exact) {
		mpfr_nextbelow(REAL_LO(r->u.f));
		mpfr_nextabove(REAL_HI(r->u.f));
	}
	mpfr_clear(t);
	return (0);
}

/*
 * Replace the value on top of the stack by its factorial.  log2(n!) is at
 * least n * (log2(n) - log2(e)), so a too large n fails before the work;
 * it is at most n * log2(n), which bounds the work.
 */
int
calc_factorial(struct parser *p)
{
	struct calc_value *v = top(p, 0), r;
	unsigned long n;
	int64_t i, x = 1;

	val_undec(v);
	if (v->k == CALC_REAL) {
		if (real_factorial(p, &r, v->u.f) == -1)
			return (-1);
	} else if (!val_is_int(v) || calc_val_sgn(v) < 0)
		return (calc_fail(p, "domain error in !"));
	else if (v->k == CALC_INT && v->u.i <= 20) {
		for (i = 2; i <= v->u.i; i++)
			x *= i;
		val_int(&r, x);
	} else {
		calc_val_to_q(v);
		if (!mpz_fits_ulong_p(mpq_numref(v->u.q)) ||
		    (n = mpz_get_ui(mpq_numref(v->u.q))) > p->s->maxbits ||
		    (double)n * ((double)mpz_sizeinbase(mpq_numref(v->u.q),
		    2) - 2.45) > (double)p->s->maxbits)
			return (calc_too_large(p));
		if (charge(p, calc_work_pow(calc_bits_limbs((uint64_t)n *
		    lg(n)))) == -1)
			return (-1);
		r.k = CALC_RAT;
		mpq_init(r.u.q);
		mpz_fac_ui(mpq_numref(r.u.q), n);
	}
	if (calc_finish(p, &r, "!") == -1)
		return (-1);
	return (calc_put(p, 1, &r));
}

/*
 * a op b for op one of + - * /, a and b the integers or decimals on top
 * of the stack, as rat_op() computes and charges it.  Neither owns
 * memory, so the result simply takes a's place, calc_put() would clear
 * both and copy it: unless rat_op_q() made them rationals to compute it
 * (a quotient of two integers, the commonest fraction, does not).
 */
static int
dec_binop(struct parser *p, int op, struct calc_value *a,
    struct calc_value *b)
{
	struct calc_value r;

	if (!SMALL_LIMBS)
		return (rat_op(p, op, &r, a, b) == -1 ? -1 :
		    calc_put(p, 2, &r));
	if (charge(p, p->s->ws.op[op_slot(op)]) == -1)
		return (-1);
	if ((op != '/' || a->k != CALC_INT || b->k != CALC_INT ||
	    int_div(p->s, &r, a->u.i, b->u.i) == -1) &&
	    calc_dec_op(op, &r, a, b) == -1) {
		if (rat_op_q(p, op, &r, a, b) == -1)
			return (-1);
		if (a->k > CALC_DEC || b->k > CALC_DEC)
			return (calc_put(p, 2, &r));
	}
	*a = r;
	p->s->sp--;
	return (0);
}

/* Replace the two values on top of the stack by a op b. */
int
calc_binop(struct parser *p, int op)
{
	struct calc_value r, *a, *b;
	int rc;

	a = top(p, 1);
	b = top(p, 0);
	if ((op == '/' || op == '%') && calc_val_sgn(b) == 0)
		return (calc_fail(p, "division by zero"));
	/* small integers: the result takes a's place, b needs no freeing */
	if (a->k == CALC_INT && b->k == CALC_INT && op != '^' &&
	    int_op(op, a, a->u.i, b->u.i) == 0) {
		p->s->sp--;
		return (0);
	}
	if (op != '^' && op != '%' && a->k <= CALC_DEC && b->k <= CALC_DEC)
		return (dec_binop(p, op, a, b));
	if (op == '^' && a->k == CALC_DEC && b->k == CALC_INT &&
	    (rc = dec_pow(p, &r, a, b->u.i)) != 1)
		return (rc == -1 ? -1 : calc_put(p, 2, &r));
	if (op == '^' || a->k == CALC_REAL || b->k == CALC_REAL) {
		val_undec(a);
		val_undec(b);
	}
	if (op == '^')
		rc = val_pow(p, &r, a, b);
	else if (a->k != CALC_REAL && b->k != CALC_REAL)
		rc = rat_op(p, op, &r, a, b);
	else
		rc = real_op(p, op, &r, a, b);
	if (rc == -1)
		return (-1);
	return (calc_put(p, 2, &r));
}
