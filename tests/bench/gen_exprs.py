#!/usr/bin/env python3
"""gen_exprs.py - write a batch of calculator expressions for tests/bench/engine.

    gen_exprs.py [N] [--seed S]      N lines (default 100000) on stdout

The batch looks like real calculator use: mostly small-integer arithmetic
with parentheses, some decimals, powers with small exponents and square
roots.  Every line means the same to `bc -l`, apcalc's `calc` and
`calcc --local`, so the three can be timed on the same input:

- no unary minus (bc binds it tighter than ^: `-3^2` is 9 there, -9 here);
- no `%` (bc -l computes it at scale 20, which is not C's remainder);
- division only by divisors of a power of ten, and few of them, so that
  bc's scale of 20 digits holds every intermediate result exactly;
- integer exponents only, small enough to keep results short.

The output depends only on N and the seed.
"""

import argparse
import random
import sys

DEFAULT_LINES = 100000
DEFAULT_SEED = 54321

# Divisors whose quotients terminate within a few decimals.
EXACT_DIVISORS = (2, 4, 5, 8, 10, 20, 25, 50, 100)


def small_int(rng):
    """A small non-negative integer, mostly below 100 like typed input."""
    if rng.random() < 0.7:
        return str(rng.randint(0, 99))
    return str(rng.randint(100, 9999))


def decimal(rng):
    """A decimal literal with one to three digits after the point."""
    places = rng.randint(1, 3)
    whole = rng.randint(0, 999)
    frac = rng.randint(0, 10 ** places - 1)
    return "%d.%0*d" % (whole, places, frac)


def operand(rng, nest, leaf):
    """A leaf, or when nest is true sometimes a parenthesised subexpression."""
    if nest and rng.random() < 0.25:
        return "(" + arith(rng, False, leaf) + ")"
    return leaf(rng)


def arith(rng, nest, leaf):
    """
    Two to five operands joined by + - * and at most one exact division.

    With leaves of at most three decimals, one level of parentheses and one
    division per level, no intermediate result needs more than 18 decimals,
    within bc's scale of 20.
    """
    parts = [operand(rng, nest, leaf)]
    divided = False
    for _ in range(rng.randint(1, 4)):
        op = rng.choice("+-*+-*/")
        if op == "/" and not divided:
            parts.append("/" + str(rng.choice(EXACT_DIVISORS)))
            divided = True
        else:
            parts.append(rng.choice("+-*") + operand(rng, nest, leaf))
    return "".join(parts)


def spaced(rng, text):
    """Half of the time, the operators of text between spaces."""
    if rng.random() < 0.5:
        for op in "+-*/":
            text = text.replace(op, " " + op + " ")
    return text


def power(rng):
    """A small base, or a parenthesised sum, to a small integer power."""
    kind = rng.random()
    if kind < 0.4:
        return "2^%d" % rng.randint(1, 32)
    if kind < 0.7:
        return "%d^%d" % (rng.randint(2, 20), rng.randint(2, 6))
    if kind < 0.85:
        return "%s^%d" % (decimal(rng), rng.randint(2, 3))
    return "(%s+%s)^2" % (small_int(rng), small_int(rng))


def square_root(rng):
    """sqrt of a perfect square, of an integer, or of a small sum."""
    kind = rng.random()
    if kind < 0.3:
        return "sqrt(%d)" % rng.randint(1, 99) ** 2
    if kind < 0.7:
        return "sqrt(%s)" % small_int(rng)
    return "sqrt(%s*%s+%s)" % (small_int(rng), small_int(rng),
                               small_int(rng))


def expression(rng):
    """One line of the batch, drawn from the mix above."""
    kind = rng.random()
    if kind < 0.55:
        return spaced(rng, arith(rng, True, small_int))
    if kind < 0.70:
        return spaced(rng, arith(rng, False, decimal))
    if kind < 0.85:
        return power(rng)
    return square_root(rng)


def main():
    parser = argparse.ArgumentParser(
        description="Write a batch of calculator expressions.")
    parser.add_argument("lines", nargs="?", type=int, default=DEFAULT_LINES,
                        help="number of lines (default %d)" % DEFAULT_LINES)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help="random seed (default %d)" % DEFAULT_SEED)
    args = parser.parse_args()
    if args.lines < 0:
        parser.error("the number of lines must not be negative")

    rng = random.Random(args.seed)
    out = sys.stdout
    for _ in range(args.lines):
        out.write(expression(rng) + "\n")


if __name__ == "__main__":
    main()
