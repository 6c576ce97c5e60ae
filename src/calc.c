/*
 * calc.c - the calculator engine: sessions, the interface of calc.h and
 * the evaluation of a line.
 *
 * calc_eval() has calc_parse_line() (calc_parse.c) compile the line into
 * the session's program of steps, then run() executes them.  Operands
 * live on a value stack in the session, not on the C stack, so an error
 * anywhere simply returns -1 and calc_eval() frees whatever the stack
 * holds.  The operators are in calc_arith.c, the functions in
 * calc_func.c, the cost of each in calc_work.c; calc_int.h says what
 * each file offers.
 */
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
#define ERR_SIZE	256	/* longest error message */
#define WP_MAX		(1L << 24) /* most bits of a retry's precision */

/*
 * Errors.
 */

/* Copy the n bytes at s to buf, at most NAME_MAX_SHOWN, escaping bytes. */
const char *
calc_esc(char *buf, const char *s, size_t n)
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
int
calc_fail(struct parser *p, const char *fmt, ...)
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
int
calc_fail_name(struct parser *p, const char *what, const char *name, size_t n)
{
	char buf[NAME_MAX_SHOWN * 4 + 1];

	return (calc_fail(p, "%s '%s'", what, calc_esc(buf, name, n)));
}

int
calc_too_large(struct parser *p)
{
	return (calc_fail(p, "result too large"));
}

/*
 * Fail for want of precision: an interval too wide to decide a sign, a
 * comparison or the rounding of the answer.  calc_eval() then retries at
 * a higher precision; the message stands when it cannot.
 */
int
calc_undecided(struct parser *p)
{
	p->undecided = 1;
	return (calc_fail(p, "precision exhausted"));
}

/*
 * The value stack.
 */

/* Free the n values on top of the stack. */
static inline void
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
		return (calc_fail(p, "out of memory"));
	s->stack = st;
	s->stackcap = cap;
	return (0);
}

/* Replace the n values on top of the stack with r, which it takes over. */
int
calc_put(struct parser *p, size_t n, struct calc_value *r)
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
 * Names: the constants, ans, and the variables, in an array sorted by
 * name.
 */

/*
 * Compare the names a[0..n) and b[0..len), neither empty, as memcmp()
 * over the shorter, then by length: the first bytes inline, as names are
 * mostly a letter or two.
 */
static inline int
name_cmp(const char *a, size_t n, const char *b, size_t len)
{
	size_t m = n < len ? n : len;
	int c = (unsigned char)a[0] - (unsigned char)b[0];

	if (c == 0 && m > 1)
		c = memcmp(a + 1, b + 1, m - 1);
	if (c == 0)
		c = (n > len) - (n < len);
	return (c);
}

