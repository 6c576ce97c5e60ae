#!/usr/bin/env python3
"""engine_ref.py - expressions and their true answers, for engine_reference.sh.

    engine_ref.py N [--seed S]     write N lines "class<TAB>expr<TAB>answer"

Generates expressions of the kinds where an engine that rounds as it goes
prints wrong digits (calcc(1), "Inexact results"): functions of exact and
inexact arguments near 1, near multiples of pi, huge and tiny; % and
subtraction of inexact values; powers near 1; underflow and overflow;
and divisions of small integers.  Each answer is computed here, with no
code shared with the engine: exact values with fractions.Fraction,
inexact ones with mpmath at 700 and at 1000 bits, rounded to 34
significant digits, ties to even, and printed as calcc prints.  When the
two precisions round apart, the answer is "?" (any answer is accepted,
"error: precision exhausted" too); an answer that starts with "error: "
is the documented error the engine must give.  The output depends only
on N and the seed.
"""

import argparse
import random
import sys
from fractions import Fraction

import mpmath
from mpmath import mp, mpf

DIGITS = 34                 # the default precision of calcd and calcc
PRECS = (700, 1000)         # bits of the two references
EXP_LIMIT = 2 ** 62 - 1     # MPFR's widest exponents, in bits
SCI_BELOW = -6              # calcc prints 1e-7 but 0.000001


class DomainError(Exception):
    """The engine answers "error: domain error in NAME"."""


class RangeError(Exception):
    """The engine answers "error: result too large" or "too small"."""


def put_decimal(neg, digits, e):
    """Print the significant digits with decimal exponent e as calcc does."""
    digits = digits.rstrip("0") or "0"
    sign = "-" if neg else ""
    if e < SCI_BELOW or e >= DIGITS:
        frac = "." + digits[1:] if len(digits) > 1 else ""
        return "%s%s%se%s%d" % (sign, digits[0], frac, "-" if e < 0 else "+",
                                abs(e))
    if e < 0:
        return sign + "0." + "0" * (-e - 1) + digits
    whole = digits[:e + 1].ljust(e + 1, "0")
    frac = digits[e + 1:]
    return sign + whole + ("." + frac if frac else "")


def round_fraction(q):
    """An exact non-zero rational rounded to DIGITS digits, ties to even."""
    neg, q = q < 0, abs(q)
    e = len(str(q.numerator)) - len(str(q.denominator))
    if Fraction(10) ** e > q:
        e -= 1
    while True:
        scaled = q / Fraction(10) ** (e - DIGITS + 1)
        n, r = divmod(scaled.numerator, scaled.denominator)
        if 2 * r > scaled.denominator or (2 * r == scaled.denominator and
                                           n % 2 == 1):
            n += 1
        if n >= 10 ** DIGITS:
            e += 1
            continue
        if n < 10 ** (DIGITS - 1):
            e -= 1
            continue
        return put_decimal(neg, str(n), e)


def round_mpf(v):
    """An inexact value at mp.prec rounded to DIGITS digits, ties to even."""
    if v == 0:
        return "0"
    if abs(mpmath.log(abs(v), 2)) >= EXP_LIMIT:
        raise RangeError("result too large" if abs(v) > 1 else
                         "result too small")
    neg, v = v < 0, abs(v)
    e = int(mpmath.floor(mpmath.log10(v)))
    for _ in range(3):
        scaled = v / mpf(10) ** (e - DIGITS + 1)
        n = int(mpmath.nint(scaled))
        if n >= 10 ** DIGITS:
            e += 1
        elif n < 10 ** (DIGITS - 1):
            e -= 1
        else:
            return put_decimal(neg, str(n), e)
    raise AssertionError("no exponent for %s" % v)


# The expressions: a tree of tuples, printed for calcc and evaluated here.
# ("num", text, Fraction) | ("pi",) | ("e",) | ("neg", x) | (op, a, b) for
# op in + - * / % ^ | ("fn", name, [args])

