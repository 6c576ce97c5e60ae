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

#include <gmp.h>
#include <mpfr.h>

#include "calc.h"
#include "calc_int.h"

#define ROOT_MAX	64	/* largest q of an exact x^(p/q) */
#define POW_SLACK	64	/* exponent bits past the base's precision */

/*
 * Values.
 */

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
 * Make v inexact, in place: an integer keeps all its bits, so that
 * sin(10^100) is the sine of that integer; other rationals are rounded to
 * the working precision.
 */
void
calc_val_to_f(struct calc_session *s, struct calc_value *v)
{
	mpfr_prec_t prec = s->wp;
	mpq_t q;
	size_t bits;

	calc_val_to_q(v);
	if (v->k != CALC_RAT)
		return;
	q[0] = v->u.q[0];
	if (mpz_cmp_ui(mpq_denref(q), 1) == 0) {
		bits = mpz_sizeinbase(mpq_numref(q), 2);
		if (bits > (size_t)prec)
			prec = (mpfr_prec_t)bits;
	}
	v->k = CALC_REAL;
	mpfr_init2(v->u.f, prec);
	mpfr_set_q(v->u.f, q, MPFR_RNDN);
	mpq_clear(q);
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
	if (mpfr_get_prec(v->u.f) > s->wp)
		mpfr_prec_round(v->u.f, s->wp, MPFR_RNDN);
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
		mpfr_init2(d->u.f, mpfr_get_prec(v->u.f));
		mpfr_set(d->u.f, v->u.f, MPFR_RNDN);
	}
}

int
calc_val_sgn(const struct calc_value *v)
{
	if (v->k == CALC_INT)
		return ((v->u.i > 0) - (v->u.i < 0));
	if (v->k == CALC_DEC)
		return ((v->u.d.m > 0) - (v->u.d.m < 0));
	if (v->k == CALC_RAT)
		return (mpq_sgn(v->u.q));
	return (mpfr_sgn(v->u.f));
}

/* Compare a and b, which may become rationals. */
int
calc_val_cmp(struct calc_value *a, struct calc_value *b)
{
	int c;

	if (a->k == CALC_INT && b->k == CALC_INT)
		return ((a->u.i > b->u.i) - (a->u.i < b->u.i));
	if (a->k == CALC_REAL && b->k == CALC_REAL)
		return (mpfr_cmp(a->u.f, b->u.f));
	calc_val_to_q(a);
	calc_val_to_q(b);
	if (a->k == CALC_RAT && b->k == CALC_RAT)
		return (mpq_cmp(a->u.q, b->u.q));
	if (a->k == CALC_REAL)
		return (mpfr_cmp_q(a->u.f, b->u.q));
	c = mpfr_cmp_q(b->u.f, a->u.q);
	return ((c < 0) - (c > 0));
}

/*
 * Bring a fresh result r to its canonical form: an exact integer that
 * fits becomes a small integer; an exact number over the size limit is an
 * error if it is an integer, else it becomes inexact; an inexact NaN is a
 * domain error of the operation name, an infinity too large.  On error r
 * is freed.
 */
