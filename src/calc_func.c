/*
 * calc_func.c - the calculator engine's functions and their table.
 *
 * Adding a function is a row of calc_funcs[], in its sorted place, and
 * a case of calc_call() when no existing kind (enum func_id) computes it.
 * Each function reads its arguments a[0..n) and writes a fresh r, as the
 * operators of calc_arith.c do, having charged its work first.
 */
#include <stdint.h>
#include <string.h>

#include <gmp.h>
#include <mpfr.h>

#include "calc.h"
#include "calc_int.h"

/*
 * Sorted by name, as strncmp() orders them: calc_func_find() halves it
 * (check_calc.c checks the order).
 */
const struct func calc_funcs[] = {
	{ "abs",	F_ABS,		1, 1, mpfi_abs,		NULL },
	{ "acos",	F_ARC,		1, 1, mpfi_acos,	NULL },
	{ "asin",	F_ARC,		1, 1, mpfi_asin,	NULL },
	{ "atan",	F_MPFR,		1, 1, mpfi_atan,	NULL },
	{ "atan2",	F_ATAN2,	2, 2, NULL,		NULL },
	{ "cbrt",	F_CBRT,		1, 1, mpfi_cbrt,	NULL },
	{ "ceil",	F_CEIL,		1, 1, NULL,		mpfr_rint_ceil },
	{ "cos",	F_TRIG,		1, 1, NULL,		mpfr_cos },
	{ "cosh",	F_MPFR,		1, 1, mpfi_cosh,	NULL },
	{ "exp",	F_MPFR,		1, 1, mpfi_exp,		NULL },
	{ "floor",	F_FLOOR,	1, 1, NULL,		mpfr_rint_floor },
	{ "gcd",	F_GCD,		2, 0, NULL,		NULL },
	{ "lcm",	F_LCM,		2, 0, NULL,		NULL },
	{ "ln",		F_LN,		1, 1, NULL,		NULL },
	{ "log",	F_LOG,		1, 2, NULL,		NULL },
	{ "log10",	F_POS,		1, 1, mpfi_log10,	NULL },
	{ "log2",	F_POS,		1, 1, mpfi_log2,	NULL },
	{ "max",	F_MAX,		1, 0, NULL,		NULL },
	{ "min",	F_MIN,		1, 0, NULL,		NULL },
	{ "round",	F_ROUND,	1, 1, NULL,		mpfr_rint_round },
	{ "sin",	F_TRIG,		1, 1, NULL,		mpfr_sin },
	{ "sinh",	F_MPFR,		1, 1, mpfi_sinh,	NULL },
	{ "sqrt",	F_SQRT,		1, 1, mpfi_sqrt,	NULL },
	{ "tan",	F_TRIG,		1, 1, NULL,		NULL },
	{ "tanh",	F_MPFR,		1, 1, mpfi_tanh,	NULL },
	{ "trunc",	F_TRUNC,	1, 1, NULL,		mpfr_rint_trunc },
};

const size_t calc_nfuncs = sizeof(calc_funcs) / sizeof(calc_funcs[0]);

/* abs floor ceil round trunc; round takes halves away from zero. */
static int
fn_int(struct parser *p, const struct func *f, struct calc_value *r,
    struct calc_value *a)
{
	mpz_ptr z, t;
	mpz_srcptr n, d;

