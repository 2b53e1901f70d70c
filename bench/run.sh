#!/bin/sh
# Import benchmark: time, MB/s and peak memory of `compsight check` on
# generated data sets, beside `wc -l` on the same files.  Medians of RUNS runs.
# usage: bench/run.sh [SIZES...]   (default: 1000000 10000000 deals)
# env:   RUNS (default 3), BIN (default build/compsight), OUT (default bench/out)
set -eu
cd "$(dirname "$0")/.."
BIN=${BIN:-build/compsight}
OUT=${OUT:-bench/out}
RUNS=${RUNS:-3}
SIZES=${*:-1000000 10000000}
command -v /usr/bin/time >/dev/null || { echo "bench needs /usr/bin/time (apt-get install time)"; exit 1; }
mkdir -p "$OUT"

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# run CMD...: prints "seconds peak_kib" of one run
run() {
    /usr/bin/time -f '%e %M' -o "$OUT/time.txt" "$@" >/dev/null 2>"$OUT/stderr.txt" || {
        echo "failed: $*"; cat "$OUT/stderr.txt"; exit 1; }
    tail -1 "$OUT/time.txt"
}

printf '%-10s %-14s %9s %9s %10s %12s\n' deals what seconds MB/s peak_MiB peak/input
for n in $SIZES; do
    dir="$OUT/deals-$n"
    [ -f "$dir/deals.csv" ] || "$BIN" generate --out "$dir" --deals "$n" --seed 1 --quiet
    bytes=$(cat "$dir"/*.csv | wc -c)
    mb=$(echo "$bytes" | awk '{printf "%.1f", $1 / 1e6}')
    for what in compsight wc; do
        : >"$OUT/runs.txt"
        i=0
        while [ $i -lt "$RUNS" ]; do
            if [ $what = compsight ]; then
                run "$BIN" check --data "$dir" --quiet >>"$OUT/runs.txt"
            else
                run sh -c "cat '$dir'/*.csv | wc -l" >>"$OUT/runs.txt"
            fi
            i=$((i + 1))
        done
        s=$(cut -d' ' -f1 "$OUT/runs.txt" | median)
        kib=$(cut -d' ' -f2 "$OUT/runs.txt" | median)
        echo "$n $what $s $bytes $kib" | awk '{printf "%-10s %-14s %9.2f %9.0f %10.0f %12.2f\n",
            $1, $2, $3, ($3 > 0 ? $4 / 1e6 / $3 : 0), $5 / 1024, $5 * 1024 / $4}'
    done
    echo "           input: $mb MB in $(ls "$dir"/*.csv | wc -l) files"
done
