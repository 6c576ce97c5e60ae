/*
 * check_calc.c - unit tests of the calculator engine (src/calc.h).
 *
 * Table-driven: every test case runs one table through
 * tcase_add_loop_test(), one row per iteration, so that each row is one
 * TAP line.  A row is an input and the exact answer text; an answer that
 * starts with "error: " must come with CALC_ERROR, "" with CALC_EMPTY and
 * anything else with CALC_OK.  Each row gets a fresh session, except the
 * rows of the Variables case, which are sequences of lines in one session.
 * The Table case reads the engine's private function table (calc_int.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "calc.h"
#include "calc_int.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define SEQ_MAX		8		/* lines of one Variables row */
#define BIG		100000		/* nesting of the bound cases */
#define MEGABYTE	(1024 * 1024)
#define RANDOM_RUNS	4000		/* random strings per session */
#define RANDOM_LEN	24		/* longest random string */

struct row {
	const char	*in;
	const char	*out;
};

/* A row with bytes a C string cannot hold: NUL. */
struct brow {
	const char	*in;
	size_t		 len;
	const char	*out;
};
#define B(s, out)	{ s, sizeof(s) - 1, out }

struct seq {
	const char	*in[SEQ_MAX];
	const char	*out[SEQ_MAX];
};

Suite	*make_calc_suite(void);

static const char PI[] = "3.141592653589793238462643383279503";
static const char TOO_LARGE[] = "error: result too large";
static const char TOO_DEEP[] = "error: nesting too deep";
static const char TOO_LONG[] = "error: expression too long";
static const char TOO_COSTLY[] = "error: expression too costly";
static const char EXHAUSTED[] = "error: precision exhausted";

/* The small limits of the Limits case. */
static const struct calc_limits small = {
	.precision = 10,
	.max_digits = 50,
	.max_depth = 5,
	.max_length = 20,
	.max_variables = 2,
	.max_work = CALC_DEFAULT_MAX_WORK
};

/* The default limits but the smallest budget of work. */
static const struct calc_limits tiny = {
	.precision = CALC_DEFAULT_PRECISION,
	.max_digits = CALC_DEFAULT_MAX_DIGITS,
	.max_depth = CALC_DEFAULT_MAX_DEPTH,
	.max_length = CALC_DEFAULT_MAX_LENGTH,
	.max_variables = CALC_DEFAULT_MAX_VARIABLES,
	.max_work = CALC_MAX_WORK_MIN
};

static enum calc_status
status_of(const char *out)
{
	if (strncmp(out, "error: ", 7) == 0)
		return (CALC_ERROR);
	return (*out == '\0' ? CALC_EMPTY : CALC_OK);
}

/* Evaluate len bytes in s and check the answer against want. */
static void
check_eval(struct calc_session *s, const char *in, size_t len,
    const char *want)
{
	enum calc_status st;
	const char *out = NULL;
	size_t outlen = 0;

	st = calc_eval(s, in, len, &out, &outlen);
	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(out, want);
	ck_assert_uint_eq(outlen, strlen(out));
	ck_assert_int_eq(st, status_of(want));
}

/* Evaluate one row in a fresh session with limits lim (NULL: defaults). */
static void
check_row(const struct calc_limits *lim, const char *in, size_t len,
    const char *want)
{
	struct calc_session *s;

	s = calc_session_new(lim);
	ck_assert_ptr_nonnull(s);
	check_eval(s, in, len, want);
	calc_session_free(s);
}

/* Return a heap string of n copies of unit, then tail. */
static char *
repeat(const char *unit, size_t n, const char *tail)
{
	size_t ul = strlen(unit), tl = strlen(tail), i;
	char *s;

	s = malloc(ul * n + tl + 1);
	ck_assert_ptr_nonnull(s);
	for (i = 0; i < n; i++)
		memcpy(s + i * ul, unit, ul);
	memcpy(s + ul * n, tail, tl + 1);
	return (s);
}

/*
 * Core: arithmetic on exact numbers.
 */
static const struct row core[] = {
	{ "5+5",			"10" },
	{ "12*34",			"408" },
	{ "2^10",			"1024" },
	{ "7-10",			"-3" },
	{ "3*(4+5)",			"27" },
	{ "0.1+0.2",			"0.3" },
	{ "0.1*3",			"0.3" },
	{ "0.1*0.1",			"0.01" },
	{ "1.1^2",			"1.21" },
	{ "100-99.99",			"0.01" },
	{ "1/7*7",			"1" },
	{ "100/7*7",			"100" },
	{ "7/2",			"3.5" },
	{ "-7/2",			"-3.5" },
	{ "10/4",			"2.5" },
	{ "2/4",			"0.5" },
	{ "1/3+1/6",			"0.5" },
	{ "1/3*3",			"1" },
	{ "1/3-1/3",			"0" },
	{ "2^64",			"18446744073709551616" },
	{ "2^63",			"9223372036854775808" },
	{ "2^63-1",			"9223372036854775807" },
	{ "-2^63",			"-9223372036854775808" },
	{ "9223372036854775807+1",	"9223372036854775808" },
	{ "-9223372036854775807-2",	"-9223372036854775809" },
	{ "(-9223372036854775807-1)/-1", "9223372036854775808" },
	{ "(-9223372036854775807-1)*-1", "9223372036854775808" },
	{ "(-9223372036854775807-1)%-1", "0" },
	{ "4294967296*4294967296",	"18446744073709551616" },
	{ "3037000500*3037000500",	"9223372037000250000" },
	{ "2^64/2^32",			"4294967296" },
	{ "2^100/2^99",			"2" },
	{ "2^100-2^100",		"0" },
	{ "(2^64+1)/(2^64+1)",		"1" },
	{ "7 % 3",			"1" },
	{ "-7 % 3",			"-1" },
	{ "7 % -3",			"1" },
	{ "-7 % -3",			"-1" },
	{ "5.5 % 2",			"1.5" },
	{ "-5.5 % 2",			"-1.5" },
	{ "(1/2) % (1/3)",
	    "0.1666666666666666666666666666666667" },
	{ "2^65 % 10",			"2" },
	{ "2^-1",			"0.5" },
	{ "2^-2",			"0.25" },
	{ "(2/3)^2",
	    "0.4444444444444444444444444444444444" },
	{ "(-2)^3",			"-8" },
	{ "(-2)^-3",			"-0.125" },
	{ "(-1)^1000001",		"-1" },
	{ "(-1)^(10^100)",		"1" },
	{ "1^(10^100)",			"1" },
	{ "0^(10^100)",			"0" },
	{ "0^0",			"1" },
	{ "0^5",			"0" },
	{ "(1/2)^10",			"0.0009765625" },
	{ "4^(1/2)",			"2" },
	{ "8^(2/3)",			"4" },
	{ "(-8)^(1/3)",			"-2" },
	{ "(-8)^(2/3)",			"4" },
	{ "(27/8)^(1/3)",		"1.5" },
	{ "4^-0.5",			"0.5" },
	{ "4^1.5",			"8" },
	{ "(1/4)^(-3/2)",		"8" },
	{ "1024^0.1",			"2" },
	{ "(2^128)^(1/128)",		"2" },
	{ "0^0.5",			"0" },
	{ "5!",				"120" },
	{ "0!",				"1" },
	{ "1!",				"1" },
	{ "20!",			"2432902008176640000" },
	{ "21!",			"51090942171709440000" },
	{ "25!",			"15511210043330985984000000" },
	{ "(10/2)!",			"120" },
	{ "-0",				"0" },
	{ "0*-1",			"0" },
	{ "-0.0",			"0" },
	{ "1-1",			"0" },
	{ "1e3+1",			"1001" },
	{ "1.5e3",			"1500" },
	{ "1e-3",			"0.001" },
	{ "2E+5",			"200000" },
	{ "1.e5",			"100000" },
	{ "1e0",			"1" },
	{ "100e-2",			"1" },
	{ ".5",				"0.5" },
	{ "5.",				"5" },
	{ "007",			"7" },
	{ "000.000",			"0" },
	{ "0e999999999999",		"0" },
	{ "0x1F",			"31" },
	{ "0XfF",			"255" },
	{ "0o17",			"15" },
	{ "0O777",			"511" },
	{ "0b101",			"5" },
	{ "0B1111",			"15" },
	{ "0x000001",			"1" },
	{ "0x1e+5",			"35" },
	{ "0x7fffffffffffffff",		"9223372036854775807" },
	{ "0xffffffffffffffff",		"18446744073709551615" },
	{ "0x10000000000000000",	"18446744073709551616" },
	{ "123456789012345678901234567890", "123456789012345678901234567890" },
	{ "12345678901234567890.5e1",	"123456789012345678905" },
};

/*
 * Formatting: full integers, exact and rounded decimals, scientific.
 */
