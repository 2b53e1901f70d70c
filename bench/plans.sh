#!/bin/sh
# Plan-count scaling (issue 22): the same deals under 10, 1,000 and
# 100,000 plans, `compsight report` on each, time and peak memory.
# usage: bench/plans.sh [DEALS]          (default 1000000)
# env:   RUNS (runs of each set, default 3), PLANS (default "10 1000 100000"),
#        REPS (sales reps of every set, default 100000), BIN (default
#        build/compsight), OUT (default bench/out), REPORT_ARGS (added to
#        every report, default "--period all")
# The sets are one generated data set (`generate --deals DEALS --seed 1`)
# rewritten by awk (make_set below): every AE becomes S reps (S = REPS /
# AEs, rounded up; a deal goes to sub-rep deal_number mod S, its
# commission lines follow it, a quota row is copied to every sub-rep at
# 1/S), and the sub-reps of each generated plan are dealt round robin
# over that plan's clones (ENT-Y-000001, ...: the same tiers, quota / S),
# as many clones per generated plan as its share of the sub-reps.  So
# every set has the same deals, reps, promises and statements; only
# plans.csv and reps.csv's plan_id differ.  Runs go in turn (10, 1000,
# 100000, 10, ...) so that the machine's changes of speed fall on all.
# Prints per set: input bytes, median wall and user seconds and peak RSS,
# peak / input, wall time against the first set, and the report's size.
set -eu
cd "$(dirname "$0")/.."
LC_ALL=C
export LC_ALL
DEALS=${1:-1000000}
RUNS=${RUNS:-3}
PLANS=${PLANS:-10 1000 100000}
REPS=${REPS:-100000}
BIN=${BIN:-build/compsight}
OUT=${OUT:-bench/out}
REPORT_ARGS=${REPORT_ARGS:---period all}
command -v /usr/bin/time >/dev/null || { echo "plans.sh needs /usr/bin/time (apt-get install time)"; exit 1; }
mkdir -p "$OUT"
cp "$BIN" "$OUT/compsight-plans"
BIN=$OUT/compsight-plans
SRC=$OUT/deals-$DEALS
[ -f "$SRC/deals.csv" ] || "$BIN" generate --out "$SRC" --deals "$DEALS" --seed 1 --quiet

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# make_set P DIR: the generated set with REPS reps on P plans, into DIR.
make_set() {
    P=$1 DIR=$2
    rm -rf "$DIR.tmp"
    mkdir -p "$DIR.tmp"
    for f in "$SRC"/*.csv; do
        case $(basename "$f") in
        reps.csv | plans.csv | deals.csv | commissions.csv | quotas.csv) ;;
        *) ln "$f" "$DIR.tmp/" 2>/dev/null || cp "$f" "$DIR.tmp/" ;;
        esac
    done
    # The split S, from the AEs (reps with a plan_id, column 5).
    S=$(awk -F, -v reps="$REPS" 'NR > 1 && NF != 6 { print "reps.csv: a quoted comma" > "/dev/stderr"; exit 1 }
        NR > 1 && $5 != "" { n++ } END { s = int((reps + n - 1) / n); print s < 1 ? 1 : s }' "$SRC/reps.csv")
    # reps.csv and plans.csv: sub-reps, clones per plan in proportion.
    awk -F, -v OFS=, -v S="$S" -v P="$P" -v dir="$DIR.tmp" '
        FNR == 1 { file++ }
        file == 1 && FNR > 1 { if (!($1 in seen)) { seen[$1] = 1; order[++nb] = $1 }
                               rows[$1] = rows[$1] $0 "\n"; next }
        file == 2 && FNR == 1 { print > (dir "/reps.csv"); next }
        file == 2 && $5 != "" { subs[$5] += S; total += S; rep[++nr] = $0; next }
        file == 2 { other[++no] = $0; next }
        END {
            left = P
            for (b = 1; b <= nb; b++) {
                k = int(P * subs[order[b]] / total); if (k < 1) k = 1
                clones[order[b]] = k; left -= k
            }
            clones[order[1]] += left          # what rounding left over
            print "plan_id,period_type,quota,tier_floor,rate" > (dir "/plans.csv")
            for (b = 1; b <= nb; b++) {
                base = order[b]; m = split(rows[base], t, "\n")
                for (j = 1; j <= clones[base]; j++)
                    for (i = 1; i < m; i++) {
                        split(t[i], c, ",")
                        printf "%s-%06d,%s,%.2f,%s,%s\n", base, j, c[2], c[3] / S, c[4], c[5] > (dir "/plans.csv")
                    }
            }
            for (r = 1; r <= nr; r++) {
                split(rep[r], c, ",")
                for (k = 0; k < S; k++) {
                    u = used[c[5]]++
                    printf "%s-%d,%s,%s,%s,%s-%06d,%s\n", c[1], k, c[2], c[3], c[4], c[5],
                           u % clones[c[5]] + 1, c[6] > (dir "/reps.csv")
                }
            }
            for (r = 1; r <= no; r++) print other[r] > (dir "/reps.csv")
        }' "$SRC/plans.csv" "$SRC/reps.csv"
    # The AEs, to rename their rows in the other files.
    awk -F, 'NR > 1 && $5 != "" { print $1 }' "$SRC/reps.csv" >"$DIR.tmp/aes.txt"
    awk -F, -v OFS=, -v S="$S" 'FNR == NR { ae[$1] = 1; next }
        FNR == 1 { print; next }
        ($2 in ae) { $2 = $2 "-" (substr($1, 2) + 0) % S } { print }' \
        "$DIR.tmp/aes.txt" "$SRC/deals.csv" >"$DIR.tmp/deals.csv"
    awk -F, -v OFS=, -v S="$S" 'FNR == NR { ae[$1] = 1; next }
        FNR == 1 { print; next }
        ($1 in ae) { $1 = $1 "-" (substr($2, 2) + 0) % S } { print }' \
        "$DIR.tmp/aes.txt" "$SRC/commissions.csv" >"$DIR.tmp/commissions.csv"
    awk -F, -v OFS=, -v S="$S" 'FNR == NR { ae[$1] = 1; next }
        FNR == 1 { print; next }
        ($1 in ae) { for (k = 0; k < S; k++) printf "%s-%d,%s,%.2f\n", $1, k, $2, $3 / S; next }
        { print }' "$DIR.tmp/aes.txt" "$SRC/quotas.csv" >"$DIR.tmp/quotas.csv"
    rm "$DIR.tmp/aes.txt"
    rm -rf "$DIR"
    mv "$DIR.tmp" "$DIR"
}

for p in $PLANS; do
    d=$OUT/plans-$DEALS-$p
    [ -f "$d/deals.csv" ] || make_set "$p" "$d"
    "$BIN" check --data "$d" --quiet >/dev/null 2>&1 || {
        echo "plans.sh: $d does not pass check:"; "$BIN" check --data "$d" | tail -5; exit 1; }
    : >"$OUT/plans-$p.txt"
done

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
i=0
while [ "$i" -lt "$RUNS" ]; do
    for p in $PLANS; do
        d=$OUT/plans-$DEALS-$p
        rm -rf "$OUT/plans-report-$p"
        # shellcheck disable=SC2086
        /usr/bin/time -f '%e %M %U' -o "$OUT/plans-time.txt" "$BIN" report --data "$d" \
            --out "$OUT/plans-report-$p" --quiet $REPORT_ARGS >/dev/null 2>"$OUT/plans-stderr.txt" || {
            echo "failed: report --data $d"; cat "$OUT/plans-stderr.txt"; exit 1; }
        tail -1 "$OUT/plans-time.txt" >>"$OUT/plans-$p.txt"
    done
    i=$((i + 1))
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

printf '%8s %12s %9s %9s %10s %10s %9s %10s\n' plans input_bytes seconds user_s peak_MiB peak/input time/first output_MiB
first=
for p in $PLANS; do
    d=$OUT/plans-$DEALS-$p
    bytes=$(cat "$d"/*.csv | wc -c)
    sec=$(awk '{print $1}' "$OUT/plans-$p.txt" | median)
    kb=$(awk '{print $2}' "$OUT/plans-$p.txt" | median)
    user=$(awk '{print $3}' "$OUT/plans-$p.txt" | median)
    outb=$(du -sk "$OUT/plans-report-$p" | awk '{print $1}')
    [ -n "$first" ] || first=$sec
    awk -v p="$p" -v b="$bytes" -v s="$sec" -v u="$user" -v kb="$kb" -v f="$first" -v o="$outb" 'BEGIN {
        printf "%8d %12d %9.2f %9.2f %10.1f %10.2f %9.2f %10.1f\n", p, b, s, u, kb / 1024, kb * 1024 / b, s / f, o / 1024 }'
done
