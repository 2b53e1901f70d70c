#!/bin/sh
# The test suite on a busy machine: `make check` RUNS times in a row (default
# 10) in a fresh clone of HEAD, while beside it another clone is built over
# and over (`make clean`, then `make -j2`) for the whole time.  Prints each
# run's closing line and then the tally, "stress-check: K of RUNS passed";
# exits 0 when every run passed.  The clone holds HEAD, not uncommitted
# changes.
# usage: scripts/stress-check.sh [RUNS]
set -eu
RUNS=${1:-10}
case $RUNS in '' | *[!0-9]*) echo "usage: $0 [RUNS]" >&2; exit 2 ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHA=$(git -C "$ROOT" rev-parse HEAD)
TMP=$(mktemp -d /tmp/compsight-stress.XXXXXX)
busy=""
running=""

# The busy build and each make check run in a session and process group of
# their own (setsid below), whose id is the pid started here; at the end,
# or on an interrupt, only those groups are signalled, by their ids.
stop() {
    kill -TERM "-$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
cleanup() {
    [ -z "$running" ] || stop "$running"
    [ -z "$busy" ] || stop "$busy"
    running="" busy=""
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for c in check busy; do
    git clone -q --no-checkout "$ROOT" "$TMP/$c"
    git -C "$TMP/$c" checkout -q --detach "$SHA"
done
echo "stress-check: $RUNS runs of make check on $(git -C "$ROOT" log -1 --format='%h %s' "$SHA")"

# setsid does not fork here (a background job of a shell without job
# control is no group leader): $! is the group's leader.  The script waits
# for make check with wait, which an interrupt ends at once.
setsid sh -c 'while :; do
    make -C "$1" --no-print-directory clean >/dev/null 2>&1
    make -C "$1" --no-print-directory -j2 >/dev/null 2>&1
done' busy "$TMP/busy" &
busy=$!

passed=0
k=1
while [ "$k" -le "$RUNS" ]; do
    start=$(date +%s)
    setsid make -C "$TMP/check" --no-print-directory check >"$TMP/run.log" 2>&1 &
    running=$!
    if wait "$running"; then
        passed=$((passed + 1))
        verdict=passed
    else
        verdict=FAILED
    fi
    running=""
    closing=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$TMP/run.log" | tail -1)
    echo "run $k: $verdict in $(($(date +%s) - start)) s: ${closing:-no closing line}"
    if [ "$verdict" = FAILED ]; then
        grep -E '^(FAIL|FAILED|\[  FAILED  \]|\[  ERROR   \]|make.*Error)' "$TMP/run.log" | head -20 | sed 's/^/  | /'
    fi
    k=$((k + 1))
done
echo "stress-check: $passed of $RUNS passed"
[ "$passed" = "$RUNS" ]