static const struct row format[] = {
	{ "1/3",
	    "0.3333333333333333333333333333333333" },
	{ "2/3",
	    "0.6666666666666666666666666666666667" },
	{ "-2/3",
	    "-0.6666666666666666666666666666666667" },
	{ "1/7",
	    "0.1428571428571428571428571428571429" },
	{ "100/7",			"14.28571428571428571428571428571429" },
	{ "10^40/7",
	    "1.428571428571428571428571428571429e+39" },
	{ "-10^40/7",
	    "-1.428571428571428571428571428571429e+39" },
	{ "1/70000000",
	    "1.428571428571428571428571428571429e-8" },
	{ "1/8",			"0.125" },
	{ "-1/8",			"-0.125" },
	{ "1/1024",			"0.0009765625" },
	{ "2^-20",			"9.5367431640625e-7" },
	{ "2^-34",			"5.82076609134674072265625e-11" },
	{ "2^-100",
	    "7.888609052210118054117285652827862e-31" },
	{ "1e-6",			"0.000001" },
	{ "1e-7",			"1e-7" },
	{ "-1e-7",			"-1e-7" },
	{ "1.5e-7",			"1.5e-7" },
	{ "0.0000015",			"0.0000015" },
	{ "1e-6/3",
	    "3.333333333333333333333333333333333e-7" },
	{ "123.456",			"123.456" },
	{ "1234567890.0987654321",	"1234567890.0987654321" },
	{ "3.14159",			"3.14159" },
	{ "1e33/3",			"333333333333333333333333333333333.3" },
	{ "1e34/3",			"3333333333333333333333333333333333" },
	{ "1e35/3",
	    "3.333333333333333333333333333333333e+34" },
	{ "1.5e40+0.1",			"1.5e+40" },
	{ "1e40+1/2",			"1e+40" },
	{ "1e40",		"10000000000000000000000000000000000000000" },
	{ "1e34",			"10000000000000000000000000000000000" },
	{ "10^30",			"1000000000000000000000000000000" },
	{ "-10^30",			"-1000000000000000000000000000000" },
	/* 35 significant digits round to 34, ties to even */
	{ "0.12345678901234567890123456789012345",
	    "0.1234567890123456789012345678901234" },
	{ "0.12345678901234567890123456789012355",
	    "0.1234567890123456789012345678901236" },
	{ "0.123456789012345678901234567890123451",
	    "0.1234567890123456789012345678901235" },
	{ "1e33+0.5",			"1000000000000000000000000000000000" },
	{ "1e33+1.5",			"1000000000000000000000000000000002" },
	{ "1e34+0.5",			"1e+34" },
	{ "9.99999999999999999999999999999999999", "10" },
	{ "-9.99999999999999999999999999999999999", "-10" },
	{ "99999999999999999999999999999999999.9", "1e+35" },
	{ "0.00000999999999999999999999999999999999999", "0.00001" },
	{ "0.0000000999999999999999999999999999999999999", "1e-7" },
	{ "pi",				PI },
	{ "-pi",
	    "-3.141592653589793238462643383279503" },
	{ "pi*1e6",			"3141592.653589793238462643383279503" },
	{ "pi/1e6",		"0.000003141592653589793238462643383279503" },
	{ "pi/1e7",
	    "3.141592653589793238462643383279503e-7" },
	{ "pi*1e40",
	    "3.141592653589793238462643383279503e+40" },
	{ "exp(100)",
	    "2.688117141816135448412625551580014e+43" },
	{ "exp(-100)",
	    "3.720075976020835962959695803863118e-44" },
	{ "sqrt(2)^2",			"2" },
	{ "2^0.5*2^0.5",		"2" },
	{ "exp(1)*0",			"0" },
	{ "-exp(1)*0",			"0" },
	{ "sin(0)*-1",			"0" },
	{ "0.5^100000",		"1.000998903798694166816264713193306e-30103" },
	{ "(1/3)^30000",	"2.303341911809600837578914700793893e-14314" },
	{ "1e-99999999",		"1e-99999999" },
	{ "1e-1000000000000",		"1e-1000000000000" },
	{ "exp(1)^pi",			"23.14069263277926900572908636794855" },
	/* small integers and decimals: two digits at a time, odd and even */
	{ "0",				"0" },
	{ "7",				"7" },
	{ "10",				"10" },
	{ "99",				"99" },
	{ "100",			"100" },
	{ "999",			"999" },
	{ "1000",			"1000" },
	{ "12345",			"12345" },
	{ "-1",				"-1" },
	{ "-10",			"-10" },
	{ "-100",			"-100" },
	{ "-12345",			"-12345" },
	{ "9223372036854775807",	"9223372036854775807" },
	{ "-9223372036854775807-1",	"-9223372036854775808" },
	{ "1000000000000000000",	"1000000000000000000" },
	{ "999999999999999999",		"999999999999999999" },
	{ "-0.05",			"-0.05" },
	{ "12.25",			"12.25" },
	{ "1234567.25",			"1234567.25" },
	{ "922337203685477580.7",	"922337203685477580.7" },
	{ "3037000499*3037000499",	"9223372030926249001" },
	/* more steps than the program's first room, and its double */
	{ "1+2+3+4+5+6+7+8+9+10+11+12+13+14+15+16+17+18+19+20", "210" },
	/* short integers, read without calc_dec_scan(), and their edges */
	{ "999999999999999999",		"999999999999999999" },
	{ "999999999999999999+1",	"1000000000000000000" },
	{ "1000000000000000000",	"1000000000000000000" },
	{ "0000000000000000001",	"1" },
	{ "000000000000000001",		"1" },
	{ "000000000000000000000",	"0" },
	{ "12a",
	    "error: syntax error at column 1: invalid number" },
	{ "12_",
	    "error: syntax error at column 1: invalid number" },
	{ "12.",			"12" },
	{ "12e1",			"120" },
	{ "12E+1",			"120" },
	{ "12 ",			"12" },
	{ "  12  ",			"12" },
	{ "(12)",			"12" },
	{ "12)",
	    "error: syntax error at column 3: unexpected ')'" },
	{ "1 2",
	    "error: syntax error at column 3: unexpected '2'" },
	{ "12$",
	    "error: syntax error at column 3: unexpected character '$'" },
	{ "12**2",			"144" },
	{ "12*-2",			"-24" },
	{ "1**",
	    "error: syntax error at column 4: unexpected end of input" },
	{ "**2",
	    "error: syntax error at column 1: unexpected '**'" },
	{ "0x10",			"16" },
	{ "0b10",			"2" },
	{ "0o10",			"8" },
	{ "9_",
	    "error: syntax error at column 1: invalid number" },
	{ "a1",				"error: unknown variable 'a1'" },
	{ "7.",				"7" },
	/* inexact: each power of ten of the table, 10^38 down to 10^0 */
	{ "sqrt(2)/10^5",
	    "0.00001414213562373095048801688724209698" },
	{ "sqrt(2)/10^4",
	    "0.0001414213562373095048801688724209698" },
	{ "sqrt(2)/1000",
	    "0.001414213562373095048801688724209698" },
	{ "sqrt(2)*10",			"14.14213562373095048801688724209698" },
	{ "sqrt(2)*10^19",		"14142135623730950488.01688724209698" },
	{ "sqrt(2)*10^20",		"141421356237309504880.1688724209698" },
	{ "sqrt(2)*10^33",		"1414213562373095048801688724209698" },
	{ "sqrt(2)*10^34",
	    "1.414213562373095048801688724209698e+34" },
	{ "sqrt(99999999)",		"9999.999949999999874999999374999996" },
};

/*
 * Precedence and associativity.
 */
static const struct row precedence[] = {
	{ "1+2*3",			"7" },
	{ "(1+2)*3",			"9" },
	{ "10-4-3",			"3" },
	{ "100/10/5",			"2" },
	{ "4/2*2",			"4" },
	{ "2*3%4",			"2" },
	{ "7%4*2",			"6" },
	{ "10 % 4 % 3",			"2" },
	{ "1-2+3",			"2" },
	{ "-3^2",			"-9" },
	{ "(-3)^2",			"9" },
	{ "2^3^2",			"512" },
	{ "(2^3)^2",			"64" },
	{ "2**3**2",			"512" },
	{ "2 ** -1",			"0.5" },
	{ "2^3^0",			"2" },
	{ "2^-2^2",			"0.0625" },
	{ "-2^-2",			"-0.25" },
	{ "-2^2^3",			"-256" },
	{ "2*3^2",			"18" },
	{ "2^2*3",			"12" },
	{ "2^3!",			"64" },
	{ "-3!",			"-6" },
	{ "3!!",			"720" },
	{ "3!^2",			"36" },
	{ "(3!)!",			"720" },
	{ "2*-3",			"-6" },
	{ "2--3",			"5" },
	{ "2---3",			"-1" },
	{ "+-+-3",			"3" },
	{ "-(-3)",			"3" },
	{ "- - 3",			"3" },
	{ "1 - -1",			"2" },
	{ "-1^0.5",			"-1" },
	{ "2^(1+1)",			"4" },
	{ "(((1)))",			"1" },
	{ "0x10 + 0b10 * 0o10",		"32" },
	{ "2 * pi - pi - pi",		EXHAUSTED },	/* 0, inexactly */
	{ " \t1 +\t2 ",			"3" },
	{ "1+2\n",			"3" },
	{ "1+2\r\n",			"3" },
};

/*
 * Functions and constants; MPFR digits checked against an independent
 * computation.
 */
