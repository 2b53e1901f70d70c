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
# nothing is written into the tester's home (the default pseudonym key);
# runs whose pseudonyms are compared use the committed test key (a copy: a
# key must be mode 0600, which git does not keep)
HOME=$TMP/home
export HOME
unset XDG_CONFIG_HOME
KEY=$TMP/key
cp "$HERE/../fixtures/key" "$KEY"
chmod 600 "$KEY"
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
expect 0 "$BIN" check --data "$TMP/norate" --all
has "$TMP/out" "deals.csv:5: currency: no rate for COP on 2026-03-25"
has "$TMP/out" "deals.csv:7: currency: no rate for PEN on 2026-02-01"
expect 3 "$BIN" check --data "$TMP/norate" --strict
# overlapping ranges: both rows, each naming the other
printf 'MXN,18.5,2026-03-01,2026-05-01\n' >>"$TMP/norate/rates.csv"
expect 0 "$BIN" check --data "$TMP/norate" --all
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

# the same org as Salesforce exports it, through the salesforce-api preset
# and the org's own map: Opportunity.csv's CurrencyIsoCode, CurrencyType.csv
# and DatedConversionRate.csv read as one rates table
SF="--map salesforce-api --map $ORG/ours.ini"
# shellcheck disable=SC2086
expect 0 "$BIN" check --data "$ORG" $SF
has "$TMP/out" "rates.csv                  15         15          0"
has "$TMP/out" "currency: amounts in USD, converted from EUR (3 deals, 2 commission lines), COP (1 deal, 1 commission line), MXN (1 deal, 1 commission line), PEN (1 deal)"
# shellcheck disable=SC2086
expect 0 "$BIN" deals --data "$ORG" --period all $SF
cut -d, -f1-5,7,9- "$TMP/out" >"$TMP/sf-deals"    # all but account and product (ids there)
expect 0 "$BIN" deals --data "$ORG" --period all
cut -d, -f1-5,7,9- "$TMP/out" >"$TMP/plain-deals"
cmp -s "$TMP/sf-deals" "$TMP/plain-deals" && ok || bad "the Salesforce export and the compsight files give other measures"
# shellcheck disable=SC2086
expect 0 "$BIN" report --data "$ORG" --period 2026Q1 --out "$TMP/sf-rep" --quiet $SF
has "$TMP/sf-rep/results.json" '"last_14_days_share": 0.49382716049382713,'
# overlapping dated ranges in DatedConversionRate.csv: named by the file read
mkdir -p "$TMP/sf"
cp "$ORG/Opportunity.csv" "$ORG/User.csv" "$ORG/CurrencyType.csv" "$ORG/DatedConversionRate.csv" \
    "$ORG/plans.csv" "$ORG/ours.ini" "$TMP/sf/"
printf '"04w5e0000008OxAAAU","EUR","0.91","2026-03-01","2026-05-01","2026-03-01T00:00:00.000Z","0055e000001xYzAAAU","2026-03-01T00:00:00.000Z","0055e000001xYzAAAU","2026-03-01T00:00:00.000Z"\r\n' \
    >>"$TMP/sf/DatedConversionRate.csv"