	if (a->k == CALC_REAL) {
		if (charge(p, 2 * calc_work_copy(a)) == -1)
			return (-1);
		real_init(p->s, r);
		if (f->id == F_ABS)
			mpfi_abs(r->u.f, a->u.f);
		else {
			/* monotonic: the rounded ends hold the result */
			f->rf(REAL_LO(r->u.f), REAL_LO(a->u.f), MPFR_RNDD);
			f->rf(REAL_HI(r->u.f), REAL_HI(a->u.f), MPFR_RNDU);
		}
		return (calc_finish(p, r, f->name));
	}
	if (a->k == CALC_INT && a->u.i != INT64_MIN) {
		val_int(r, f->id == F_ABS && a->u.i < 0 ? -a->u.i : a->u.i);
		return (0);
	}
	calc_val_to_q(a);
	if (charge(p, calc_work_div(z_limbs(mpq_numref(a->u.q)) + 1,
	    z_limbs(mpq_denref(a->u.q))) + 2 * calc_work_copy(a)) == -1)
		return (-1);
	r->k = CALC_RAT;
	mpq_init(r->u.q);
	n = mpq_numref(a->u.q);
	d = mpq_denref(a->u.q);
	z = mpq_numref(r->u.q);
	t = mpq_denref(r->u.q);
	if (f->id == F_ABS)
		mpq_abs(r->u.q, a->u.q);
	else if (f->id == F_FLOOR)
		mpz_fdiv_q(z, n, d);
	else if (f->id == F_CEIL)
		mpz_cdiv_q(z, n, d);
	else if (f->id == F_TRUNC)
		mpz_tdiv_q(z, n, d);
	else {
		/* trunc((2n + sgn(n) d) / 2d) */
		mpz_mul_2exp(z, n, 1);
		if (mpz_sgn(n) < 0)
			mpz_sub(z, z, d);
		else
			mpz_add(z, z, d);
		mpz_mul_2exp(t, d, 1);
		mpz_tdiv_q(z, z, t);
		mpz_set_ui(t, 1);
	}
	return (calc_finish(p, r, f->name));
}

/* floor(sqrt(n)) by Newton's method from above: a few divisions. */
static uint64_t
isqrt_u64(uint64_t n)
{
	uint64_t x, y;

	if (n < 2)
		return (n);
	x = (uint64_t)1 << ((lg(n) + 1) / 2);
	for (;;) {
		y = (x + n / x) / 2;
		if (y >= x)
			return (x);
		x = y;
	}
}

/*
 * sqrt of a small integer i >= 0, as fn_root() computes it from the
 * rational i, and charged so, without GMP: a perfect square is exact, the
 * square root of any other is the interval of an ulp around
 * mpfr_sqrt_ui() rounded to nearest.
 */
static int
fn_sqrt_int(struct parser *p, const struct func *f, struct calc_value *r,
    const struct calc_value *a)
{
	const struct work_small *ws = &p->s->ws;
	size_t n, d, w = calc_bits_limbs((uint64_t)p->s->wp);
	uint64_t x = (uint64_t)a->u.i, y;

	calc_q_sizes(a, &n, &d);
	if (charge(p, SMALL_LIMBS ? ws->sqrt : calc_work_pow(n + d)) == -1)
		return (-1);
	y = isqrt_u64(x);
	if (y * y == x) {
		val_int(r, (int64_t)y);
		return (0);
	}
	if (charge(p, SMALL_LIMBS ? ws->root : WORK_LIMB * (n + d) +
	    8 * calc_work_div(w + w, w) + WORK_ROOT) == -1)
		return (-1);
	/* irrational: within an ulp either side of the nearest */
	real_init(p->s, r);
	(void)mpfr_sqrt_ui(REAL_LO(r->u.f), x, MPFR_RNDN);
	mpfr_set(REAL_HI(r->u.f), REAL_LO(r->u.f), MPFR_RNDN);
	mpfr_nextbelow(REAL_LO(r->u.f));
	mpfr_nextabove(REAL_HI(r->u.f));
	return (calc_finish(p, r, f->name));
}

/*
 * Fail unless every value of a is positive, or not negative when zero is
 * allowed: a domain error of f when none is, undecided when some are.
 */
static int
domain_pos(struct parser *p, const struct func *f,
    const struct calc_value *a, int zero)
{
	int c = calc_val_sgn(a);

	if (c == CALC_SGN_UNKNOWN) {
		c = mpfr_sgn(REAL_HI(a->u.f));
		if (c < 0 || (c == 0 && !zero))
			return (calc_fail(p, "domain error in %s", f->name));
		if (zero && mpfr_zero_p(REAL_LO(a->u.f)))
			return (0);
		return (calc_undecided(p));
	}
	if (c < 0 || (c == 0 && !zero))
		return (calc_fail(p, "domain error in %s", f->name));
	return (0);
}

