/*
 * calc.c - the calculator engine: sessions, lexer, parser and evaluation.
 *
 * calc_eval() reads a line once with a recursive-descent parser that
 * checks the syntax, the function names and their arity and the nesting
 * depth and compiles the expression into a program of steps in evaluation
 * order, so that a syntax error is found before any work is done; run()
 * then evaluates the steps.  Operands live on a value stack in the
 * session, not on the C stack, so an error anywhere simply returns -1 and
 * calc_eval() frees whatever the stack holds.
 *
 * Values are small integers (int64_t), exact rationals (mpq_t) or
 * inexact reals (mpfr_t at the working precision); see calc_int.h.  Every
 * operation estimates the size of an exact result before computing it:
 * no exact number ever exceeds twice the size limit, even transiently.
 * It also estimates its cost and charges it to the evaluation's budget of
 * work before doing it (see "Work" below).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>
#include <mpfr.h>

#include "calc.h"
#include "calc_int.h"

#define GUARD_BITS	16	/* beyond the precision: hides rounding */
#define SLACK_BITS	8	/* beyond max_digits, for intermediates */
#define ROOT_MAX	64	/* largest q of an exact x^(p/q) */
#define NAME_MAX_SHOWN	32	/* bytes of a name shown in a message */
#define ERR_SIZE	256	/* longest error message */
#define STACK_MIN	16	/* first size of the value stack */
#define EXP_MAX		1000000000000LL	/* caps a literal's exponent */
#define POW_SLACK	64	/* exponent bits past the base's precision */

/* The work model, in the unit of calc.h; see "Work" below. */
#define WORK_CALL	1000	/* any GMP or MPFR call, whatever the size */
#define WORK_FN		16000	/* an MPFR function, per limb of precision */
#define WORK_GAMMA	10000	/* mpfr_gamma, per limb of precision squared */
#define WORK_TRIG	4	/* reducing a large argument of sin, cos, tan */
#define WORK_CLOSE	32	/* ... near a multiple of pi/2, per bit^1.5 */
#define TRIG_CLOSE	48	/* bits of cancellation that make it close */
#define WORK_DIGIT	8	/* MPFR reading one digit of a literal */
#define WORK_ROOT	16384	/* mpfr_sqrt or mpfr_cbrt, besides a division */
#define WORK_LIMB	4	/* copying a limb, the allocation included */

/* Limbs of 64 bits: every CALC_INT and CALC_DEC is one, see work_small. */
#define SMALL_LIMBS	(GMP_NUMB_BITS >= 64)

/* Keeps evaluation out of the frames of the recursive descent. */
#define NOINLINE	__attribute__((noinline))

/* Tokens other than the one-character operators, which stand for self. */
enum {
	T_END = 256,
	T_NUM,
	T_IDENT,
	T_POW			/* "**" */
};

enum func_id {
	F_MPFR, F_ABS, F_FLOOR, F_CEIL, F_ROUND, F_TRUNC, F_SQRT, F_CBRT,
	F_LN, F_LOG, F_POS, F_TRIG, F_ATAN2, F_MIN, F_MAX, F_GCD, F_LCM
};

struct func {
	const char	*name;
	enum func_id	 id;
	size_t		 min;		/* arity */
	size_t		 max;		/* 0: no upper bound */
	int		(*mf)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t);
};

/* Sorted by name, as strncmp() orders them: func_find() halves it. */
static const struct func funcs[] = {
	{ "abs",	F_ABS,		1, 1, NULL },
	{ "acos",	F_MPFR,		1, 1, mpfr_acos },
	{ "asin",	F_MPFR,		1, 1, mpfr_asin },
	{ "atan",	F_MPFR,		1, 1, mpfr_atan },
	{ "atan2",	F_ATAN2,	2, 2, NULL },
	{ "cbrt",	F_CBRT,		1, 1, mpfr_cbrt },
	{ "ceil",	F_CEIL,		1, 1, mpfr_rint_ceil },
	{ "cos",	F_TRIG,		1, 1, mpfr_cos },
	{ "cosh",	F_MPFR,		1, 1, mpfr_cosh },
	{ "exp",	F_MPFR,		1, 1, mpfr_exp },
	{ "floor",	F_FLOOR,	1, 1, mpfr_rint_floor },
	{ "gcd",	F_GCD,		2, 0, NULL },
	{ "lcm",	F_LCM,		2, 0, NULL },
	{ "ln",		F_LN,		1, 1, NULL },
	{ "log",	F_LOG,		1, 2, NULL },
	{ "log10",	F_POS,		1, 1, mpfr_log10 },
	{ "log2",	F_POS,		1, 1, mpfr_log2 },
	{ "max",	F_MAX,		1, 0, NULL },
	{ "min",	F_MIN,		1, 0, NULL },
	{ "round",	F_ROUND,	1, 1, mpfr_rint_round },
	{ "sin",	F_TRIG,		1, 1, mpfr_sin },
	{ "sinh",	F_MPFR,		1, 1, mpfr_sinh },
	{ "sqrt",	F_SQRT,		1, 1, mpfr_sqrt },
	{ "tan",	F_TRIG,		1, 1, mpfr_tan },
	{ "tanh",	F_MPFR,		1, 1, mpfr_tanh },
	{ "trunc",	F_TRUNC,	1, 1, mpfr_rint_trunc },
};

struct var {
	char			*name;
	struct calc_value	 v;
};

/*
 * The steps of an expression in evaluation order, which parse_line()
 * compiles once the syntax is known good and run() executes.
 */
enum op_kind {
	OP_INT,			/* push i: a literal read while compiling */
	OP_DEC,			/* charge a literal, push d: a decimal */
	OP_NUM,			/* push the literal in[pos..pos+len) */
	OP_NAME,		/* push the constant or variable named there */
	OP_CALL,		/* replace the n values on top by f of them */
	OP_FACT,		/* replace the top by its factorial */
	OP_BINOP,		/* replace the two on top by a c b */
	OP_NEG			/* negate the top */
};

/* A step: 24 bytes, as short as its operands allow. */
struct op {
	enum op_kind		 kind;
	int			 c;	/* the operator of OP_BINOP */
	union {
		int64_t		 i;	/* OP_INT */
		struct calc_dec	 d;	/* OP_DEC */
		struct {
			size_t	 pos;
			size_t	 len;
		}		 t;	/* OP_NUM, OP_NAME: the token */
		struct {
			const struct func *f;
			size_t	 n;
		}		 call;	/* OP_CALL */
	} u;
};

/*
 * The charges of the commonest steps, which with limbs of 64 bits depend
 * on the session's precision only: every integer and decimal of 64 bits
 * is one limb, its canonical fraction one over one (see work_init()).
 */
struct work_small {
	uint64_t		 op[5];	/* a op b, both CALC_INT or CALC_DEC */
	uint64_t		 dec;	/* a decimal literal lex() read */
	uint64_t		 fmt;	/* formatting a CALC_DEC */
	uint64_t		 sqrt;	/* sqrt of a CALC_INT, its first charge */
	uint64_t		 root;	/* ... and its second when inexact */
};

struct calc_session {
	struct calc_limits	 lim;
	struct work_small	 ws;	/* valid when GMP_NUMB_BITS >= 64 */
	mpfr_prec_t		 wp;	/* working precision, bits */
	size_t			 maxbits; /* largest exact number, bits */
	struct calc_value	 ans;
	struct var		*vars;	/* sorted by name */
	size_t			 nvars;
	struct calc_value	*stack;	/* operands of the expression */
	size_t			 sp;
	size_t			 stackcap;
	struct calc_buf		 out;	/* the answer; ERR_SIZE or more */
	mpfr_t			 spare;	/* a real of wp bits to reuse */
	int			 has_spare;
	struct op		*prog;	/* the expression compiled */
	size_t			 nprog;
	size_t			 progcap;
};

struct parser {
	struct calc_session	*s;
	const char		*in;
	size_t			 len;
	size_t			 pos;	/* next byte to read */
	int			 tok;	/* current token */
	size_t			 tpos;	/* its offset */
	size_t			 tlen;	/* its length */
	int			 tsimple; /* a T_NUM read into tval */
	struct calc_value	 tval;	/* CALC_INT or CALC_DEC */
	unsigned long		 depth;
	int			 assign; /* "name = expr" */
	size_t			 npos;	/* the name assigned to */
	size_t			 nlen;
	uint64_t		 work;	/* spent, at most lim.max_work */
};

static int	parse_expr(struct parser *);
static int	parse_unary(struct parser *);

/*
 * Values.
 */

static void
val_clear(struct calc_value *v)
{
	if (v->k == CALC_RAT)
		mpq_clear(v->u.q);
	else if (v->k == CALC_REAL)
		mpfr_clear(v->u.f);
	v->k = CALC_INT;
	v->u.i = 0;
}