/* Set *i to where name is, or would be, in the array; return 1 if there. */
static int
var_find(struct calc_session *s, const char *name, size_t len, size_t *i)
{
	size_t lo = 0, hi = s->nvars, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = name_cmp(s->vars[mid].name, s->vars[mid].len, name, len);
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

/*
 * Set *i to the variable of the name assigned to, created as 0 if new:
 * where check_vars() found it, as no step of the line adds a variable.
 */
static int
var_slot(struct parser *p, size_t *i)
{
	struct calc_session *s = p->s;
	struct var *v;
	char *name;

	*i = p->vslot;
	if (p->vfound)
		return (0);
	if ((name = strndup(p->in + p->npos, p->nlen)) == NULL)
		return (calc_fail(p, "out of memory"));
	if ((v = reallocarray(s->vars, s->nvars + 1, sizeof(*v))) == NULL) {
		free(name);
		return (calc_fail(p, "out of memory"));
	}
	s->vars = v;
	memmove(&v[*i + 1], &v[*i], (s->nvars - *i) * sizeof(*v));
	v[*i].name = name;
	v[*i].len = p->nlen;
	val_int(&v[*i].v, 0);
	s->nvars++;
	return (0);
}

/*
 * The value of the name, ans or a variable, or NULL: neither, or a
 * constant.
 */
static const struct calc_value *
name_value(struct calc_session *s, const char *name, size_t len)
{
	size_t i;

	if (len == 3 && memcmp(name, "ans", 3) == 0)
		return (&s->ans);
	if (var_find(s, name, len, &i))
		return (&s->vars[i].v);
	return (NULL);
}

/*
 * Push a constant, an MPFR function, charged as one.
 */
static int
push_const(struct parser *p, const char *name)
{
	struct calc_session *s = p->s;
	struct calc_value r;

	if (charge(p, calc_work_fn(s)) == -1)
		return (-1);
	real_init(s, &r);
	if (name[0] == 'p')
		mpfi_const_pi(r.u.f);
	else {
		mpfi_set_ui(r.u.f, 1);
		mpfi_exp(r.u.f, r.u.f);
	}
	return (calc_put(p, 0, &r));
}

/*
 * Push the value of a name not followed by "(": a constant or a variable.
 * A copy of a variable is charged as linear (an unknown name costs
 * nothing: it fails).  The name is looked up once.
 */
static int NOINLINE
push_name(struct parser *p, size_t pos, size_t len)
{
	const char *name = p->in + pos;
	const struct calc_value *v;

	if ((len == 2 && memcmp(name, "pi", 2) == 0) ||
	    (len == 1 && name[0] == 'e'))
		return (push_const(p, name));
	if ((v = name_value(p->s, name, len)) == NULL)
		return (calc_fail_name(p, "unknown variable", name, len));
	if (v->k != CALC_INT && charge(p, calc_work_copy(v)) == -1)
		return (-1);
	/* run() made room for a value a step: no calc_put() */
	calc_val_copy(&p->s->stack[p->s->sp++], v);
	return (0);
}

/*
 * The run loop.
 */

/* Negate the value on top of the stack: the step OP_NEG. */
static void
negate(struct parser *p)
{
	struct calc_value *v = top(p, 0);

	if (v->k == CALC_INT && v->u.i != INT64_MIN)
		v->u.i = -v->u.i;
	else if (v->k == CALC_DEC)
		v->u.d.m = -v->u.d.m;
	else if (v->k == CALC_REAL)
		mpfi_neg(v->u.f, v->u.f);
	else {
		calc_val_to_q(v);
		mpq_neg(v->u.q, v->u.q);
	}
}

/*
 * a + b, a - b or a * b of the two small integers on top of the stack,
 * in place, as calc_binop() would compute it, without the call: the
 * commonest step.  Returns -1, the stack untouched, for anything else.
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
	int rc;

	/* no step changes the program: its end is read once */
	rc = s->stackcap - s->sp >= s->nprog ? 0 : stack_reserve(p, s->nprog);
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
			rc = calc_push_literal(p, o->u.t.pos, o->u.t.len);
			break;
		case OP_NAME:
			rc = push_name(p, o->u.t.pos, o->u.t.len);
			break;
		case OP_CALL:
			rc = calc_call(p, o->u.call.f, o->u.call.n);
			break;
		case OP_FACT:
			rc = calc_factorial(p);
			break;
		case OP_BINOP:
			if (int_step(s, o->c) == -1)
				rc = calc_binop(p, o->c);
			break;
		case OP_NEG:
			negate(p);
			break;
		}
	}
	return (rc);
}

/*
 * After the check pass: would the assignment make one variable too many?
 * Where the variable is, or goes, is kept for var_slot().
 */
static int
check_vars(struct parser *p)
{
	struct calc_session *s = p->s;

	if (!p->assign)
		return (0);
	p->vfound = var_find(s, p->in + p->npos, p->nlen, &p->vslot);
	if (!p->vfound && s->nvars >= s->lim.max_variables)
		return (calc_fail(p, "too many variables"));
	return (0);
}

/*
 * Free v, but keep a real of wp0 bits, or a rational, as the spare: the
 * answer of one line (say a square root, or 2^99) gives its memory to the
 * next.
 */
static void
val_recycle(struct calc_session *s, struct calc_value *v)
{
	if (v->k == CALC_REAL && !s->has_spare &&
	    mpfi_get_prec(v->u.f) == s->wp0) {
		s->spare = v->u.f;
		s->has_spare = 1;
		val_int(v, 0);
	} else if (v->k == CALC_RAT && !s->has_spare_q) {
		s->spare_q[0] = v->u.q[0];
		s->has_spare_q = 1;
		val_int(v, 0);
	} else
		val_clear(v);
}