expect 0 "$BIN" check --data "$TMP/sf" --map salesforce-api --map "$TMP/sf/ours.ini" --all
has "$TMP/out" "DatedConversionRate.csv:12: StartDate (start_date): EUR's range 2026-03-01 to 2026-05-01 overlaps its range 2026-01-01 to 2026-04-01 on line 4"
has "$TMP/out" "DatedConversionRate.csv:4: StartDate (start_date): EUR's range 2026-01-01 to 2026-04-01 overlaps its range 2026-03-01 to 2026-05-01 on line 12"
# without advanced currency management: no DatedConversionRate.csv; the
# preset names both files, the org's own map names the one it has
rm "$TMP/sf/DatedConversionRate.csv"
expect 2 "$BIN" check --data "$TMP/sf" --map salesforce-api --map "$TMP/sf/ours.ini"
has "$TMP/err" "DatedConversionRate.csv: No such file or directory (named in the map's [rates] section with other files)"
printf '[rates]\nfile = CurrencyType.csv\n' >>"$TMP/sf/ours.ini"
expect 0 "$BIN" deals --data "$TMP/sf" --map salesforce-api --map "$TMP/sf/ours.ini" --key-file "$KEY"
# 18400 EUR at CurrencyType's undated 0.9 (rep-7d5ad62f94: the owner
# 0055e000003Kq1AAAS under the test key)
has "$TMP/out" "0065e00000Opp002,rep-7d5ad62f94,LATAM,AE-Q,2026Q1,0015e00000Acc002,new,,20444.444444444445,USD,"
# a single-currency org: no currency files, no CurrencyIsoCode: nothing converts
rm "$TMP/sf/CurrencyType.csv"
sed '1s/"CurrencyIsoCode"/"Other"/' "$ORG/Opportunity.csv" >"$TMP/sf/Opportunity.csv"
expect 0 "$BIN" check --data "$TMP/sf" --map salesforce-api --map "$TMP/sf/ours.ini"
if grep -q "^currency:\|^rates.csv" "$TMP/out"; then bad "a single-currency org shows currencies"; else ok; fi

# ---------------------------------------------------------------------------
# No money figure in any output lacks its currency.  The sample data named
# EUR by --currency (every section and plot of the report, the proposal, a
# what-if), and the four-currency org (USD): in the documents, every figure
# in thousands or millions ("48k") is followed by the code ("48k EUR",
# "18k to 98k EUR") or sits in a table whose header names it, and every
# grouped number in prose ("1,974") is the code's or counts something; in the plot scripts, every axis and label in
# thousands or millions, and every money axis, names the code; the CSV and
# JSON outputs carry a currency column or key; nothing says USD or $.
# ---------------------------------------------------------------------------

# money_in_docs CODE DIR: the documents' money figures (problems on $TMP/money)
money_in_docs() {
    code=$1 dir=$2
    : >"$TMP/money"
    for f in $(find "$dir" -name '*.md'); do
        awk -v code="$code" -v f="$f" '
            /^\|/ { if (!table) header = $0; table = 1 }
            !/^\|/ { table = 0; header = "" }
            { rest = $0
              while (match(rest, /[0-9](\.[0-9]+)?[kM]/)) {
                  after = substr(rest, RSTART + RLENGTH)
                  rest = after
                  if (after ~ /^[A-Za-z0-9]/ || (table && index(header, code)))
                      continue
                  if (after ~ ("^ " code) || after ~ ("^ to [0-9.]+[kM]? " code))
                      continue
                  print f ":" FNR ": " $0
                  break
              } }' "$f" >>"$TMP/money"
        # prose only: a table of counts ("| SMB | 1,210 |") holds no money, and
        # a table with money names the code in its header (checked above)
        sed '/^|/d' "$f" | grep -oE "[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?( [A-Za-z-]+)?" |
            grep -vE " ($code|deals?|paid|reps?|rows?|used|rejected|read|promises?|lines?|rep-quarters|quarters?|won|risky|assets?|claims?|times|days?|weeks?|to)$" |
            sed "s|^|$f: |" >>"$TMP/money" || true
    done
    if [ -s "$TMP/money" ]; then bad "money without $code in $dir:"; head -5 "$TMP/money" | sed 's/^/  | /'; else ok; fi
}

# money_in_plots CODE DIR: axes and labels of the plot scripts
money_in_plots() {
    code=$1 dir=$2
    find "$dir" -name '*.gp' -exec grep -hE "^set (x|y|y2)label|^set label|^set title" {} + |
        grep -E "thousands|millions|bookings closed that day|commission on|amount \(" |
        grep -v "$code" >"$TMP/money" || true
    if [ -s "$TMP/money" ]; then bad "plot labels without $code in $dir:"; head -5 "$TMP/money" | sed 's/^/  | /'; else ok; fi
}

