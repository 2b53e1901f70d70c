#!/bin/sh
# The counts of `make check`: each suite adds its passed, failed and skipped
# checks to a tally file, and the check target prints the sum in one line.
#
# usage: tests/tally.sh run FILE NAME COMMAND...
#            run COMMAND, its output shown as it comes; append to FILE the
#            line "PASSED FAILED SKIPPED NAME", read from its output:
#            - a cmocka binary: the sum of its groups' "[  PASSED  ] N
#              test(s)." lines and of their FAILED and SKIPPED lines (test
#              cases, not binaries); a binary that ends without them (a
#              crash) counts as one failed test;
#            - a test driver: its last line "WHAT: P passed, F failed[, S skipped]".
#            A command that fails without a failed check (a driver stopped
#            by set -e, a crash) counts one failed check.  Exits with
#            COMMAND's status.
#        tests/tally.sh sum DIR STATUS
#            print "N passed, M failed" (", K skipped" when some were) over
#            the lines of every DIR/*.tally; STATUS is the exit status of
#            the make that ran the suites: non-zero with no failed check
#            (the build broke, a suite did not get to its count) counts
#            one failed check.  Exits 1 when anything failed.
set -eu

case ${1:-} in
run)
    [ $# -ge 4 ] || { echo "usage: $0 run FILE NAME COMMAND..." >&2; exit 2; }
    file=$2 name=$3
    shift 3
    log=$(mktemp "${TMPDIR:-/tmp}/compsight-tally.XXXXXX")
    trap 'rm -f "$log" "$log.rc"' EXIT INT TERM
    { set +e; "$@"; echo $? >"$log.rc"; } 2>&1 | tee "$log"
    rc=$(cat "$log.rc")
    if grep -q '\[==========\]' "$log"; then
        # a binary may run several groups: the sum of their summaries
        p=$(sed -n 's/.*\[  PASSED  \] \([0-9]*\) test(s)\..*/\1/p' "$log" | awk '{s += $1} END {print s + 0}')
        f=$(sed -n 's/.*\[  FAILED  \] \([0-9]*\) test(s), listed below:.*/\1/p' "$log" | awk '{s += $1} END {print s + 0}')
        s=$(sed -n 's/.*\[  SKIPPED \] \([0-9]*\) test(s), listed below:.*/\1/p' "$log" | awk '{s += $1} END {print s + 0}')
    else
        line=$(grep -E '^[^:]*: [0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$log" | tail -1 || true)
        p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
        f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
        s=$(echo "$line" | sed -n 's/.* \([0-9]*\) skipped$/\1/p')
    fi
    p=${p:-0} f=${f:-0} s=${s:-0}
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
        echo "FAILED: $name ended (exit $rc) before it counted a failure"
        f=1
    fi
    echo "$p $f $s $name" >>"$file"
    exit "$rc"
    ;;
sum)
    [ $# -eq 3 ] || { echo "usage: $0 sum DIR STATUS" >&2; exit 2; }
    dir=$2 status=$3
    # shellcheck disable=SC2046  # three numbers, split on purpose
    set -- $(cat "$dir"/*.tally 2>/dev/null | awk '{p += $1; f += $2; s += $3} END {print p + 0, f + 0, s + 0}')
    p=$1 f=$2 s=$3
    if [ "$status" != 0 ] && [ "$f" = 0 ]; then
        echo "FAILED: a build step or a suite stopped before its count (make exit $status)"
        f=1
    fi
    if [ "$s" = 0 ]; then echo "$p passed, $f failed"; else echo "$p passed, $f failed, $s skipped"; fi
    [ "$f" = 0 ]
    ;;
*)
    echo "usage: $0 run FILE NAME COMMAND... | sum DIR STATUS" >&2
    exit 2
    ;;
esac
