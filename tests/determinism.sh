#!/bin/sh
# Determinism: the same data and seed give byte-identical outputs, whatever the
# chunk size, the order in which the data files were created, the CPU set,
# the time zone or the locale.
# usage: tests/determinism.sh /path/to/compsight          (`make determinism-tests`)
#
# Compared: every file `compsight report` writes (report.md, report.html,
# results.json, deals.csv, rejects.csv, plots/*.gp and the images, the
# proposal), the set of file names, and `compsight deals` on stdout.  The
# report date comes from SOURCE_DATE_EPOCH.  Every run writes to the same
# --out path (the proposal quotes it in a command line) and is then moved
# aside.
#
# Threads: compsight has no thread-count option or variable (regress_pass.c
# always splits a fit over 2 threads and merges the halves in a fixed
# order; src/report/gnuplot.c runs up to min(processors, 4) gnuplot processes at once).
# The test varies what can vary: one CPU (taskset -c 0) against all.
set -eu
LC_ALL=C
export LC_ALL
if [ $# -ne 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 /path/to/compsight" >&2
    exit 1
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
TMP=$(mktemp -d /tmp/compsight-determinism.XXXXXX)
# The data is laid out on a tmpfs when there is one: tmpfs lists a directory
# in creation order, where ext4 lists it in hash order whatever the order
# the files were made in.
if [ -d /dev/shm ] && [ -w /dev/shm ] && WORK=$(mktemp -d /dev/shm/compsight-determinism.XXXXXX 2>/dev/null); then
    :
else
    WORK=$TMP/work
fi
trap 'rm -rf "$TMP" "$WORK"' EXIT INT TERM
# the committed test key (a copy: a key must be mode 0600), and a home of
# our own, so that nothing is written into the tester's
KEY=$TMP/key
cp "$HERE/fixtures/key" "$KEY"
chmod 600 "$KEY"
HOME=$TMP/home
export HOME
unset XDG_CONFIG_HOME
SOURCE_DATE_EPOCH=1790000000
export SOURCE_DATE_EPOCH
SEED=7
pass=0
fail=0
skip=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# Two data sets: the bundled sample, and a small generated one with dirty
# rows (rejects) for the slow chunk size of 1 byte.  Every run reads them
# through the same path, $WORK/data (the proposal quotes --data in a command
# line), laid out afresh, in file-name order or in reverse order.
mkdir -p "$TMP/src"
cp -R "$ROOT/data/sample" "$TMP/src/sample"
"$BIN" generate --out "$TMP/src/small" --deals 300 --seed 11 --dirty --quiet >/dev/null

# place SET ORDER: lay out data set SET in $WORK/data, creating the files in
# name order (ORDER = fwd) or in reverse (rev), and note the directory order
# (ls -U) in $TMP/order.ORDER
place() {
    rm -rf "$WORK/data"
    mkdir -p "$WORK/data"
    if [ "$2" = rev ]; then files=$(ls "$TMP/src/$1" | sort -r); else files=$(ls "$TMP/src/$1" | sort); fi
    for f in $files; do
        cp "$TMP/src/$1/$f" "$WORK/data/$f"
        [ "$2" = rev ] && sleep 0.01
    done
    ls -U "$WORK/data" >"$TMP/order.$2"
}

# report NAME DATA [PREFIX...] -- [ARGS...]: compsight report into $TMP/out,
# kept as $TMP/res/NAME; `compsight deals` kept as $TMP/res/NAME.deals
report() {
    name=$1 data=$2
    shift 2
    prefix=""
    while [ "$1" != "--" ]; do
        prefix="$prefix $1"
        shift
    done
    shift
    rm -rf "$TMP/out"
    # shellcheck disable=SC2086
    if ! $prefix "$BIN" report --data "$data" --out "$TMP/out" --seed $SEED --key-file "$KEY" --quiet "$@" \
        >"$TMP/stdout" 2>"$TMP/stderr"; then
        bad "$name: compsight report failed"
        sed 's/^/  | /' "$TMP/stderr" | head -5
        return
    fi
    mkdir -p "$TMP/res"
    mv "$TMP/out" "$TMP/res/$name"
    # shellcheck disable=SC2086
    $prefix "$BIN" deals --data "$data" --period all --key-file "$KEY" --quiet "$@" >"$TMP/res/$name.deals" 2>"$TMP/deals.err" ||
        { bad "$name: compsight deals failed"; sed "s/^/  | /" "$TMP/deals.err" | head -3; }
}

# same A B: every output of B is byte-identical to A's
same() {
    a=$TMP/res/$1 b=$TMP/res/$2
    [ -d "$a" ] && [ -d "$b" ] || { bad "$2: no output to compare with $1"; return; }
    la=$(cd "$a" && find . -type f | sort)
    lb=$(cd "$b" && find . -type f | sort)
    if [ "$la" != "$lb" ]; then
        bad "$2 writes other files than $1"
        printf '%s\n' "$la" >"$TMP/la"
        printf '%s\n' "$lb" >"$TMP/lb"
        diff "$TMP/la" "$TMP/lb" | sed 's/^/  | /' | head -5
        return
    fi
    for f in report.md report.html results.json deals.csv rejects.csv; do
        [ -f "$a/$f" ] || bad "$1 wrote no $f"
    done
    differ=""
    for f in $la; do
        cmp -s "$a/$f" "$b/$f" || differ="$differ ${f#./}"
    done
    if [ -z "$differ" ]; then ok; else
        bad "$2 differs from $1 in:$differ"
        for f in $differ; do
            case $f in
            *.png | *.svg) ;;
            *) diff "$a/$f" "$b/$f" | sed 's/^/  | /' | head -4 ;;
            esac
        done
    fi
    if cmp -s "$a.deals" "$b.deals"; then ok; else bad "$2: compsight deals differs from $1"; fi
}

# the sample data: chunk sizes, file order, CPU set, time zone, locale
place sample fwd
report base "$WORK/data" --
report again "$WORK/data" --
report chunk7 "$WORK/data" -- --chunk-size 7
report chunk4096 "$WORK/data" -- --chunk-size 4096
report tz-locale "$WORK/data" env TZ=Asia/Kathmandu LC_ALL=C.UTF-8 --
report period-all "$WORK/data" -- --period all
one_cpu=no
if command -v taskset >/dev/null 2>&1; then
    one_cpu=yes
    report one-cpu "$WORK/data" taskset -c 0 --
else
    echo "skip: taskset not found, the one-CPU run is left out"
fi
place sample rev
report reversed "$WORK/data" --
report period-all-rev-chunk7 "$WORK/data" -- --period all --chunk-size 7
if cmp -s "$TMP/order.fwd" "$TMP/order.rev"; then
    echo "note: this file system lists both layouts in the same order; only creation order and times differ"
fi
same base again
same base chunk7
same base chunk4096
same base tz-locale
same base reversed
same period-all period-all-rev-chunk7
# a comparison left out still counts, as skipped: the same number of
# checks on every machine
if [ $one_cpu = yes ]; then same base one-cpu; else skip=$((skip + 2)); fi

# a small data set with rejects: chunk size 1, reversed files
place small fwd
report small "$WORK/data" --
report small-chunk1 "$WORK/data" -- --chunk-size 1
place small rev
report small-rev-chunk7 "$WORK/data" -- --chunk-size 7
same small small-chunk1
same small small-rev-chunk7
if [ "$(wc -l <"$TMP/res/small/rejects.csv")" -gt 1 ]; then ok; else
    bad "the small data set has no rejects: rejects.csv is not exercised"
fi

echo "determinism: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