# no_usd DIR: nothing in DIR's documents, plot scripts, CSV or JSON says USD,
# nor $ before a number (in a plot script, $1 is gnuplot's first column)
no_usd() {
    { grep -rl 'USD' "$1" --include='*.md' --include='*.gp' --include='*.csv' --include='*.json'
      grep -rlE '\$[0-9]' "$1" --include='*.md' --include='*.csv' --include='*.json'; } >"$TMP/money" || true
    if [ -s "$TMP/money" ]; then bad "USD or \$ in $1:"; head -5 "$TMP/money" | sed 's/^/  | /'; else ok; fi
}

SAMPLE=$HERE/../../data/sample
expect 0 "$BIN" report --data "$SAMPLE" --currency EUR --out "$TMP/eur" --private --quiet
expect 0 "$BIN" report --data "$SAMPLE" --currency EUR --out "$TMP/eur-all" --period all --quiet
expect 0 "$BIN" whatif --data "$SAMPLE" --currency EUR --plans "$TMP/eur/proposal/options/1.csv" --out "$TMP/eur-wi" --quiet
expect 0 "$BIN" deals --data "$SAMPLE" --currency EUR --period all
cp "$TMP/out" "$TMP/eur-deals.csv"
for d in "$TMP/eur" "$TMP/eur-all" "$TMP/eur-wi"; do
    money_in_docs EUR "$d"
    money_in_plots EUR "$d"
    no_usd "$d"
done
has "$TMP/eur/report.md" "bookings closed in the last 14 days"
has "$TMP/eur/proposal/proposal.md" " EUR less"
has "$TMP/eur-wi/whatif.md" " EUR"
grep -q "thousands of EUR" "$TMP/eur/plots/when.gp" && ok || bad "the when plot's axis does not name EUR"
# CSV and JSON: a bare number, and a currency column or key naming the code
for f in "$TMP/eur/results.json" "$TMP/eur-all/results.json" "$TMP/eur/proposal/proposal.json" "$TMP/eur-wi/whatif.json"; do
    has "$f" '"currency": "EUR",'
done
for f in "$TMP/eur/deals.csv" "$TMP/eur-deals.csv"; do
    head -1 "$f" | grep -q ',amount,currency,' && ok || bad "$f has no currency column"
    # every row: the amount, then EUR (the account before may hold commas)
    rows=$(($(wc -l <"$f") - 1))
    [ "$rows" -gt 0 ] && [ "$(grep -cE ',[0-9][0-9.e+]*,EUR,' "$f")" = "$rows" ] && ok || bad "$f: a row without EUR after its amount"
done
head -1 "$TMP/eur/proposal/proposal_options.csv" | grep -q ',extra_commission_high,currency,' && ok || bad "proposal_options.csv has no currency column"
[ "$(tail -n +2 "$TMP/eur/proposal/proposal_options.csv" | awk -F, '{print $(NF-1)}' | sort -u)" = EUR ] && ok || bad "proposal_options.csv: a currency other than EUR"
head -1 "$TMP/eur/proposal/options/1.csv" | grep -Eq '^plan_id,period_type,quota,tier_floor,rate(,credit_new,credit_expansion,credit_renewal)?,currency$' && ok || bad "options/1.csv has no currency column"

# the four-currency org: USD, and the report says what was converted
expect 0 "$BIN" report --data "$ORG" --period all --out "$TMP/org" --quiet
money_in_docs USD "$TMP/org"
money_in_plots USD "$TMP/org"
has "$TMP/org/report.md" "Every amount is in USD: 6 deals and 4 commission lines in EUR, COP, MXN and PEN were converted at the rates of rates.csv"
has "$TMP/org/results.json" '"currency": "USD",'
# data without currencies says nothing about conversions
if grep -q "were converted at the rates" "$TMP/eur/report.md"; then bad "a conversion note without conversions"; else ok; fi

echo "cli currency: $pass passed, $fail failed"
[ "$fail" = 0 ]