static const struct row functions[] = {
	{ "sqrt(16)",			"4" },
	{ "sqrt(1/4)",			"0.5" },
	{ "sqrt(2.25)",			"1.5" },
	{ "sqrt(0)",			"0" },
	{ "sqrt(1e-10)",		"0.00001" },
	{ "sqrt(10^100)",
	    "100000000000000000000000000000000000000000000000000" },
	{ "sqrt(2)",			"1.414213562373095048801688724209698" },
	{ "sqrt(3)",			"1.732050807568877293527446341505872" },
	{ "sqrt(2)*sqrt(3)",		"2.449489742783178098197284074705891" },
	{ "sqrt(pi)^2",			PI },
	{ "cbrt(27)",			"3" },
	{ "cbrt(-27)",			"-3" },
	{ "cbrt(1/8)",			"0.5" },
	{ "cbrt(2)",			"1.259921049894873164767210607278228" },
	{ "(-2)^(1/3)",
	    "-1.259921049894873164767210607278228" },
	{ "2^0.5",			"1.414213562373095048801688724209698" },
	{ "2^(1/128)",			"1.0054299011128028213513839559348" },
	{ "abs(-5)",			"5" },
	{ "abs(5)",			"5" },
	{ "abs(-3/4)",			"0.75" },
	{ "abs(-pi)",			PI },
	{ "abs(-9223372036854775807-1)", "9223372036854775808" },
	{ "floor(3.7)",			"3" },
	{ "floor(-3.2)",		"-4" },
	{ "floor(5)",			"5" },
	{ "floor(pi)",			"3" },
	{ "ceil(3.2)",			"4" },
	{ "ceil(-3.7)",			"-3" },
	{ "ceil(pi)",			"4" },
	{ "round(2.5)",			"3" },
	{ "round(-2.5)",		"-3" },
	{ "round(3.5)",			"4" },
	{ "round(-0.5)",		"-1" },
	{ "round(0.49)",		"0" },
	{ "round(2.4999)",		"2" },
	{ "round(e)",			"3" },
	{ "round(10^30+0.5)",		"1000000000000000000000000000001" },
	{ "round(2.5+pi-pi)",		EXHAUSTED },	/* a tie, inexactly */
	{ "trunc(3.7)",			"3" },
	{ "trunc(-3.7)",		"-3" },
	{ "trunc(-e)",			"-2" },
	{ "exp(0)",			"1" },
	{ "exp(1)",			"2.718281828459045235360287471352662" },
	{ "exp(0.5)",			"1.648721270700128146848650787814164" },
	{ "exp(-1e10)",
	    "9.278584420324872578073142298930223e-4342944820" },
	{ "ln(1)",			"0" },
	{ "ln(e)",			"1" },
	{ "ln(2)",
	    "0.6931471805599453094172321214581766" },
	{ "ln(10)",			"2.302585092994045684017991454684364" },
	{ "log(100)",			"4.605170185988091368035982909368728" },
	{ "log(e^3)",			"3" },
	{ "log(8, 2)",			"3" },
	{ "log(1000, 10)",		"3" },
	{ "log(2, 4)",			"0.5" },
	{ "log(2, 10)",			"0.301029995663981195213738894724493" },
	{ "log2(1024)",			"10" },
	{ "log2(1/8)",			"-3" },
	{ "log2(3)",			"1.584962500721156181453738943947817" },
	{ "log10(1000)",		"3" },
	{ "log10(2)",			"0.301029995663981195213738894724493" },
	{ "log10(0.5)",
	    "-0.301029995663981195213738894724493" },
	{ "sin(0)",			"0" },
	{ "sin(1)",			"0.841470984807896506652502321630299" },
	{ "sin(-0.5)",
	    "-0.4794255386042030002732879352155714" },
	{ "sin(pi/6)",			"0.5" },
	{ "sin(10^22)",
	    "-0.8522008497671888017727058937530294" },
	{ "cos(0)",			"1" },
	{ "cos(1)",
	    "0.5403023058681397174009366074429766" },
	{ "cos(pi/3)",			"0.5" },
	{ "tan(0)",			"0" },
	{ "tan(1)",			"1.55740772465490223050697480745836" },
	{ "tan(pi/4)",			"1" },
	{ "asin(0.5)",
	    "0.5235987755982988730771072305465838" },
	{ "asin(1)*2",			PI },
	{ "acos(0.5)",			"1.047197551196597746154214461093168" },
	{ "acos(-1)",			PI },
	{ "atan(1)",
	    "0.7853981633974483096156608458198757" },
	{ "atan(2)",			"1.107148717794090503017065460178537" },
	{ "atan(1)*4",			PI },
	{ "atan2(1, 2)",
	    "0.4636476090008061162142562314612144" },
	{ "atan2(-1, -1)",
	    "-2.356194490192344928846982537459627" },
	{ "atan2(0, -1)",		PI },
	{ "atan2(0, 0)",		"0" },
	{ "sinh(0)",			"0" },
	{ "sinh(1)",			"1.175201193643801456882381850595601" },
	{ "cosh(0)",			"1" },
	{ "cosh(1)",			"1.543080634815243778477905620757062" },
	{ "tanh(0)",			"0" },
	{ "tanh(1)",
	    "0.7615941559557648881194582826047936" },
	{ "tanh(-2)",
	    "-0.9640275800758168839464137241009232" },
	{ "tanh(1e10)",			"1" },
	{ "min(3, 1, 2)",		"1" },
	{ "max(3, 1, 2)",		"3" },
	{ "min(5)",			"5" },
	{ "max(-1/2, -1/3)",
	    "-0.3333333333333333333333333333333333" },
	{ "max(1/3, 0.33)",
	    "0.3333333333333333333333333333333333" },
	{ "max(pi, 3)",			PI },
	{ "min(pi, 3)",			"3" },
	{ "min(2^64, 2^65)",		"18446744073709551616" },
	{ "min(1, 1/2, pi, -e)",
	    "-2.718281828459045235360287471352662" },
	{ "gcd(12, 18)",		"6" },
	{ "gcd(12, 18, 8)",		"2" },
	{ "gcd(-12, 18)",		"6" },
	{ "gcd(0, 5)",			"5" },
	{ "gcd(0, 0)",			"0" },
	{ "gcd(2^100, 6^50)",		"1125899906842624" },
	{ "lcm(4, 6)",			"12" },
	{ "lcm(4, 6, 10)",		"60" },
	{ "lcm(-4, 6)",			"12" },
	{ "lcm(0, 5)",			"0" },
	{ "lcm(2^64, 3)",		"55340232221128654848" },
	{ "pi",				PI },
	{ "e",				"2.718281828459045235360287471352662" },
	{ "2*pi",			"6.283185307179586476925286766559006" },
	{ "pi/2",			"1.570796326794896619231321691639751" },
	{ "e^2",			"7.389056098930650227230427460575008" },
	{ "10 % pi",
	    "0.5752220392306202846120698501614913" },
	{ "pi % 1",
	    "0.1415926535897932384626433832795029" },
	{ "floor(pi)!",			"6" },
	{ "sqrt(sqrt(16))",		"2" },
	{ "max(min(1, 2), min(3, 4))",	"3" },
	{ "abs(floor(-2.5))",		"3" },
	{ "sqrt( 16 )",			"4" },
};

/*
 * Variables: sequences of lines in one session.
 */
static const struct seq variables[] = {
	/* each real answer leaves its memory to the next result */
	{ { "sqrt(2)", "sqrt(3)", "ans*ans", "x=sqrt(5)", "sqrt(7)", "x",
	    "1/0", "sqrt(2)+ans" },
	  { "1.414213562373095048801688724209698",
	    "1.732050807568877293527446341505872", "3",
	    "2.236067977499789696409173668731276",
	    "2.64575131106459059050161575363926",
	    "2.236067977499789696409173668731276",
	    "error: division by zero",
	    "3.650281539872884745210862392940974" } },
	{ { "sin(1)", "sqrt(10^40+1)", "cos(ans)", "sqrt(3)" },
	  { "0.841470984807896506652502321630299",
	    "100000000000000000000", EXHAUSTED,	/* ans: 10^20 to 129 bits */
	    "1.732050807568877293527446341505872" } },
	{ { "x = 3", "x*2", "ans+1" }, { "3", "6", "7" } },
	{ { "x = 1.25", "x*2", "ans+0.5", "-x", "x/0.5", "x^2" },
	  { "1.25", "2.5", "3", "-1.25", "2.5", "1.5625" } },
	{ { "ans" }, { "0" } },
	{ { "ans+1", "ans+1", "ans*10" }, { "1", "2", "20" } },
	{ { "1/3", "ans*3" },
	  { "0.3333333333333333333333333333333333", "1" } },
	{ { "x = 2", "y = x^10", "y - x" }, { "2", "1024", "1022" } },
	{ { "x = 1", "x = x + 1", "x = x * 10", "x" },
	  { "1", "2", "20", "20" } },
	{ { "x = 4", "ans" }, { "4", "4" } },
	{ { "x=5", "x" }, { "5", "5" } },
	{ { "a = 5", "b", "a" },
	  { "5", "error: unknown variable 'b'", "5" } },
	{ { "x = 1", "x = 1/0", "x", "ans" },
	  { "1", "error: division by zero", "1", "1" } },
	{ { "5", "1/0", "ans" }, { "5", "error: division by zero", "5" } },
	{ { "x = 7", "x = y", "x" },
	  { "7", "error: unknown variable 'y'", "7" } },
	{ { "x = 3", "x = ", "x" },
	  { "3", "error: syntax error at column 5: unexpected end of input",
	    "3" } },
	{ { "x = 2", "x = 10^10001", "x", "ans" },
	  { "2", "error: result too large", "2", "2" } },
	{ { "1+1", "", " \t", "ans" }, { "2", "", "", "2" } },
	{ { "pi = 3", "pi" }, { "error: cannot assign to 'pi'", PI } },
	{ { "e = 1" }, { "error: cannot assign to 'e'" } },
	{ { "ans = 1" }, { "error: cannot assign to 'ans'" } },
	{ { "sin = 1" }, { "error: cannot assign to 'sin'" } },
	{ { "log10 = 1" }, { "error: cannot assign to 'log10'" } },
	{ { "E = 1", "E*2", "e*0" }, { "1", "2", "0" } },
	{ { "Pi = 3", "Pi" }, { "3", "3" } },
	{ { "x = 10", "X" }, { "10", "error: unknown variable 'X'" } },
	{ { "_a1 = 1", "_a1 + 1" }, { "1", "2" } },
	{ { "_ = 7", "_" }, { "7", "7" } },
	{ { "x = 2", "x ^ x ^ x" }, { "2", "16" } },
	{ { "r = sqrt(2)", "r^2" },
	  { "1.414213562373095048801688724209698", "2" } },
	{ { "n = 2^64", "n + 1" },
	  { "18446744073709551616", "18446744073709551617" } },
	{ { "h = 1/2", "h + h", "h" }, { "0.5", "1", "0.5" } },
	{ { "x = 2", "x = x", "x" }, { "2", "2", "2" } },
	{ { "b = 2", "a = 1", "c = 3", "a + b + c" },
	  { "2", "1", "3", "6" } },
	{ { "x = -3", "-x^2", "(-x)^2" }, { "-3", "-9", "9" } },
	{ { "sqrt = 2", "sqrt(4)" },
	  { "error: cannot assign to 'sqrt'", "2" } },
	{ { "x = 2", "x = 1e-9999+1e-9999+1e-9999+1e-9999+1e-9999+1e-9999+"
	    "1e-9999+1e-9999+1e-9999+1e-9999+1e-9999+1e-9999", "x", "ans" },
	  { "2", TOO_COSTLY, "2", "2" } },
	{ { "gcd(3^20000, 2^30000+1)", "gcd(3^20000, 2^30000+1)",
	    "gcd(3^20000, 2^30000+1)" }, { "1", "1", "1" } },
};

/*
 * Errors: every message.
 */
