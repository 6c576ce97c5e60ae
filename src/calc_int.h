/*
 * calc_int.h - private to the calculator engine: its types, and what each
 * of its files offers the others.
 *
 *	calc.c		sessions, the interface of calc.h, the run loop, the
 *			value stack, errors and variables
 *	calc_parse.c	the lexer and the parser, which compile a line into
 *			the program of steps, and the literals it pushes
 *	calc_arith.c	values, their canonical form and the operators
 *	calc_func.c	the functions and their table
 *	calc_work.c	the work model: the cost of each operation
 *	calc_dec.c	exact decimals of 64 bits
 *	calc_format.c	the number formatter
 *
 * Functions and objects one file offers another are named calc_; the
 * private types keep short names.  The small helpers of the hot paths
 * are static inline here, so that every file inlines them.
 */
#ifndef CALC_INT_H
#define CALC_INT_H

#include <stddef.h>
#include <stdint.h>

#include <gmp.h>
#include <mpfr.h>
#include <mpfi.h>

#include "calc.h"

/* Keeps evaluation out of the frames of the recursive descent. */
#define NOINLINE	__attribute__((noinline))

#define NAME_MAX_SHOWN	32	/* bytes of a name shown in a message */
#define STACK_MIN	16	/* first size of the value stack and program */

/*
 * Values.
 */

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
	CALC_REAL		/* inexact: an interval that holds the true
				   value, never NaN nor infinite */
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
		mpfi_ptr	f;	/* see calc_real_new() */
	} u;
};

/* The ends of the interval of a CALC_REAL. */
#define REAL_LO(f)	(&(f)->left)
#define REAL_HI(f)	(&(f)->right)

/* A text buffer that grows; s is always NUL-terminated. */
struct calc_buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

/*
 * The session and the evaluation of one line.
 */

/* Tokens other than the one-character operators, which stand for self. */
enum {
	T_END = 256,
	T_NUM,
	T_IDENT,
	T_POW			/* "**" */
};

enum func_id {
	F_MPFR, F_ABS, F_FLOOR, F_CEIL, F_ROUND, F_TRUNC, F_SQRT, F_CBRT,
	F_LN, F_LOG, F_POS, F_TRIG, F_ARC, F_ATAN2, F_MIN, F_MAX, F_GCD, F_LCM
};

/*
 * A function of calc_funcs[]: mf computes it on an interval (MPFI), rf at
 * a point, rounded (MPFR), for the kinds that need one.
 */
struct func {
	const char	*name;
	enum func_id	 id;
	size_t		 min;		/* arity */
	size_t		 max;		/* 0: no upper bound */
	int		(*mf)(mpfi_ptr, mpfi_srcptr);
	int		(*rf)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t);
};

struct var {
	char			*name;
	size_t			 len;	/* of name: no strlen() per lookup */
	struct calc_value	 v;
};

/*
 * The steps of an expression in evaluation order, which calc_parse_line()
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
 * is one limb, its canonical fraction one over one (see calc_work_init()).
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
	mpfr_prec_t		 wp;	/* working precision of this try, bits */
	mpfr_prec_t		 wp0;	/* ... of the first try */
	size_t			 maxbits; /* largest exact number, bits */
	struct calc_value	 ans;
	struct var		*vars;	/* sorted by name */
	size_t			 nvars;
	struct calc_value	*stack;	/* operands of the expression */
	size_t			 sp;
	size_t			 stackcap;
	struct calc_buf		 out;	/* the answer; ERR_SIZE or more */
	mpfi_ptr		 spare;	/* a real of wp0 bits to reuse */
	int			 has_spare;
	mpq_t			 spare_q; /* a rational to reuse */
	int			 has_spare_q;
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
	size_t			 vslot;	/* where check_vars() found it */
	int			 vfound; /* ... and whether it is there */
	uint64_t		 work;	/* spent, at most lim.max_work */
	int			 undecided; /* failed for want of precision */
	int			 costly; /* failed for want of work */
};

