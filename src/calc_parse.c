/*
 * calc_parse.c - the calculator engine's lexer and parser.
 *
 * calc_parse_line() reads a line once with a recursive-descent parser that
 * checks the syntax, the function names and their arity and the nesting
 * depth, and compiles the expression into the session's program of steps
 * in evaluation order (enum op_kind, calc_int.h), so that a syntax error
 * is found before any work is done; run() in calc.c then executes the
 * steps.  The lexer reads short integers and decimals as it goes; the
 * other literals are read when the program pushes them
 * (calc_push_literal()).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>
#include <mpfr.h>

#include "calc.h"
#include "calc_int.h"

#define EXP_MAX		1000000000000LL	/* caps a literal's exponent */

static int	parse_expr(struct parser *);
static int	parse_unary(struct parser *);

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
 * and errors, the token starting at s[i], past the blanks.
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
			return (calc_fail(p, "syntax error at column %zu: "
			    "invalid number", i + 1));
	} else
		return (calc_fail(p, "syntax error at column %zu: "
		    "unexpected character '%s'", i + 1,
		    calc_esc(buf, s + i, 1)));
	p->tlen = n;
	p->pos = i + n;
	return (0);
}

/*
 * Read the next token into p->tok, p->tpos and p->tlen: operators, short
 * integers and names here, without a call, the rest in lex_slow().
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
	} else if (cl & C_ALPHA) {
		p->tok = T_IDENT;
		while (i + n < p->len && is_class(s[i + n], C_WORD))
			n++;
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
	return (calc_put(p, 0, &r));
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
 * Push the decimal literal s[0..n): M * 10^x with M its m significant
 * digits.  The size is known from m and x before any work: an integer of
 * more than max_digits digits is too large, a non-integer too large to be
 * exact is read by MPFR.
 */
static int
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
		return (calc_too_large(p));
	if (x >= 0 && (long long)m + x <= 18) {
		sig_digits(small, s, m);
		for (v = 0, i = 0; i < m; i++)
			v = v * 10 + (small[i] - '0');
		for (; x > 0; x--)
			v *= 10;
		return (push_int(p, v));
	}
	inexact = x < 0 && ((long long)m > maxd || -x > maxd);
	if (charge(p, inexact ? WORK_DIGIT * m + calc_work_fn(p->s) / 8 :
	    calc_work_literal(m, x)) == -1)
		return (-1);
	if ((buf = malloc(m + 32)) == NULL)
		return (calc_fail(p, "out of memory"));
	sig_digits(buf, s, m);
	if (inexact) {
		snprintf(buf + m, 32, "e%lld", x);
		real_init(p->s, &r);
		mpfi_set_str(r.u.f, buf, 10);
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
	if (calc_finish(p, &r, "") == -1)
		return (-1);
	return (calc_put(p, 0, &r));
}

/* Push the literal s[0..n) in base 16, 8 or 2, after its prefix. */
static int
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
		return (calc_too_large(p));
	if (bits <= 63) {
		for (; i < n; i++)
			v = v * base + digit_value(s[i]);
		return (push_int(p, v));
	}
	if (charge(p, 2 * (uint64_t)(n - i) + calc_bits_limbs(bits)) == -1)
		return (-1);
	if ((buf = strndup(s + i, n - i)) == NULL)
		return (calc_fail(p, "out of memory"));
	r.k = CALC_RAT;
	mpq_init(r.u.q);
	mpz_set_str(mpq_numref(r.u.q), buf, base);
	free(buf);
	return (calc_put(p, 0, &r));
}

/*
 * Push the value of a number token that lex() left to the program
 * (OP_NUM), in[pos..pos+len): a decimal of more than 18 digits or with an
 * exponent, or an integer in base 16, 8 or 2.
 */
int
calc_push_literal(struct parser *p, size_t pos, size_t len)
{
	const char *s = p->in + pos;
	int base = prefix_base(s, len);

	if (base == 10)
		return (push_decimal(p, s, len));
	return (push_based(p, s, len, base));
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
		return (calc_fail(p, "out of memory"));
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

/*
 * The parser.  Each parse_ function reads one rule of the grammar and
 * appends its steps to the program.
 */

/* Count one level of nesting; fail past max_depth. */
static int
enter(struct parser *p)
{
	if (++p->depth > p->s->lim.max_depth)
		return (calc_fail(p, "nesting too deep"));
	return (0);
}

static int NOINLINE
unexpected(struct parser *p)
{
	char buf[NAME_MAX_SHOWN * 4 + 1];

	if (p->tok == T_END)
		return (calc_fail(p, "syntax error at column %zu: "
		    "unexpected end of input", p->tpos + 1));
	return (calc_fail(p, "syntax error at column %zu: unexpected '%s'",
	    p->tpos + 1, calc_esc(buf, p->in + p->tpos, p->tlen)));
}

static int
is_reserved(const char *name, size_t len)
{
	return ((len == 2 && memcmp(name, "pi", 2) == 0) ||
	    (len == 1 && name[0] == 'e') ||
	    (len == 3 && memcmp(name, "ans", 3) == 0) ||
	    calc_func_find(name, len) != NULL);
}

/* A name not followed by "(": a constant or a variable, not a function. */
static int
emit_name(struct parser *p, size_t pos, size_t len)
{
	if (calc_func_find(p->in + pos, len) != NULL)
		return (unexpected(p));
	return (emit_token(p, OP_NAME, pos, len));
}

/* name "(" [expr ("," expr)*] ")", the name read, "(" the token. */
static int
parse_call(struct parser *p, size_t pos, size_t len)
{
	const struct func *f;
	struct op *o;
	size_t n = 0;

	if ((f = calc_func_find(p->in + pos, len)) == NULL)
		return (calc_fail_name(p, "unknown function", p->in + pos,
		    len));
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
		return (calc_fail_name(p, "wrong number of arguments to",
		    f->name, strlen(f->name)));
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
 * A call as an operand and the postfix after it, as parse_unary() reads
 * them: for parse_operand(), which has read the name and "(".
 */
static int NOINLINE
parse_call_postfix(struct parser *p, size_t pos, size_t len,
    unsigned long depth)
{
	if (parse_call(p, pos, len) == -1 || parse_postfix(p) == -1)
		return (-1);
	p->depth = depth;
	return (0);
}

/*
 * A unary as parse_unary() reads it, but a number or a name not called,
 * the commonest operands, without the calls: then the postfix only when
 * one follows.
 */
static inline int
parse_operand(struct parser *p)
{
	unsigned long depth = p->depth;
	size_t pos = p->tpos, len = p->tlen;

	if (p->tok == T_NUM) {
		if (emit_number(p, pos, len) == -1 || lex(p) == -1)
			return (-1);
	} else if (p->tok == T_IDENT) {
		if (lex(p) == -1)
			return (-1);
		if (p->tok == '(')
			return (parse_call_postfix(p, pos, len, depth));
		if (emit_name(p, pos, len) == -1)
			return (-1);
	} else
		return (parse_unary(p));
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
int
calc_parse_line(struct parser *p)
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
				return (calc_fail_name(p, "cannot assign to",
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