/*
 * sqrt and cbrt, exact for perfect squares and cubes.  Else MPFI rounds
 * the ends correctly, at the cost of a few divisions.
 */
static int
fn_root(struct parser *p, const struct func *f, struct calc_value *r,
    struct calc_value *a)
{
	if (f->id == F_SQRT && domain_pos(p, f, a, 1) == -1)
		return (-1);
	if (f->id == F_SQRT && a->k == CALC_INT)
		return (fn_sqrt_int(p, f, r, a));
	if (a->k != CALC_REAL) {
		calc_val_to_q(a);
		if (charge(p, calc_work_pow(q_limbs(a->u.q))) == -1)
			return (-1);
		r->k = CALC_RAT;
		mpq_init(r->u.q);
		if (calc_q_root(r->u.q, a->u.q, f->id == F_SQRT ? 2 : 3))
			return (calc_finish(p, r, f->name));
		val_clear(r);
	}
	if (charge(p, 2 * calc_work_froot(p->s, a)) == -1)
		return (-1);
	calc_val_to_f(p->s, a);
	real_init(p->s, r);
	f->mf(r->u.f, a->u.f);
	return (calc_finish(p, r, f->name));
}

/*
 * Is x, of r > wp bits before the point, within 2^-TRIG_CLOSE of a
 * multiple of pi/2?  With pi to r + wp + 64 bits, the remainder is off by
 * less than 2^-wp.  MPFR keeps that pi in its cache for the function.
 */
static int
trig_close(const struct calc_session *s, mpfr_srcptr x, uint64_t r)
{
	mpfr_t hpi, t;
	int close;

	mpfr_init2(hpi, (mpfr_prec_t)(r + (uint64_t)s->wp + 64));
	mpfr_init2(t, s->wp);
	mpfr_const_pi(hpi, MPFR_RNDN);
	mpfr_div_2ui(hpi, hpi, 1, MPFR_RNDN);
	mpfr_remainder(t, x, hpi, MPFR_RNDN);
	close = mpfr_zero_p(t) || mpfr_get_exp(t) < -TRIG_CLOSE;
	mpfr_clears(hpi, t, NULL);
	return (close);
}

/* The exponent of the larger end of x, not 0, in absolute value. */
static mpfr_exp_t
real_mag_exp(mpfi_srcptr x)
{
	mpfr_exp_t e = mpfr_get_emin_min();

	if (mpfr_regular_p(REAL_LO(x)))
		e = mpfr_get_exp(REAL_LO(x));
	if (mpfr_regular_p(REAL_HI(x)) && mpfr_get_exp(REAL_HI(x)) > e)
		e = mpfr_get_exp(REAL_HI(x));
	return (e);
}

/* Bits of |v| before the point; 0 below 1. */
static uint64_t
val_mag_bits(const struct calc_value *v)
{
	long b;

	if (v->k == CALC_INT)
		return (64);
	if (v->k == CALC_REAL)
		return (mpfi_bounded_p(v->u.f) && !mpfi_is_zero(v->u.f) &&
		    real_mag_exp(v->u.f) > 0 ? (uint64_t)real_mag_exp(v->u.f) :
		    0);
	b = (long)mpz_sizeinbase(mpq_numref(v->u.q), 2) -
	    (long)mpz_sizeinbase(mpq_denref(v->u.q), 2) + 1;
	return (b > 0 ? (uint64_t)b : 0);
}

/*
 * r = the interval around fn(m), rounded to nearest, of an ulp (unless
 * exact) and rad each way, within [-1, 1].
 */