static const struct row errors[] = {
	{ "1 +",
	    "error: syntax error at column 4: unexpected end of input" },
	{ "(1",
	    "error: syntax error at column 3: unexpected end of input" },
	{ "-",
	    "error: syntax error at column 2: unexpected end of input" },
	{ "2^",
	    "error: syntax error at column 3: unexpected end of input" },
	{ "sqrt",
	    "error: syntax error at column 5: unexpected end of input" },
	{ "sqrt(4",
	    "error: syntax error at column 7: unexpected end of input" },
	{ "x =",
	    "error: syntax error at column 4: unexpected end of input" },
	{ "1 +  ",
	    "error: syntax error at column 6: unexpected end of input" },
	{ "1 2",	"error: syntax error at column 3: unexpected '2'" },
	{ ")",		"error: syntax error at column 1: unexpected ')'" },
	{ "1 )",	"error: syntax error at column 3: unexpected ')'" },
	{ "()",		"error: syntax error at column 2: unexpected ')'" },
	{ "*2",		"error: syntax error at column 1: unexpected '*'" },
	{ "2 ** ** 3",	"error: syntax error at column 6: unexpected '**'" },
	{ "2 * * 3",	"error: syntax error at column 5: unexpected '*'" },
	{ "sin 1",	"error: syntax error at column 5: unexpected '1'" },
	{ "sin + 1",	"error: syntax error at column 5: unexpected '+'" },
	{ "max(1,)",	"error: syntax error at column 7: unexpected ')'" },
	{ "max(,1)",	"error: syntax error at column 5: unexpected ','" },
	{ "max(1 2)",	"error: syntax error at column 7: unexpected '2'" },
	{ "(1,2)",	"error: syntax error at column 3: unexpected ','" },
	{ "max(1, 0x)",	"error: syntax error at column 8: invalid number" },
	{ "max(1 $)",
	    "error: syntax error at column 7: unexpected character '$'" },
	{ "max(1, 2",
	    "error: syntax error at column 9: unexpected end of input" },
	{ "1 = 2",	"error: syntax error at column 3: unexpected '='" },
	{ "x = = 3",	"error: syntax error at column 5: unexpected '='" },
	{ "x == 3",	"error: syntax error at column 4: unexpected '='" },
	{ "=",		"error: syntax error at column 1: unexpected '='" },
	{ "3!x",	"error: syntax error at column 3: unexpected 'x'" },
	{ "!3",		"error: syntax error at column 1: unexpected '!'" },
	{ "abc def",	"error: syntax error at column 5: unexpected 'def'" },
	{ "1 abcdefghijklmnopqrstuvwxyzABCDEFGHIJ",
	    "error: syntax error at column 3: "
	    "unexpected 'abcdefghijklmnopqrstuvwxyzABCDEF'" },
	{ "1/0 )",	"error: syntax error at column 5: unexpected ')'" },
	{ "9^9^9 +",
	    "error: syntax error at column 8: unexpected end of input" },
	{ "#",	"error: syntax error at column 1: unexpected character '#'" },
	{ "1 $ 2",
	    "error: syntax error at column 3: unexpected character '$'" },
	{ "2 & 3",
	    "error: syntax error at column 3: unexpected character '&'" },
	{ "1;",	"error: syntax error at column 2: unexpected character ';'" },
	{ "[1]",
	    "error: syntax error at column 1: unexpected character '['" },
	{ "'",	"error: syntax error at column 1: unexpected character '''" },
	{ "1 < 2",
	    "error: syntax error at column 3: unexpected character '<'" },
	{ "0x",		"error: syntax error at column 1: invalid number" },
	{ "1e",		"error: syntax error at column 1: invalid number" },
	{ "0b2",	"error: syntax error at column 1: invalid number" },
	{ "1 + 0x",	"error: syntax error at column 5: invalid number" },
	{ "1.2.3",	"error: syntax error at column 1: invalid number" },
	{ "2pi",	"error: syntax error at column 1: invalid number" },
	{ ".",		"error: syntax error at column 1: invalid number" },
	{ "1e+",	"error: syntax error at column 1: invalid number" },
	{ "1ee5",	"error: syntax error at column 1: invalid number" },
	{ "0o9",	"error: syntax error at column 1: invalid number" },
	{ "0xG",	"error: syntax error at column 1: invalid number" },
	{ "0x1.8",	"error: syntax error at column 1: invalid number" },
	{ "12abc",	"error: syntax error at column 1: invalid number" },
	{ "1_000",	"error: syntax error at column 1: invalid number" },
	{ "foo(1)",	"error: unknown function 'foo'" },
	{ "Sqrt(4)",	"error: unknown function 'Sqrt'" },
	{ "pi(2)",	"error: unknown function 'pi'" },
	{ "x(2)",	"error: unknown function 'x'" },
	{ "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ(1)",
	    "error: unknown function 'abcdefghijklmnopqrstuvwxyzABCDEF'" },
	{ "foo(1",	"error: unknown function 'foo'" },
	{ "y",		"error: unknown variable 'y'" },
	{ "PI",		"error: unknown variable 'PI'" },
	{ "x + 1",	"error: unknown variable 'x'" },
	{ "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ",
	    "error: unknown variable 'abcdefghijklmnopqrstuvwxyzABCDEF'" },
	{ "sqrt()",	"error: wrong number of arguments to 'sqrt'" },
	{ "sqrt(1, 2)",	"error: wrong number of arguments to 'sqrt'" },
	{ "atan2(1)",	"error: wrong number of arguments to 'atan2'" },
	{ "atan2(1, 2, 3)", "error: wrong number of arguments to 'atan2'" },
	{ "gcd(1)",	"error: wrong number of arguments to 'gcd'" },
	{ "lcm(1)",	"error: wrong number of arguments to 'lcm'" },
	{ "min()",	"error: wrong number of arguments to 'min'" },
	{ "max()",	"error: wrong number of arguments to 'max'" },
	{ "log()",	"error: wrong number of arguments to 'log'" },
	{ "log(1, 2, 3)", "error: wrong number of arguments to 'log'" },
	{ "ln(1, 2)",	"error: wrong number of arguments to 'ln'" },
	{ "exp()",	"error: wrong number of arguments to 'exp'" },
	{ "1/0",	"error: division by zero" },
	{ "1/(1-1)",	"error: division by zero" },
	{ "5 % 0",	"error: division by zero" },
	{ "0^-1",	"error: division by zero" },
	{ "0^-0.5",	"error: division by zero" },
	{ "0.0^-2",	"error: division by zero" },
	{ "pi/0",	"error: division by zero" },
	{ "pi % 0",	"error: division by zero" },
	{ "1/(pi-pi)",	EXHAUSTED },
	{ "(pi-pi)^-1",	EXHAUSTED },
	{ "sqrt(-1)",	"error: domain error in sqrt" },
	{ "sqrt(-pi)",	"error: domain error in sqrt" },
	{ "ln(0)",	"error: domain error in ln" },
	{ "ln(-1)",	"error: domain error in ln" },
	{ "log(0)",	"error: domain error in log" },
	{ "log(-e)",	"error: domain error in log" },
	{ "log(8, 1)",	"error: domain error in log" },
	{ "log(8, 0)",	"error: domain error in log" },
	{ "log(8, -2)",	"error: domain error in log" },
	{ "log2(0)",	"error: domain error in log2" },
	{ "log10(-1)",	"error: domain error in log10" },
	{ "asin(2)",	"error: domain error in asin" },
	{ "asin(pi)",	"error: domain error in asin" },
	{ "acos(-1.5)",	"error: domain error in acos" },
	{ "(-1)!",	"error: domain error in !" },
	{ "2.5!",	"error: domain error in !" },
	{ "(1/2)!",	"error: domain error in !" },
	{ "pi!",	"error: domain error in !" },
	{ "(-4)^(1/2)",	"error: domain error in ^" },
	{ "(-8)^(1/4)",	"error: domain error in ^" },
	{ "(-2)^0.5",	"error: domain error in ^" },
	{ "(-pi)^pi",	"error: domain error in ^" },
	{ "gcd(1.5, 3)", "error: domain error in gcd" },
	{ "gcd(2, 1/2)", "error: domain error in gcd" },
	{ "lcm(2, pi)",	"error: domain error in lcm" },
	{ "9^9^9",	TOO_LARGE },
	{ "1000000!",	TOO_LARGE },
	{ "2^(2^40)",	TOO_LARGE },
	{ "10^10^10",	TOO_LARGE },
	{ "(2^30000)^(2^30000)", TOO_LARGE },
	{ "1e999999999", TOO_LARGE },
	{ "1e10000",	TOO_LARGE },
	{ "10^10000",	TOO_LARGE },
	{ "10^9999*10",	TOO_LARGE },
	{ "-10^10000",	TOO_LARGE },
	{ "3^20960",	TOO_LARGE },
	{ "3249!",	TOO_LARGE },
	{ "(10^9999)!",	TOO_LARGE },
	{ "2^(10^100)",	TOO_LARGE },
	{ "lcm(2^20000, 3^20000)", TOO_LARGE },
	{ "exp(1e19)",	TOO_LARGE },	/* past MPFR's exponents, 2^62 */
	{ "sinh(1e19)",	TOO_LARGE },
	{ "e^1e19",	TOO_LARGE },
	{ "1.5^(10^20)", TOO_LARGE },
	{ "sin(exp(1e8))", TOO_LARGE },
	{ "(1e300*pi)!", "error: domain error in !" },
	/* names around those of functions, which are found by halves */
	{ "sqr(4)",			"error: unknown function 'sqr'" },
	{ "sqrtt(4)",			"error: unknown function 'sqrtt'" },
	{ "Sqrt(4)",			"error: unknown function 'Sqrt'" },
	{ "lo(2)",			"error: unknown function 'lo'" },
	{ "log1(2)",			"error: unknown function 'log1'" },
	{ "log100(2)",			"error: unknown function 'log100'" },
	{ "atan2(1,1)",
	    "0.7853981633974483096156608458198757" },
	{ "atan(1)",
	    "0.7853981633974483096156608458198757" },
	{ "a(1)",			"error: unknown function 'a'" },
	{ "zzz(1)",			"error: unknown function 'zzz'" },
	{ "_(1)",			"error: unknown function '_'" },
	{ "abs_(1)",			"error: unknown function 'abs_'" },
	{ "tanh(0)",			"0" },
	{ "trunc(2.5)",			"2" },
	{ "sin",
	    "error: syntax error at column 4: unexpected end of input" },
	{ "log2",
	    "error: syntax error at column 5: unexpected end of input" },
	{ "tr = 3",			"3" },
	{ "trunc = 3",			"error: cannot assign to 'trunc'" },
};

/*
 * Limits: a session with precision 10, max_digits 50, max_depth 5,
 * max_length 20 and max_variables 2.
 */
