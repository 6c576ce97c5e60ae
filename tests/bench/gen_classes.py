#!/usr/bin/env python3
"""gen_classes.py - one batch per class of expression, for tests/bench/engine.

    gen_classes.py DIR [N] [--seed S]    N lines a class (default 10000)

Writes DIR/CLASS.calcc, DIR/CLASS.bc and DIR/CLASS.apcalc, the same
expressions in the syntax of calcc, bc -l and apcalc's calc (N lines, a
tenth of them for sin/exp/ln, where bc is slow), and DIR/classes, one
line a class: its file name, its name, then the number of answers each
tool prints (0 when the tool lacks the operation: bc has no factorial);
calcc's is the number of lines.
bc prints no answer to an assignment, nor apcalc; bc -l computes % at
scale 20 and binds unary minus tighter than ^, which changes a value but
not the work.  The mixed class is gen_exprs.py's batch with one line in
eight a division that does not terminate.  The output depends only on N
and the seed.
"""

import argparse
import os
import random
import re

import gen_exprs

NONTERM = (3, 7, 9, 11, 13, 17, 21, 667)


def small(rng):
    return gen_exprs.small_int(rng)


def dec(rng):
    return gen_exprs.decimal(rng)


def c_addsub(rng):
    return "%s + %s - %s" % (small(rng), small(rng), small(rng))


def c_mul(rng):
    return "%s * %s * %s" % (small(rng), small(rng), small(rng))


def c_div_term(rng):
    return "%s / %d" % (small(rng), rng.choice(gen_exprs.EXACT_DIVISORS))


def c_div_nonterm(rng):
    if rng.random() < 0.5:
        return "%s / %d" % (small(rng), rng.choice(NONTERM))
    return "%d / %d" % (rng.randint(1, 99999), rng.randint(2, 999))


def c_mod(rng):
    return "%d %% %d + 1" % (rng.randint(1, 99999), rng.randint(2, 99))


def c_pow_small(rng):
    return "%s^%d" % (small(rng), rng.randint(2, 3))


def c_pow_large(rng):
    if rng.random() < 0.5:
        return "2^%d" % rng.randint(60, 99)
    return "%d^%d" % (rng.randint(2, 99), rng.randint(15, 30))


def c_neg(rng):
    return "-%s * %s" % (small(rng), small(rng))


def c_parens(rng):
    return "((%s + %s) * (%s - %s)) * (%s + (%s - %s))" % tuple(
        small(rng) for _ in range(7))


def c_decimals(rng):
    return "%s * %s + %s" % (dec(rng), dec(rng), dec(rng))


def c_sqrt(rng):
    return "sqrt(%s)" % small(rng)


def c_transcendental(rng):
    f = rng.choice(["sin", "exp", "ln"])
    return "%s(%s)" % (f, dec(rng) if f != "ln" else dec(rng) + "+1")


def c_factorial(rng):
    return "%d!" % rng.randint(5, 40)


def c_mixed(rng):
    if rng.random() < 0.125:
        return c_div_nonterm(rng)
    return gen_exprs.expression(rng)


CLASSES = [
    ("+-", c_addsub), ("*", c_mul), ("/term", c_div_term),
    ("/nonterm", c_div_nonterm), ("%", c_mod), ("^small", c_pow_small),
    ("^large", c_pow_large), ("unary-", c_neg), ("parens", c_parens),
    ("decimals", c_decimals), ("variables", None), ("sqrt", c_sqrt),
    ("sin/exp/ln", c_transcendental), ("factorial", c_factorial),
    ("mixed", c_mixed),
]


def to_bc(line):
    line = re.sub(r"\bsin\(", "s(", line)
    line = re.sub(r"\bexp\(", "e(", line)
    return re.sub(r"\bln\(", "l(", line)


def variables(rng, n):
    """Pairs of lines: an assignment, then a use of the variables."""
    lines = ["y = 7"]
    while len(lines) < n:
        lines.append("x = %s" % dec(rng))
        lines.append("x * %s + x / 4 - y" % small(rng))
    return lines[:n]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("lines", nargs="?", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=2614)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with open(os.path.join(args.dir, "classes"), "w") as manifest:
        for i, (name, gen) in enumerate(CLASSES):
            # bc takes some 10 ms a line of sin, exp and ln: a tenth
            n = args.lines // 10 if name == "sin/exp/ln" else args.lines
            if gen is None:
                lines = variables(rng, n)
            else:
                lines = [gen(rng) for _ in range(n)]
            shown = [l for l in lines if " = " not in l]
            counts = {"calcc": len(lines), "bc": len(shown),
                      "apcalc": len(shown)}
            if name == "factorial":
                counts["bc"] = 0
            for tool in ("calcc", "bc", "apcalc"):
                text = lines if tool != "bc" else [to_bc(l) for l in lines]
                with open(os.path.join(args.dir, "c%02d.%s" % (i, tool)),
                          "w") as f:
                    f.write("\n".join(text) + "\n")
            manifest.write("c%02d %s %d %d %d\n" % (
                i, name, counts["calcc"], counts["bc"], counts["apcalc"]))


if __name__ == "__main__":
    main()