static void
real_trig_at(mpfi_ptr r, int (*fn)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t),
    mpfr_srcptr m, mpfr_srcptr rad)
{
	int exact = fn(REAL_LO(r), m, MPFR_RNDN) == 0;

	mpfr_set(REAL_HI(r), REAL_LO(r), MPFR_RNDN);
	if (!exact) {
		mpfr_nextbelow(REAL_LO(r));
		mpfr_nextabove(REAL_HI(r));
	}
	mpfr_sub(REAL_LO(r), REAL_LO(r), rad, MPFR_RNDD);
	mpfr_add(REAL_HI(r), REAL_HI(r), rad, MPFR_RNDU);
	if (mpfr_cmp_si(REAL_LO(r), -1) < 0)
		mpfr_set_si(REAL_LO(r), -1, MPFR_RNDN);
	if (mpfr_cmp_ui(REAL_HI(r), 1) > 0)
		mpfr_set_ui(REAL_HI(r), 1, MPFR_RNDN);
}

/*
 * sin, cos or tan of the interval x: the function rounded to nearest at
 * the centre of x, widened by an ulp and by the radius of x, since
 * neither sin nor cos moves faster than its argument; tan is sin / cos.
 * A large integer is a point, and MPFR reduces it with all its bits.
 */
static void
real_trig(const struct calc_session *s, const struct func *f, mpfi_ptr r,
    mpfi_srcptr x)
{
	mpfr_t m, rad, t;
	mpfi_t c;

	mpfr_init2(m, mpfi_get_prec(x));
	mpfr_init2(rad, 64);
	mpfr_init2(t, 64);
	mpfi_mid(m, x);
	mpfr_sub(rad, REAL_HI(x), m, MPFR_RNDU);
	mpfr_sub(t, m, REAL_LO(x), MPFR_RNDU);
	mpfr_max(rad, rad, t, MPFR_RNDU);
	if (f->rf != NULL)
		real_trig_at(r, f->rf, m, rad);
	else {
		mpfi_init2(c, s->wp);
		real_trig_at(r, mpfr_sin, m, rad);
		real_trig_at(c, mpfr_cos, m, rad);
		mpfi_div(r, r, c);
		mpfi_clear(c);
	}
	mpfr_clears(m, rad, t, NULL);
}

/*
 * The functions of one argument: MPFI's, and sin, cos and tan.  The sine
 * of an inexact number needs pi to as many bits as the number has before
 * its point: past the size limit of integers, that is too large.  The
 * other functions read their argument to the working precision
 * (calc_val_to_wp()); asin and acos read it within [-1, 1].
 */
static int
fn_mpfr(struct parser *p, const struct func *f, struct calc_value *r,
    struct calc_value *a)
{
	uint64_t w = 2 * calc_work_fn(p->s) + calc_work_copy(a), bits = 0;

	/* sin and cos near a zero work at up to twice the precision */
	if (f->id == F_TRIG)
		w = 2 * calc_work_fn_prec(2 * (uint64_t)p->s->wp) +
		    calc_work_copy(a);

	if (f->id == F_POS && domain_pos(p, f, a, 0) == -1)
		return (-1);
	if (f->id == F_TRIG && a->k == CALC_REAL && !mpfi_is_zero(a->u.f) &&
	    (!mpfi_bounded_p(a->u.f) ||
	    real_mag_exp(a->u.f) > (mpfr_exp_t)p->s->maxbits))
		return (calc_too_large(p));
	if (f->id == F_TRIG)
		w += calc_work_trig(p->s, bits = val_mag_bits(a));
	if (charge(p, w) == -1)
		return (-1);
	if (f->id != F_TRIG)
		calc_val_to_wp(p->s, a);
	else {
		calc_val_to_f(p->s, a);
		if (bits > (uint64_t)p->s->wp &&
		    trig_close(p->s, REAL_LO(a->u.f), bits) &&
		    charge(p, calc_work_trig_close(bits)) == -1)
			return (-1);
	}
	if (f->id == F_ARC && (mpfr_cmp_si(REAL_LO(a->u.f), -1) < 0 ||
	    mpfr_cmp_ui(REAL_HI(a->u.f), 1) > 0)) {
		if (mpfr_cmp_si(REAL_HI(a->u.f), -1) < 0 ||
		    mpfr_cmp_ui(REAL_LO(a->u.f), 1) > 0)
			return (calc_fail(p, "domain error in %s", f->name));
		return (calc_undecided(p));
	}
	real_init(p->s, r);
	if (f->id == F_TRIG)
		real_trig(p->s, f, r->u.f, a->u.f);
	else
		f->mf(r->u.f, a->u.f);
	return (calc_finish(p, r, f->name));
}