static const struct row limits[] = {
	{ "1/3",			"0.3333333333" },
	{ "2/3",			"0.6666666667" },
	{ "pi",				"3.141592654" },
	{ "sqrt(2)",			"1.414213562" },
	{ "exp(100)",			"2.688117142e+43" },
	{ "1/1024",			"0.0009765625" },
	{ "2^-20",			"9.536743164e-7" },
	{ "0.1+0.2",			"0.3" },
	{ "123456789.25",		"123456789.2" },
	{ "123456789.35",		"123456789.4" },
	{ "1e9+0.5",			"1000000000" },
	{ "1e10+0.5",			"1e+10" },
	{ "1e10",			"10000000000" },
	{ "10^49",	"10000000000000000000000000000000000000000000000000" },
	{ "2^166",	"93536104789177786765035829293842113257979682750464" },
	{ "40!",	"815915283247897734345611269596115894272000000000" },
	{ "10^50",			TOO_LARGE },
	{ "2^167",			TOO_LARGE },
	{ "41!",	"33452526613163807108170062053440751665152000000000" },
	{ "42!",			TOO_LARGE },
	{ "0.5^200",			"6.223015278e-61" },
	{ "1e-60",			"1e-60" },
	{ "((((1))))",			"1" },
	{ "(((((1)))))",		"1" },
	{ "((((((1))))))",		TOO_DEEP },
	{ "-----1",			"-1" },
	{ "------1",			TOO_DEEP },
	{ "1^1^1^1^1^1",		"1" },
	{ "1^1^1^1^1^1^1",		TOO_DEEP },
	/* a number's powers end their nesting: the next operand starts over */
	{ "1^1^1^1^1+1^1^1^1^1",	"2" },
	{ "1*1^1^1^1^1",		"1" },
	{ "1^1^1^1^1^1+1",		"2" },
	{ "(1^1^1^1^1)",		"1" },
	{ "-1^1^1^1^1",			"-1" },
	{ "-1^1^1^1^1^1",		TOO_DEEP },
	{ "2^2^2!+3!!",			"736" },
	{ "3!^2^-1*2",			"4.898979486" },
	{ "2**2**2**2**2",		TOO_LARGE },
	{ "-(-(-1))",			"-1" },
	{ "-(-(-(1)))",			TOO_DEEP },
	{ "sqrt(sqrt(sqrt(16)))",	"1.414213562" },
	{ "12345678901234567890",	"12345678901234567890" },
	{ "123456789012345678901",	TOO_LONG },
	{ "1+1+1+1+1+1+1+1+1+1+1",	TOO_LONG },
	{ "                     ",	TOO_LONG },
	{ "                    ",	"" },
};

/* The small session's variables: at most 2. */
static const struct seq limit_vars[] = {
	{ { "a = 1", "b = 2", "c = 3", "a = 4", "a + b", "c" },
	  { "1", "2", "error: too many variables", "4", "6",
	    "error: unknown variable 'c'" } },
	{ { "a = 1", "b = 2", "c = 1/0" },
	  { "1", "2", "error: too many variables" } },
	{ { "a = 1", "b = 2", "c = 1 +" },
	  { "1", "2",
	    "error: syntax error at column 8: unexpected end of input" } },
};

/* The bounds: each must come back at once, without crashing. */
static const struct row bounds[] = {
	{ "9^9^9",			TOO_LARGE },
	{ "1000000!",			TOO_LARGE },
	{ "2^(2^40)",			TOO_LARGE },
	{ "10^10^10",			TOO_LARGE },
	{ "(2^30000)^(2^30000)",	TOO_LARGE },
	{ "1e999999999",		TOO_LARGE },
	{ "1e-999999999",		"1e-999999999" },
	{ "(-2)^(2^62+1)",		TOO_LARGE },
	{ "2^2^2^2^2^2",		TOO_LARGE },
	{ "((2^2)^(2^2))^(2^4)",
	    "340282366920938463463374607431768211456" },
	{ "(3^20000)^(3/2)",		TOO_LARGE },
	{ "(2^33000)^(1/1000)",		"8589934592" },
	{ "(1/3)^(10^18)",
	    "5.069581353611318436215530670567213e-477121254719662438" },
	{ "sin(10^9999)",
	    "-0.7756218869370531937820545548145871" },
	{ "exp(10^9999)",		TOO_LARGE },
	{ "tanh(10^9999)",		"1" },
	{ "1/(10^9999)",		"1e-9999" },
	{ "atan(10^9999)*2",		PI },
	{ "0.5^(10^6)",	"1.010034059198030224703197280346621e-301030" },
	{ "3248!/3247!",		"3248" },
	/* each of these fits the default budget of work on its own */
	{ "gcd(3^20000, 2^30000+1)",	"1" },
	{ "log10(10^9999)",		"9999" },
	{ "log10(10^9999+1)",		"9999" },
	{ "(1-2^-120)^(3^20000)",	"error: result too small" },
	{ "(1+2^-120)^(3^20000)",	TOO_LARGE },
	{ "(1+2^-50)^(2^80-1)",
	    "1.418836661927188956724383469100679e+466320149" },
	{ "((10^9999+1)/3^20900)*((10^9999+3)/3^20900)",
	    "2.145619552334134751923325509472963e+54" },
	{ "floor(pi+3000)!",	"1.122569116651707755004674302263205e+9141" },
	{ "max(3^20000/7, 2^30000/11)",
	    "3.801862038882028274254573874637735e+9541" },
	{ "1/3^20900",		"1.464793347996274439636283639674523e-9972" },
	{ "sin(10^9999)+cos(10^9999)",
	    "-0.1444240665160657828483637046641239" },
};

/*
 * Work: a session with the smallest budget still has the small-integer
 * fast path, which costs nothing; anything else is too costly.
 */
static const struct row tiny_rows[] = {
	{ "5+5",			"10" },
	{ "2^62-1+2^62",		"9223372036854775807" },
	{ "12345678*87654321",		"1082152022374638" },
	{ "-(3!)^2 % 7",		"-1" },
	{ "7/2",			TOO_COSTLY },
	{ "10/4",			TOO_COSTLY },
	{ "0.5",			TOO_COSTLY },
	{ "0.50*2",			TOO_COSTLY },
	{ "5.0",			"5" },
	{ "12.000 + 3",			"15" },
	{ "2^64",			TOO_COSTLY },
	{ "10^100",			TOO_COSTLY },
	{ "sqrt(2)",			TOO_COSTLY },
	{ "pi",				TOO_COSTLY },
	{ "1/0",			"error: division by zero" },
	{ "1 +",
	    "error: syntax error at column 4: unexpected end of input" },
};

/* The smallest budget: a failed assignment leaves the variable alone. */
static const struct seq tiny_vars[] = {
	{ { "x = 5", "x = 2^64", "x", "ans", "y = x * 3", "y" },
	  { "5", TOO_COSTLY, "5", "5", "15", "15" } },
};

/*
 * Lines of the default maximum length, one operation repeated, that cost
 * more than the default budget (tens of milliseconds to seconds without
 * it)...
 */
static const char *const costly[] = {
	"gcd(3^20000,2^30000+1)",
	"lcm(3^10000,2^15000+1)",
	"sin(10^9999)",
	"3248!-3248!",
	"10^9999/7",
	"(3^20000)^1",
	"round(3^20000/7^11000)",
	"(10^9999+1)/3^20900*((10^9999+3)/3^20900)",
	"1e-9999",
	"log10(10^9999+1)",
	"floor(pi+500)!",
	"max(3^20000/7,2^30000/11)",
	"sin(1)",
};

/* ... and lines of ordinary operations that do not. */
static const char *const cheap[] = {
	"1",
	"1/3",
	"0.25*4",
	"2^100/2^99",
	"sqrt(2)*sqrt(2)",
	"1.5e3*2^-2",
	"min(2^64, 10^20)",
};

/*
 * Bytes: NUL, invalid UTF-8, control characters.
 */
static const struct brow bytes[] = {
	B("1\0+2",
	    "error: syntax error at column 2: unexpected character '\\x00'"),
	B("\0",
	    "error: syntax error at column 1: unexpected character '\\x00'"),
	B("sqrt(4)\0",
	    "error: syntax error at column 8: unexpected character '\\x00'"),
	B("\xff\xfe",
	    "error: syntax error at column 1: unexpected character '\\xff'"),
	B("1 + \x80",
	    "error: syntax error at column 5: unexpected character '\\x80'"),
	B("\xc3\xa9",
	    "error: syntax error at column 1: unexpected character '\\xc3'"),
	B("x\xc3\xa9 = 1",
	    "error: syntax error at column 2: unexpected character '\\xc3'"),
	B("\x0b" "1",
	    "error: syntax error at column 1: unexpected character '\\x0b'"),
	B("1\x7f",
	    "error: syntax error at column 2: unexpected character '\\x7f'"),
	B("1\x1b[0m",
	    "error: syntax error at column 2: unexpected character '\\x1b'"),
	B("\t1\r\n",			"1"),
	B(" 2 * 3 \n",			"6"),
	B("",				""),
	B(" \t\r\n",			""),
	B("\n\n\n",			""),
	B("1\n+\n2",			"3"),
};

/*
 * Decimals: the scaled 64-bit fast path of calc_dec.c, at the boundaries
 * where it must give way to mpq with the same answers, sqrt of small
 * integers, and inexact numbers near the ends of the fast formatting.
 */
