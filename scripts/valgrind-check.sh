#!/bin/sh
# Memcheck: every unit test binary and a few command-line runs under valgrind
# (`make valgrind-check`).  No leak (definite or indirect), no invalid read
# or write, no use of uninitialised memory.
#
# usage: scripts/valgrind-check.sh [BUILD_DIR]     (default build; not a
#        sanitizer build: valgrind and ASan do not mix)
#
# Installs valgrind when missing (as root; otherwise names the package and
# stops), builds the binary and the test binaries with make, runs each under
#   valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1
# and prints one line per run.  A run fails when valgrind reports an error
# or the program exits other than expected; the valgrind log is printed.
# Child processes (gnuplot) are not traced.  Exit 1 when any run failed.
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:-build}
case $BUILD in
*san*) echo "valgrind-check: $BUILD is a sanitizer build; use the plain one (build)" >&2; exit 1 ;;
esac
. scripts/need.sh
need valgrind-check valgrind valgrind

TMP=$(mktemp -d /tmp/compsight-valgrind.XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM
# the pseudonym key of these runs goes under $TMP, not into the tester's home
HOME=$TMP/home
export HOME
unset XDG_CONFIG_HOME
SOURCE_DATE_EPOCH=1790000000
export SOURCE_DATE_EPOCH
VG="valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1 --track-origins=yes --num-callers=30"
pass=0
fail=0

# build what there is to build; a test that does not compile is a failure
make --no-print-directory -s "$BUILD/compsight" >/dev/null
tests=""
for src in tests/test_*.c; do
    t=$BUILD/tests/$(basename "$src" .c)
    if make --no-print-directory -s "$t" >"$TMP/build.log" 2>&1; then
        tests="$tests $t"
    else
        fail=$((fail + 1))
        echo "FAIL: $t does not build"
        sed 's/^/  | /' "$TMP/build.log" | head -5
    fi
done

# vg NAME WANT CMD...: run CMD under valgrind; WANT is the expected exit code
vg() {
    name=$1 want=$2
    shift 2
    log=$TMP/vg.log
    set +e
    $VG --log-file="$log" "$@" >"$TMP/out" 2>"$TMP/err"
    got=$?
    set -e
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -1)
    leaked=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tail -1)
    if [ "${errors:-x}" = 0 ] && [ "$got" = "$want" ]; then
        pass=$((pass + 1))
        printf 'ok    %-40s (exit %s)\n' "$name" "$got"
    else
        fail=$((fail + 1))
        printf 'FAIL  %-40s exit %s (wanted %s), %s valgrind errors, %s bytes definitely lost\n' \
            "$name" "$got" "$want" "${errors:-?}" "${leaked:-0}"
        grep -v '^==[0-9]*== *$' "$log" | sed 's/^/  | /' | head -60
        [ "$got" != "$want" ] && sed 's/^/  ! /' "$TMP/err" | tail -10
    fi
}

for t in $tests; do
    vg "$(basename "$t")" 0 "$t"
done

BIN=$BUILD/compsight
"$BIN" generate --out "$TMP/dirty" --deals 300 --seed 5 --dirty --quiet >/dev/null
vg "compsight check" 0 "$BIN" check --quiet
vg "compsight check --data dirty" 0 "$BIN" check --data "$TMP/dirty" --quiet
vg "compsight deals --period all" 0 "$BIN" deals --period all --quiet
vg "compsight report" 0 "$BIN" report --out "$TMP/r1" --seed 3 --quiet
# The proposal's figures as in a native run.  valgrind has no AVX-512, so
# where the processor has it the vector loops of src/whatif/vecmath.c ran another
# copy.  (Not results.json: the correlations sum in long double, which
# valgrind computes as double.)
"$BIN" report --out "$TMP/r1n" --seed 3 --quiet >/dev/null
if cmp -s "$TMP/r1/proposal/proposal.json" "$TMP/r1n/proposal/proposal.json"; then
    pass=$((pass + 1))
    printf 'ok    %-40s\n' "proposal: the same figures as natively"
else
    fail=$((fail + 1))
    printf 'FAIL  %-40s\n' "proposal: the same figures as natively"
    diff "$TMP/r1/proposal/proposal.json" "$TMP/r1n/proposal/proposal.json" | head -20 | sed 's/^/  | /'
fi
vg "compsight report --period each --private" 0 "$BIN" report --data "$TMP/dirty" --out "$TMP/r2" --period each --private --quiet
vg "compsight report --map salesforce" 0 "$BIN" report --data tests/cli/salesforce --map salesforce --out "$TMP/r3" --quiet
vg "compsight generate" 0 "$BIN" generate --out "$TMP/gen" --deals 200 --seed 9 --quiet
# error paths free what they allocated too
vg "compsight check (input error, exit 2)" 2 "$BIN" check --data "$TMP/nowhere"
vg "compsight report (output error, exit 4)" 4 "$BIN" report --out /dev/null/x --quiet
vg "compsight check --strict (exit 3)" 3 "$BIN" check --data "$TMP/dirty" --strict --quiet

echo "valgrind: $pass passed, $fail failed"
[ "$fail" = 0 ]