/*
 * The charge of formatting v.  A fraction of one limb over one limb costs
 * what a decimal does (calc_format_work() of both is frac_work() of two
 * limbs over one, whose 10^k is two limbs whatever their bits): the
 * session has it at hand.
 */
static uint64_t
format_work(const struct calc_session *s, const struct calc_value *v)
{
	if (SMALL_LIMBS && (v->k == CALC_DEC || (v->k == CALC_RAT &&
	    mpz_size(mpq_numref(v->u.q)) == 1 &&
	    mpz_size(mpq_denref(v->u.q)) == 1 &&
	    !q_den_is_one(v->u.q))))
		return (s->ws.fmt);
	return (calc_format_work(v, s->lim.precision));
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
		w = format_work(s, v);
		if (charge(p, w + (p->assign ? calc_work_copy(v) : 0)) == -1)
			return (-1);
	}
	switch (calc_format(&s->out, v, s->lim.precision,
	    s->lim.max_digits)) {
	case CALC_FMT_TOO_LARGE:
		return (calc_too_large(p));
	case CALC_FMT_UNDECIDED:
		return (calc_undecided(p));
	case CALC_FMT_NOMEM:
		return (calc_fail(p, "out of memory"));
	default:
		break;
	}
	if (p->assign) {
		if (var_slot(p, &i) == -1)
			return (-1);
		val_clear(&s->vars[i].v);
		calc_val_copy(&s->vars[i].v, v);
	}
	val_recycle(s, &s->ans);
	s->ans = *v;
	s->sp--;
	return (0);
}

/*
 * Ready the next try of a line undecided at the working precision (Ziv's
 * strategy): twice the precision, the stack emptied.  Each try is charged
 * in full, so that the budget bounds them all.  Returns -1 past WP_MAX.
 */
static int NOINLINE
next_try(struct parser *p)
{
	struct calc_session *s = p->s;

	if (s->wp > WP_MAX / 2)
		return (-1);
	if (s->has_spare) {
		calc_real_free(s->spare);
		s->has_spare = 0;
	}
	drop(s, s->sp);
	p->undecided = 0;
	s->wp *= 2;
	calc_work_init(s);
	return (0);
}

/*
 * After the retries: the session's precision back, and a try that ran out
 * of work, or of precision, fails with "precision exhausted".
 */
static int NOINLINE
end_tries(struct parser *p, int rc)
{
	struct calc_session *s = p->s;

	s->wp = s->wp0;
	calc_work_init(s);
	if (rc == -1 && (p->costly || p->undecided))
		return (calc_undecided(p));
	return (rc);
}

/*
 * Run the program and answer, again at higher precisions while the answer
 * is undecided.
 */
static int
evaluate(struct parser *p)
{
	int rc;

	while ((rc = run(p) == 0 && answer(p) == 0 ? 0 : -1) == -1 &&
	    p->undecided && next_try(p) == 0)
		continue;
	if (p->s->wp != p->s->wp0)
		return (end_tries(p, rc));
	return (rc);
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
	s->wp0 = s->wp;
	/* the widest range of exponents: underflow is then rare, and an error */
	mpfr_set_emin(mpfr_get_emin_min());
	mpfr_set_emax(mpfr_get_emax_max());
	mpfr_clear_underflow();
	s->maxbits = (size_t)(((uint64_t)lim->max_digits * 3321929 + 999999) /
	    1000000 + SLACK_BITS);
	calc_work_init(s);
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
		calc_real_free(s->spare);
	if (s->has_spare_q)
		mpq_clear(s->spare_q);
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
		(void)calc_fail(&p, "expression too long");
	else if ((rc = calc_parse_line(&p)) == 1) {
		s->out.s[0] = '\0';
		s->out.len = 0;
		st = CALC_EMPTY;
	} else if (rc == 0 && check_vars(&p) == 0 && evaluate(&p) == 0)
		st = CALC_OK;
	drop(s, s->sp);
	*out = s->out.s;
	*outlen = s->out.len;
	return (st);
}