int
calc_finish(struct parser *p, struct calc_value *r, const char *name)
{
	struct calc_session *s = p->s;
	mpq_t q;
	int64_t i;

	if (r->k == CALC_REAL) {
		if (mpfr_nan_p(r->u.f)) {
			val_clear(r);
			return (calc_fail(p, "domain error in %s", name));
		}
		if (mpfr_inf_p(r->u.f)) {
			val_clear(r);
			return (calc_too_large(p));
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
		mpfr_set_q(r->u.f, q, MPFR_RNDN);
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

/* r = a op b with mpq, the work charged. */
static int
rat_op_q(struct parser *p, int op, struct calc_value *r, struct calc_value *a,
    struct calc_value *b)
{
	calc_val_to_q(a);
	calc_val_to_q(b);
	r->k = CALC_RAT;
	mpq_init(r->u.q);
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

static int
real_op(struct parser *p, int op, struct calc_value *r, struct calc_value *a,
    struct calc_value *b)
{
	char name[2] = { (char)op, '\0' };

	if (charge(p, calc_work_fop(p->s, op, a, b)) == -1)
		return (-1);
	calc_val_to_f(p->s, a);
	calc_val_to_f(p->s, b);
	real_init(p->s, r);
	if (op == '+')
		mpfr_add(r->u.f, a->u.f, b->u.f, MPFR_RNDN);
	else if (op == '-')
		mpfr_sub(r->u.f, a->u.f, b->u.f, MPFR_RNDN);
	else if (op == '*')
		mpfr_mul(r->u.f, a->u.f, b->u.f, MPFR_RNDN);
	else if (op == '/')
		mpfr_div(r->u.f, a->u.f, b->u.f, MPFR_RNDN);
	else
		mpfr_fmod(r->u.f, a->u.f, b->u.f, MPFR_RNDN);
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
pow_limit(mpfr_srcptr a)
{
	mpfr_exp_t x = mpfr_get_exp(a);

	return (POW_SLACK + (x == 0 || x == 1 ? (size_t)mpfr_get_prec(a) : 0));
}

/* |a|^|e| by binary powering into t, whose precision is set. */
static void
pow_loop(mpfr_ptr t, mpfr_srcptr a, mpz_srcptr e)
{
	size_t i = mpz_sizeinbase(e, 2) - 1;
	mpfr_t x;
	mpz_t m;

	mpz_init(m);
	mpz_abs(m, e);
	mpfr_init2(x, mpfr_get_prec(t));
	mpfr_abs(x, a, MPFR_RNDN);
	mpfr_set(t, x, MPFR_RNDN);
	/* once 0 or infinite, the power stays so: |t| only moves away from 1 */
	for (; i > 0 && mpfr_regular_p(t); i--) {
		mpfr_sqr(t, t, MPFR_RNDN);
		if (mpz_tstbit(m, i - 1))
			mpfr_mul(t, t, x, MPFR_RNDN);
	}
	mpfr_clear(x);
	mpz_clear(m);
}

/*
 * r = a^e for an inexact a (wp bits, or an integer of any size) and an
 * integer e, by binary powering at a fixed precision.  mpfr_pow_z() rounds
 * correctly, at a cost that grows as the result nears a rounding boundary:
 * (1 + 2^-50)^(2^80 - 1) took it a millisecond at 34 digits, a power
 * near 1 a third of a second at 1000 digits.  Each squaring doubles the
 * relative error so far, so with Z the bits of e the precision is
 * wp + Z + 16 bits and the result is within an ulp of wp bits; past
 * pow_limit() bits the result is 0 or infinite at once.
 */
static int
real_pow_z(struct parser *p, struct calc_value *r, mpfr_srcptr a,
    mpz_srcptr e)
{
	size_t z = mpz_sizeinbase(e, 2), n;
	int c;		/* |a| against 1 */
	mpfr_t t;

	c = mpfr_sgn(a) < 0 ? -mpfr_cmp_si(a, -1) : mpfr_cmp_ui(a, 1);
	if (mpz_sgn(e) == 0 || mpfr_zero_p(a) || c == 0) {
		real_init(p->s, r);
		mpfr_set_ui(r->u.f, !mpfr_zero_p(a) || mpz_sgn(e) == 0,
		    MPFR_RNDN);
	} else if (z > pow_limit(a)) {
		real_init(p->s, r);
		if ((c > 0) == (mpz_sgn(e) > 0))
			mpfr_set_inf(r->u.f, 1);
		else
			mpfr_set_zero(r->u.f, 1);
	} else {
		n = calc_bits_limbs((uint64_t)p->s->wp + z + 16);
		if (charge(p, WORK_LIMB *
		    calc_bits_limbs((uint64_t)mpfr_get_prec(a)) +
		    z * (2 * calc_work_mul(n, n) + 64 * (uint64_t)n)) == -1)
			return (-1);
		mpfr_init2(t, p->s->wp + (mpfr_prec_t)z + 16);
		pow_loop(t, a, e);
		real_init(p->s, r);
		if (mpz_sgn(e) < 0)
			mpfr_ui_div(r->u.f, 1, t, MPFR_RNDN);
		else
			mpfr_set(r->u.f, t, MPFR_RNDN);
		mpfr_clear(t);
	}
	if (mpfr_sgn(a) < 0 && mpz_odd_p(e))
		mpfr_neg(r->u.f, r->u.f, MPFR_RNDN);
	return (calc_finish(p, r, "^"));
}

/*
 * Set e to the integer b, exact or inexact.  An inexact b of more than
 * wp + POW_SLACK bits is even and past pow_limit() of any base (an exact
 * base of more than wp bits is an integer): 2 to that many bits, with b's
 * sign, stands for it.
 */
static void
pow_exponent(const struct calc_session *s, mpz_ptr e,
    const struct calc_value *b)
{
	if (b->k == CALC_INT)
		z_set_i64(e, b->u.i);
	else if (b->k == CALC_RAT)
		mpz_set(e, mpq_numref(b->u.q));
	else if (mpfr_zero_p(b->u.f) ||
	    mpfr_get_exp(b->u.f) <= (mpfr_exp_t)s->wp + POW_SLACK)
		mpfr_get_z(e, b->u.f, MPFR_RNDN);
	else {
		mpz_setbit(e, (mp_bitcnt_t)s->wp + POW_SLACK);
		if (mpfr_sgn(b->u.f) < 0)
			mpz_neg(e, e);
	}
}

/*
 * a^b inexactly, for a base or an exponent that is inexact or a result too
 * large to be exact.  An integer exponent, exact or not, goes to
 * real_pow_z(); MPFR's own mpfr_pow() would call mpfr_pow_z().  A
 * negative base has a real power when the exponent is a rational of odd
 * denominator: (-8)^(1/3) is -2.
 */
static int
real_pow(struct parser *p, struct calc_value *r, struct calc_value *a,
    struct calc_value *b)
{
	int neg = 0, rc;
	mpz_t e;

	if (val_is_int(b) || (b->k == CALC_REAL && mpfr_integer_p(b->u.f))) {
		calc_val_to_f(p->s, a);
		mpz_init(e);
		pow_exponent(p->s, e, b);
		rc = real_pow_z(p, r, a->u.f, e);
		mpz_clear(e);
		return (rc);
	}
	if (charge(p, 2 * calc_work_fn(p->s) + calc_work_copy(a) +
	    calc_work_copy(b)) == -1)
		return (-1);
	calc_val_to_f(p->s, a);
	real_init(p->s, r);
	mpfr_set(r->u.f, a->u.f, MPFR_RNDN);
	if (b->k == CALC_RAT && mpfr_sgn(a->u.f) < 0 &&
	    mpz_odd_p(mpq_denref(b->u.q))) {
		neg = mpz_odd_p(mpq_numref(b->u.q));
		mpfr_neg(r->u.f, r->u.f, MPFR_RNDN);
	}
	calc_val_to_f(p->s, b);
	mpfr_pow(r->u.f, r->u.f, b->u.f, MPFR_RNDN);
	if (neg)
		mpfr_neg(r->u.f, r->u.f, MPFR_RNDN);
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

static int
val_pow(struct parser *p, struct calc_value *r, struct calc_value *a,
    struct calc_value *b)
{
	int rc;

	if (calc_val_sgn(a) == 0 && calc_val_sgn(b) < 0)
		return (calc_fail(p, "division by zero"));
	if (a->k == CALC_INT && b->k == CALC_INT &&
	    int_pow(r, a->u.i, b->u.i) == 0)
		return (0);
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
		if (!mpfr_integer_p(v->u.f) || mpfr_sgn(v->u.f) < 0)
			return (calc_fail(p, "domain error in !"));
		if (charge(p, calc_work_gamma(p->s, v->u.f)) == -1)
			return (-1);
		real_init(p->s, &r);
		mpfr_add_ui(r.u.f, v->u.f, 1, MPFR_RNDN);
		mpfr_gamma(r.u.f, r.u.f, MPFR_RNDN);
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
 * memory, so a result that is an integer or a decimal simply takes a's
 * place: calc_put() would clear both and copy it.
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
	if (calc_dec_op(op, &r, a, b) == 0) {
		*a = r;
		p->s->sp--;
		return (0);
	}
	if (rat_op_q(p, op, &r, a, b) == -1)
		return (-1);
	return (calc_put(p, 2, &r));
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
