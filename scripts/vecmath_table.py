#!/usr/bin/env python3
"""Print the table of src/whatif/vecmath.c: 2^(i/128), i = 0..127, as the bits of
the nearest double (less i << 45, the exponent that the index adds back)
and the relative rounding error of that double, to 60 digits.

Usage: scripts/vecmath_table.py > /tmp/table.c, then paste it over the
table in src/whatif/vecmath.c.  Python's decimal module only; the output does not
change from one run to the next.
"""
from decimal import Decimal, getcontext
import struct

getcontext().prec = 60
N = 128


def bits(d: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", d))[0]


print("static const struct { uint64_t scale; double tail; } exp_table[EXP_N] = {")
for i in range(N):
    v = (Decimal(2) ** (Decimal(i) / N))
    hi = float(v)                      # the nearest double: Python rounds correctly
    tail = float((v - Decimal(hi)) / Decimal(hi))
    scale = bits(hi) - (i << 45)
    print("    {0x%016xULL, %s}," % (scale, tail.hex() if tail != 0 else "0.0"))
print("};")
