#!/bin/sh
# Two builds of compsight on the same command, run in turn (A, B, A, B, ...)
# so that the machine's changes of speed fall on both: medians of wall
# time, user and system time and peak memory, and B's time as a share of A's.
# usage: bench/ab.sh BIN_A BIN_B ARGS...
#        e.g. bench/ab.sh /tmp/compsight-old build/compsight check --data bench/out/deals-1000000
# env:   RUNS (pairs, default 5), OUT (default bench/out), PAUSE (seconds
#        between runs, default 0; 6 lets the host take freed memory back,
#        so that every run starts from cold pages)
# Each build is copied first, so a rebuild during the runs cannot mix two
# binaries.  `--out` in ARGS gets a per-build suffix, so the builds write to
# different directories (compare them afterwards with diff -r).
set -eu
cd "$(dirname "$0")/.."
[ $# -ge 3 ] || { sed -n '2,13p' "$0" >&2; exit 2; }
A=$1 B=$2
shift 2
OUT=${OUT:-bench/out}
RUNS=${RUNS:-5}
PAUSE=${PAUSE:-0}
command -v /usr/bin/time >/dev/null || { echo "ab needs /usr/bin/time (apt-get install time)"; exit 1; }
mkdir -p "$OUT"
cp "$A" "$OUT/ab-A"
cp "$B" "$OUT/ab-B"

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# args SIDE ARGS...: ARGS with "--out DIR" made "--out DIR-SIDE", one per line
args() {
    side=$1
    shift
    prev=
    for a in "$@"; do
        if [ "$prev" = --out ]; then printf '%s\n' "$a-$side"; else printf '%s\n' "$a"; fi
        prev=$a
    done
}

NL='
'
ARGS_A=$(args A "$@")
ARGS_B=$(args B "$@")
: >"$OUT/ab-A.txt"
: >"$OUT/ab-B.txt"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
i=0
while [ $i -lt "$RUNS" ]; do
    for side in A B; do
        if [ "$side" = A ]; then list=$ARGS_A; else list=$ARGS_B; fi
        set -f
        IFS=$NL
        # shellcheck disable=SC2086
        set -- $list
        unset IFS
        set +f
        /usr/bin/time -f '%e %U %S %M' -o "$OUT/ab-time.txt" "$OUT/ab-$side" "$@" \
            >/dev/null 2>"$OUT/ab-stderr.txt" || {
            echo "failed: $OUT/ab-$side $*"; cat "$OUT/ab-stderr.txt"; exit 1; }
        tail -1 "$OUT/ab-time.txt" >>"$OUT/ab-$side.txt"
        sleep "$PAUSE"
    done
    i=$((i + 1))
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-4s %5s %9s %9s %9s %9s   %s\n' build runs seconds user system peak_MiB "all seconds"
for side in A B; do
    f=$OUT/ab-$side.txt
    printf '%-4s %5s %9s %9s %9s %9.0f   %s\n' "$side" "$(wc -l <"$f")" \
        "$(cut -d' ' -f1 "$f" | median)" "$(cut -d' ' -f2 "$f" | median)" \
        "$(cut -d' ' -f3 "$f" | median)" "$(cut -d' ' -f4 "$f" | median | awk '{print $1 / 1024}')" \
        "$(cut -d' ' -f1 "$f" | tr '\n' ' ')"
done
a=$(cut -d' ' -f1 "$OUT/ab-A.txt" | median)
b=$(cut -d' ' -f1 "$OUT/ab-B.txt" | median)
echo "B / A (median seconds): $(echo "$a $b" | awk '{printf "%.3f", $2 / $1}')"