static void
val_int(struct calc_value *v, int64_t i)
{
	v->k = CALC_INT;
	v->u.i = i;
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
static void
val_to_q(struct calc_value *v)
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

/* Turn a decimal into the rational it stands for, in place. */
static void
val_undec(struct calc_value *v)
{
	if (v->k == CALC_DEC)
		val_to_q(v);
}

/*
 * Make v inexact, in place: an integer keeps all its bits, so that
 * sin(10^100) is the sine of that integer; other rationals are rounded to
 * the working precision.
 */
static void
val_to_f(struct calc_session *s, struct calc_value *v)
{
	mpfr_prec_t prec = s->wp;
	mpq_t q;
	size_t bits;

	val_to_q(v);
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
static void
val_to_wp(struct calc_session *s, struct calc_value *v)
{
	val_to_f(s, v);
	if (mpfr_get_prec(v->u.f) > s->wp)
		mpfr_prec_round(v->u.f, s->wp, MPFR_RNDN);
}

static void
val_copy(struct calc_value *d, const struct calc_value *v)
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

static int
val_sgn(const struct calc_value *v)
{
	if (v->k == CALC_INT)
		return ((v->u.i > 0) - (v->u.i < 0));
	if (v->k == CALC_DEC)
		return ((v->u.d.m > 0) - (v->u.d.m < 0));
	if (v->k == CALC_RAT)
		return (mpq_sgn(v->u.q));
	return (mpfr_sgn(v->u.f));
}

/* Is v an exact integer? */
static int
val_is_int(const struct calc_value *v)
{
	return (v->k == CALC_INT ||
	    (v->k == CALC_RAT && mpz_cmp_ui(mpq_denref(v->u.q), 1) == 0));
}

/* Compare a and b, which may become rationals. */
static int
val_cmp(struct calc_value *a, struct calc_value *b)
{
	int c;

	if (a->k == CALC_INT && b->k == CALC_INT)
		return ((a->u.i > b->u.i) - (a->u.i < b->u.i));
	if (a->k == CALC_REAL && b->k == CALC_REAL)
		return (mpfr_cmp(a->u.f, b->u.f));
	val_to_q(a);
	val_to_q(b);
	if (a->k == CALC_RAT && b->k == CALC_RAT)
		return (mpq_cmp(a->u.q, b->u.q));
	if (a->k == CALC_REAL)
		return (mpfr_cmp_q(a->u.f, b->u.q));
	c = mpfr_cmp_q(b->u.f, a->u.q);
	return ((c < 0) - (c > 0));
}

/* Make r a real of wp bits, of any value: the spare one if there is one. */
static void
real_init(struct calc_session *s, struct calc_value *r)
{
	r->k = CALC_REAL;
	if (s->has_spare) {
		r->u.f[0] = s->spare[0];
		s->has_spare = 0;
	} else
		mpfr_init2(r->u.f, s->wp);
}

/*
 * Free v, but keep a real of wp bits as the spare: the answer of one line
 * (say a square root) gives its memory to the next.
 */
static void
val_recycle(struct calc_session *s, struct calc_value *v)
{
	if (v->k == CALC_REAL && !s->has_spare &&
	    mpfr_get_prec(v->u.f) == s->wp) {
		s->spare[0] = v->u.f[0];
		s->has_spare = 1;
		val_int(v, 0);
	} else
		val_clear(v);
}

/*
 * Errors.
 */

/* Copy the n bytes at s to buf, at most NAME_MAX_SHOWN, escaping bytes. */
static const char *
esc(char *buf, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c;
	size_t i;
	char *o = buf;

	for (i = 0; i < n && i < NAME_MAX_SHOWN; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f)
			*o++ = (char)c;
		else {
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 0xf];
		}
	}
	*o = '\0';
	return (buf);
}

/* Set the answer to "error: " and the message; return -1. */
static int __attribute__((format(printf, 2, 3)))
fail(struct parser *p, const char *fmt, ...)
{
	struct calc_buf *b = &p->s->out;
	va_list ap;

	memcpy(b->s, "error: ", 7);
	va_start(ap, fmt);
	vsnprintf(b->s + 7, ERR_SIZE - 7, fmt, ap);
	va_end(ap);
	b->len = strlen(b->s);
	return (-1);
}

/* Fail with a message naming the n bytes at name. */
static int NOINLINE
fail_name(struct parser *p, const char *what, const char *name, size_t n)
{
	char buf[NAME_MAX_SHOWN * 4 + 1];

	return (fail(p, "%s '%s'", what, esc(buf, name, n)));
}

static int
too_large(struct parser *p)
{
	return (fail(p, "result too large"));
}

/*
 * Work.  Before each operation on multi-limb numbers, the evaluation
 * charges an estimate of its cost, from the sizes of its operands, to its
 * budget (lim.max_work), and fails with "expression too costly" when the
 * estimate would pass it; small integers cost nothing.  The unit is about
 * a nanosecond: the estimates are upper bounds, mostly within four times,
 * of the times GMP 6.2 and MPFR 4.2 took on an x86-64 core, measured from
 * 1 to 65536 limbs and up to 1000 digits of precision.  Where the cost
 * depends on more than the sizes (MPFR's retries when a result is hard to
 * round), the operation either avoids that (val_to_wp(), real_pow_z()) or
 * probes before charging (trig_close()).  Sizes are in limbs.
 */

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

/* The number of bits of n, at least 1. */
static uint64_t
lg(uint64_t n)
{
	uint64_t b = 1;

	while (n >>= 1)
		b++;
	return (b);
}

