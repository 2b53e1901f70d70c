#!/bin/sh
# Command-line tests of SPEC 12's currencies: --currency, the exit-1 and
# exit-2 stops with their messages, a report on a four-currency org.
# usage: currency.sh /path/to/compsight
set -eu
LC_ALL=C
export LC_ALL
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
ORG=$HERE/../fixtures/real/currency
TMP=$(mktemp -d /tmp/compsight-cur.XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect CODE CMD...: run, keep stdout/stderr in $TMP/out, $TMP/err, check the exit code
expect() {
    want=$1
    shift
    set +e
    "$@" >"$TMP/out" 2>"$TMP/err"
    got=$?
    set -e
    if [ "$got" = "$want" ]; then ok; else bad "exit $got, wanted $want: $*"; sed 's/^/  | /' "$TMP/err" | head -5; fi
}

# has FILE TEXT: FILE contains the fixed string TEXT
has() {
    if grep -qF -- "$2" "$1"; then ok; else bad "$1 lacks: $2"; sed 's/^/  | /' "$1" | head -5; fi
}

# the option
expect 0 "$BIN" report --help;              has "$TMP/out" "--currency CODE"
expect 0 "$BIN" check --help;               has "$TMP/out" "--currency CODE"
expect 1 "$BIN" check --currency EURO;      has "$TMP/err" "--currency takes an ISO 4217 code such as EUR, not 'EURO'"
expect 1 "$BIN" check --currency E1R;       has "$TMP/err" "--currency takes an ISO 4217 code"

# the four-currency org: every figure converted to USD
expect 0 "$BIN" check --data "$ORG"
has "$TMP/out" "rates.csv                  15         15          0"
has "$TMP/out" "usable"
has "$TMP/out" "currency: amounts in USD, converted from EUR (3 deals, 2 commission lines), COP (1 deal, 1 commission line), MXN (1 deal, 1 commission line), PEN (1 deal)"
expect 0 "$BIN" check --data "$ORG" --currency usd
expect 0 "$BIN" check
if grep -q "^currency:" "$TMP/out"; then bad "check names a currency for data that has none"; else ok; fi
expect 0 "$BIN" deals --data "$ORG" --period all
# the COP deal: 120000000 COP at 4000 = 30000 USD, a0 0.8, commission 3500
grep -q '^0065e00000Opp004,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,new,Core,30000,' "$TMP/out" && ok || bad "the COP deal is not 30000 in deals"
expect 0 "$BIN" report --data "$ORG" --period 2026Q1 --out "$TMP/rep" --quiet
# 80000 of 162000 USD of 2026Q1's bookings in its last 14 days (27% in the
# issue's org once converted, 57% before): here 49.4%, not the 99% of COP
has "$TMP/rep/results.json" '"last_14_days_share": 0.49382716049382713,'
has "$TMP/rep/results.json" '"rates.csv": 15'

# rates.csv and --currency disagree: exit 1
expect 1 "$BIN" check --data "$ORG" --currency EUR
has "$TMP/err" "compsight: --currency EUR: rates.csv gives EUR an undated rate of 0.9 (line 3), and the corporate currency's rate is 1"

# rejects: a deal in a currency with no rate for its date
mkdir -p "$TMP/norate"
cp "$ORG/plans.csv" "$ORG/reps.csv" "$ORG/deals.csv" "$TMP/norate/"
grep -v '^COP\|^PEN' "$ORG/rates.csv" >"$TMP/norate/rates.csv"
expect 0 "$BIN" check --data "$TMP/norate"
has "$TMP/out" "deals.csv:5: currency: no rate for COP on 2026-03-25"
has "$TMP/out" "deals.csv:7: currency: no rate for PEN on 2026-02-01"
expect 3 "$BIN" check --data "$TMP/norate" --strict
# overlapping ranges: both rows, each naming the other
printf 'MXN,18.5,2026-03-01,2026-05-01\n' >>"$TMP/norate/rates.csv"
expect 0 "$BIN" check --data "$TMP/norate"
has "$TMP/out" "rates.csv:10: start_date: MXN's range 2026-01-01 to 2026-04-01 overlaps its range 2026-03-01 to 2026-05-01 on line 12"
has "$TMP/out" "rates.csv:11: start_date: MXN's range 2026-04-01 to 9999-12-31 overlaps its range 2026-03-01 to 2026-05-01 on line 12"
has "$TMP/out" "rates.csv:12: start_date: MXN's range 2026-03-01 to 2026-05-01 overlaps its range 2026-01-01 to 2026-04-01 on line 10"
# the MXN deal of 2026-03-05 then converts at MXN's undated rate: no reject
if grep -q "deals.csv:4:" "$TMP/out"; then bad "the MXN deal was rejected"; else ok; fi

# without rates.csv, more than one currency stops the import: exit 2
mkdir -p "$TMP/mixed"
cp "$ORG/plans.csv" "$ORG/reps.csv" "$ORG/deals.csv" "$TMP/mixed/"
expect 2 "$BIN" check --data "$TMP/mixed"
has "$TMP/err" "compsight: deals.csv: currency: amounts in more than one currency, EUR (3 rows), COP (1 row), MXN (1 row), PEN (1 row), USD (1 row), and no rates.csv to convert them: add rates.csv with a rate for each (docs/INPUT.md)"
expect 2 "$BIN" report --data "$TMP/mixed" --out "$TMP/rep2" --quiet
[ ! -e "$TMP/rep2/results.json" ] && ok || bad "a stopped import still wrote a report"
# one currency: it is the corporate currency; --currency another: exit 2
grep -v 'EUR\|MXN\|COP\|PEN' "$ORG/deals.csv" >"$TMP/mixed/deals.csv"
expect 0 "$BIN" check --data "$TMP/mixed"
has "$TMP/out" "currency: amounts in USD"
expect 2 "$BIN" check --data "$TMP/mixed" --currency EUR
has "$TMP/err" "compsight: deals.csv: currency: amounts in USD (1 row), and no rates.csv to convert them to the corporate currency EUR (--currency)"

# a map names the currency column and maps symbols and names to codes
mkdir -p "$TMP/mapped"
cp "$ORG/plans.csv" "$ORG/reps.csv" "$ORG/rates.csv" "$TMP/mapped/"
printf 'deal_id,rep_id,type,amount,Moneda,close_date,stage\nD1,0055e000003Kq1AAAS,new,"\342\202\25418,400",\342\202\254,2026-02-10,won\nD2,0055e000003Kq1AAAS,new,"720,000",Peso mexicano,2026-03-05,won\n' >"$TMP/mapped/deals.csv"
printf '[deals]\ncurrency = Moneda\ncurrency.EUR = \342\202\254, Euro\ncurrency.MXN = Peso mexicano\n' >"$TMP/mapped/m.ini"
expect 0 "$BIN" deals --data "$TMP/mapped" --map "$TMP/mapped/m.ini" --period all
has "$TMP/out" "D1,"
[ "$(cut -d, -f1,9 "$TMP/out" | tr '\n' ' ')" = "deal_id,amount D1,20000 D2,40000 " ] && ok || bad "mapped currencies: $(cut -d, -f1,9 "$TMP/out" | tr '\n' ' ')"

echo "cli currency: $pass passed, $fail failed"
[ "$fail" = 0 ]