static const struct row decimals[] = {
	{ "9223372036854775807+1",	"9223372036854775808" },
	{ "-9223372036854775807-1",	"-9223372036854775808" },
	{ "-9223372036854775807-1-1",	"-9223372036854775809" },
	{ "(-9223372036854775807-1)/-1",
	    "9223372036854775808" },
	{ "(-9223372036854775807-1)*-1",
	    "9223372036854775808" },
	{ "9223372036854775807",	"9223372036854775807" },
	{ "-9223372036854775807",	"-9223372036854775807" },
	{ "0",				"0" },
	{ "-0",				"0" },
	{ "-0.0",			"0" },
	{ "-(0.5-0.5)",			"0" },
	{ "0*-1.5",			"0" },
	{ "1.5-1.5",			"0" },
	{ "0.1+0.2",			"0.3" },
	{ "0.5*4",			"2" },
	{ "53/5",			"10.6" },
	{ "4461/5+89",			"981.2" },
	{ "1/3",			"0.3333333333333333333333333333333333" },
	{ "2/3*3",			"2" },
	{ "1/1024",			"0.0009765625" },
	{ "1/2^62",			"2.168404344971008868014905601739883e-19" },
	{ "1/0.3",			"3.333333333333333333333333333333333" },
	{ "3/1.25",			"2.4" },
	{ "2.5/0.5",			"5" },
	{ "1.5/0.001",			"1500" },
	{ "12.5*0.08",			"1" },
	{ "123.456*1000",		"123456" },
	{ "922337203685477580.7",	"922337203685477580.7" },
	{ "922337203685477580.7+0.1",	"922337203685477580.8" },
	{ "922337203685477580.7*10",	"9223372036854775807" },
	{ "-922337203685477580.7-0.1",	"-922337203685477580.8" },
	{ "92233720368547758.07*100",	"9223372036854775807" },
	{ "0.123456789012345678",	"0.123456789012345678" },
	{ "0.1234567890123456789",	"0.1234567890123456789" },
	{ "0.123456789012345678*0.1",	"0.0123456789012345678" },
	{ "0.000000001*0.000000001",	"1e-18" },
	{ "0.000000001*0.000000001*0.1",
	    "1e-19" },
	{ "0.000000001*0.0000000001",	"1e-19" },
	{ "123456789.123456789*987654321.987654321",
	    "121932631356500531.3472031691126353" },
	{ "999999999.999999999+0.000000001",
	    "1000000000" },
	{ "1e-7",			"1e-7" },
	{ "0.0000001",			"1e-7" },
	{ "0.000001",			"0.000001" },
	{ "0.0000012",			"0.0000012" },
	{ "-0.0000001",			"-1e-7" },
	{ "5 % 1.5",			"0.5" },
	{ "-7.5 % 2",			"-1.5" },
	{ "1.5^2",			"2.25" },
	{ "0.5^-1",			"2" },
	{ "(-0.5)^3",			"-0.125" },
	{ "0.25^0.5",			"0.5" },
	{ "2^0.5*2^0.5",		"2" },
	{ "sqrt(0.25)",			"0.5" },
	{ "sqrt(2.25)",			"1.5" },
	{ "floor(-2.5)",		"-3" },
	{ "round(2.5)",			"3" },
	{ "round(-0.5)",		"-1" },
	{ "abs(-1.25)",			"1.25" },
	{ "min(0.5, 0.25)",		"0.25" },
	{ "max(0.5, 1/3)",		"0.5" },
	{ "2.5!",			"error: domain error in !" },
	{ "1.5 + 2^64",			"18446744073709551617.5" },
	{ "1.5 * pi",			"4.712388980384689857693965074919254" },
	{ "1.5 / 0",			"error: division by zero" },
	{ "0.0 / 0.5",			"0" },
	{ "007.500",			"7.5" },
	{ ".5",				"0.5" },
	{ "5.",				"5" },
	{ "1.5e1",			"15" },
	{ "1.25e-1",			"0.125" },
	{ "0x10 * 0.5",			"8" },
	{ "sqrt(0)",			"0" },
	{ "sqrt(1)",			"1" },
	{ "sqrt(99980001)",		"9999" },
	{ "sqrt(9223372030926249001)",	"3037000499" },
	{ "sqrt(9223372030926249000)",
	    "3037000498.999999999835363872951408" },
	{ "sqrt(9223372036854775807)",
	    "3037000499.976049692286752403030629" },
	{ "sqrt(4611686018427387904)",	"2147483648" },
	{ "sqrt(-0)",			"0" },
	{ "pi*10^40",
	    "3.141592653589793238462643383279503e+40" },
	{ "pi/10^40",
	    "3.141592653589793238462643383279503e-40" },
	{ "pi*1e-7",
	    "3.141592653589793238462643383279503e-7" },
	{ "pi*10^33",			"3141592653589793238462643383279503" },
	{ "pi*10^34",
	    "3.141592653589793238462643383279503e+34" },
	{ "-pi",			"-3.141592653589793238462643383279503" },
	/* literals the lexer reads at once, and those it leaves */
	{ "00012.3400",			"12.34" },
	{ "1.",				"1" },
	{ "0.00",			"0" },
	{ "123456789012345678",		"123456789012345678" },
	{ "1234567890123456789",	"1234567890123456789" },
	{ "1234567890123456.780",	"1234567890123456.78" },
	{ "0.0000000000000000001",	"1e-19" },
	{ "1..2",	"error: syntax error at column 1: invalid number" },
	/* powers of decimals: 64 bits, else mpq */
	{ "654.633^3",			"280539283.089454137" },
	{ "1.1^18",			"5.559917313492231481" },
	{ "1.1^19",			"6.1159090448414546291" },
	{ "1.2^18",			"26.623333280885243904" },
	{ "0.1^18",			"1e-18" },
	{ "0.1^19",			"1e-19" },
	{ "(-0.5)^3",			"-0.125" },
	{ "(-1.5)^2^2",			"5.0625" },
	{ "1.5^0",			"1" },
	{ "1.5**1",			"1.5" },
	{ "2.5^-2",			"0.16" },
	{ "3037000499.5^2",		"9223372033963249500.25" },
	{ "0.5^62",
	    "2.168404344971008868014905601739883e-19" },
	{ "-2.5^2",			"-6.25" },
};

/* Precision 5: decimals of more digits round as fractions do. */
static const struct calc_limits five = {
	.precision = 5,
	.max_digits = CALC_DEFAULT_MAX_DIGITS,
	.max_depth = CALC_DEFAULT_MAX_DEPTH,
	.max_length = CALC_DEFAULT_MAX_LENGTH,
	.max_variables = CALC_DEFAULT_MAX_VARIABLES,
	.max_work = CALC_DEFAULT_MAX_WORK
};

static const struct row five_rows[] = {
	{ "1.23456",			"1.2346" },
	{ "1.23455",			"1.2346" },
	{ "1.23445",			"1.2344" },
	{ "1.2345",			"1.2345" },
	{ "-1.23455",			"-1.2346" },
	{ "99999.5",			"1e+5" },
	{ "99999.4",			"99999" },
	{ "123456.7",			"1.2346e+5" },
	{ "0.1234567",			"0.12346" },
	{ "0.00001234567",		"0.000012346" },
	{ "sqrt(2)",			"1.4142" },
	{ "pi",				"3.1416" },
	{ "1.03125+0*pi",		"1.0312" },
	{ "-1.09375+0*pi",		"-1.0938" },
	{ "99999.5+0*pi",		"1e+5" },
	{ "99998.5+0*pi",		"99998" },
	{ "0.000012345+0*pi",		"0.000012345" },
	{ "pi*10^40",			"3.1416e+40" },
	{ "1/8",			"0.125" },
	{ "1/3",			"0.33333" },
};

/*
 * Budgets: the least max_work each line needs, as mpq charged it before
 * decimals had a fast path; one unit less is too costly.
 */
struct budget {
	const char	*in;
	unsigned long	 work;
	const char	*out;
};

static const struct budget budgets[] = {
	{ "0.5",			3799,	"0.5" },
	{ "0.5+0.25",			7723,	"0.75" },
	{ "7/2",			2993,	"3.5" },
	{ "1.5*2",			3914,	"3" },
	{ "2.5/0.5",			6274,	"5" },
	{ "1.25-0.25",			6284,	"1" },
	{ "0.123456789012345678",	3799,	"0.123456789012345678" },
	{ "922337203685477580.7+0.1",	7802,	"922337203685477580.8" },
	{ "sqrt(2)",			29448,
	    "1.414213562373095048801688724209698" },
	{ "sqrt(16)",			2032,	"4" },
	{ "sqrt(9223372036854775807)",	31612,
	    "3037000499.976049692286752403030629" },
	/* the constant charges of operands of one limb */
	{ "2.5%0.75",			8839,	"0.25" },
	{ "0.1*0.2-0.3/4",		13191,	"-0.055" },
	{ "1.5-0.25",			7723,	"1.25" },
	{ "922337203685477580.7*10",	3993,	"9223372036854775807" },
	{ "0.000000000000000001",	3799,	"1e-18" },
	{ "00012.3400",			3799,	"12.34" },
	{ "12345678901234567.8",	3799,	"12345678901234567.8" },
	{ "0.0000000000000000001",	3814,	"1e-19" },
	/* powers of decimals, charged as mpq computes them */
	{ "654.633^3",			6851,	"280539283.089454137" },
	{ "1.1^18",			6863,	"5.559917313492231481" },
	{ "1.1^19",			6905,	"6.1159090448414546291" },
	{ "1.2^18",			6851,	"26.623333280885243904" },
	{ "1.5^0",			5412,	"1" },
	{ "3037000499.5^2",		6905,	"9223372033963249500.25" },
	/* integers at the edges of 64 bits, then decimals that leave them */
	{ "9223372036854775807+0",	2164,	"9223372036854775807" },
	{ "9223372036854775807+1",	4864,	"9223372036854775808" },
	{ "-9223372036854775807-1",	2164,	"-9223372036854775808" },
	{ "-9223372036854775807-2",	4864,	"-9223372036854775809" },
	{ "9223372036854775807-(-1)",	4864,	"9223372036854775808" },
	{ "3037000500*3037000500",	2690,	"9223372037000250000" },
	{ "4611686018427387904*2",	4854,	"9223372036854775808" },
	{ "-4611686018427387904*2",	2164,	"-9223372036854775808" },
	{ "0.1/3",			5353,
	    "0.03333333333333333333333333333333333" },
	{ "1/3*3",			3108,	"1" },
	{ "922337203685477580.7*2",	5432,	"1844674407370955161.4" },
	{ "-922337203685477580.7-0.2",	7802,	"-922337203685477580.9" },
	{ "0.5-0.5",			6284,	"0" },
	{ "0.000000001*0.0000000001",	7713,	"1e-19" },
	{ "0.1*0.1/0.2-0.05",		14112,	"0" },
	{ "1000000000000000000",	2093,	"1000000000000000000" },
	{ "1234567890123456789",	2164,	"1234567890123456789" },
};

/* Budgets at a precision of 5 digits, which formatting depends on. */
static const struct budget five_budgets[] = {
	{ "0.5",			3651,	"0.5" },
	{ "0.5+0.25",			7575,	"0.75" },
	{ "2.5%0.75",			8691,	"0.25" },
	{ "sqrt(2)",			28824,	"1.4142" },
};

/* Check one row of a table of struct row in a default session. */
#define ROW_TEST(name, table, lim)					\
START_TEST(name)							\
{									\
	check_row(lim, table[_i].in, strlen(table[_i].in),		\
	    table[_i].out);						\
}									\
END_TEST

ROW_TEST(test_core, core, NULL)
ROW_TEST(test_format, format, NULL)
ROW_TEST(test_precedence, precedence, NULL)
ROW_TEST(test_functions, functions, NULL)
ROW_TEST(test_errors, errors, NULL)
ROW_TEST(test_limits, limits, &small)
ROW_TEST(test_bounds, bounds, NULL)
ROW_TEST(test_tiny, tiny_rows, &tiny)
ROW_TEST(test_decimals, decimals, NULL)
ROW_TEST(test_five, five_rows, &five)