/* calc.c: errors, which set the answer and return -1. */
const char	*calc_esc(char *buf, const char *s, size_t n);
int		 calc_fail(struct parser *p, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
int		 calc_fail_name(struct parser *p, const char *what,
		    const char *name, size_t n);
int		 calc_too_large(struct parser *p);
int		 calc_undecided(struct parser *p);

/* calc.c: the value stack. */
int		 calc_put(struct parser *p, size_t n, struct calc_value *r);

static inline struct calc_value *
top(struct parser *p, size_t i)
{
	return (&p->s->stack[p->s->sp - 1 - i]);
}

/* calc_parse.c: compiling a line, and the literals the program pushes. */
int		 calc_parse_line(struct parser *p);
int		 calc_push_literal(struct parser *p, size_t pos, size_t len);

/*
 * calc_arith.c: values, their canonical form and the operators.  Each
 * operation reads its operands (and may change their representation in
 * place, never their value), writes a fresh result and returns 0, or
 * returns -1 having failed.
 */
void		 calc_real_new(struct calc_value *v, mpfr_prec_t prec);
void		 calc_real_free(mpfi_ptr f);
void		 calc_val_to_q(struct calc_value *v);
void		 calc_val_to_f(struct calc_session *s, struct calc_value *v);
void		 calc_val_to_f_at(struct calc_session *s, struct calc_value *v,
		    mpfr_prec_t prec);
void		 calc_val_to_wp(struct calc_session *s, struct calc_value *v);
void		 calc_val_copy(struct calc_value *d,
		    const struct calc_value *v);
int		 calc_val_sgn(const struct calc_value *v);
#define CALC_SGN_UNKNOWN 2	/* calc_val_sgn() of an interval across 0 */
int		 calc_val_cmp(struct calc_value *a, struct calc_value *b);
#define CALC_CMP_UNKNOWN 2	/* calc_val_cmp() of intervals that meet */
int		 calc_finish(struct parser *p, struct calc_value *r,
		    const char *name);
int		 calc_q_root(mpq_ptr r, mpq_srcptr a, unsigned long k);
int		 calc_binop(struct parser *p, int op);
int		 calc_factorial(struct parser *p);

/* Free v; it becomes the integer 0. */
static inline void
val_clear(struct calc_value *v)
{
	if (v->k == CALC_RAT)
		mpq_clear(v->u.q);
	else if (v->k == CALC_REAL)
		calc_real_free(v->u.f);
	v->k = CALC_INT;
	v->u.i = 0;
}

static inline void
val_int(struct calc_value *v, int64_t i)
{
	v->k = CALC_INT;
	v->u.i = i;
}

/*
 * Is the denominator of a canonical rational 1?  mpz_cmp_ui() is a call
 * into GMP, made three times on each fraction a line gives.
 */
static inline int
q_den_is_one(mpq_srcptr q)
{
	return (mpz_size(mpq_denref(q)) == 1 &&
	    mpz_getlimbn(mpq_denref(q), 0) == 1);
}

/* Is v an exact integer? */
static inline int
val_is_int(const struct calc_value *v)
{
	return (v->k == CALC_INT || (v->k == CALC_RAT && q_den_is_one(v->u.q)));
}

/* Turn a decimal into the rational it stands for, in place. */
static inline void
val_undec(struct calc_value *v)
{
	if (v->k == CALC_DEC)
		calc_val_to_q(v);
}

/* Make r a real of wp bits, of any value: the spare one if there is one. */
static inline void
real_init(struct calc_session *s, struct calc_value *r)
{
	r->k = CALC_REAL;
	if (s->has_spare) {
		r->u.f = s->spare;
		s->has_spare = 0;
	} else
		calc_real_new(r, s->wp);
}

/*
 * Make r a rational of any value, both its numerator and denominator for
 * the caller to set: the spare one if there is one, whose limbs the last
 * answer left, so that a line of fractions or large integers allocates
 * and frees nothing.
 */
static inline void
rat_init(struct calc_session *s, struct calc_value *r)
{
	r->k = CALC_RAT;
	if (s->has_spare_q) {
		r->u.q[0] = s->spare_q[0];
		s->has_spare_q = 0;
	} else
		mpq_init(r->u.q);
}

/* calc_func.c: the functions, sorted by name, and their lookup. */
#define FUNC_NAME_MIN	2	/* bytes of the shortest name, "ln" */
#define FUNC_NAME_MAX	5	/* ... of the longest, "atan2" */
extern const struct func	calc_funcs[];
extern const size_t		calc_nfuncs;

const struct func *calc_func_find(const char *name, size_t len);
int		 calc_call(struct parser *p, const struct func *f, size_t n);

/*
 * calc_work.c: the work model, in the unit of calc.h.  Sizes are in limbs.
 */
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

uint64_t	 calc_work_mul(size_t a, size_t b);
uint64_t	 calc_work_div(size_t n, size_t d);
uint64_t	 calc_work_str(size_t n);
uint64_t	 calc_work_gcd(size_t a, size_t b);
uint64_t	 calc_work_pow(size_t r);
uint64_t	 calc_work_fn(const struct calc_session *s);
uint64_t	 calc_work_fn_prec(uint64_t prec);
uint64_t	 calc_work_trig(const struct calc_session *s, uint64_t r);
uint64_t	 calc_work_trig_close(uint64_t r);
uint64_t	 calc_work_copy(const struct calc_value *v);
uint64_t	 calc_work_froot(const struct calc_session *s,
		    const struct calc_value *v);
void		 calc_q_sizes(const struct calc_value *v, size_t *n,
		    size_t *d);
uint64_t	 calc_work_vop(int op, const struct calc_value *a,
		    const struct calc_value *b);
uint64_t	 calc_work_cmp(const struct calc_value *a,
		    const struct calc_value *b);
uint64_t	 calc_work_fop(const struct calc_session *s, int op,
		    const struct calc_value *a, const struct calc_value *b);
uint64_t	 calc_work_gamma(const struct calc_session *s, mpfr_srcptr x);
uint64_t	 calc_work_gcd_step(const struct func *f, mpz_srcptr g,
		    mpz_srcptr x);
uint64_t	 calc_work_literal(size_t m, long long x);
uint64_t	 calc_work_dec_literal(const struct calc_dec *d);
void		 calc_work_init(struct calc_session *s);

/* Limbs of a number of that many bits. */
static inline size_t
calc_bits_limbs(uint64_t bits)
{
	return ((size_t)(bits / GMP_NUMB_BITS + 1));
}

/* The number of bits of n, at least 1. */
static inline uint64_t
lg(uint64_t n)
{
	uint64_t b = 1;

	while (n >>= 1)
		b++;
	return (b);
}

static inline size_t
z_limbs(mpz_srcptr z)
{
	size_t n = mpz_size(z);

	return (n > 0 ? n : 1);
}

static inline size_t
q_limbs(mpq_srcptr q)
{
	return (z_limbs(mpq_numref(q)) + z_limbs(mpq_denref(q)));
}

/* The index of the operator op, one of + - * / %, in work_small.op. */
static inline size_t
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

/* The charge of a decimal literal that lex() read, as push_decimal()'s. */
static inline uint64_t
work_dec_literal(const struct calc_session *s, const struct calc_dec *d)
{
	if (SMALL_LIMBS)
		return (s->ws.dec);
	return (calc_work_dec_literal(d));
}

/*
 * Charge w units and the cost of a call to the evaluation.  Returns 0, or
 * -1 and fails when that would pass the budget; the work is then not done.
 */
static inline int
charge(struct parser *p, uint64_t w)
{
	uint64_t left = p->s->lim.max_work - p->work;

	w += WORK_CALL;
	if (w > left) {
		p->costly = 1;
		return (calc_fail(p, "expression too costly"));
	}
	p->work += w;
	return (0);
}

/*
 * calc_format.c: the formatter.
 */

/* What calc_format() found. */
enum calc_fmt {
	CALC_FMT_OK,
	CALC_FMT_TOO_LARGE,	/* an integer over max_digits digits */
	CALC_FMT_UNDECIDED,	/* an interval whose ends round apart */
	CALC_FMT_NOMEM
};

int		 calc_buf_reserve(struct calc_buf *b, size_t size);
enum calc_fmt	 calc_format(struct calc_buf *b, const struct calc_value *v,
		    unsigned long precision, unsigned long max_digits);
uint64_t	 calc_format_work(const struct calc_value *v,
		    unsigned long precision);

/*
 * calc_dec.c: the decimals.
 */
int		 calc_dec_make(struct calc_value *r, int64_t m, unsigned s);
int		 calc_dec_op(int op, struct calc_value *r,
		    const struct calc_value *a, const struct calc_value *b);
int		 calc_dec_pow(struct calc_value *r, const struct calc_value *a,
		    unsigned k);
int		 calc_dec_quotient(struct calc_value *r, int neg, uint64_t n,
		    uint64_t d, long s);
void		 calc_dec_frac(const struct calc_value *v, uint64_t *num,
		    uint64_t *den);
void		 calc_dec_limbs(const struct calc_value *v, size_t *n,
		    size_t *d);
void		 calc_dec_to_q(mpq_ptr q, const struct calc_value *v);
size_t		 calc_dec_scan(const char *s, size_t n, struct calc_value *v);
size_t		 calc_u64_limbs(uint64_t n);

#endif /* CALC_INT_H */
