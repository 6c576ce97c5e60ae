#!/usr/bin/env python3
"""gen_edge.py - lines near the engine's fast paths, for engine_diff.

    gen_edge.py [N] [--seed S]      N lines (default 1000000) on stdout

Quotients of integers and decimals of every size up to 64 bits, that end
or not, of either sign; integer powers that fit 63 bits or not, of
negative bases, up to past max-digits; assignments to many names of one
to six bytes, up to too many, and their uses, function names misused
as variables; the remainder, and mixes of these with parentheses.  Meant
for a byte-for-byte comparison of two builds, not for timing: every line
is answered, an error included.  The output depends only on N and the
seed.
"""

import argparse
import random
import sys

NAMES = ["x", "y", "z", "a1", "ab", "b", "x_2", "long_n", "Q", "ans",
         "pi", "e", "ln", "sin", "sqrt", "log10", "atan2", "abc", "_", "e2"]


def integer(rng):
    kind = rng.random()
    if kind < 0.4:
        v = rng.randint(0, 99999)
    elif kind < 0.7:
        v = rng.randint(0, 10 ** rng.randint(1, 18))
    elif kind < 0.85:
        v = rng.randint(0, 2 ** 63 - 1)
    elif kind < 0.95:
        v = rng.choice([2 ** 63 - 1, 2 ** 62, 2 ** 32, 10 ** 18,
                        999999999999999999, 3, 7, 9, 11, 13, 667, 1])
    else:
        v = rng.randint(0, 2 ** 70)
    return str(v)


def decimal(rng):
    places = rng.randint(1, 18)
    whole = rng.randint(0, 10 ** rng.randint(0, 18 - places + 1))
    return "%d.%0*d" % (whole, places, rng.randint(0, 10 ** places - 1))


def number(rng):
    x = integer(rng) if rng.random() < 0.7 else decimal(rng)
    return ("-" + x) if rng.random() < 0.2 else x


def quotient(rng):
    b = number(rng)
    if b.strip("-0.") == "":
        b = "7"
    return "%s / %s" % (number(rng), b)


def power(rng):
    base = rng.choice([str(rng.randint(2, 99)), str(rng.randint(2, 3037000499)),
                       "(-%d)" % rng.randint(2, 99), "-%d" % rng.randint(2, 9),
                       "2", "10", "(-2)", "0", "1", "(-1)",
                       str(rng.randint(2, 2 ** 63 - 1))])
    exp = rng.choice([rng.randint(0, 70), rng.randint(60, 130),
                      rng.randint(100, 40000), rng.randint(-5, -1)])
    return "%s^%d" % (base, exp)


def remainder(rng):
    return "%s %% %s" % (integer(rng), rng.choice([integer(rng), "7", "1"]))


def variables(rng):
    name = rng.choice(NAMES)
    if rng.random() < 0.05:
        # past max-variables (64) in the end
        name = "v%d" % rng.randint(0, 99)
    if rng.random() < 0.5:
        return "%s = %s" % (name, rng.choice([number, quotient, power])(rng))
    return "%s * %s + %s / 4 - %s" % (rng.choice(NAMES), number(rng),
                                       rng.choice(NAMES), rng.choice(NAMES))


def mixed(rng):
    f = rng.choice([quotient, power, remainder, number])
    return "(%s) %s %s" % (f(rng), rng.choice("+-*/"), f(rng))


def line(rng):
    return rng.choice([quotient, quotient, power, remainder, variables,
                       variables, mixed])(rng)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("lines", nargs="?", type=int, default=1000000)
    ap.add_argument("--seed", type=int, default=1414)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    sys.stdout.write("".join(line(rng) + "\n" for _ in range(args.lines)))


if __name__ == "__main__":
    main()