def text(t):
    kind = t[0]
    if kind == "num":
        return t[1]
    if kind in ("pi", "e"):
        return kind
    if kind == "neg":
        return "-(" + text(t[1]) + ")"
    if kind == "fn":
        return "%s(%s)" % (t[1], ", ".join(text(a) for a in t[2]))
    return "(%s %s %s)" % (text(t[1]), kind, text(t[2]))


def iroot(n, k):
    """The integer k-th root of n >= 0 when n is a k-th power, else None."""
    r = int(round(n ** (1.0 / k))) if n < 2 ** 1000 else None
    if r is None:
        lo, hi = 0, 1 << (n.bit_length() // k + 1)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if mid ** k <= n:
                lo = mid
            else:
                hi = mid - 1
        r = lo
    for c in (r - 1, r, r + 1):
        if c >= 0 and c ** k == n:
            return c
    return None


def exact(t):
    """The exact value of t, a Fraction, or None when it is irrational."""
    kind = t[0]
    if kind == "num":
        return t[2]
    if kind == "fn" and t[1] in ("sqrt", "cbrt"):
        x = exact(t[2][0])
        k = 2 if t[1] == "sqrt" else 3
        if x is None or x < 0:
            return None
        n, d = iroot(x.numerator, k), iroot(x.denominator, k)
        return None if n is None or d is None else Fraction(n, d)
    if kind == "neg":
        x = exact(t[1])
        return None if x is None else -x
    if kind in ("+", "-", "*", "/", "%", "^"):
        a, b = exact(t[1]), exact(t[2])
        if a is None or b is None:
            return None
        if kind == "+":
            return a + b
        if kind == "-":
            return a - b
        if kind == "*":
            return a * b
        if kind == "/":
            if b == 0:
                raise DomainError("division by zero")
            return a / b
        if kind == "%":
            if b == 0:
                raise DomainError("division by zero")
            q = a / b
            return a - b * (q.numerator // q.denominator if q >= 0 else
                            -((-q.numerator) // q.denominator))
        if b.denominator == 1 and abs(b) * max(
                abs(a.numerator).bit_length(),
                a.denominator.bit_length()) <= 20000:
            if a == 0 and b < 0:
                raise DomainError("division by zero")
            return a ** int(b)
        return None
    return None


def value(t):
    """The value of t at mp.prec, an mpf; may raise the engine's errors."""
    kind = t[0]
    if kind == "num":
        q = t[2]
        return mpf(q.numerator) / q.denominator
    if kind == "pi":
        return +mp.pi
    if kind == "e":
        return mpmath.e + 0
    if kind == "neg":
        return -value(t[1])
    if kind == "fn":
        args = [value(a) for a in t[2]]
        return function(t[1], args)
    q = exact(t)
    if q is not None:
        return mpf(q.numerator) / q.denominator
    a, b = value(t[1]), value(t[2])
    if kind == "+":
        return a + b
    if kind == "-":
        return a - b
    if kind == "*":
        return a * b
    if kind == "/":
        return a / b
    if kind == "%":
        return a - b * mpmath.floor(a / b) if a / b >= 0 else \
            a - b * mpmath.ceil(a / b)
    if kind == "^":
        if a < 0:
            raise DomainError("domain error in ^")
        return mpmath.power(a, b)
    raise AssertionError(kind)


def function(name, args):
    x = args[0]
    if name in ("ln", "log10", "log2") and x <= 0:
        raise DomainError("domain error in " + name)
    if name in ("asin", "acos") and abs(x) > 1:
        raise DomainError("domain error in " + name)
    if name == "sqrt" and x < 0:
        raise DomainError("domain error in sqrt")
    return {
        "sin": mpmath.sin, "cos": mpmath.cos, "tan": mpmath.tan,
        "exp": mpmath.exp, "ln": mpmath.ln, "log10": mpmath.log10,
        "log2": lambda v: mpmath.log(v, 2), "sqrt": mpmath.sqrt,
        "cbrt": mpmath.cbrt, "atan": mpmath.atan, "asin": mpmath.asin,
        "acos": mpmath.acos, "sinh": mpmath.sinh, "cosh": mpmath.cosh,
        "tanh": mpmath.tanh,
    }[name](x)


def answer(t):
    """The answer calcc must print for t, or "?" when it is undecided."""
    try:
        q = exact(t)
        if q is not None:
            if q.denominator == 1:
                return str(q.numerator)
            return round_fraction(q)
        seen = []
        for prec in PRECS:
            mp.prec = prec
            seen.append(round_mpf(value(t)))
        return seen[0] if seen[0] == seen[1] else "?"
    except (DomainError, RangeError) as err:
        return "error: " + str(err)


# Generators, one per class of expression.

def num(s):
    return ("num", s, Fraction(s))


def near_one(rng):
    k = rng.randint(3, 40)
    s = "1" + ("+" if rng.random() < 0.6 else "-") + "10^-%d" % k
    sign = 1 if "+" in s else -1
    return ("num", "(" + s + ")", 1 + sign * Fraction(1, 10 ** k))


def near_pi(rng):
    c = rng.choice(["355", "710", "103993", "104348", "208341",
                    "3.14159265358979", "1.5707963267949", "6.28318530718",
                    "22/7", "355/113", "1e22", "2^100", "2^1000",
                    "1.5707963267948966192313216916397514"])
    if "/" in c:
        n, d = c.split("/")
        return ("num", "(" + c + ")", Fraction(int(n), int(d)))
    if "^" in c:
        b, x = c.split("^")
        return ("num", c, Fraction(int(b)) ** int(x))
    return num(c)


def huge_tiny(rng):
    k = rng.randint(15, 300)
    if rng.random() < 0.5:
        return ("num", "10^%d" % k, Fraction(10) ** k)
    return ("num", "10^-%d" % k, Fraction(1, 10 ** k))


def small_dec(rng):
    return num("%d.%0*d" % (rng.randint(0, 20), 3, rng.randint(1, 999)))


def inexact_arg(rng):
    r = rng.random()
    if r < 0.3:
        return ("*", ("pi",), num(str(rng.randint(1, 1000))))
    if r < 0.5:
        return ("+", ("*", ("pi",), num(str(rng.randint(1, 50)))),
                num("1e-%d" % rng.randint(5, 25)))
    if r < 0.7:
        return ("fn", "exp", [num(str(rng.randint(1, 120)))])
    if r < 0.85:
        return ("fn", "sqrt", [num(str(rng.choice([2, 3, 5, 7, 10, 1000001])))])
    return ("/", ("pi",), num(str(rng.randint(2, 12))))


FUNCS = ["sin", "cos", "tan", "exp", "ln", "log10", "log2", "sqrt", "cbrt",
         "atan", "asin", "acos", "sinh", "cosh", "tanh"]


def gen_fn_exact(rng):
    f = rng.choice(FUNCS)
    r = rng.random()
    if f in ("exp", "sinh", "cosh"):
        x = rng.choice([near_one(rng), small_dec(rng),
                        num(str(rng.randint(1, 700)))])
    elif f in ("asin", "acos", "tanh"):
        k = rng.randint(3, 30)
        x = rng.choice([num("0.%d" % rng.randint(1, 99999)),
                        ("num", "(1-10^-%d)" % k, 1 - Fraction(1, 10 ** k))])
    elif r < 0.4:
        x = near_one(rng)
    elif r < 0.75:
        x = near_pi(rng)
    else:
        x = huge_tiny(rng)
    return ("fn", f, [x])


def gen_fn_inexact(rng):
    f = rng.choice(["sin", "cos", "tan", "ln", "sqrt", "atan", "log10",
                    "exp"])
    x = inexact_arg(rng)
    if f == "exp":
        x = ("/", x, num("7"))
    return ("fn", f, [x])


def gen_mod_sub(rng):
    r = rng.random()
    if r < 0.35:
        return ("%", ("fn", "exp", [num(str(rng.randint(20, 400)))]),
                rng.choice([num(str(rng.randint(2, 97))),
                            num("%d.%d" % (rng.randint(1, 9),
                                           rng.randint(1, 9)))]))
    if r < 0.55:
        k = rng.randint(2, 200)
        return ("-", ("fn", "sqrt", [num(str(k * k + 1))]), num(str(k)))
    if r < 0.75:
        j = rng.randint(3, 25)
        return ("-", ("fn", "exp", [num("1e-%d" % j)]), num("1"))
    if r < 0.9:
        return ("%", ("*", ("pi",), num(str(rng.randint(10, 10 ** 6)))),
                ("fn", "sqrt", [num("2")]))
    return ("-", ("fn", "cos", [num("1e-%d" % rng.randint(3, 15))]),
            num("1"))


def gen_pow(rng):
    r = rng.random()
    if r < 0.5:
        j = rng.randint(3, 15)
        m = rng.randint(j - 2, j + 3)
        return ("^", ("num", "(1+10^-%d)" % j, 1 + Fraction(1, 10 ** j)),
                ("num", "10^%d" % m, Fraction(10) ** m))
    if r < 0.8:
        return ("^", small_dec(rng), num(str(rng.randint(2000, 90000))))
    return ("^", ("pi",), num(str(rng.randint(2, 500))))


def gen_range(rng):
    r = rng.random()
    if r < 0.3:
        return ("fn", "exp", [("neg", ("num", "10^%d" % rng.randint(3, 17),
                                       Fraction(10) ** 0))])
    if r < 0.6:
        k = rng.randint(3, 17)
        return ("fn", "exp", [("num", "10^%d" % k, Fraction(10) ** k)])
    if r < 0.8:
        k = rng.randint(3, 18)
        return ("^", num(str(rng.randint(2, 9))),
                ("neg", ("num", "10^%d" % k, Fraction(10) ** k)))
    return ("fn", "exp", [("neg", ("num", "10^%d" % rng.randint(19, 25),
                                   Fraction(10) ** 0))])


def gen_div(rng):
    a = rng.randint(1, 99999)
    b = rng.choice([3, 7, 9, 11, 13, 17, 21, 667, rng.randint(2, 9999)])
    if rng.random() < 0.3:
        return ("/", small_dec(rng), num(str(b)))
    return ("/", num(str(a)), num(str(b)))


def fix(t):
    """Fill in the exact values the generators left as placeholders."""
    if t[0] == "num" and t[1].startswith("10^"):
        return ("num", t[1], Fraction(10) ** int(t[1][3:]))
    if t[0] == "num":
        return t
    if t[0] in ("pi", "e"):
        return t
    if t[0] == "neg":
        return ("neg", fix(t[1]))
    if t[0] == "fn":
        return ("fn", t[1], [fix(a) for a in t[2]])
    return (t[0], fix(t[1]), fix(t[2]))


CLASSES = [
    ("fn-exact", gen_fn_exact, 7),
    ("fn-inexact", gen_fn_inexact, 4),
    ("mod-sub", gen_mod_sub, 3),
    ("pow", gen_pow, 2),
    ("range", gen_range, 1),
    ("div", gen_div, 3),
]


def main():
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(0)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    names = [c[0] for c in CLASSES]
    weights = [c[2] for c in CLASSES]
    gens = dict((c[0], c[1]) for c in CLASSES)
    out = sys.stdout
    for _ in range(args.n):
        cls = rng.choices(names, weights)[0]
        t = fix(gens[cls](rng))
        out.write("%s\t%s\t%s\n" % (cls, text(t), answer(t)))


if __name__ == "__main__":
    main()
