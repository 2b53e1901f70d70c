#!/bin/sh
# The within-rep estimators on generated deals: cs_clogit (promise_risk,
# reps as strata, the SPEC 7.1 terms without the intercept) with one thread
# and two, and cs_feols (discount_pct with rep dummies, then rep and
# quarter dummies), best wall and CPU time of RUNS, with the design's rows
# grouped by rep (as `compsight generate` writes them) and shuffled.
# usage: bench/within.sh [DEALS]           (default: 1000000)
# env:   RUNS (default 3), BIN (default build/compsight), OUT (default bench/out),
#        CC (default cc)
set -eu
cd "$(dirname "$0")/.."
BIN=${BIN:-build/compsight}
OUT=${OUT:-bench/out}
CC=${CC:-cc}
N=${1:-1000000}
RUNS=${RUNS:-3}

[ -x "$BIN" ] && [ -f build/libcompsight.a ] || { echo "within: build first (make)"; exit 1; }
mkdir -p "$OUT"
prog="$OUT/within_bench"
# shellcheck disable=SC2046
$CC -O2 -std=c11 -D_GNU_SOURCE -Iinclude -o "$prog" bench/within_bench.c build/libcompsight.a \
    $(pkg-config --libs gsl) -lpthread -lm

dir="$OUT/deals-$N"
[ -f "$dir/deals.csv" ] || "$BIN" generate --out "$dir" --deals "$N" --seed 1 --quiet
measures="$OUT/within-measures-$N.csv"
[ -f "$measures" ] || "$BIN" deals --data "$dir" --period all --private --quiet >"$measures"

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
echo "--- rows grouped by rep"
"$prog" "$measures" "$RUNS"
echo "--- rows shuffled"
"$prog" "$measures" "$RUNS" shuffle | grep -v '^    '
