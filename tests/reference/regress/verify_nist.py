# verify_nist.py - checks the hand-typed NIST StRD files of tests/fixtures/regress/ by exact rational least squares.
#
# Usage (from the repository root):  python3 tests/reference/regress/verify_nist.py
#
# The data (nist_longley.csv, nist_norris.csv) and the certified values
# (nist_certified.csv) were typed from the NIST StRD pages.  A typo in either
# would show here: the data are exact decimals, so the least-squares
# solution of the normal equations in rationals is exact, and the standard
# errors and residual SD follow with 50-digit decimals; every certified
# figure must agree to its 15 significant digits.  Standard library only.
import csv
import os
import sys
from decimal import Decimal, getcontext
from fractions import Fraction as F

getcontext().prec = 50
FIX = os.path.join("tests", "fixtures", "regress")


def load(name):
    rows = list(csv.reader(open(os.path.join(FIX, name))))[1:]
    y = [F(r[0]) for r in rows]
    X = [[F(1)] + [F(v) for v in r[1:]] for r in rows]
    return X, y


def solve(A, b):
    n = len(A)
    M = [A[i][:] + [b[i]] for i in range(n)]
    for c in range(n):
        p = next(r for r in range(c, n) if M[r][c] != 0)
        M[c], M[p] = M[p], M[c]
        for r in range(n):
            if r != c and M[r][c] != 0:
                f = M[r][c] / M[c][c]
                M[r] = [a - f * bb for a, bb in zip(M[r], M[c])]
    return [M[i][n] / M[i][i] for i in range(n)]


def dec(f):
    return Decimal(f.numerator) / Decimal(f.denominator)


def exact_fit(name):
    X, y = load(name)
    n, k = len(X), len(X[0])
    A = [[sum(X[r][i] * X[r][j] for r in range(n)) for j in range(k)] for i in range(k)]
    b = [sum(X[r][i] * y[r] for r in range(n)) for i in range(k)]
    beta = solve(A, b)
    diag = [solve(A, [F(int(i == j)) for i in range(k)])[j] for j in range(k)]
    rss = sum((y[r] - sum(X[r][j] * beta[j] for j in range(k))) ** 2 for r in range(n))
    s2 = rss / (n - k)
    est = {"b%d" % j: dec(beta[j]) for j in range(k)}
    se = {"b%d" % j: dec(s2 * diag[j]).sqrt() for j in range(k)}
    se["residual_sd"] = None
    est["residual_sd"] = dec(s2).sqrt()
    return est, se


def agree(exact, cert):
    # cert has 15 significant digits: round the exact value the same way
    return Decimal(cert) == Decimal(format(exact, ".14e"))


bad = 0
cert = list(csv.DictReader(open(os.path.join(FIX, "nist_certified.csv"))))
for dataset, file in (("longley", "nist_longley.csv"), ("norris", "nist_norris.csv")):
    est, se = exact_fit(file)
    for row in cert:
        if row["dataset"] != dataset:
            continue
        t = row["term"]
        ok = agree(est[t], row["estimate"]) and (not row["se"] or agree(se[t], row["se"]))
        print("%-8s %-12s %s estimate %s se %s" % (dataset, t, "ok " if ok else "BAD",
                                                   format(est[t], ".15e"),
                                                   format(se[t], ".15e") if se[t] else "-"))
        bad += not ok
sys.exit(1 if bad else 0)