/* A line needs its budget of work to the unit. */
static void
check_budget(const struct calc_limits *base, const struct budget *b)
{
	struct calc_limits lim = *base;

	lim.max_work = b->work;
	check_row(&lim, b->in, strlen(b->in), b->out);
	lim.max_work = b->work - 1;
	check_row(&lim, b->in, strlen(b->in), TOO_COSTLY);
}

START_TEST(test_budget)
{
	struct calc_limits lim;

	calc_limits_default(&lim);
	check_budget(&lim, &budgets[_i]);
}
END_TEST

START_TEST(test_five_budget)
{
	check_budget(&five, &five_budgets[_i]);
}
END_TEST

/* Run a sequence of lines in one session. */
static void
check_seq(const struct calc_limits *lim, const struct seq *q)
{
	struct calc_session *s;
	size_t i;

	s = calc_session_new(lim);
	ck_assert_ptr_nonnull(s);
	for (i = 0; i < SEQ_MAX && q->in[i] != NULL; i++)
		check_eval(s, q->in[i], strlen(q->in[i]), q->out[i]);
	calc_session_free(s);
}

START_TEST(test_variables)
{
	check_seq(NULL, &variables[_i]);
}
END_TEST

START_TEST(test_limit_vars)
{
	check_seq(&small, &limit_vars[_i]);
}
END_TEST

START_TEST(test_tiny_vars)
{
	check_seq(&tiny, &tiny_vars[_i]);
}
END_TEST

/* unit joined by "+" as many times as fits the default maximum length. */
static char *
fill(const char *unit)
{
	size_t ul = strlen(unit), len = ul;
	char *s;

	s = malloc(CALC_DEFAULT_MAX_LENGTH + 1);
	ck_assert_ptr_nonnull(s);
	memcpy(s, unit, ul);
	for (; len + 1 + ul <= CALC_DEFAULT_MAX_LENGTH; len += 1 + ul) {
		s[len] = '+';
		memcpy(s + len + 1, unit, ul);
	}
	s[len] = '\0';
	return (s);
}

START_TEST(test_costly)
{
	char *in = fill(costly[_i]);

	check_row(NULL, in, strlen(in), TOO_COSTLY);
	free(in);
}
END_TEST

START_TEST(test_cheap)
{
	struct calc_session *s = calc_session_new(NULL);
	char *in = fill(cheap[_i]);
	const char *out;
	size_t len;

	ck_assert_ptr_nonnull(s);
	ck_assert_msg(calc_eval(s, in, strlen(in), &out, &len) == CALC_OK,
	    "%s...: %s", cheap[_i], out);
	free(in);
	calc_session_free(s);
}
END_TEST

/*
 * Row _i of calc_funcs[] sorts after row _i - 1 as strncmp() orders them,
 * which calc_func_find()'s binary search needs.
 */
START_TEST(test_funcs_sorted)
{
	ck_assert_msg(strcmp(calc_funcs[_i - 1].name, calc_funcs[_i].name) < 0,
	    "calc_funcs[] out of order at \"%s\", \"%s\"",
	    calc_funcs[_i - 1].name, calc_funcs[_i].name);
}
END_TEST

/* The row of calc_funcs[] named name[0..len), by a scan, or NULL. */
static const struct func *
func_scan(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < calc_nfuncs; i++)
		if (strlen(calc_funcs[i].name) == len &&
		    memcmp(calc_funcs[i].name, name, len) == 0)
			return (&calc_funcs[i]);
	return (NULL);
}

/*
 * The lookup finds the name of row _i, and agrees with a scan on each of
 * its prefixes ("log1" is no function, "log" is) and on longer names.
 */
START_TEST(test_funcs_found)
{
	const char *name = calc_funcs[_i].name;
	char longer[64];
	size_t k, len = strlen(name);

	ck_assert_msg(len >= FUNC_NAME_MIN && len <= FUNC_NAME_MAX,
	    "\"%s\" outside FUNC_NAME_MIN to FUNC_NAME_MAX", name);
	ck_assert_ptr_eq(calc_func_find(name, len), &calc_funcs[_i]);
	for (k = 0; k < len; k++)
		ck_assert_msg(calc_func_find(name, k) == func_scan(name, k),
		    "lookup of \"%.*s\"", (int)k, name);
	snprintf(longer, sizeof(longer), "%s_", name);
	ck_assert_ptr_null(calc_func_find(longer, len + 1));
	snprintf(longer, sizeof(longer), "%s0", name);
	ck_assert_ptr_eq(calc_func_find(longer, len + 1),
	    func_scan(longer, len + 1));
}
END_TEST

START_TEST(test_bytes)
{
	check_row(NULL, bytes[_i].in, bytes[_i].len, bytes[_i].out);
}
END_TEST

/* Every byte on its own: a value, a clear error, or blank. */
START_TEST(test_single_byte)
{
	char in[1] = { (char)_i }, want[128];
	unsigned char c = (unsigned char)_i;

	if (c >= '0' && c <= '9')
		snprintf(want, sizeof(want), "%c", c);
	else if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
		want[0] = '\0';
	else if (c == 'e')
		snprintf(want, sizeof(want),
		    "2.718281828459045235360287471352662");
	else if (c == '.')
		snprintf(want, sizeof(want),
		    "error: syntax error at column 1: invalid number");
	else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		snprintf(want, sizeof(want), "error: unknown variable '%c'", c);
	else if (c == '+' || c == '-' || c == '(')
		snprintf(want, sizeof(want), "error: syntax error at column 2: "
		    "unexpected end of input");
	else if (c != '\0' && strchr("*/%^!),=", c) != NULL)
		snprintf(want, sizeof(want), "error: syntax error at column 1: "
		    "unexpected '%c'", c);
	else if (c >= 0x20 && c < 0x7f)
		snprintf(want, sizeof(want), "error: syntax error at column 1: "
		    "unexpected character '%c'", c);
	else
		snprintf(want, sizeof(want), "error: syntax error at column 1: "
		    "unexpected character '\\x%02x'", c);
	check_row(NULL, in, 1, want);
}
END_TEST

/* Limits: out-of-range settings are refused. */
static void
set_limit(struct calc_limits *lim, int field, unsigned long v)
{
	calc_limits_default(lim);
	switch (field) {
	case 0:
		lim->precision = v;
		break;
	case 1:
		lim->max_digits = v;
		break;
	case 2:
		lim->max_depth = v;
		break;
	case 3:
		lim->max_length = v;
		break;
	case 4:
		lim->max_variables = v;
		break;
	default:
		lim->max_work = v;
		break;
	}
}

static const struct {
	int		 field;
	unsigned long	 value;
	const char	*prefix;	/* of the message; NULL: accepted */
} limit_checks[] = {
	{ 0, 0,				"precision" },
	{ 0, 1,				NULL },
	{ 0, 1000,			NULL },
	{ 0, 1001,			"precision" },
	{ 1, 19,			"max-digits" },
	{ 1, 20,			NULL },
	{ 1, 1000000,			NULL },
	{ 1, 1000001,			"max-digits" },
	{ 2, 0,				"max-depth" },
	{ 2, 10000,			NULL },
	{ 2, 10001,			"max-depth" },
	{ 3, 15,			"max-expression-length" },
	{ 3, 16,			NULL },
	{ 3, MEGABYTE,			NULL },
	{ 3, MEGABYTE + 1,		"max-expression-length" },
	{ 4, 0,				NULL },
	{ 4, 10000,			NULL },
	{ 4, 10001,			"max-variables" },
	{ 4, (unsigned long)-1,		"max-variables" },
	{ 5, 0,				"max-work" },
	{ 5, CALC_MAX_WORK_MIN - 1,	"max-work" },
	{ 5, CALC_MAX_WORK_MIN,		NULL },
	{ 5, CALC_MAX_WORK_MAX,		NULL },
	{ 5, CALC_MAX_WORK_MAX + 1,	"max-work" },
};

START_TEST(test_limits_check)
{
	struct calc_limits lim;
	struct calc_session *s;
	const char *msg;

	set_limit(&lim, limit_checks[_i].field, limit_checks[_i].value);
	msg = calc_limits_check(&lim);
	s = calc_session_new(&lim);
	if (limit_checks[_i].prefix == NULL) {
		ck_assert_ptr_null(msg);
		ck_assert_ptr_nonnull(s);
	} else {
		ck_assert_ptr_nonnull(msg);
		ck_assert_msg(strncmp(msg, limit_checks[_i].prefix,
		    strlen(limit_checks[_i].prefix)) == 0, "message %s", msg);
		ck_assert_ptr_null(s);
	}
	calc_session_free(s);
}
END_TEST

START_TEST(test_limits_default)
{
	struct calc_limits lim;
	struct calc_session *s;

	calc_limits_default(&lim);
	ck_assert_uint_eq(lim.precision, CALC_DEFAULT_PRECISION);
	ck_assert_uint_eq(lim.max_digits, CALC_DEFAULT_MAX_DIGITS);
	ck_assert_uint_eq(lim.max_depth, CALC_DEFAULT_MAX_DEPTH);
	ck_assert_uint_eq(lim.max_length, CALC_DEFAULT_MAX_LENGTH);
	ck_assert_uint_eq(lim.max_variables, CALC_DEFAULT_MAX_VARIABLES);
	ck_assert_uint_eq(lim.max_work, CALC_DEFAULT_MAX_WORK);
	ck_assert_ptr_null(calc_limits_check(&lim));
	s = calc_session_new(NULL);
	ck_assert_ptr_nonnull(s);
	calc_session_free(s);
	calc_session_free(NULL);
}
END_TEST

/*
 * The big bounds, built at run time.
 */

/* A session for the big inputs: default limits, max_length 1 MB. */
static struct calc_session *
big_session(unsigned long max_depth, unsigned long max_digits)
{
	struct calc_limits lim;
	struct calc_session *s;

	calc_limits_default(&lim);
	lim.max_length = MEGABYTE;
	lim.max_depth = max_depth;
	lim.max_digits = max_digits;
	s = calc_session_new(&lim);
	ck_assert_ptr_nonnull(s);
	return (s);
}

static void
check_big(struct calc_session *s, char *in, const char *want)
{
	check_eval(s, in, strlen(in), want);
	free(in);
}

