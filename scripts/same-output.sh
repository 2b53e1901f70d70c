#!/bin/sh
# Two builds of compsight, the same outputs byte for byte: the check that a
# change which should not change a figure (a reorganisation, a speed-up)
# really changes none.
# usage: scripts/same-output.sh BIN_A BIN_B [DEALS]
#   DEALS: the size of the generated data set (default 200000; 0 leaves it out)
# Runs, with both builds, on the bundled sample and on `generate --deals DEALS`:
#   report (the default period), report --period all, report --period each,
#   report --private, whatif --plans (an alternative with one step halved),
#   propose, deals, check.
# Every run writes through the same --out path (documents quote it), then
# the outputs are moved aside and compared file by file, images included.
# Prints one line per difference and a closing `same-output: N same, M differ`.
set -eu
LC_ALL=C
export LC_ALL
[ $# -ge 2 ] || { sed -n '2,13p' "$0" >&2; exit 2; }
A=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
B=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
DEALS=${3:-200000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d /tmp/compsight-same.XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM
# the pseudonym key of these runs goes under $TMP, not into the tester's home
HOME=$TMP/home
export HOME
unset XDG_CONFIG_HOME
SOURCE_DATE_EPOCH=1790000000
export SOURCE_DATE_EPOCH
same=0
differ=0

# The data sets, under one path for both builds.
mkdir -p "$TMP/data"
cp -R "$ROOT/data/sample" "$TMP/data/sample"
sets=sample
if [ "$DEALS" != 0 ]; then
    "$A" generate --out "$TMP/data/gen" --deals "$DEALS" --seed 3 --quiet >/dev/null
    sets="sample gen"
fi
# An alternative plan: every plan's highest rate halved (awk over plans.csv).
for s in $sets; do
    awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "rate") r = i; print; next }
             { if ($r + 0 > 0.12) $r = $r / 2; print }' "$TMP/data/$s/plans.csv" >"$TMP/data/$s.alt.csv"
done

# run SIDE NAME ARGS...: run build SIDE with ARGS, its --out at $TMP/out;
# keep the output directory, stdout and the exit code as $TMP/SIDE/NAME
run() {
    side=$1 name=$2
    shift 2
    if [ "$side" = A ]; then bin=$A; else bin=$B; fi
    rm -rf "$TMP/out"
    mkdir -p "$TMP/$side"
    set +e
    "$bin" "$@" >"$TMP/$side/$name.stdout" 2>"$TMP/$side/$name.stderr"
    echo $? >"$TMP/$side/$name.code"
    set -e
    if [ -d "$TMP/out" ]; then mv "$TMP/out" "$TMP/$side/$name"; fi
}

cases() {
    for s in $sets; do
        d=$TMP/data/$s
        run "$1" "$s-report" report --data "$d" --out "$TMP/out" --quiet
        run "$1" "$s-all" report --data "$d" --out "$TMP/out" --period all --quiet
        run "$1" "$s-each" report --data "$d" --out "$TMP/out" --period each --quiet
        run "$1" "$s-private" report --data "$d" --out "$TMP/out" --private --quiet
        run "$1" "$s-whatif" whatif --data "$d" --plans "$TMP/data/$s.alt.csv" --out "$TMP/out" --quiet
        run "$1" "$s-propose" propose --data "$d" --out "$TMP/out" --quiet
        run "$1" "$s-deals" deals --data "$d" --period all --quiet
        run "$1" "$s-check" check --data "$d"
    done
}
cases A
cases B

for f in $(cd "$TMP/A" && find . -type f | sort); do
    if [ ! -f "$TMP/B/$f" ]; then
        differ=$((differ + 1)); echo "only in A: ${f#./}"
    elif cmp -s "$TMP/A/$f" "$TMP/B/$f"; then
        same=$((same + 1))
    else
        differ=$((differ + 1)); echo "differs: ${f#./}"
    fi
done
for f in $(cd "$TMP/B" && find . -type f | sort); do
    [ -f "$TMP/A/$f" ] || { differ=$((differ + 1)); echo "only in B: ${f#./}"; }
done
echo "same-output: $same same, $differ differ"
[ "$differ" = 0 ]
