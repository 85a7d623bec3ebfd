#!/usr/bin/env python3
"""Reference p-values for dev.llmcw.results.PairedTest, computed independently with exact rational
arithmetic (fractions, no scipy): the exact McNemar test (two-sided binomial on the discordant pairs)
and the two-sided binomial test against a chance level (scipy.stats.binomtest's rule: the sum of the
probabilities of all outcomes no more likely than the observed one).

Writes src/test/resources/golden/stats/paired_tests.tsv; PairedTestTest compares the Java values with it.
Run: python3 tools/reference/mcnemar_exact.py > src/test/resources/golden/stats/paired_tests.tsv
"""
from fractions import Fraction
from math import comb


def binom_pmf(k, n, p):
    return comb(n, k) * p ** k * (1 - p) ** (n - k)


def mcnemar_exact(b, c):
    n = b + c
    if n == 0:
        return Fraction(1)
    tail = sum(Fraction(comb(n, k), 2 ** n) for k in range(min(b, c) + 1))
    return min(Fraction(1), 2 * tail)


def binom_two_sided(k, n, p):
    # exact: outcomes whose probability is <= the observed one's (ties included exactly)
    d = binom_pmf(k, n, p)
    return min(Fraction(1), sum(binom_pmf(i, n, p) for i in range(n + 1) if binom_pmf(i, n, p) <= d))


print("# test\ta\tb\tchance\tp_value")
for b, c in [(0, 0), (1, 0), (0, 5), (3, 3), (5, 1), (10, 2), (40, 0), (40, 10), (12, 8), (7, 20),
             (100, 80), (150, 100), (1, 9), (25, 25), (0, 12)]:
    print(f"mcnemar\t{b}\t{c}\t-\t{float(mcnemar_exact(b, c))!r}")
for k, n, p in [(55, 100, Fraction(1, 2)), (60, 100, Fraction(1, 2)), (30, 100, Fraction(1, 4)),
                (27, 100, Fraction(1, 4)), (520, 1000, Fraction(1, 2)), (13, 50, Fraction(1, 4)),
                (50, 50, Fraction(1, 2)), (0, 20, Fraction(1, 4)), (120, 400, Fraction(1, 4)),
                (270, 500, Fraction(1, 2))]:
    print(f"binomial\t{k}\t{n}\t{float(p)!r}\t{float(binom_two_sided(k, n, p))!r}")
