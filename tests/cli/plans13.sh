#!/bin/sh
# Command-line tests of SPEC 13 (real comp plans): assignments.csv and
# splits.csv exported by a CRM and read through a map, crediting by type,
# the rejects of check, deals.csv's credit_share, the report's sentences.
# usage: plans13.sh /path/to/compsight
set -eu
LC_ALL=C
export LC_ALL
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
ORG=$HERE/../fixtures/real/plans13
MAP=$ORG/crm.ini
TMP=$(mktemp -d /tmp/compsight-p13.XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

expect() {
    want=$1
    shift
    set +e
    "$@" >"$TMP/out" 2>"$TMP/err"
    got=$?
    set -e
    if [ "$got" = "$want" ]; then ok; else bad "exit $got, wanted $want: $*"; sed 's/^/  | /' "$TMP/err" | head -5; fi
}

has() {
    if grep -qF -- "$2" "$1"; then ok; else bad "$1 lacks: $2"; sed 's/^/  | /' "$1" | head -5; fi
}

lacks() {
    if grep -qF -- "$2" "$1"; then bad "$1 has: $2"; else ok; fi
}

# check: the export's files, their rejects by export header and line
expect 0 "$BIN" check --data "$ORG" --map "$MAP" --all
has "$TMP/out" "Plan Assignments.csv:4: Effective From (start_date): overlaps the assignment of the same rep on line 5"
has "$TMP/out" "Plan Assignments.csv:5: Effective From (start_date): overlaps the assignment of the same rep on line 4"
has "$TMP/out" 'Opportunity Splits.csv:9: Split Fraction (share): must be greater than 0 and at most 1: "1.5"'
has "$TMP/out" "assignments.csv             4          2          2"
has "$TMP/out" "splits.csv                  8          7          1"

# deals: every figure as the R reference has it (reference_measures.csv)
expect 0 "$BIN" deals --data "$ORG" --map "$MAP" --private
head -1 "$TMP/out" | grep -q ',risky_promises,promise_risk,credit_share$' && ok || bad "no credit_share column"
# the rows as deal,rep,team,plan,period,...,attainment_before,marginal_rate,commission,effective_rate,...,credit_share
cut -d, -f1-5,13-16,25 "$TMP/out" >"$TMP/cut"
has "$TMP/cut" "X3,S1,Core,PA,2026Q1,0.8,0.05,3550.000000000001,0.0666666666666667,0.5"
has "$TMP/cut" "X4,S5,Growth,PB,2026Q1,0.5833333333333334,0.08,2400,0.08,0.5"
# X5, a renewal owned by S2 after its move to PB (31 of 90 days: prorated)
has "$TMP/cut" "X5,S2,Growth,PB,2026Q1,0,0.04,7720,0.09703703703703703,0.6"

# without the map the files keep their default names: absent, not listed
expect 0 "$BIN" check --data "$ORG"
lacks "$TMP/out" "assignments.csv"
lacks "$TMP/out" "splits.csv"
expect 0 "$BIN" deals --data "$ORG" --private
head -1 "$TMP/out" | grep -q ',promise_risk$' && ok || bad "credit_share without splits.csv"

# the report says what changed, in its data section
expect 0 "$BIN" report --data "$ORG" --map "$MAP" --out "$TMP/rep" --quiet
has "$TMP/rep/report.md" "1 rep changed plan or team"
has "$TMP/rep/report.md" "3 won deals were split"
has "$TMP/rep/report.md" "PA credits renewals at 50%"

# credit_ columns: one value a plan, >= 0
mkdir -p "$TMP/credit"
cp "$ORG/reps.csv" "$ORG/deals.csv" "$TMP/credit/"
sed -e '3s/,0.5$/,0.6/' -e '5s/,,,$/,-1,,/' "$ORG/plans.csv" >"$TMP/credit/plans.csv"
expect 0 "$BIN" check --data "$TMP/credit" --all
has "$TMP/out" 'plans.csv:3: credit_renewal: plan "PA" has credit_renewal 0.5 on line 2'
has "$TMP/out" 'plans.csv:5: credit_new: must be 0 or more: "-1"'

echo "plans13: $pass passed, $fail failed"
[ "$fail" = 0 ]