/* ln(x), log(x) and log(x, base). */
static int
fn_log(struct parser *p, const struct func *f, struct calc_value *r,
    struct calc_value *a, size_t n)
{
	struct calc_value one;
	mpfi_t t;
	int c = 1;

	if (n == 2) {
		val_int(&one, 1);
		if (a[1].k != CALC_INT &&
		    charge(p, calc_work_cmp(&a[1], &one)) == -1)
			return (-1);
		c = calc_val_cmp(&a[1], &one);
		val_clear(&one);
	}
	if (domain_pos(p, f, &a[0], 0) == -1 ||
	    (n == 2 && domain_pos(p, f, &a[1], 0) == -1))
		return (-1);
	if (c == 0)
		return (calc_fail(p, "domain error in %s", f->name));
	if (c == CALC_CMP_UNKNOWN)
		return (calc_undecided(p));
	if (charge(p, 2 * n * calc_work_fn(p->s) + calc_work_copy(&a[0]) +
	    (n == 2 ? calc_work_copy(&a[1]) : 0)) == -1)
		return (-1);
	calc_val_to_wp(p->s, &a[0]);
	real_init(p->s, r);
	mpfi_log(r->u.f, a[0].u.f);
	if (n == 2) {
		calc_val_to_wp(p->s, &a[1]);
		mpfi_init2(t, p->s->wp);
		mpfi_log(t, a[1].u.f);
		mpfi_div(r->u.f, r->u.f, t);
		mpfi_clear(t);
	}
	return (calc_finish(p, r, f->name));
}

static int
fn_atan2(struct parser *p, const struct func *f, struct calc_value *r,
    struct calc_value *a)
{
	int c;

	if (charge(p, 2 * calc_work_fn(p->s) + calc_work_copy(&a[0]) +
	    calc_work_copy(&a[1])) == -1)
		return (-1);
	calc_val_to_wp(p->s, &a[0]);
	calc_val_to_wp(p->s, &a[1]);
	real_init(p->s, r);
	/* atan2(0, x), 0 exact: 0, or pi for x < 0, where MPFI sees the cut */
	if (mpfi_is_zero(a[0].u.f) && (c = calc_val_sgn(&a[1])) !=
	    CALC_SGN_UNKNOWN) {
		if (c < 0)
			mpfi_const_pi(r->u.f);
		else
			mpfi_set_ui(r->u.f, 0);
	} else
		mpfi_atan2(r->u.f, a[0].u.f, a[1].u.f);
	return (calc_finish(p, r, f->name));
}

/*
 * Replace b by min(b, x) or max(b, x) of intervals that meet: the ends'
 * minima or maxima hold it.
 */
static void
real_hull(struct calc_session *s, const struct func *f, struct calc_value *b,
    struct calc_value *x)
{
	int (*m)(mpfr_ptr, mpfr_srcptr, mpfr_srcptr, mpfr_rnd_t) =
	    f->id == F_MIN ? mpfr_min : mpfr_max;
	mpfi_t t;

	calc_val_to_f(s, b);
	calc_val_to_f(s, x);
	mpfi_init2(t, mpfi_get_prec(b->u.f) > mpfi_get_prec(x->u.f) ?
	    mpfi_get_prec(b->u.f) : mpfi_get_prec(x->u.f));
	m(REAL_LO(t), REAL_LO(b->u.f), REAL_LO(x->u.f), MPFR_RNDD);
	m(REAL_HI(t), REAL_HI(b->u.f), REAL_HI(x->u.f), MPFR_RNDU);
	mpfi_swap(t, b->u.f);
	mpfi_clear(t);
}