START_TEST(test_deep_parens)
{
	struct calc_session *s = big_session(CALC_DEFAULT_MAX_DEPTH,
	    CALC_DEFAULT_MAX_DIGITS);
	char *in;

	check_big(s, repeat("(", BIG, "1"), TOO_DEEP);
	in = repeat("(", BIG, "1");
	check_row(NULL, in, strlen(in), TOO_LONG);
	free(in);
	calc_session_free(s);
}
END_TEST

START_TEST(test_deep_unary)
{
	struct calc_session *s = big_session(CALC_DEFAULT_MAX_DEPTH,
	    CALC_DEFAULT_MAX_DIGITS);

	check_big(s, repeat("-", BIG, "1"), TOO_DEEP);
	check_big(s, repeat("2^", BIG, "1"), TOO_DEEP);
	check_big(s, repeat("sqrt(", BIG, "1"), TOO_DEEP);
	check_big(s, repeat("-(", BIG, "1"), TOO_DEEP);
	calc_session_free(s);
}
END_TEST

/* The deepest nesting the limits allow still fits the C stack. */
START_TEST(test_deepest)
{
	struct calc_session *s = big_session(CALC_MAX_DEPTH_MAX,
	    CALC_DEFAULT_MAX_DIGITS);
	char *in, *p;

	in = repeat("(", CALC_MAX_DEPTH_MAX, "1");
	p = repeat(")", CALC_MAX_DEPTH_MAX, "");
	in = realloc(in, strlen(in) + strlen(p) + 1);
	ck_assert_ptr_nonnull(in);
	strcat(in, p);
	free(p);
	check_big(s, in, "1");
	check_big(s, repeat("-", CALC_MAX_DEPTH_MAX, "1"), "1");
	check_big(s, repeat("-", CALC_MAX_DEPTH_MAX + 1, "1"), TOO_DEEP);
	calc_session_free(s);
}
END_TEST

START_TEST(test_megabyte)
{
	struct calc_session *s = big_session(CALC_DEFAULT_MAX_DEPTH,
	    CALC_DEFAULT_MAX_DIGITS);
	char *in;

	/* over the default limit: refused before parsing */
	in = repeat("1+", MEGABYTE / 2, "1");
	check_row(NULL, in, strlen(in), TOO_LONG);
	free(in);
	/* 1 MB under a 1 MB limit: read */
	check_big(s, repeat("1+", MEGABYTE / 2, "1"), TOO_LONG);
	check_big(s, repeat("1+", MEGABYTE / 8, "1"), "131073");
	check_big(s, repeat(" ", MEGABYTE - 3, "1+2"), "3");
	check_big(s, repeat(" ", MEGABYTE, ""), "");
	check_big(s, repeat("0", MEGABYTE - 3, "1.5"), "1.5");
	check_big(s, repeat("1", MEGABYTE, ""), TOO_LARGE);
	check_big(s, repeat("(", MEGABYTE, ""), TOO_DEEP);
	check_big(s, repeat("x", MEGABYTE, ""), "error: unknown variable "
	    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'");
	calc_session_free(s);
}
END_TEST

/* Long literals and results against a small max_digits. */
START_TEST(test_long_literals)
{
	struct calc_session *s = big_session(CALC_DEFAULT_MAX_DEPTH, 20);
	char *in;

	check_big(s, repeat("f", 4000, ""), "error: unknown variable "
	    "'ffffffffffffffffffffffffffffffff'");
	in = repeat("f", 4000, "");
	in[0] = '0';
	in[1] = 'x';
	check_big(s, in, TOO_LARGE);
	check_big(s, repeat("9", 4000, ""), TOO_LARGE);
	check_big(s, repeat("9", 20, ""), "99999999999999999999");
	check_big(s, repeat("9", 21, ""), TOO_LARGE);
	check_big(s, repeat("1", 4000, "e-4000"),
	    "0.1111111111111111111111111111111111");
	check_big(s, repeat("0", 4000, "1e-4000"), "1e-4000");
	check_big(s, repeat("9", 20, "+1"), TOO_LARGE);
	check_big(s, repeat("0", 4000, "1"), "1");
	calc_session_free(s);
}
END_TEST

/* Results of exactly max_digits digits, and one more. */
START_TEST(test_max_digits)
{
	struct calc_session *s = calc_session_new(NULL);
	char *want;
	const char *out;
	size_t len;

	want = repeat("0", CALC_DEFAULT_MAX_DIGITS, "");
	want[0] = '1';
	ck_assert_int_eq(calc_eval(s, "10^9999", 7, &out, &len), CALC_OK);
	ck_assert_uint_eq(len, CALC_DEFAULT_MAX_DIGITS);
	ck_assert_str_eq(out, want);
	ck_assert_int_eq(calc_eval(s, "-10^9999", 8, &out, &len), CALC_OK);
	ck_assert_uint_eq(len, CALC_DEFAULT_MAX_DIGITS + 1);
	ck_assert_int_eq(calc_eval(s, "3^20959", 7, &out, &len), CALC_OK);
	ck_assert_uint_eq(len, CALC_DEFAULT_MAX_DIGITS);
	ck_assert_int_eq(calc_eval(s, "3248!", 5, &out, &len), CALC_OK);
	ck_assert_uint_eq(len, 9998);
	ck_assert_int_eq(calc_eval(s, "ans*10", 6, &out, &len), CALC_OK);
	ck_assert_uint_eq(len, 9999);
	ck_assert_int_eq(calc_eval(s, "ans*10", 6, &out, &len), CALC_OK);
	ck_assert_uint_eq(len, 10000);
	ck_assert_int_eq(calc_eval(s, "ans*10", 6, &out, &len), CALC_ERROR);
	ck_assert_str_eq(out, TOO_LARGE);
	free(want);
	calc_session_free(s);
}
END_TEST

/*
 * Random short strings from the calculator's alphabet, in one session:
 * each must answer a value, an error or blank, and never crash.
 */
static uint32_t
xorshift(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return (*x);
}

static void
check_random(const struct calc_limits *lim, uint32_t seed)
{
	static const char alphabet[] = "0123456789.eExXoObB+-*/%^!(),= \t"
	    "piqrtlnsgcdmax_\0\xff";
	struct calc_session *s;
	enum calc_status st;
	char in[RANDOM_LEN];
	const char *out;
	size_t i, len, outlen;
	int run;

	s = calc_session_new(lim);
	ck_assert_ptr_nonnull(s);
	for (run = 0; run < RANDOM_RUNS; run++) {
		len = 1 + xorshift(&seed) % RANDOM_LEN;
		for (i = 0; i < len; i++)
			in[i] = alphabet[xorshift(&seed) %
			    (sizeof(alphabet) - 1)];
		out = NULL;
		st = calc_eval(s, in, len, &out, &outlen);
		ck_assert_ptr_nonnull(out);
		ck_assert_uint_eq(strlen(out), outlen);
		if (st == CALC_ERROR)
			ck_assert_msg(strncmp(out, "error: ", 7) == 0,
			    "run %d: %s", run, out);
		else if (st == CALC_OK)
			ck_assert_msg(outlen > 0 &&
			    strncmp(out, "error", 5) != 0,
			    "run %d: %s", run, out);
		else
			ck_assert_msg(st == CALC_EMPTY && outlen == 0,
			    "run %d: status %d", run, st);
	}
	calc_session_free(s);
}

START_TEST(test_random)
{
	check_random(_i == 0 ? NULL : &small, 0x5eed1234U + (uint32_t)_i);
}
END_TEST

static TCase *
table_case(const char *name, const TTest *t, size_t n)
{
	TCase *tc = tcase_create(name);

	tcase_add_loop_test(tc, t, 0, (int)n);
	return (tc);
}

Suite *
make_calc_suite(void)
{
	Suite *s = suite_create("calc");
	TCase *tc;

	suite_add_tcase(s, table_case("Core", test_core, NELEM(core)));
	suite_add_tcase(s, table_case("Formatting", test_format,
	    NELEM(format)));
	suite_add_tcase(s, table_case("Precedence", test_precedence,
	    NELEM(precedence)));
	suite_add_tcase(s, table_case("Functions", test_functions,
	    NELEM(functions)));
	suite_add_tcase(s, table_case("Variables", test_variables,
	    NELEM(variables)));
	suite_add_tcase(s, table_case("Errors", test_errors, NELEM(errors)));

	tc = table_case("Decimals", test_decimals, NELEM(decimals));
	tcase_add_loop_test(tc, test_five, 0, (int)NELEM(five_rows));
	tcase_add_loop_test(tc, test_budget, 0, (int)NELEM(budgets));
	tcase_add_loop_test(tc, test_five_budget, 0,
	    (int)NELEM(five_budgets));
	suite_add_tcase(s, tc);

	tc = table_case("Limits", test_limits, NELEM(limits));
	tcase_add_loop_test(tc, test_limit_vars, 0, (int)NELEM(limit_vars));
	tcase_add_loop_test(tc, test_bounds, 0, (int)NELEM(bounds));
	tcase_add_loop_test(tc, test_tiny, 0, (int)NELEM(tiny_rows));
	tcase_add_loop_test(tc, test_tiny_vars, 0, (int)NELEM(tiny_vars));
	tcase_add_loop_test(tc, test_costly, 0, (int)NELEM(costly));
	tcase_add_loop_test(tc, test_cheap, 0, (int)NELEM(cheap));
	tcase_add_loop_test(tc, test_limits_check, 0,
	    (int)NELEM(limit_checks));
	tcase_add_test(tc, test_limits_default);
	tcase_add_test(tc, test_deep_parens);
	tcase_add_test(tc, test_deep_unary);
	tcase_add_test(tc, test_deepest);
	tcase_add_test(tc, test_megabyte);
	tcase_add_test(tc, test_long_literals);
	tcase_add_test(tc, test_max_digits);
	suite_add_tcase(s, tc);

	tc = tcase_create("Table");
	tcase_add_loop_test(tc, test_funcs_sorted, 1, (int)calc_nfuncs);
	tcase_add_loop_test(tc, test_funcs_found, 0, (int)calc_nfuncs);
	suite_add_tcase(s, tc);

	tc = table_case("Bytes", test_bytes, NELEM(bytes));
	tcase_add_loop_test(tc, test_single_byte, 0, 256);
	tcase_add_loop_test(tc, test_random, 0, 2);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(make_calc_suite());
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
