#!/bin/sh
# Coverage of the plan-change difference-in-differences (SPEC 14.3, issue 24):
# over SEEDS generated sample companies with the fiscal-year plan change
# (`generate --preset sample --real-plans`: 7 of 27 reps move MM-Q ->
# MM-Q-FY26 on 2026-01-01), the share of seeds whose printed interval
# (results.json plan_changes[0].did.ci_low .. ci_high, `report --period
# all`) covers the planted effect.  Two designs:
#   null     --null --plan-change-effect P: every other deal has risk 0.20,
#            so the DiD estimates exactly P;
#   planted  the default planted effects, P on the movers' probability; the
#            new plan's halved steps add about -0.005 through the marginal
#            rate (docs/GENERATOR.md), so the truth is about P - 0.005: the
#            script counts both.
# Also counts the seeds where the change reads clear, and where the joint
# pre-change test says the groups did not move together (p < 0.05: none
# is planted).
# usage: bench/did_coverage.sh [SEEDS]      (default 100)
# env:   P (default -0.08), BIN (default build/compsight), OUT (default bench/out)
set -eu
cd "$(dirname "$0")/.."
BIN=${BIN:-build/compsight}
OUT=${OUT:-bench/out}
SEEDS=${1:-100}
P=${P:--0.08}
[ -x "$BIN" ] || { echo "did_coverage: build first (make)"; exit 1; }
mkdir -p "$OUT"
work=$(mktemp -d "$OUT/did-coverage.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# did.estimate, ci_low, ci_high and pre_trend.p of the first plan change in results.json
read_did() {
    awk '/"plan_changes"/ { pc = 1 }
         pc && /"did"/ { did = 1 }
         pc && did && /"estimate"/ && est == "" { est = $2 }
         pc && did && /"ci_low"/ && lo == "" { lo = $2 }
         pc && did && /"ci_high"/ && hi == "" { hi = $2 }
         pc && /"pre_trend"/ { pre = 1 }
         pc && pre && /"p"/ && pp == "" { pp = $2 }
         END { gsub(/,/, "", est); gsub(/,/, "", lo); gsub(/,/, "", hi); gsub(/,/, "", pp);
               print (est == "" ? "none" : est), lo, hi, pp }' "$1"
}

for design in null planted; do
    flags="--plan-change-effect $P"
    [ "$design" = null ] && flags="--null $flags"
    : >"$work/$design.txt"
    s=1
    while [ "$s" -le "$SEEDS" ]; do
        rm -rf "$work/data" "$work/out"
        # shellcheck disable=SC2086
        "$BIN" generate --preset sample --real-plans --seed "$s" $flags --out "$work/data" --quiet
        PATH=/nonexistent "$BIN" report --data "$work/data" --period all --out "$work/out" \
            --seed "$s" --quiet 2>/dev/null
        echo "$s $(read_did "$work/out/results.json")" >>"$work/$design.txt"
        s=$((s + 1))
    done
    cp "$work/$design.txt" "$OUT/did-coverage-$design.txt"
    awk -v p="$P" -v d="$design" '
        $2 == "none" { none++; next }
        { n++; cover += ($3 <= p && p <= $4); cover5 += ($3 <= p - 0.005 && p - 0.005 <= $4)
          clear += ($4 < 0 || $3 > 0); pre += ($5 < 0.05); sum += $2 }
        END { printf "%-7s P = %s: %d seeds with an estimate (%d without); interval covers P in %d/%d",
                     d, p, n, none, cover, n
              if (d == "planted") printf ", P - 0.005 in %d/%d", cover5, n
              printf "; mean estimate %.4f; clear in %d/%d; pre-change test p < 0.05 in %d/%d\n",
                     sum / n, clear, n, pre, n }' "$work/$design.txt"
done