/*
 * min and max: the chosen argument keeps its kind; of intervals that
 * meet, the result is an interval that holds either.
 */
static int
fn_minmax(struct parser *p, const struct func *f, struct calc_value *r,
    struct calc_value *a, size_t n)
{
	size_t i, best = 0;
	int c;

	for (i = 1; i < n; i++) {
		if ((a[i].k != CALC_INT || a[best].k != CALC_INT) &&
		    charge(p, calc_work_cmp(&a[i], &a[best])) == -1)
			return (-1);
		c = calc_val_cmp(&a[i], &a[best]);
		if (c == CALC_CMP_UNKNOWN)
			real_hull(p->s, f, &a[best], &a[i]);
		else if (f->id == F_MIN ? c < 0 : c > 0)
			best = i;
	}
	*r = a[best];
	val_int(&a[best], 0);
	return (calc_finish(p, r, f->name));
}

/* gcd and lcm of exact integers; the result is never negative. */
static int
fn_gcd(struct parser *p, const struct func *f, struct calc_value *r,
    struct calc_value *a, size_t n)
{
	mpz_ptr g;
	size_t i;

	for (i = 0; i < n; i++)
		if (!val_is_int(&a[i]))
			return (calc_fail(p, "domain error in %s", f->name));
	r->k = CALC_RAT;
	mpq_init(r->u.q);
	g = mpq_numref(r->u.q);
	for (i = 0; i < n; i++) {
		calc_val_to_q(&a[i]);
		if (charge(p, calc_work_gcd_step(f, g, mpq_numref(a[i].u.q))) ==
		    -1) {
			val_clear(r);
			return (-1);
		}
		if (i == 0)
			mpz_abs(g, mpq_numref(a[i].u.q));
		else if (f->id == F_GCD)
			mpz_gcd(g, g, mpq_numref(a[i].u.q));
		else
			mpz_lcm(g, g, mpq_numref(a[i].u.q));
		if (mpz_sizeinbase(g, 2) > p->s->maxbits) {
			val_clear(r);
			return (calc_too_large(p));
		}
	}
	return (calc_finish(p, r, f->name));
}

/* Replace the n arguments on top of the stack by f of them. */
int
calc_call(struct parser *p, const struct func *f, size_t n)
{
	struct calc_value r, *a = top(p, n - 1);
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		val_undec(&a[i]);
	switch (f->id) {
	case F_ABS:
	case F_FLOOR:
	case F_CEIL:
	case F_ROUND:
	case F_TRUNC:
		rc = fn_int(p, f, &r, a);
		break;
	case F_SQRT:
	case F_CBRT:
		rc = fn_root(p, f, &r, a);
		break;
	case F_LN:
	case F_LOG:
		rc = fn_log(p, f, &r, a, n);
		break;
	case F_ATAN2:
		rc = fn_atan2(p, f, &r, a);
		break;
	case F_MIN:
	case F_MAX:
		rc = fn_minmax(p, f, &r, a, n);
		break;
	case F_GCD:
	case F_LCM:
		rc = fn_gcd(p, f, &r, a, n);
		break;
	default:
		rc = fn_mpfr(p, f, &r, a);
		break;
	}
	if (rc == -1)
		return (-1);
	return (calc_put(p, n, &r));
}

/*
 * The function named name[0..len), a name of letters, digits and
 * underscores, or NULL: a binary search, five comparisons where a scan
 * took up to 26.  A function's name that name is a prefix of sorts after
 * it.
 */
const struct func *
calc_func_find(const char *name, size_t len)
{
	size_t lo = 0, hi = sizeof(calc_funcs) / sizeof(calc_funcs[0]), mid;
	int c;

	/* most names are variables, often of one letter: no search */
	if (len < FUNC_NAME_MIN || len > FUNC_NAME_MAX)
		return (NULL);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strncmp(calc_funcs[mid].name, name, len);
		if (c == 0 && calc_funcs[mid].name[len] == '\0')
			return (&calc_funcs[mid]);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (NULL);
}
