#!/bin/sh
# compsight against the analyst's R script (bench/analyst.R) on the same
# input: wall time and peak memory of `compsight report --period all` and of
# `Rscript bench/analyst.R`, medians of several runs, the ratio R/compsight,
# and a check that both counted the same won deals.
# usage: bench/compare.sh [DEALS]          (default: 1000000)
# env:   RUNS    compsight runs (default 3)
#        RUNS_R  R runs (default 1 at 1,000,000 deals and above, else RUNS;
#                0 times compsight alone, e.g. for the 10M-deal report)
#        BIN (default build/compsight), OUT (default bench/out),
#        RSCRIPT (default Rscript), SEED (analysis seed, default 1)
# Needs /usr/bin/time (Debian: time) and R with data.table and sandwich
# (Debian: r-base-core r-cran-data.table r-cran-sandwich).
set -eu
cd "$(dirname "$0")/.."
BIN=${BIN:-build/compsight}
OUT=${OUT:-bench/out}
RSCRIPT=${RSCRIPT:-Rscript}
SEED=${SEED:-1}
N=${1:-1000000}
RUNS=${RUNS:-3}
if [ "$N" -ge 1000000 ]; then RUNS_R=${RUNS_R:-1}; else RUNS_R=${RUNS_R:-$RUNS}; fi

command -v /usr/bin/time >/dev/null || { echo "compare needs /usr/bin/time (apt-get install time)"; exit 1; }
[ -x "$BIN" ] || { echo "compare: $BIN not built (make)"; exit 1; }
command -v "$RSCRIPT" >/dev/null || { echo "compare needs R (apt-get install r-base-core)"; exit 1; }
"$RSCRIPT" -e 'for (p in c("data.table", "sandwich")) if (!requireNamespace(p, quietly = TRUE)) quit(status = 1)' \
    >/dev/null 2>&1 || {
    echo "compare needs R packages data.table and sandwich (apt-get install r-cran-data.table r-cran-sandwich)"
    exit 1; }
mkdir -p "$OUT"
# Time a private copy: the tree is shared, and a rebuild in the middle of
# the runs would otherwise mix two binaries.
cp "$BIN" "$OUT/compsight-compare"
BIN=$OUT/compsight-compare

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?"; }

# run LOG CMD...: appends "seconds peak_kib" of one run to LOG
run() {
    log=$1
    shift
    /usr/bin/time -f '%e %M' -o "$OUT/compare-time.txt" "$@" >"$OUT/compare-stdout.txt" \
        2>"$OUT/compare-stderr.txt" || {
        echo "failed: $*"
        cat "$OUT/compare-stderr.txt"
        exit 1; }
    tail -1 "$OUT/compare-time.txt" >>"$log"
}