size_t
calc_bits_limbs(uint64_t bits)
{
	return ((size_t)(bits / GMP_NUMB_BITS + 1));
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
static uint64_t
work_gcd(size_t a, size_t b)
{
	uint64_t lo = a < b ? a : b, hi = a < b ? b : a, q, h;

	q = 6 * lo * lo;
	h = 3 * lg(lo) * calc_work_mul(lo, lo);
	return (calc_work_div(hi, lo) + (q < h ? q : h) + 256 * lo);
}

/* A power, a factorial or a root of r limbs: a few products of r limbs. */
static uint64_t
work_pow(size_t r)
{
	return (2 * calc_work_mul(r, r) + 1024);
}

/* An MPFR function at the working precision, Ziv's retries included. */
static uint64_t
work_fn(const struct calc_session *s)
{
	return (WORK_FN * (calc_bits_limbs(s->wp) + 2));
}

/*
 * sin, cos and tan of a number of r bits before the point: MPFR reduces it
 * modulo pi with pi to some r + wp bits, twice when its cache of pi falls
 * short.  trig_close() costs the same.
 */
static uint64_t
work_trig(const struct calc_session *s, uint64_t r)
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
static uint64_t
work_trig_close(uint64_t r)
{
	return (WORK_CLOSE * r * isqrt(r));
}

static size_t
z_limbs(mpz_srcptr z)
{
	size_t n = mpz_size(z);

	return (n > 0 ? n : 1);
}

static size_t
q_limbs(mpq_srcptr q)
{
	return (z_limbs(mpq_numref(q)) + z_limbs(mpq_denref(q)));
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
		return (calc_bits_limbs((uint64_t)mpfr_get_prec(v->u.f)));
	return (1);
}

/* Copying or converting v: linear, with the allocation. */
static uint64_t
work_copy(const struct calc_value *v)
{
	return (WORK_LIMB * val_limbs(v));
}

/* Limbs of v once val_to_f() made it inexact: all of an integer's. */
static size_t
val_f_limbs(const struct calc_session *s, const struct calc_value *v)
{
	size_t n = calc_bits_limbs((uint64_t)s->wp);

	if (v->k == CALC_RAT && val_is_int(v) &&
	    z_limbs(mpq_numref(v->u.q)) > n)
		return (z_limbs(mpq_numref(v->u.q)));
	return (v->k == CALC_REAL ? val_limbs(v) : n);
}

/* mpfr_sqrt or mpfr_cbrt of v, which reads all the bits of an integer. */
static uint64_t
work_froot(const struct calc_session *s, const struct calc_value *v)
{
	size_t w = calc_bits_limbs((uint64_t)s->wp);

	return (work_copy(v) + 8 * calc_work_div(val_f_limbs(s, v) + w, w) +
	    WORK_ROOT);
}

/* Bits of |v| before the point; 0 below 1. */
static uint64_t
val_mag_bits(const struct calc_value *v)
{
	long b;

	if (v->k == CALC_INT)
		return (64);
	if (v->k == CALC_REAL)
		return (mpfr_regular_p(v->u.f) && mpfr_get_exp(v->u.f) > 0 ?
		    (uint64_t)mpfr_get_exp(v->u.f) : 0);
	b = (long)mpz_sizeinbase(mpq_numref(v->u.q), 2) -
	    (long)mpz_sizeinbase(mpq_denref(v->u.q), 2) + 1;
	return (b > 0 ? (uint64_t)b : 0);
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
		return (w + work_gcd(da, db) + work_gcd(na + db > nb + da ?
		    na + db : nb + da, da < db ? da : db) +
		    calc_work_mul(na, db) + calc_work_mul(nb, da) +
		    calc_work_mul(da, db));
	if (op == '*')
		return (w + work_gcd(na, db) + work_gcd(nb, da) +
		    calc_work_mul(na, nb) + calc_work_mul(da, db));
	w += work_gcd(na, nb) + work_gcd(da, db) + calc_work_mul(na, db) +
	    calc_work_mul(nb, da);
	if (op == '/')
		return (w);
	return (3 * w + calc_work_div(na + db, da + nb));
}

/* The limbs of the numerator and denominator of v, exact, as mpq has them. */
static void
q_sizes(const struct calc_value *v, size_t *n, size_t *d)
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
static uint64_t
work_vop(int op, const struct calc_value *a, const struct calc_value *b)
{
	size_t na, da, nb, db;

	q_sizes(a, &na, &da);
	q_sizes(b, &nb, &db);
	return (work_qop(op, na, da, nb, db));
}

/* The index of the operator op, one of + - * / %, in work_small.op. */
static size_t
op_slot(int op)
{
	switch (op) {
	case '+':
		return (0);
	case '-':
		return (1);
	case '*':
		return (2);
	case '/':
		return (3);
	default:
		return (4);
	}
}

/* Comparing a and b as val_cmp() does: mpq and mpfr_cmp_q multiply. */
static uint64_t
work_cmp(const struct calc_value *a, const struct calc_value *b)
{
	size_t da = a->k == CALC_RAT ? z_limbs(mpq_denref(a->u.q)) : 1;
	size_t db = b->k == CALC_RAT ? z_limbs(mpq_denref(b->u.q)) : 1;

	return (calc_work_mul(val_limbs(a), db) +
	    calc_work_mul(val_limbs(b), da) + work_copy(a) + work_copy(b));
}

/*
 * Charge w units and the cost of a call to the evaluation.  Returns 0, or
 * -1 and fails when that would pass the budget; the work is then not done.
 */
static int
charge(struct parser *p, uint64_t w)
{
	uint64_t left = p->s->lim.max_work - p->work;

	w += WORK_CALL;
	if (w > left)
		return (fail(p, "expression too costly"));
	p->work += w;
	return (0);
}

/*
 * The value stack.
 */

static struct calc_value *
top(struct parser *p, size_t i)
{
	return (&p->s->stack[p->s->sp - 1 - i]);
}

/* Free the n values on top of the stack. */
static void
drop(struct calc_session *s, size_t n)
{
	while (n-- > 0)
		val_clear(&s->stack[--s->sp]);
}

/* Make room for n more values on the stack.  Returns 0, or -1. */
static int NOINLINE
stack_reserve(struct parser *p, size_t n)
{
	struct calc_session *s = p->s;
	struct calc_value *st;
	size_t cap = s->stackcap ? s->stackcap : STACK_MIN;

	while (cap - s->sp < n)
		cap *= 2;
	if (cap == s->stackcap)
		return (0);
	if ((st = reallocarray(s->stack, cap, sizeof(*st))) == NULL)
		return (fail(p, "out of memory"));
	s->stack = st;
	s->stackcap = cap;
	return (0);
}

/* Replace the n values on top of the stack with r, which it takes over. */
static int
put(struct parser *p, size_t n, struct calc_value *r)
{
	struct calc_session *s = p->s;

	drop(s, n);
	if (s->sp == s->stackcap && stack_reserve(p, 1) == -1) {
		val_clear(r);
		return (-1);
	}
	s->stack[s->sp++] = *r;
	return (0);
}

/*
 * Bring a fresh result r to its canonical form: an exact integer that
 * fits becomes a small integer; an exact number over the size limit is an
 * error if it is an integer, else it becomes inexact; an inexact NaN is a
 * domain error of the operation name, an infinity too large.  On error r
 * is freed.
 */
static int
finish(struct parser *p, struct calc_value *r, const char *name)
{
	struct calc_session *s = p->s;
	mpq_t q;
	int64_t i;

	if (r->k == CALC_REAL) {
		if (mpfr_nan_p(r->u.f)) {
			val_clear(r);
			return (fail(p, "domain error in %s", name));
		}
		if (mpfr_inf_p(r->u.f)) {
			val_clear(r);
			return (too_large(p));
		}
	} else if (r->k == CALC_RAT && val_is_int(r)) {
		if (mpz_sizeinbase(mpq_numref(r->u.q), 2) > s->maxbits) {
			val_clear(r);
			return (too_large(p));
		}
		if (z_get_i64(mpq_numref(r->u.q), &i) == 0) {
			val_clear(r);
			val_int(r, i);
		}
	} else if (r->k == CALC_RAT &&
	    (mpz_sizeinbase(mpq_numref(r->u.q), 2) > s->maxbits ||
	    mpz_sizeinbase(mpq_denref(r->u.q), 2) > s->maxbits)) {
		if (charge(p, work_copy(r)) == -1) {
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
	val_to_q(a);
	val_to_q(b);
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
	return (finish(p, r, NULL));
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
		w = work_vop(op, a, b);
	if (charge(p, w) == -1)
		return (-1);
	if (op != '%' && a->k <= CALC_DEC && b->k <= CALC_DEC &&
	    calc_dec_op(op, r, a, b) == 0)
		return (0);
	return (rat_op_q(p, op, r, a, b));
}

/*
 * The inexact a op b: converting the operands (an integer keeps all its
 * bits), then one MPFR operation; fmod finds the remainder of numbers of
 * any exponents by modular powers of two.
 */
static uint64_t
work_fop(const struct calc_session *s, int op, const struct calc_value *a,
    const struct calc_value *b)
{
	size_t la = val_f_limbs(s, a), lb = val_f_limbs(s, b);
	uint64_t w = work_copy(a) + work_copy(b);

	if (op == '+' || op == '-')
		return (w + la + lb);
	if (op == '*')
		return (w + calc_work_mul(la, lb));
	if (op == '/')
		return (w + calc_work_div(la + lb, lb));
	return (w + calc_work_div(la + lb, lb) + work_fn(s) / 4);
}

static int
real_op(struct parser *p, int op, struct calc_value *r, struct calc_value *a,
    struct calc_value *b)
{
	char name[2] = { (char)op, '\0' };

	if (charge(p, work_fop(p->s, op, a, b)) == -1)
		return (-1);
	val_to_f(p->s, a);
	val_to_f(p->s, b);
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
	return (finish(p, r, name));
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
	return (finish(p, r, "^"));
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
		val_to_f(p->s, a);
		mpz_init(e);
		pow_exponent(p->s, e, b);
		rc = real_pow_z(p, r, a->u.f, e);
		mpz_clear(e);
		return (rc);
	}
	if (charge(p, 2 * work_fn(p->s) + work_copy(a) + work_copy(b)) == -1)
		return (-1);
	val_to_f(p->s, a);
	real_init(p->s, r);
	mpfr_set(r->u.f, a->u.f, MPFR_RNDN);
	if (b->k == CALC_RAT && mpfr_sgn(a->u.f) < 0 &&
	    mpz_odd_p(mpq_denref(b->u.q))) {
		neg = mpz_odd_p(mpq_numref(b->u.q));
		mpfr_neg(r->u.f, r->u.f, MPFR_RNDN);
	}
	val_to_f(p->s, b);
	mpfr_pow(r->u.f, r->u.f, b->u.f, MPFR_RNDN);
	if (neg)
		mpfr_neg(r->u.f, r->u.f, MPFR_RNDN);
	return (finish(p, r, "^"));
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
		return (integer ? too_large(p) : 1);
	if (charge(p, 2 * work_pow(calc_bits_limbs((uint64_t)bits *
	    mpz_get_ui(e)))) == -1)
		return (-1);
	r->k = CALC_RAT;
	mpq_init(r->u.q);
	mpz_pow_ui(mpq_numref(r->u.q), n, mpz_get_ui(e));
	mpz_pow_ui(mpq_denref(r->u.q), d, mpz_get_ui(e));
	if (mpz_sgn(e) < 0)
		mpq_inv(r->u.q, r->u.q);
	return (finish(p, r, "^"));
}

/* Set r to the exact k-th root of a and return 1, or return 0. */
static int
q_root(mpq_ptr r, mpq_srcptr a, unsigned long k)
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
		return (fail(p, "domain error in ^"));
	if (mpz_cmp_ui(q, ROOT_MAX) > 0)
		return (1);
	if (charge(p, work_pow(q_limbs(a))) == -1)
		return (-1);
	mpq_init(root);
	if (q_root(root, a, mpz_get_ui(q)))
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
	if (charge(p, 2 * work_pow(calc_bits_limbs((uint64_t)bits *
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

	if (val_sgn(a) == 0 && val_sgn(b) < 0)
		return (fail(p, "division by zero"));
	if (a->k == CALC_INT && b->k == CALC_INT &&
	    int_pow(r, a->u.i, b->u.i) == 0)
		return (0);
	if (a->k != CALC_REAL && b->k != CALC_REAL) {
		val_to_q(a);
		val_to_q(b);
		if (val_is_int(b))
			rc = rat_pow_z(p, r, a->u.q, mpq_numref(b->u.q));
		else
			rc = rat_pow_q(p, r, a->u.q, b->u.q);
		if (rc != 1)
			return (rc);
	}
	return (real_pow(p, r, a, b));
}

/* Negate the value on top of the stack. */
static void
negate(struct parser *p)
{
	struct calc_value *v = top(p, 0);

	if (v->k == CALC_INT && v->u.i != INT64_MIN)
		v->u.i = -v->u.i;
	else if (v->k == CALC_DEC)
		v->u.d.m = -v->u.d.m;
	else if (v->k == CALC_REAL)
		mpfr_neg(v->u.f, v->u.f, MPFR_RNDN);
	else {
		val_to_q(v);
		mpq_neg(v->u.q, v->u.q);
	}
}

/*
 * mpfr_gamma(x + 1) for an inexact integer x >= 0: the product, when x!
 * has at most wp bits (x log2 x bounds them), else an asymptotic series
 * whose cost grows with the square of the precision (1000! to 1000 digits
 * took 19 ms).
 */
static uint64_t
work_gamma(const struct calc_session *s, mpfr_srcptr x)
{
	uint64_t n, wl = calc_bits_limbs((uint64_t)s->wp);

	if (mpfr_cmp_ui(x, 1UL << 20) < 0) {
		n = mpfr_get_ui(x, MPFR_RNDN);
		if (n * lg(n) <= (uint64_t)s->wp)
			return (work_fn(s));
	}
	return (WORK_GAMMA * wl * wl + 8 * WORK_FN);
}

/*
 * Replace the value on top of the stack by its factorial.  log2(n!) is at
 * least n * (log2(n) - log2(e)), so a too large n fails before the work;
 * it is at most n * log2(n), which bounds the work.
 */
static int NOINLINE
factorial(struct parser *p)
{
	struct calc_value *v = top(p, 0), r;
	unsigned long n;
	int64_t i, x = 1;

	val_undec(v);
	if (v->k == CALC_REAL) {
		if (!mpfr_integer_p(v->u.f) || mpfr_sgn(v->u.f) < 0)
			return (fail(p, "domain error in !"));
		if (charge(p, work_gamma(p->s, v->u.f)) == -1)
			return (-1);
		real_init(p->s, &r);
		mpfr_add_ui(r.u.f, v->u.f, 1, MPFR_RNDN);
		mpfr_gamma(r.u.f, r.u.f, MPFR_RNDN);
	} else if (!val_is_int(v) || val_sgn(v) < 0)
		return (fail(p, "domain error in !"));
	else if (v->k == CALC_INT && v->u.i <= 20) {
		for (i = 2; i <= v->u.i; i++)
			x *= i;
		val_int(&r, x);
	} else {
		val_to_q(v);
		if (!mpz_fits_ulong_p(mpq_numref(v->u.q)) ||
		    (n = mpz_get_ui(mpq_numref(v->u.q))) > p->s->maxbits ||
		    (double)n * ((double)mpz_sizeinbase(mpq_numref(v->u.q),
		    2) - 2.45) > (double)p->s->maxbits)
			return (too_large(p));
		if (charge(p, work_pow(calc_bits_limbs((uint64_t)n * lg(n)))) ==
		    -1)
			return (-1);
		r.k = CALC_RAT;
		mpq_init(r.u.q);
		mpz_fac_ui(mpq_numref(r.u.q), n);
	}
	if (finish(p, &r, "!") == -1)
		return (-1);
	return (put(p, 1, &r));
}

/*
 * Functions.  Each reads its arguments a[0..n) and writes a fresh r, as
 * the operations above do.
 */

/* abs floor ceil round trunc; round takes halves away from zero. */
static int
fn_int(struct parser *p, const struct func *f, struct calc_value *r,
    struct calc_value *a)
{
	mpz_ptr z, t;
	mpz_srcptr n, d;

	if (a->k == CALC_REAL) {
		if (charge(p, work_copy(a)) == -1)
			return (-1);
		real_init(p->s, r);
		if (f->id == F_ABS)
			mpfr_abs(r->u.f, a->u.f, MPFR_RNDN);
		else
			f->mf(r->u.f, a->u.f, MPFR_RNDN);
		return (finish(p, r, f->name));
	}
	if (a->k == CALC_INT && a->u.i != INT64_MIN) {
		val_int(r, f->id == F_ABS && a->u.i < 0 ? -a->u.i : a->u.i);
		return (0);
	}
	val_to_q(a);
	if (charge(p, calc_work_div(z_limbs(mpq_numref(a->u.q)) + 1,
	    z_limbs(mpq_denref(a->u.q))) + 2 * work_copy(a)) == -1)
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
	return (finish(p, r, f->name));
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
 * square root of any other is mpfr_sqrt_ui() correctly rounded.
 */
static int
fn_sqrt_int(struct parser *p, const struct func *f, struct calc_value *r,
    const struct calc_value *a)
{
	const struct work_small *ws = &p->s->ws;
	size_t n, d, w = calc_bits_limbs((uint64_t)p->s->wp);
	uint64_t x = (uint64_t)a->u.i, y;

	q_sizes(a, &n, &d);
	if (charge(p, SMALL_LIMBS ? ws->sqrt : work_pow(n + d)) == -1)
		return (-1);
	y = isqrt_u64(x);
	if (y * y == x) {
		val_int(r, (int64_t)y);
		return (0);
	}
	if (charge(p, SMALL_LIMBS ? ws->root : WORK_LIMB * (n + d) +
	    8 * calc_work_div(w + w, w) + WORK_ROOT) == -1)
		return (-1);
	real_init(p->s, r);
	mpfr_sqrt_ui(r->u.f, x, MPFR_RNDN);
	return (finish(p, r, f->name));
}

/*
 * sqrt and cbrt, exact for perfect squares and cubes.  Else MPFR rounds
 * them correctly at once, at the cost of a few divisions.
 */
static int
fn_root(struct parser *p, const struct func *f, struct calc_value *r,
    struct calc_value *a)
{
	if (f->id == F_SQRT && val_sgn(a) < 0)
		return (fail(p, "domain error in sqrt"));
	if (f->id == F_SQRT && a->k == CALC_INT)
		return (fn_sqrt_int(p, f, r, a));
	if (a->k != CALC_REAL) {
		val_to_q(a);
		if (charge(p, work_pow(q_limbs(a->u.q))) == -1)
			return (-1);
		r->k = CALC_RAT;
		mpq_init(r->u.q);
		if (q_root(r->u.q, a->u.q, f->id == F_SQRT ? 2 : 3))
			return (finish(p, r, f->name));
		val_clear(r);
	}
	if (charge(p, work_froot(p->s, a)) == -1)
		return (-1);
	val_to_f(p->s, a);
	real_init(p->s, r);
	f->mf(r->u.f, a->u.f, MPFR_RNDN);
	return (finish(p, r, f->name));
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

/*
 * The functions MPFR computes from one argument.  The sine of an inexact
 * number needs pi to as many bits as the number has before its point: past
 * the size limit of integers, that is too large.  The other functions
 * read their argument rounded to the working precision (val_to_wp()).
 */
static int
fn_mpfr(struct parser *p, const struct func *f, struct calc_value *r,
    struct calc_value *a)
{
	uint64_t w = work_fn(p->s) + work_copy(a), bits = 0;

	if (f->id == F_POS && val_sgn(a) <= 0)
		return (fail(p, "domain error in %s", f->name));
	if (f->id == F_TRIG && a->k == CALC_REAL && !mpfr_zero_p(a->u.f) &&
	    mpfr_get_exp(a->u.f) > (mpfr_exp_t)p->s->maxbits)
		return (too_large(p));
	if (f->id == F_TRIG)
		w += work_trig(p->s, bits = val_mag_bits(a));
	if (charge(p, w) == -1)
		return (-1);
	if (f->id != F_TRIG)
		val_to_wp(p->s, a);
	else {
		val_to_f(p->s, a);
		if (bits > (uint64_t)p->s->wp &&
		    trig_close(p->s, a->u.f, bits) &&
		    charge(p, work_trig_close(bits)) == -1)
			return (-1);
	}
	real_init(p->s, r);
	f->mf(r->u.f, a->u.f, MPFR_RNDN);
	return (finish(p, r, f->name));
}

/* ln(x), log(x) and log(x, base). */
static int
fn_log(struct parser *p, const struct func *f, struct calc_value *r,
    struct calc_value *a, size_t n)
{
	struct calc_value one;
	mpfr_t t;
	int c = 1;

	if (n == 2) {
		val_int(&one, 1);
		if (a[1].k != CALC_INT &&
		    charge(p, work_cmp(&a[1], &one)) == -1)
			return (-1);
		c = val_cmp(&a[1], &one);
		val_clear(&one);
	}
	if (val_sgn(&a[0]) <= 0 || (n == 2 && (val_sgn(&a[1]) <= 0 || c == 0)))
		return (fail(p, "domain error in %s", f->name));
	if (charge(p, n * work_fn(p->s) + work_copy(&a[0]) +
	    (n == 2 ? work_copy(&a[1]) : 0)) == -1)
		return (-1);
	val_to_wp(p->s, &a[0]);
	real_init(p->s, r);
	mpfr_log(r->u.f, a[0].u.f, MPFR_RNDN);
	if (n == 2) {
		val_to_wp(p->s, &a[1]);
		mpfr_init2(t, p->s->wp);
		mpfr_log(t, a[1].u.f, MPFR_RNDN);
		mpfr_div(r->u.f, r->u.f, t, MPFR_RNDN);
		mpfr_clear(t);
	}
	return (finish(p, r, f->name));
}

static int
fn_atan2(struct parser *p, const struct func *f, struct calc_value *r,
    struct calc_value *a)
{
	if (charge(p, work_fn(p->s) + work_copy(&a[0]) + work_copy(&a[1])) ==
	    -1)
		return (-1);
	val_to_wp(p->s, &a[0]);
	val_to_wp(p->s, &a[1]);
	real_init(p->s, r);
	mpfr_atan2(r->u.f, a[0].u.f, a[1].u.f, MPFR_RNDN);
	return (finish(p, r, f->name));
}

/* min and max: the chosen argument keeps its kind. */
static int
fn_minmax(struct parser *p, const struct func *f, struct calc_value *r,
    struct calc_value *a, size_t n)
{
	size_t i, best = 0;
	int c;

	for (i = 1; i < n; i++) {
		if ((a[i].k != CALC_INT || a[best].k != CALC_INT) &&
		    charge(p, work_cmp(&a[i], &a[best])) == -1)
			return (-1);
		c = val_cmp(&a[i], &a[best]);
		if (f->id == F_MIN ? c < 0 : c > 0)
			best = i;
	}
	*r = a[best];
	val_int(&a[best], 0);
	return (finish(p, r, f->name));
}

/* The next step of gcd or lcm: g op x. */
static uint64_t
work_gcd_step(const struct func *f, mpz_srcptr g, mpz_srcptr x)
{
	size_t ng = z_limbs(g), nx = z_limbs(x);

	if (f->id == F_GCD)
		return (work_gcd(ng, nx));
	return (work_gcd(ng, nx) + calc_work_mul(ng, nx) +
	    calc_work_div(ng + nx, ng < nx ? ng : nx));
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
			return (fail(p, "domain error in %s", f->name));
	r->k = CALC_RAT;
	mpq_init(r->u.q);
	g = mpq_numref(r->u.q);
	for (i = 0; i < n; i++) {
		val_to_q(&a[i]);
		if (charge(p, work_gcd_step(f, g, mpq_numref(a[i].u.q))) ==
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
			return (too_large(p));
		}
	}
	return (finish(p, r, f->name));
}

/* Replace the n arguments on top of the stack by f of them. */
static int NOINLINE
call(struct parser *p, const struct func *f, size_t n)
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
	return (put(p, n, &r));
}

/*
 * The function named name[0..len), a name of letters, digits and
 * underscores, or NULL: a binary search, five comparisons where a scan
 * took up to 26.  A function's name that name is a prefix of sorts after
 * it.
 */
static const struct func *
func_find(const char *name, size_t len)
{
	size_t lo = 0, hi = sizeof(funcs) / sizeof(funcs[0]), mid;
	int c;

	if (len == 0)
		return (NULL);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strncmp(funcs[mid].name, name, len);
		if (c == 0 && funcs[mid].name[len] == '\0')
			return (&funcs[mid]);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (NULL);
}

/*
 * Variables, in an array sorted by name.
 */

/* Set *i to where name is, or would be, in the array; return 1 if there. */
static int
var_find(struct calc_session *s, const char *name, size_t len, size_t *i)
{
	size_t lo = 0, hi = s->nvars, mid, n;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		n = strlen(s->vars[mid].name);
		c = memcmp(s->vars[mid].name, name, n < len ? n : len);
		if (c == 0)
			c = (n > len) - (n < len);
		if (c == 0) {
			*i = mid;
			return (1);
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*i = lo;
	return (0);
}

/* Set *i to the variable of the name assigned to, created as 0 if new. */
static int
var_slot(struct parser *p, size_t *i)
{
	struct calc_session *s = p->s;
	struct var *v;
	char *name;

	if (var_find(s, p->in + p->npos, p->nlen, i))
		return (0);
	if ((name = strndup(p->in + p->npos, p->nlen)) == NULL)
		return (fail(p, "out of memory"));
	if ((v = reallocarray(s->vars, s->nvars + 1, sizeof(*v))) == NULL) {
		free(name);
		return (fail(p, "out of memory"));
	}
	s->vars = v;
	memmove(&v[*i + 1], &v[*i], (s->nvars - *i) * sizeof(*v));
	v[*i].name = name;
	val_int(&v[*i].v, 0);
	s->nvars++;
	return (0);
}

static int
is_reserved(const char *name, size_t len)
{
	return ((len == 2 && memcmp(name, "pi", 2) == 0) ||
	    (len == 1 && name[0] == 'e') ||
	    (len == 3 && memcmp(name, "ans", 3) == 0) ||
	    func_find(name, len) != NULL);
}

/*
 * The lexer.  One table gives the class of every byte, so that each test
 * is a load and a mask.
 */

#define C_BLANK		0x01	/* space, tab, CR, LF */
#define C_DIGIT		0x02	/* 0-9 */
#define C_ALPHA		0x04	/* letters and _ */
#define C_POINT		0x08	/* . */
#define C_OPER		0x10	/* the one-byte tokens */
#define C_WORD		(C_ALPHA | C_DIGIT)
#define C_NUMBER	(C_ALPHA | C_DIGIT | C_POINT)

static const unsigned char cclass[256] = {
	[' '] = C_BLANK, ['\t'] = C_BLANK, ['\r'] = C_BLANK, ['\n'] = C_BLANK,
	['0'] = C_DIGIT, ['1'] = C_DIGIT, ['2'] = C_DIGIT, ['3'] = C_DIGIT,
	['4'] = C_DIGIT, ['5'] = C_DIGIT, ['6'] = C_DIGIT, ['7'] = C_DIGIT,
	['8'] = C_DIGIT, ['9'] = C_DIGIT,
	['a'] = C_ALPHA, ['b'] = C_ALPHA, ['c'] = C_ALPHA, ['d'] = C_ALPHA,
	['e'] = C_ALPHA, ['f'] = C_ALPHA, ['g'] = C_ALPHA, ['h'] = C_ALPHA,
	['i'] = C_ALPHA, ['j'] = C_ALPHA, ['k'] = C_ALPHA, ['l'] = C_ALPHA,
	['m'] = C_ALPHA, ['n'] = C_ALPHA, ['o'] = C_ALPHA, ['p'] = C_ALPHA,
	['q'] = C_ALPHA, ['r'] = C_ALPHA, ['s'] = C_ALPHA, ['t'] = C_ALPHA,
	['u'] = C_ALPHA, ['v'] = C_ALPHA, ['w'] = C_ALPHA, ['x'] = C_ALPHA,
	['y'] = C_ALPHA, ['z'] = C_ALPHA,
	['A'] = C_ALPHA, ['B'] = C_ALPHA, ['C'] = C_ALPHA, ['D'] = C_ALPHA,
	['E'] = C_ALPHA, ['F'] = C_ALPHA, ['G'] = C_ALPHA, ['H'] = C_ALPHA,
	['I'] = C_ALPHA, ['J'] = C_ALPHA, ['K'] = C_ALPHA, ['L'] = C_ALPHA,
	['M'] = C_ALPHA, ['N'] = C_ALPHA, ['O'] = C_ALPHA, ['P'] = C_ALPHA,
	['Q'] = C_ALPHA, ['R'] = C_ALPHA, ['S'] = C_ALPHA, ['T'] = C_ALPHA,
	['U'] = C_ALPHA, ['V'] = C_ALPHA, ['W'] = C_ALPHA, ['X'] = C_ALPHA,
	['Y'] = C_ALPHA, ['Z'] = C_ALPHA, ['_'] = C_ALPHA,
	['.'] = C_POINT,
	['+'] = C_OPER, ['-'] = C_OPER, ['*'] = C_OPER, ['/'] = C_OPER,
	['%'] = C_OPER, ['^'] = C_OPER, ['!'] = C_OPER, ['('] = C_OPER,
	[')'] = C_OPER, [','] = C_OPER, ['='] = C_OPER
};

static int
is_class(char c, int cl)
{
	return ((cclass[(unsigned char)c] & cl) != 0);
}

static int
is_blank(char c)
{
	return (is_class(c, C_BLANK));
}

static int
is_digit(char c)
{
	return (is_class(c, C_DIGIT));
}

/* The value of the digit c, up to 35, or 99 when c is no digit. */
static int
digit_value(char c)
{
	if (is_digit(c))
		return (c - '0');
	if (c >= 'a' && c <= 'z')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'Z')
		return (c - 'A' + 10);
	return (99);
}

/* The base that the prefix of the number at s announces: 16, 8, 2 or 10. */
static int
prefix_base(const char *s, size_t n)
{
	if (n < 2 || s[0] != '0')
		return (10);
	if (s[1] == 'x' || s[1] == 'X')
		return (16);
	if (s[1] == 'o' || s[1] == 'O')
		return (8);
	if (s[1] == 'b' || s[1] == 'B')
		return (2);
	return (10);
}

/*
 * The end of the run of letters, digits, points and underscores at s[0..n)
 * (and of signs after a decimal's exponent mark) that scan_number() reads
 * as one number.
 */
static size_t
number_end(const char *s, size_t n, int base)
{
	size_t end = 0;

	for (;;) {
		while (end < n && is_class(s[end], C_NUMBER))
			end++;
		if (base != 10 || end == 0 || end == n ||
		    (s[end] != '+' && s[end] != '-') ||
		    (s[end - 1] != 'e' && s[end - 1] != 'E'))
			return (end);
		end++;
	}
}

/*
 * Return the length of the number at s[0..n), or 0 if it is invalid.  A
 * number is read as the longest run of letters, digits, points and
 * underscores (and a sign after a decimal's exponent mark) so that "2x",
 * "1.2.3", "1e" and "0b2" are invalid numbers, not a number and a name.
 */
static size_t
scan_number(const char *s, size_t n)
{
	size_t end, i = 0, digits = 0;
	int base = prefix_base(s, n);

	end = number_end(s, n, base);
	if (base != 10) {
		for (i = 2; i < end && digit_value(s[i]) < base; i++)
			digits++;
		return (digits > 0 && i == end ? end : 0);
	}
	for (; i < end && is_digit(s[i]); i++)
		digits++;
	if (i < end && s[i] == '.')
		for (i++; i < end && is_digit(s[i]); i++)
			digits++;
	if (digits == 0)
		return (0);
	if (i < end && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < end && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i == end || !is_digit(s[i]))
			return (0);
		while (i < end && is_digit(s[i]))
			i++;
	}
	return (i == end ? end : 0);
}

/*
 * Read a literal of at most 18 digits and nothing else at the start of
 * s[0..n) into v, as calc_dec_scan() would: the commonest token, worth
 * not calling it for.  Returns its length, or 0 when the run of digits is
 * longer or goes on with a point, a letter or an underscore.
 */
static inline size_t
scan_int(const char *s, size_t n, struct calc_value *v)
{
	uint64_t m = 0;
	size_t i, lim = n < 19 ? n : 19;
	unsigned d;

	for (i = 0; i < lim && (d = (unsigned char)s[i] - '0') <= 9; i++)
		m = m * 10 + d;
	if (i == 19 || (i < n && is_class(s[i], C_NUMBER)))
		return (0);
	v->k = CALC_INT;
	v->u.i = (int64_t)m;
	return (i);
}

/*
 * The tokens lex() leaves to a call: numbers other than short integers,
 * names and errors, the token starting at s[i], past the blanks.
 */
static int NOINLINE
lex_slow(struct parser *p, size_t i)
{
	const char *s = p->in;
	char buf[8];
	size_t n = 1;
	int cl = cclass[(unsigned char)s[i]];

	if (cl & (C_DIGIT | C_POINT)) {
		p->tok = T_NUM;
		/* digits and a point, read at once */
		n = calc_dec_scan(s + i, p->len - i, &p->tval);
		p->tsimple = n > 0 &&
		    (i + n == p->len || !is_class(s[i + n], C_NUMBER));
		if (!p->tsimple && (n = scan_number(s + i, p->len - i)) == 0)
			return (fail(p, "syntax error at column %zu: "
			    "invalid number", i + 1));
	} else if (cl & C_ALPHA) {
		p->tok = T_IDENT;
		while (i + n < p->len && is_class(s[i + n], C_WORD))
			n++;
	} else
		return (fail(p, "syntax error at column %zu: "
		    "unexpected character '%s'", i + 1, esc(buf, s + i, 1)));
	p->tlen = n;
	p->pos = i + n;
	return (0);
}

/*
 * Read the next token into p->tok, p->tpos and p->tlen: operators and
 * short integers here, without a call, the rest in lex_slow().
 */
static int
lex(struct parser *p)
{
	const char *s = p->in;
	size_t i = p->pos, n = 1;
	int cl;

	while (i < p->len && is_blank(s[i]))
		i++;
	p->tpos = i;
	if (i == p->len) {
		p->tok = T_END;
		n = 0;
	} else if ((cl = cclass[(unsigned char)s[i]]) & C_OPER) {
		p->tok = (unsigned char)s[i];
		if (s[i] == '*' && i + 1 < p->len && s[i + 1] == '*') {
			p->tok = T_POW;
			n = 2;
		}
	} else if ((cl & C_DIGIT) &&
	    (n = scan_int(s + i, p->len - i, &p->tval)) > 0) {
		p->tok = T_NUM;
		p->tsimple = 1;
	} else
		return (lex_slow(p, i));
	p->tlen = n;
	p->pos = i + n;
	return (0);
}

/*
 * Literals.
 */

static int
push_int(struct parser *p, int64_t i)
{
	struct calc_value r;

	val_int(&r, i);
	return (put(p, 0, &r));
}

/* Copy the first m significant digits of the decimal at s to buf. */
static void
sig_digits(char *buf, const char *s, size_t m)
{
	while (*s == '0' || *s == '.')
		s++;
	for (; m > 0; s++)
		if (*s != '.') {
			*buf++ = *s;
			m--;
		}
	*buf = '\0';
}

/*
 * The exact M * 10^x, M of m digits: reading M, a power of ten, then a
 * product, or for x < 0 the gcd that makes the fraction canonical.
 */
static uint64_t
work_literal(size_t m, long long x)
{
	size_t lm = digit_limbs(m);
	size_t lx = digit_limbs((uint64_t)(x < 0 ? -x : x));

	return (calc_work_str(lm) + work_pow(lx) + (x >= 0 ?
	    calc_work_mul(lm, lx) : work_gcd(lm, lx)));
}

/*
 * Push the decimal literal s[0..n): M * 10^x with M its m significant
 * digits.  The size is known from m and x before any work: an integer of
 * more than max_digits digits is too large, a non-integer too large to be
 * exact is read by MPFR.
 */
static int NOINLINE
push_decimal(struct parser *p, const char *s, size_t n)
{
	struct calc_value r;
	long long x = 0, maxd = (long long)p->s->lim.max_digits;
	size_t i, m = 0, zeros = 0, frac = 0;
	int point = 0, neg = 0, inexact;
	char small[20], *buf;
	int64_t v;

	for (i = 0; i < n && s[i] != 'e' && s[i] != 'E'; i++) {
		if (s[i] == '.') {
			point = 1;
			continue;
		}
		frac += point;
		if (m == 0 && s[i] == '0')
			continue;
		m++;
		zeros = s[i] == '0' ? zeros + 1 : 0;
	}
	if (i++ < n) {
		if (s[i] == '+' || s[i] == '-')
			neg = s[i++] == '-';
		for (; i < n; i++)
			if (x < EXP_MAX)
				x = x * 10 + (s[i] - '0');
	}
	if (m == 0)
		return (push_int(p, 0));
	m -= zeros;
	x = (neg ? -x : x) + (long long)zeros - (long long)frac;
	if (x >= 0 && (long long)m + x > maxd)
		return (too_large(p));
	if (x >= 0 && (long long)m + x <= 18) {
		sig_digits(small, s, m);
		for (v = 0, i = 0; i < m; i++)
			v = v * 10 + (small[i] - '0');
		for (; x > 0; x--)
			v *= 10;
		return (push_int(p, v));
	}
	inexact = x < 0 && ((long long)m > maxd || -x > maxd);
	if (charge(p, inexact ? WORK_DIGIT * m + work_fn(p->s) / 8 :
	    work_literal(m, x)) == -1)
		return (-1);
	if ((buf = malloc(m + 32)) == NULL)
		return (fail(p, "out of memory"));
	sig_digits(buf, s, m);
	if (inexact) {
		snprintf(buf + m, 32, "e%lld", x);
		real_init(p->s, &r);
		mpfr_set_str(r.u.f, buf, 10, MPFR_RNDN);
	} else {
		r.k = CALC_RAT;
		mpq_init(r.u.q);
		mpz_set_str(mpq_numref(r.u.q), buf, 10);
		mpz_ui_pow_ui(mpq_denref(r.u.q), 10,
		    (unsigned long)(x < 0 ? -x : x));
		if (x >= 0) {
			mpz_mul(mpq_numref(r.u.q), mpq_numref(r.u.q),
			    mpq_denref(r.u.q));
			mpz_set_ui(mpq_denref(r.u.q), 1);
		}
		mpq_canonicalize(r.u.q);
	}
	free(buf);
	if (finish(p, &r, "") == -1)
		return (-1);
	return (put(p, 0, &r));
}

/* Push the literal s[0..n) in base 16, 8 or 2, after its prefix. */
static int NOINLINE
push_based(struct parser *p, const char *s, size_t n, int base)
{
	struct calc_value r;
	size_t i = 2, bits;
	int d;
	int64_t v = 0;
	char *buf;

	while (i < n && s[i] == '0')
		i++;
	if (i == n)
		return (push_int(p, 0));
	bits = (n - i - 1) * (base == 16 ? 4 : base == 8 ? 3 : 1);
	for (d = digit_value(s[i]); d > 0; d >>= 1)
		bits++;
	if (bits > p->s->maxbits)
		return (too_large(p));
	if (bits <= 63) {
		for (; i < n; i++)
			v = v * base + digit_value(s[i]);
		return (push_int(p, v));
	}
	if (charge(p, 2 * (uint64_t)(n - i) + calc_bits_limbs(bits)) == -1)
		return (-1);
	if ((buf = strndup(s + i, n - i)) == NULL)
		return (fail(p, "out of memory"));
	r.k = CALC_RAT;
	mpq_init(r.u.q);
	mpz_set_str(mpq_numref(r.u.q), buf, base);
	free(buf);
	return (put(p, 0, &r));
}

/*
 * The parser.  Each parse_ function reads one rule of the grammar and, in
 * the evaluation pass, leaves its value on top of the stack.
 */

/* Count one level of nesting; fail past max_depth. */
static int
enter(struct parser *p)
{
	if (++p->depth > p->s->lim.max_depth)
		return (fail(p, "nesting too deep"));
	return (0);
}

static int NOINLINE
unexpected(struct parser *p)
{
	char buf[NAME_MAX_SHOWN * 4 + 1];

	if (p->tok == T_END)
		return (fail(p, "syntax error at column %zu: "
		    "unexpected end of input", p->tpos + 1));
	return (fail(p, "syntax error at column %zu: unexpected '%s'",
	    p->tpos + 1, esc(buf, p->in + p->tpos, p->tlen)));
}

/*
 * a op b for op one of + - * /, a and b the integers or decimals on top
 * of the stack, as rat_op() computes and charges it.  Neither owns
 * memory, so a result that is an integer or a decimal simply takes a's
 * place: put() would clear both and copy it.
 */
static int
dec_binop(struct parser *p, int op, struct calc_value *a,
    struct calc_value *b)
{
	struct calc_value r;

	if (!SMALL_LIMBS)
		return (rat_op(p, op, &r, a, b) == -1 ? -1 : put(p, 2, &r));
	if (charge(p, p->s->ws.op[op_slot(op)]) == -1)
		return (-1);
	if (calc_dec_op(op, &r, a, b) == 0) {
		*a = r;
		p->s->sp--;
		return (0);
	}
	if (rat_op_q(p, op, &r, a, b) == -1)
		return (-1);
	return (put(p, 2, &r));
}

/* Replace the two values on top of the stack by a op b. */
static int NOINLINE
binop(struct parser *p, int op)
{
	struct calc_value r, *a, *b;
	int rc;

	a = top(p, 1);
	b = top(p, 0);
	if ((op == '/' || op == '%') && val_sgn(b) == 0)
		return (fail(p, "division by zero"));
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
		return (rc == -1 ? -1 : put(p, 2, &r));
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
	return (put(p, 2, &r));
}

/*
 * Charge the value of a name: a constant is an MPFR function, a copy of
 * a variable is linear (an unknown name costs nothing: it fails).
 */
static int
charge_name(struct parser *p, const char *name, size_t len)
{
	struct calc_session *s = p->s;
	const struct calc_value *v = NULL;
	size_t i;

	if ((len == 2 && memcmp(name, "pi", 2) == 0) ||
	    (len == 1 && name[0] == 'e'))
		return (charge(p, work_fn(s)));
	if (len == 3 && memcmp(name, "ans", 3) == 0)
		v = &s->ans;
	else if (var_find(s, name, len, &i))
		v = &s->vars[i].v;
	if (v == NULL || v->k == CALC_INT)
		return (0);
	return (charge(p, work_copy(v)));
}

/* Push the value of a name not followed by "(": a constant or a variable. */
static int NOINLINE
push_name(struct parser *p, size_t pos, size_t len)
{
	struct calc_session *s = p->s;
	const char *name = p->in + pos;
	struct calc_value r;
	size_t i;

	if (charge_name(p, name, len) == -1)
		return (-1);
	if (len == 2 && memcmp(name, "pi", 2) == 0) {
		real_init(s, &r);
		mpfr_const_pi(r.u.f, MPFR_RNDN);
	} else if (len == 1 && name[0] == 'e') {
		real_init(s, &r);
		mpfr_set_ui(r.u.f, 1, MPFR_RNDN);
		mpfr_exp(r.u.f, r.u.f, MPFR_RNDN);
	} else if (len == 3 && memcmp(name, "ans", 3) == 0)
		val_copy(&r, &s->ans);
	else if (var_find(s, name, len, &i))
		val_copy(&r, &s->vars[i].v);
	else
		return (fail_name(p, "unknown variable", name, len));
	return (put(p, 0, &r));
}

/*
 * The program.
 */

/* Double the room of the program.  Returns 0, or -1 when memory is out. */
static int NOINLINE
prog_grow(struct parser *p)
{
	struct calc_session *s = p->s;
	struct op *o;
	size_t cap;

	cap = s->progcap ? s->progcap * 2 : STACK_MIN;
	if ((o = reallocarray(s->prog, cap, sizeof(*o))) == NULL)
		return (fail(p, "out of memory"));
	s->prog = o;
	s->progcap = cap;
	return (0);
}

/*
 * Append a step of the kind to the program and return it, or NULL when
 * memory is out.  Inline: a step per token, and the call cost as much as
 * the step.
 */
static inline struct op *
step(struct parser *p, enum op_kind kind)
{
	struct calc_session *s = p->s;
	struct op *o;

	if (s->nprog == s->progcap && prog_grow(p) == -1)
		return (NULL);
	o = &s->prog[s->nprog++];
	o->kind = kind;
	return (o);
}

/* Append a step without operands but c.  Returns 0, or -1. */
static inline int
emit(struct parser *p, enum op_kind kind, int c)
{
	struct op *o;

	if ((o = step(p, kind)) == NULL)
		return (-1);
	o->c = c;
	return (0);
}

/* Append a step that reads the token in[pos..pos+len).  Returns 0, or -1. */
static int
emit_token(struct parser *p, enum op_kind kind, size_t pos, size_t len)
{
	struct op *o;

	if ((o = step(p, kind)) == NULL)
		return (-1);
	o->u.t.pos = pos;
	o->u.t.len = len;
	return (0);
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
 * Compile the literal token in[pos..pos+len).  Up to 18 decimal digits
 * around a point were read by lex() into the integer or the decimal that
 * push_decimal() would make: the step pushes it, charged as it would be.
 * Inline, as every operand but a few is a number.
 */
static inline int
emit_number(struct parser *p, size_t pos, size_t len)
{
	struct op *o;

	if (!p->tsimple)
		return (emit_token(p, OP_NUM, pos, len));
	if ((o = step(p, p->tval.k == CALC_INT ? OP_INT : OP_DEC)) == NULL)
		return (-1);
	if (p->tval.k == CALC_INT)
		o->u.i = p->tval.u.i;
	else
		o->u.d = p->tval.u.d;
	return (0);
}

/* The charge of a decimal literal that lex() read, as push_decimal()'s. */
static uint64_t
work_dec_literal(const struct calc_session *s, const struct calc_dec *d)
{
	if (SMALL_LIMBS)
		return (s->ws.dec);
	return (work_literal(lg10(d->m), -(long long)d->s));
}

/* A name not followed by "(": a constant or a variable, not a function. */
static int
emit_name(struct parser *p, size_t pos, size_t len)
{
	if (func_find(p->in + pos, len) != NULL)
		return (unexpected(p));
	return (emit_token(p, OP_NAME, pos, len));
}

/*
 * a + b, a - b or a * b of the two small integers on top of the stack,
 * in place, as binop() would compute it, without the call: the commonest
 * step.  Returns -1, the stack untouched, for anything else.
 */
static inline int
int_step(struct calc_session *s, int op)
{
	struct calc_value *a = &s->stack[s->sp - 2];
	int64_t x;

	if (a[0].k != CALC_INT || a[1].k != CALC_INT)
		return (-1);
	switch (op) {
	case '+':
		if (__builtin_add_overflow(a[0].u.i, a[1].u.i, &x))
			return (-1);
		break;
	case '-':
		if (__builtin_sub_overflow(a[0].u.i, a[1].u.i, &x))
			return (-1);
		break;
	case '*':
		if (__builtin_mul_overflow(a[0].u.i, a[1].u.i, &x))
			return (-1);
		break;
	default:
		return (-1);
	}
	a[0].u.i = x;
	s->sp--;
	return (0);
}

/*
 * Execute the program.  Returns 0 with the value on the stack, or -1.
 * No step pushes more than one value: room for one per step is made
 * first, and a literal is pushed without checking.
 */
static int
run(struct parser *p)
{
	struct calc_session *s = p->s;
	const struct op *o, *end = s->prog + s->nprog;
	struct calc_value *v;
	int base, rc;

	/* no step changes the program: its end is read once */
	rc = stack_reserve(p, s->nprog);
	for (o = s->prog; o < end && rc == 0; o++) {
		switch (o->kind) {
		case OP_INT:
			v = &s->stack[s->sp++];
			v->k = CALC_INT;
			v->u.i = o->u.i;
			break;
		case OP_DEC:
			if ((rc = charge(p, work_dec_literal(s, &o->u.d))) ==
			    0) {
				v = &s->stack[s->sp++];
				v->k = CALC_DEC;
				v->u.d = o->u.d;
			}
			break;
		case OP_NUM:
			base = prefix_base(p->in + o->u.t.pos, o->u.t.len);
			rc = base == 10 ?
			    push_decimal(p, p->in + o->u.t.pos, o->u.t.len) :
			    push_based(p, p->in + o->u.t.pos, o->u.t.len, base);
			break;
		case OP_NAME:
			rc = push_name(p, o->u.t.pos, o->u.t.len);
			break;
		case OP_CALL:
			rc = call(p, o->u.call.f, o->u.call.n);
			break;
		case OP_FACT:
			rc = factorial(p);
			break;
		case OP_BINOP:
			if (int_step(s, o->c) == -1)
				rc = binop(p, o->c);
			break;
		case OP_NEG:
			negate(p);
			break;
		}
	}
	return (rc);
}

/* name "(" [expr ("," expr)*] ")", the name read, "(" the token. */
static int
parse_call(struct parser *p, size_t pos, size_t len)
{
	const struct func *f;
	struct op *o;
	size_t n = 0;

	if ((f = func_find(p->in + pos, len)) == NULL)
		return (fail_name(p, "unknown function", p->in + pos, len));
	if (enter(p) == -1 || lex(p) == -1)
		return (-1);
	while (p->tok != ')') {
		if (n > 0 && p->tok != ',')
			return (unexpected(p));
		if ((n > 0 && lex(p) == -1) || parse_expr(p) == -1)
			return (-1);
		n++;
	}
	if (n < f->min || (f->max != 0 && n > f->max))
		return (fail_name(p, "wrong number of arguments to", f->name,
		    strlen(f->name)));
	p->depth--;
	if ((o = step(p, OP_CALL)) == NULL)
		return (-1);
	o->u.call.f = f;
	o->u.call.n = n;
	return (lex(p));
}

/* primary := number | name | name "(" args ")" | "(" expr ")" */
static int
parse_primary(struct parser *p)
{
	size_t pos = p->tpos, len = p->tlen;

	switch (p->tok) {
	case T_NUM:
		if (emit_number(p, pos, len) == -1)
			return (-1);
		return (lex(p));
	case '(':
		if (enter(p) == -1 || lex(p) == -1 || parse_expr(p) == -1)
			return (-1);
		if (p->tok != ')')
			return (unexpected(p));
		p->depth--;
		return (lex(p));
	case T_IDENT:
		if (lex(p) == -1)
			return (-1);
		if (p->tok == '(')
			return (parse_call(p, pos, len));
		return (emit_name(p, pos, len));
	default:
		return (unexpected(p));
	}
}

/*
 * postfix := "!"* [("^" | "**") unary], after a primary: the factorials
 * and the right-associative power, a level of nesting.
 */
static int
parse_postfix(struct parser *p)
{
	while (p->tok == '!')
		if (emit(p, OP_FACT, 0) == -1 || lex(p) == -1)
			return (-1);
	if ((p->tok == '^' || p->tok == T_POW) && (enter(p) == -1 ||
	    lex(p) == -1 || parse_unary(p) == -1 ||
	    emit(p, OP_BINOP, '^') == -1))
		return (-1);
	return (0);
}

/*
 * unary := ("-" | "+")* primary postfix, each sign a level of nesting.
 */
static int
parse_unary(struct parser *p)
{
	unsigned long depth = p->depth;
	int neg = 0;

	while (p->tok == '-' || p->tok == '+') {
		neg ^= p->tok == '-';
		if (enter(p) == -1 || lex(p) == -1)
			return (-1);
	}
	if (parse_primary(p) == -1 || parse_postfix(p) == -1)
		return (-1);
	p->depth = depth;
	if (neg)
		return (emit(p, OP_NEG, 0));
	return (0);
}

/*
 * A unary as parse_unary() reads it, but a number, the commonest
 * operand, without the call: then the postfix only when one follows.
 */
static inline int
parse_operand(struct parser *p)
{
	unsigned long depth = p->depth;

	if (p->tok != T_NUM)
		return (parse_unary(p));
	if (emit_number(p, p->tpos, p->tlen) == -1 || lex(p) == -1)
		return (-1);
	if (p->tok != '!' && p->tok != '^' && p->tok != T_POW)
		return (0);
	if (parse_postfix(p) == -1)
		return (-1);
	p->depth = depth;
	return (0);
}

/*
 * expr := term (("+" | "-") term)*, term := unary (("*" | "/" | "%")
 * unary)*, in one loop: a * / % waits in mul for its right operand, a
 * + or - in add while the terms of * / % after it are compiled.
 */
static int
parse_expr(struct parser *p)
{
	int op, mul = 0, add = 0;

	for (;;) {
		if (parse_operand(p) == -1)
			return (-1);
		if (mul != 0 && emit(p, OP_BINOP, mul) == -1)
			return (-1);
		mul = 0;
		op = p->tok;
		if (op == '*' || op == '/' || op == '%')
			mul = op;
		else {
			if (add != 0 && emit(p, OP_BINOP, add) == -1)
				return (-1);
			if (op != '+' && op != '-')
				return (0);
			add = op;
		}
		if (lex(p) == -1)
			return (-1);
	}
}

/*
 * line := name "=" expr | expr, compiled into the session's program: the
 * syntax, the names of functions, their arity and the nesting are checked
 * before any work is done.  Returns 0, -1 on error, or 1 for a line of
 * blanks.
 */
static int
parse_line(struct parser *p)
{
	size_t i;

	p->pos = 0;
	p->depth = 0;
	p->assign = 0;
	p->s->nprog = 0;
	if (lex(p) == -1)
		return (-1);
	if (p->tok == T_END)
		return (1);
	if (p->tok == T_IDENT) {
		for (i = p->pos; i < p->len && is_blank(p->in[i]); i++)
			continue;
		if (i < p->len && p->in[i] == '=') {
			p->assign = 1;
			p->npos = p->tpos;
			p->nlen = p->tlen;
			if (is_reserved(p->in + p->npos, p->nlen))
				return (fail_name(p, "cannot assign to",
				    p->in + p->npos, p->nlen));
			if (lex(p) == -1 || lex(p) == -1)
				return (-1);
		}
	}
	if (parse_expr(p) == -1)
		return (-1);
	if (p->tok != T_END)
		return (unexpected(p));
	return (0);
}

/* After the check pass: would the assignment make one variable too many? */
static int
check_vars(struct parser *p)
{
	struct calc_session *s = p->s;
	size_t i;

	if (p->assign && !var_find(s, p->in + p->npos, p->nlen, &i) &&
	    s->nvars >= s->lim.max_variables)
		return (fail(p, "too many variables"));
	return (0);
}

/*
 * Format the value on top of the stack, then make it ans (and assign).
 * Formatting and the copy to the variable are charged first.
 */
static int
answer(struct parser *p)
{
	struct calc_session *s = p->s;
	struct calc_value *v = top(p, 0);
	uint64_t w;
	size_t i;

	if (v->k != CALC_INT) {
		w = v->k == CALC_DEC && SMALL_LIMBS ? s->ws.fmt :
		    calc_format_work(v, s->lim.precision);
		if (charge(p, w + (p->assign ? work_copy(v) : 0)) == -1)
			return (-1);
	}
	switch (calc_format(&s->out, v, s->lim.precision,
	    s->lim.max_digits)) {
	case CALC_FMT_TOO_LARGE:
		return (too_large(p));
	case CALC_FMT_NOMEM:
		return (fail(p, "out of memory"));
	default:
		break;
	}
	if (p->assign) {
		if (var_slot(p, &i) == -1)
			return (-1);
		val_clear(&s->vars[i].v);
		val_copy(&s->vars[i].v, v);
	}
	val_recycle(s, &s->ans);
	s->ans = *v;
	s->sp--;
	return (0);
}

/*
 * The interface.
 */

void
calc_limits_default(struct calc_limits *lim)
{
	lim->precision = CALC_DEFAULT_PRECISION;
	lim->max_digits = CALC_DEFAULT_MAX_DIGITS;
	lim->max_depth = CALC_DEFAULT_MAX_DEPTH;
	lim->max_length = CALC_DEFAULT_MAX_LENGTH;
	lim->max_variables = CALC_DEFAULT_MAX_VARIABLES;
	lim->max_work = CALC_DEFAULT_MAX_WORK;
}

const char *
calc_limits_check(const struct calc_limits *lim)
{
	if (lim->precision < CALC_PRECISION_MIN ||
	    lim->precision > CALC_PRECISION_MAX)
		return ("precision out of range (1 to 1000)");
	if (lim->max_digits < CALC_MAX_DIGITS_MIN ||
	    lim->max_digits > CALC_MAX_DIGITS_MAX)
		return ("max-digits out of range (20 to 1000000)");
	if (lim->max_depth < CALC_MAX_DEPTH_MIN ||
	    lim->max_depth > CALC_MAX_DEPTH_MAX)
		return ("max-depth out of range (1 to 10000)");
	if (lim->max_length < CALC_MAX_LENGTH_MIN ||
	    lim->max_length > CALC_MAX_LENGTH_MAX)
		return ("max-expression-length out of range (16 to 1048576)");
	if (lim->max_variables > CALC_MAX_VARIABLES_MAX)
		return ("max-variables out of range (0 to 10000)");
	if (lim->max_work < CALC_MAX_WORK_MIN ||
	    lim->max_work > CALC_MAX_WORK_MAX)
		return ("max-work out of range (1000 to 4000000000)");
	return (NULL);
}

/*
 * Fill s->ws from the general estimates, for limbs of 64 bits: an integer
 * or a decimal is then one limb over one, a decimal literal lex() read has
 * at most 18 digits and 18 places (one limb each, as digit_limbs() counts
 * them), and formatting a decimal scales it by 10^k with k of two limbs
 * plus the precision's, whatever its bits (frac_work() in calc_format.c).
 */
static void
work_init(struct calc_session *s)
{
	static const char ops[] = "+-*/%";
	struct work_small *ws = &s->ws;
	struct calc_value d;
	size_t i, w = calc_bits_limbs((uint64_t)s->wp);

	for (i = 0; i < sizeof(ws->op) / sizeof(ws->op[0]); i++)
		ws->op[i] = work_qop(ops[i], 1, 1, 1, 1);
	ws->dec = work_literal(18, -18);
	d.k = CALC_DEC;
	d.u.d.m = 5;
	d.u.d.s = 1;
	ws->fmt = calc_format_work(&d, s->lim.precision);
	ws->sqrt = work_pow(2);
	ws->root = WORK_LIMB * 2 + 8 * calc_work_div(w + w, w) + WORK_ROOT;
}

struct calc_session *
calc_session_new(const struct calc_limits *lim)
{
	struct calc_session *s;
	struct calc_limits def;

	if (lim == NULL) {
		calc_limits_default(&def);
		lim = &def;
	}
	if (calc_limits_check(lim) != NULL)
		return (NULL);
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return (NULL);
	if (calc_buf_reserve(&s->out, ERR_SIZE) == -1) {
		free(s);
		return (NULL);
	}
	s->lim = *lim;
	/* ceil(digits * log2(10)), with log2(10) = 3.3219281 rounded up */
	s->wp = (mpfr_prec_t)((lim->precision * 3321929 + 999999) / 1000000 +
	    GUARD_BITS);
	s->maxbits = (size_t)(((uint64_t)lim->max_digits * 3321929 + 999999) /
	    1000000 + SLACK_BITS);
	work_init(s);
	val_int(&s->ans, 0);
	s->out.s[0] = '\0';
	return (s);
}

void
calc_session_free(struct calc_session *s)
{
	size_t i;

	if (s == NULL)
		return;
	drop(s, s->sp);
	for (i = 0; i < s->nvars; i++) {
		free(s->vars[i].name);
		val_clear(&s->vars[i].v);
	}
	val_clear(&s->ans);
	if (s->has_spare)
		mpfr_clear(s->spare);
	free(s->vars);
	free(s->stack);
	free(s->prog);
	free(s->out.s);
	free(s);
}

enum calc_status
calc_eval(struct calc_session *s, const char *expr, size_t len,
    const char **out, size_t *outlen)
{
	struct parser p;
	enum calc_status st = CALC_ERROR;
	int rc;

	memset(&p, 0, sizeof(p));
	p.s = s;
	p.in = expr;
	p.len = len;
	if (len > s->lim.max_length)
		(void)fail(&p, "expression too long");
	else if ((rc = parse_line(&p)) == 1) {
		s->out.s[0] = '\0';
		s->out.len = 0;
		st = CALC_EMPTY;
	} else if (rc == 0 && check_vars(&p) == 0 && run(&p) == 0 &&
	    answer(&p) == 0)
		st = CALC_OK;
	drop(s, s->sp);
	*out = s->out.s;
	*outlen = s->out.len;
	return (st);
}