dir="$OUT/deals-$N"
[ -f "$dir/deals.csv" ] || "$BIN" generate --out "$dir" --deals "$N" --seed 1 --quiet
bytes=$(cat "$dir"/*.csv | wc -c)      # also puts the input in the page cache for both
report="$OUT/report-$N"
figures="$OUT/analyst-$N.csv"
cs_log="$OUT/compare-compsight.txt"
r_log="$OUT/compare-r.txt"
: >"$cs_log"
: >"$r_log"
rm -f "$figures"

echo "input: $dir, $(find "$dir" -name '*.csv' | wc -l) files, $bytes bytes; load average before: $(load)"
# Interleaved, so that a burst of load from elsewhere hits both.
i=0
while [ $i -lt "$RUNS" ] || [ $i -lt "$RUNS_R" ]; do
    [ $i -lt "$RUNS" ] && run "$cs_log" "$BIN" report --data "$dir" --period all --out "$report" \
        --seed "$SEED" --key-file "$OUT/key" --quiet --timings && cp "$OUT/compare-stderr.txt" "$OUT/compare-timings.txt"
    [ $i -lt "$RUNS_R" ] && run "$r_log" "$RSCRIPT" bench/analyst.R "$dir" "$figures" "$SEED"
    i=$((i + 1))
done
echo "load average after: $(load)"

printf '\n%-10s %-10s %5s %9s %10s %12s %12s\n' deals what runs seconds peak_MiB peak/input R/compsight
cs_s=$(cut -d' ' -f1 "$cs_log" | median)
r_s=$( [ "$RUNS_R" -gt 0 ] && cut -d' ' -f1 "$r_log" | median || echo 0)
for what in compsight R; do
    if [ $what = compsight ]; then log=$cs_log; else log=$r_log; fi
    [ -s "$log" ] || continue
    s=$(cut -d' ' -f1 "$log" | median)
    kib=$(cut -d' ' -f2 "$log" | median)
    echo "$N $what $(wc -l <"$log") $s $kib $bytes $r_s $cs_s" | awk '{
        ratio = ($2 == "compsight" && $7 > 0 && $8 > 0) ? sprintf("%.1f", $7 / $8) : "-"
        printf "%-10s %-10s %5d %9.2f %10.0f %12.2f %12s\n", $1, $2, $3, $4, $5 / 1024, $5 * 1024 / $6, ratio}'
done
echo "           input: $(echo "$bytes" | awk '{printf "%.1f MB", $1 / 1e6}');" \
     "compsight runs (s): $(cut -d' ' -f1 "$cs_log" | tr '\n' ' ')"
# `--timings` phases: "compsight: timing: NAME ... SECONDS s (memory ...)"
phases() { sed -n 's/^compsight: timing: \(.*[^ ]\)  *\([0-9.]*\) s .*/\1|\2/p' "$OUT/compare-timings.txt"; }
echo "           compsight phases of the last run (s): $(phases |
    awk -F'|' '{sub(/ \(.*/, "", $1); printf "%s%s %.2f", (NR > 1 ? "; " : ""), $1, $2}')"
[ "$RUNS_R" -gt 0 ] || exit 0
echo "           R runs (s): $(cut -d' ' -f1 "$r_log" | tr '\n' ' ')"
echo "           R steps of the last run (s): $(sed -n 's/^"time\.\([a-z_]*\)","\([0-9.]*\)"$/\1 \2/p' "$figures" |
    awk '{printf "%s%s %.1f", (NR > 1 ? ", " : ""), $1, $2}')"
# The work both do (import, measures, analysis), without what only the
# report does (proposal, plots, report files): a like-for-like ratio, from
# the last runs' own clocks.
r_total=$(sed -n 's/^"time\.total","\([0-9.]*\)"$/\1/p' "$figures")
cs_same=$(phases | awk -F'|' '/^(import|measures|analysis)/ {t += $2} END {printf "%.2f", t}')
echo "           the same work (import, measures, analysis): compsight ${cs_same} s, R ${r_total:-?} s:" \
     "$(echo "${r_total:-0} $cs_same" | awk '{printf ($2 > 0 && $1 > 0) ? "%.1fx" : "-", $1 / $2}')"

# Same data, same figures?  The won-deal count must agree; the headline
# estimate is printed for the eye (R's glm against compsight's IRLS: they
# agree to about 1e-9).  bench/README.md says how to compare every figure.
cs_won=$(sed -n 's/^ *"won_deals": *\([0-9]*\).*/\1/p' "$report/results.json" | head -1)
r_won=$(sed -n 's/^"counts.won_deals","\([0-9]*\)"$/\1/p' "$figures")
cs_mr=$(awk '/"promise_risk": *\{/ {m = 1} m && /"name": *"marginal_rate"/ {t = 1}
             t && /"estimate":/ {sub(/.*"estimate": */, ""); sub(/,.*/, ""); print; exit}' "$report/results.json")
r_mr=$(sed -n 's/^"models.promise_risk.marginal_rate.estimate","\(.*\)"$/\1/p' "$figures")
echo "check: won deals compsight ${cs_won:-?}, R ${r_won:-?}; promise_risk marginal_rate estimate" \
     "compsight ${cs_mr:-?}, R ${r_mr:-?}"
if [ -z "$cs_won" ] || [ "$cs_won" != "$r_won" ]; then
    echo "compare: compsight and R disagree on the number of won deals: the comparison is void"
    exit 1
fi
