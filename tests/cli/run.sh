#!/bin/sh
# End-to-end tests of the compsight command line: exit codes, messages, files.
# usage: run.sh /path/to/compsight
set -eu
LC_ALL=C
export LC_ALL
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d /tmp/compsight-cli.XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM
# nothing is written into the tester's home: the default pseudonym key goes
# under $TMP, and runs whose output is compared use the committed test key
# (a copy: a key must be mode 0600, which git does not keep)
HOME=$TMP/home
export HOME
unset XDG_CONFIG_HOME
KEY=$TMP/key
cp "$(cd "$(dirname "$0")" && pwd)/../fixtures/key" "$KEY"
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

# lacks FILE TEXT: FILE does not contain the fixed string TEXT
lacks() {
    if grep -qF -- "$2" "$1"; then bad "$1 has: $2"; grep -F -- "$2" "$1" | sed 's/^/  | /' | head -3; else ok; fi
}

# empty FILE: FILE holds nothing
empty() {
    if [ -s "$1" ]; then bad "$1 is not empty"; sed 's/^/  | /' "$1" | head -5; else ok; fi
}

# usage
expect 0 "$BIN" --help;                 has "$TMP/out" "usage: compsight COMMAND"
has "$TMP/out" "compsight COMMAND --help"
lacks "$TMP/out" "--date-format"        # the general help stays short: no option list
[ "$(wc -l <"$TMP/out")" -le 20 ] && ok || bad "the general --help is $(wc -l <"$TMP/out") lines long"
expect 0 "$BIN" --version;              has "$TMP/out" "compsight "
expect 0 "$BIN" report --help;          has "$TMP/out" "usage: compsight report"
expect 1 "$BIN";                        has "$TMP/err" "usage: compsight COMMAND"
expect 1 "$BIN" frobnicate;             has "$TMP/err" "unknown command 'frobnicate'"
has "$TMP/err" "Try 'compsight --help'."
expect 1 "$BIN" check --bogus;          has "$TMP/err" "unknown option '--bogus'"
expect 1 "$BIN" check --plans x.csv;    has "$TMP/err" "check takes no option '--plans'"
expect 1 "$BIN" check --fiscal-start 13; has "$TMP/err" "--fiscal-start takes a month"
expect 1 "$BIN" check --date-format xx; has "$TMP/err" "--date-format takes iso, us or eu"
expect 1 "$BIN" whatif;                 has "$TMP/err" "whatif needs --plans FILE"
expect 1 "$BIN" report --data;          has "$TMP/err" "option '--data' needs a value"
expect 1 "$BIN" report --quiet=yes;     has "$TMP/err" "option '--quiet' takes no value"
expect 1 "$BIN" report extra;           has "$TMP/err" "unexpected argument 'extra'"

# a usage error points at the command's own help, not the general one
expect 1 "$BIN" report --bogus;         has "$TMP/err" "Try 'compsight report --help'."
lacks "$TMP/err" "Try 'compsight --help'."
expect 1 "$BIN" report --seed x;        has "$TMP/err" "Try 'compsight report --help'."
expect 1 "$BIN" generate --out "$TMP/g" --data x; has "$TMP/err" "generate takes no option '--data'"
has "$TMP/err" "Try 'compsight generate --help'."
expect 1 "$BIN" generate --out "$TMP/g9" --deals 9
has "$TMP/err" "--deals: must be between 10 and"
has "$TMP/err" "Try 'compsight generate --help'."
expect 1 "$BIN" report --period 1999Q1 --out "$TMP/x"; has "$TMP/err" "Try 'compsight report --help'."

# COMMAND --help: only that command's options, each saying what it does and,
# when it takes a value, its default (or that it is required)
for c in report check deals whatif propose generate; do
    expect 0 "$BIN" "$c" --help
    has "$TMP/out" "usage: compsight $c"
    # every block "  --name [ARG]  text" with an ARG has "(default: ...)" or "(required)"
    awk '/^  --/ { if (blk != "" && arg && blk !~ /\(default: [^)]+\)|\(required\)/) { print name; bad = 1 }
                   name = $1; arg = ($2 ~ /^[A-Z]|\|/); blk = $0; next }
         /^    / { blk = blk " " $0; next }
         END { if (blk != "" && arg && blk !~ /\(default: [^)]+\)|\(required\)/) { print name; bad = 1 }; exit bad }' \
        "$TMP/out" >"$TMP/nodefault" && ok || bad "$c --help: no default for $(tr '\n' ' ' <"$TMP/nodefault")"
    # every option listed has a description of its own on the line or the next
    if grep -Eq '^  --[a-z-]+( [^ ]+)?$' "$TMP/out"; then
        grep -En '^  --[a-z-]+( [^ ]+)?$' "$TMP/out" | while IFS=: read -r n _; do
            sed -n "$((n + 1))p" "$TMP/out" | grep -q '^     ' || echo x
        done | grep -q x && bad "$c --help: an option without a description" || ok
    else ok; fi
    # every option listed is one the command takes (the extra arguments
    # stop it before it runs: a flag meets "x", an option's value is "x")
    for o in $(grep -Eo '^  --[a-z-]+' "$TMP/out"); do
        set +e
        "$BIN" "$c" "$o" x y >/dev/null 2>"$TMP/takes"
        set -e
        if grep -q "takes no option" "$TMP/takes"; then bad "$c --help lists $o, which $c does not take"; else ok; fi
    done
done
# flat FILE: FILE's words on one line (help text wraps)
flat() { tr '\n' ' ' <"$1" | tr -s ' ' >"$TMP/flat"; }

expect 0 "$BIN" generate --help
flat "$TMP/out"
for o in --data --period --private --map --strict --date-format --decimal-comma --plans; do
    lacks "$TMP/out" "$o "
done
has "$TMP/out" "--deals N"
has "$TMP/flat" "(default: 4000)"
expect 0 "$BIN" report --help
flat "$TMP/out"
has "$TMP/flat" "(default: reports/PERIOD"
has "$TMP/flat" "(default: the latest quarter with won deals)"
for o in --deals --dirty --null --preset --plans; do lacks "$TMP/out" "$o "; done
expect 0 "$BIN" whatif --help
has "$TMP/out" "--plans FILE"
has "$TMP/out" "(required)"

# --data: a path that does not exist, and one that is not a directory
expect 2 "$BIN" check --data "$TMP/nowhere"
has "$TMP/err" "$TMP/nowhere: no such directory"
lacks "$TMP/err" "not a directory"
: >"$TMP/afile"
expect 2 "$BIN" check --data "$TMP/afile"
has "$TMP/err" "$TMP/afile: not a directory"

# the bundled sample data
expect 0 "$BIN" check
has "$TMP/out" "deals.csv"
has "$TMP/out" "usable"

# a generated data set with dirty rows
expect 0 "$BIN" generate --out "$TMP/dirty" --deals 600 --seed 7 --dirty --quiet
expect 0 "$BIN" check --data "$TMP/dirty"
has "$TMP/out" "deals.csv: 5 of 606 rows rejected"
has "$TMP/out" 'amount: not a number: "12abc"  (line 51)'
has "$TMP/out" "note: deals.csv: not UTF-8, read as Windows-1252"
expect 0 "$BIN" check --data "$TMP/dirty" --all
grep -Eq '^[a-z]+\.csv:[0-9]+: [a-z_]+: ' "$TMP/out" && ok || bad "check --all prints FILE:LINE: COLUMN: REASON"
expect 3 "$BIN" check --data "$TMP/dirty" --strict
has "$TMP/err" "rows rejected (--strict)"
expect 0 "$BIN" report --data "$TMP/dirty" --out "$TMP/rep" --quiet
empty "$TMP/out"     # --quiet: not even the warning about the rejects
empty "$TMP/err"
has "$TMP/rep/rejects.csv" "file,line,column,reason"
has "$TMP/rep/results.json" '"rows_read"'
nrej=$(($(wc -l <"$TMP/rep/rejects.csv") - 1))
[ "$nrej" -gt 0 ] && ok || bad "rejects.csv lists no rejects for the dirty set"
expect 3 "$BIN" report --data "$TMP/dirty" --out "$TMP/rep2" --strict
[ ! -e "$TMP/rep2/results.json" ] && ok || bad "--strict still wrote a report"

# --quiet prints nothing at all on success, on either stream; errors still
# go to standard error
expect 0 "$BIN" report --data "$TMP/dirty" --out "$TMP/rep-loud"
has "$TMP/err" "compsight: warning: "
has "$TMP/out" "report written to $TMP/rep-loud/report.html"
expect 0 "$BIN" check --data "$TMP/dirty" --quiet
empty "$TMP/out"
empty "$TMP/err"
expect 3 "$BIN" check --data "$TMP/dirty" --quiet --strict
has "$TMP/err" "rows rejected (--strict)"
expect 0 "$BIN" deals --data "$TMP/dirty" --quiet
has "$TMP/out" "deal_id,"     # the product of deals is its CSV
empty "$TMP/err"
expect 0 "$BIN" generate --out "$TMP/q-gen" --deals 200 --seed 3 --quiet
empty "$TMP/out"
empty "$TMP/err"
expect 0 "$BIN" generate --out "$TMP/loud-gen" --deals 200 --seed 3
has "$TMP/out" "data set written to $TMP/loud-gen/"

# generate with real comp plans (SPEC 13): two more files, usage errors
expect 0 "$BIN" generate --out "$TMP/g13" --deals 600 --seed 2 --real-plans --quiet
[ -s "$TMP/g13/assignments.csv" ] && [ -s "$TMP/g13/splits.csv" ] && ok ||
    bad "generate --real-plans wrote no assignments.csv or splits.csv"
has "$TMP/g13/plans.csv" "credit_renewal"
has "$TMP/g13/assignments.csv" "MM-Q-FY26"
expect 0 "$BIN" generate --out "$TMP/g13s" --deals 600 --seed 2 --splits --quiet
[ ! -e "$TMP/g13s/assignments.csv" ] && ok || bad "--splits alone wrote assignments.csv"
expect 1 "$BIN" generate --out "$TMP/g13x" --plan-change-effect 0.9
has "$TMP/err" "--plan-change-effect takes a decimal from -0.5 to 0.5"
expect 1 "$BIN" generate --out "$TMP/g13x" --plan-change-movers 9
has "$TMP/err" "7 Mid-Market AEs"
[ ! -e "$TMP/g13x" ] && ok || bad "a refused --plan-change-movers left a directory"

# generate --deals 10, the smallest set: valid files that a report can read
expect 0 "$BIN" generate --out "$TMP/g10" --deals 10 --seed 1 --quiet
[ "$(($(wc -l <"$TMP/g10/deals.csv") - 1))" = 10 ] && ok || bad "generate --deals 10 did not write 10 deals"
expect 0 "$BIN" check --data "$TMP/g10" --strict
expect 0 "$BIN" report --data "$TMP/g10" --out "$TMP/g10r" --period all --quiet
[ -s "$TMP/g10r/report.html" ] && ok || bad "no report on 10 deals"

# where the report goes: a plain `compsight report` writes reports/PERIOD/
# under the current directory and names report.html, the file to open;
# `make report` runs exactly that command
mkdir -p "$TMP/plain"
(cd "$TMP/plain" && "$BIN" report >"$TMP/out" 2>"$TMP/err") && ok || bad "a plain compsight report failed"
has "$TMP/out" "report written to reports/2026Q4/report.html"
[ -s "$TMP/plain/reports/2026Q4/report.html" ] && ok || bad "no reports/2026Q4/report.html"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -n -s -C "$HERE/../.." report BIN="$BIN" \
    >"$TMP/make-n" 2>&1 || true
# (with a key under the build directory: not the tester's home)
grep -qx -- "$BIN report --key-file [^ ]*/key" "$TMP/make-n" && ok || { bad "make report does not run a plain '$BIN report'"; tail -3 "$TMP/make-n"; }

# input that cannot be read: exit 2 and FILE:LINE
expect 2 "$BIN" check --data "$TMP/nowhere"
mkdir -p "$TMP/malformed"
cp "$TMP/dirty/plans.csv" "$TMP/dirty/reps.csv" "$TMP/malformed/"
printf 'deal_id,rep_id,type,amount,close_date,stage\nD1,x,new,5,2026-01-01,won\nD2,x,"new,5,2026-01-01,won\n' >"$TMP/malformed/deals.csv"
expect 2 "$BIN" check --data "$TMP/malformed"
has "$TMP/err" "compsight: deals.csv:3: unterminated"
printf 'deal_id,rep_id,amount,close_date,stage\n' >"$TMP/malformed/deals.csv"
expect 2 "$BIN" check --data "$TMP/malformed"
has "$TMP/err" "compsight: deals.csv:1: required column \"type\" is missing"
rm "$TMP/malformed/deals.csv"
expect 2 "$BIN" check --data "$TMP/malformed"
has "$TMP/err" "deals.csv"

# output that cannot be written: exit 4
expect 4 "$BIN" report --out /dev/null/report --quiet
has "$TMP/err" "cannot create directory"

# deals: the measures as CSV
expect 0 "$BIN" deals --quiet
has "$TMP/out" "deal_id,rep,team,plan_id,period,account,type,product,amount,currency,discount_pct,close_date,attainment_before"
if grep -q ',R0[0-9]*,' "$TMP/out"; then bad "deals shows rep ids without --private"; else ok; fi

# --map with a preset
expect 0 "$BIN" check --data "$HERE/salesforce" --map salesforce
has "$TMP/out" "usable"

# the report on the sample data: every file, no rep id without --private
SOURCE_DATE_EPOCH=1790000000
export SOURCE_DATE_EPOCH
expect 0 "$BIN" report --out "$TMP/sample" --quiet
empty "$TMP/out"
empty "$TMP/err"
for f in report.md report.html results.json deals.csv rejects.csv; do
    [ -s "$TMP/sample/$f" ] && ok || bad "report did not write $f"
done
has "$TMP/sample/report.md" "## Data you can trust?"
has "$TMP/sample/report.html" "<!DOCTYPE html>"
ids=$(cut -d, -f1 "$HERE/../../data/sample/reps.csv" | tail -n +2)
leak=0
for id in $ids; do
    if grep -rqw -- "$id" "$TMP/sample"; then leak=1; echo "  rep id $id in shared output"; fi
done
cut -d, -f2 "$HERE/../../data/sample/reps.csv" | tail -n +2 >"$TMP/names"
while IFS= read -r name; do
    if grep -rqF -- "$name" "$TMP/sample"; then leak=1; echo "  rep name $name in shared output"; fi
done <"$TMP/names"
[ $leak = 0 ] && ok || bad "rep ids or names in the shared report"
[ ! -e "$TMP/sample/private" ] && ok || bad "private/ written without --private"
expect 0 "$BIN" report --out "$TMP/priv" --private --quiet
[ "$(stat -c %a "$TMP/priv/private")" = 700 ] && ok || bad "private/ is not mode 0700"
has "$TMP/priv/private/reps.csv" "rep_id,name,team"
# determinism: the same data and seed give the same bytes
expect 0 "$BIN" report --out "$TMP/again" --quiet
for f in report.md report.html results.json deals.csv; do
    cmp -s "$TMP/sample/$f" "$TMP/again/$f" && ok || bad "$f differs between two runs"
done
expect 0 "$BIN" report --out "$TMP/each" --period each --quiet
[ -s "$TMP/each/2026Q4/report.md" ] && ok || bad "--period each wrote no per-quarter report"
has "$TMP/each/index.md" "(2026Q4/report.html)"
has "$TMP/each/2026Q4/report.md" "(../index.html)"
expect 1 "$BIN" report --out "$TMP/x" --period 1999Q1 --quiet
has "$TMP/err" "no won deals closed in that quarter"

# hostile names in every text field: a correct report, nothing run, escaped
H="$TMP/hostile"
mkdir -p "$H"
cp "$HERE/../../data/sample/"*.csv "$H/"
rm -f /tmp/compsight_pwned
evil='"Mid'"'"'Market `touch /tmp/compsight_pwned` system(""touch /tmp/compsight_pwned"") <script>alert(1)</script>
=HYPERLINK(""http://x"",""y"")"'
awk -v e="$evil" 'BEGIN{FS=OFS=","} NR>1 && $3=="Mid-Market" {$3=e} {print}' "$HERE/../../data/sample/reps.csv" >"$H/reps.csv"
sed -e 's/,Core Platform,/,"=HYPERLINK(""http:\/\/evil"",""x"")",/' \
    -e 's/,\([A-Z][a-z]*\) \([A-Z][a-z]*\) GmbH,/,"<script>alert(2)<\/script> \1 GmbH",/' \
    "$HERE/../../data/sample/deals.csv" >"$H/deals.csv"
sed -e 's/^FR-101,[^,]*,/FR-101,"`touch \/tmp\/compsight_pwned` ''quote'' & <b>",/' \
    -e 's/^FR-137,[^,]*,/FR-137,"=cmd|'"'"' \/C calc'"'"'!A0",/' "$HERE/../../data/sample/roadmap.csv" >"$H/roadmap.csv"
sed -e 's/,2025Q1 Events,/,"@SUM(1+1) `id`\n<img src=x onerror=alert(3)>",/' "$HERE/../../data/sample/collateral.csv" >"$H/collateral.csv"
for f in plans.csv reps.csv quotas.csv; do
    sed -i "s/MM-Q/MM'Q\"\"\`x\`/g" "$H/$f" 2>/dev/null || true
done
# a plan id with a quote and backquotes, CSV-quoted where needed
awk 'BEGIN{FS=OFS=","} {for (i = 1; i <= NF; i++) if ($i ~ /MM.Q/) $i = "\"" $i "\""} {print}' "$H/plans.csv" >"$H/p" && mv "$H/p" "$H/plans.csv"
awk 'BEGIN{FS=OFS=","} NR>1 {for (i = 1; i <= NF; i++) if ($i ~ /^MM.Q/) $i = "\"" $i "\""} {print}' "$H/reps.csv" >"$H/r" && mv "$H/r" "$H/reps.csv"
expect 0 "$BIN" check --data "$H"
has "$TMP/out" "usable"
expect 0 "$BIN" report --data "$H" --out "$TMP/hrep" --period all --quiet
[ ! -e /tmp/compsight_pwned ] && ok || bad "a hostile name ran a command"
if grep -q '<script>' "$TMP/hrep/report.html"; then bad "raw <script> in report.html"; else ok; fi
if grep -q '<img src=x' "$TMP/hrep/report.html"; then bad "raw <img> in report.html"; else ok; fi
has "$TMP/hrep/report.html" "&lt;script&gt;"
if grep -q ',=HYPERLINK' "$TMP/hrep/deals.csv"; then bad "formula cell in deals.csv"; else ok; fi
has "$TMP/hrep/deals.csv" "'=HYPERLINK"
if grep -q '^| .*<script>' "$TMP/hrep/report.md"; then bad "raw <script> in report.md"; else ok; fi
[ -s "$TMP/hrep/plots/where.png" ] && ok || bad "hostile names broke the plots"
ls "$TMP/hrep/plots/"*.png >/dev/null 2>&1 && ok || bad "no plot drawn with hostile names"

# golden report.md for a small fixture (regenerate with `make golden` after
# a deliberate change, and review the diff)
expect 0 "$BIN" report --data "$HERE/../reference/handmade" --period all --key-file "$KEY" --out "$TMP/gold" --quiet
if cmp -s "$TMP/gold/report.md" "$HERE/../golden/report/handmade-all.md"; then ok; else
    bad "report.md differs from tests/golden/report/handmade-all.md"
    diff "$HERE/../golden/report/handmade-all.md" "$TMP/gold/report.md" | head -20 | sed 's/^/  | /'
fi

# what-if and proposal (SPEC 8)
W="$HERE/../fixtures/whatif"
SAMPLE_PLANS="$HERE/../../data/sample/plans.csv"
expect 0 "$BIN" whatif --plans "$SAMPLE_PLANS" --out "$TMP/wi"
has "$TMP/out" "what-if written to $TMP/wi/whatif.html"
for f in whatif.md whatif.html whatif.json; do
    [ -s "$TMP/wi/$f" ] && ok || bad "whatif did not write $f"
done
has "$TMP/wi/whatif.json" '"risky_diff": 0.0,'
has "$TMP/wi/whatif.json" '"commission_diff": 0.0,'
has "$TMP/wi/whatif.md" "every difference below is exactly 0"
expect 0 "$BIN" propose --out "$TMP/prop" --period all
has "$TMP/out" "proposal written to $TMP/prop/proposal.html"
for f in proposal.md proposal.html proposal.json proposal_options.csv options/1.csv; do
    [ -s "$TMP/prop/$f" ] && ok || bad "propose did not write $f"
done
has "$TMP/prop/proposal.md" "## Questions for sales leadership"
has "$TMP/prop/proposal.md" "not proof of cause"
has "$TMP/prop/options/1.csv" "plan_id,period_type,quota,tier_floor,rate"
expect 0 "$BIN" whatif --plans "$TMP/prop/options/1.csv" --out "$TMP/wi1" --period all --quiet
empty "$TMP/out"
empty "$TMP/err"
a=$(grep -m1 '"risky_diff":' "$TMP/prop/proposal.json" | tr -d ' ,')
b=$(grep -m1 '"risky_diff":' "$TMP/wi1/whatif.json" | tr -d ' ,')
[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "whatif on options/1.csv does not reproduce the proposal ($a, $b)"
# an option file lists the plan it changes alone, and re-runs to the same figures
[ "$(tail -n +2 "$TMP/prop/options/1.csv" | cut -d, -f1 | sort -u | wc -l)" = 1 ] && ok ||
    bad "options/1.csv lists more than the plan it changes"
for k in risky_diff_ci commission_diff commission_diff_ci alt_commission; do
    a=$(tr -d ' \n' <"$TMP/prop/proposal.json" | grep -o "\"$k\":[^\"]*" | head -1)
    b=$(tr -d ' \n' <"$TMP/wi1/whatif.json" | grep -o "\"$k\":[^\"]*" | head -1)
    [ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "whatif on options/1.csv: $k differs ($a, $b)"
done
has "$TMP/wi1/whatif.md" "The plans it leaves out carry over unchanged:"
# SPEC 13: a file that lists one plan, against the full file with that plan changed
expect 0 "$BIN" whatif --data "$W/data" --plans "$W/alt_one.csv" --out "$TMP/w1" --quiet
expect 0 "$BIN" whatif --data "$W/data" --plans "$W/alt_one_full.csv" --out "$TMP/w2" --quiet
figures() { awk '/"plans_file"/ { skip = 1 } /"base_risky"/ { skip = 0 } !skip' "$1"; }
figures "$TMP/w1/whatif.json" >"$TMP/w1.fig"
figures "$TMP/w2/whatif.json" >"$TMP/w2.fig"
cmp -s "$TMP/w1.fig" "$TMP/w2.fig" && ok || bad "a one-plan file and the full file give other figures"
grep -q '"base_risky"' "$TMP/w1.fig" && ok || bad "whatif.json has no figures"
has "$TMP/w1/whatif.json" '"plans_in_file": 1,'
has "$TMP/w1/whatif.md" "The file changes 1 plan: MM-Q. The plans it leaves out carry over unchanged: ENT-Y and SMB-Q."
has "$TMP/w2/whatif.md" "The file changes 1 plan: MM-Q. It also lists ENT-Y and SMB-Q, unchanged. It lists every plan of the data."
expect 0 "$BIN" whatif --data "$W/data" --plans "$W/alt_missing.csv" --out "$TMP/w3" --quiet
has "$TMP/w3/whatif.md" "The plan it leaves out carries over unchanged: SMB-Q."
expect 2 "$BIN" whatif --data "$W/data" --plans "$W/alt_unknown.csv" --out "$TMP/wx" --quiet
has "$TMP/err" 'alt_unknown.csv:4: plan_id: plan "MM-q" is not a plan of the data'
# plan ids that begin with a formula character: options/N.csv writes them
# as plans.csv has them (an input for compsight, not a spreadsheet export),
# and whatif reads them back (issue 22)
mkdir -p "$TMP/fx"
for f in plans reps deals quotas spiffs roadmap promises; do
    sed 's/ENT-Y/=ENT-Y/g; s/MM-Q/+MM-Q/g; s/SMB-Q/@SMB-Q/g' "$W/data/$f.csv" >"$TMP/fx/$f.csv"
done
expect 0 "$BIN" propose --data "$TMP/fx" --out "$TMP/fxp" --period all --quiet
lacks "$TMP/fxp/options/1.csv" "'"
expect 0 "$BIN" whatif --data "$TMP/fx" --plans "$TMP/fxp/options/1.csv" --out "$TMP/fxw" --period all --quiet
a=$(tr -d ' \n' <"$TMP/fxp/proposal.json" | grep -o '"commission_diff_ci":[^"]*' | head -1)
b=$(tr -d ' \n' <"$TMP/fxw/whatif.json" | grep -o '"commission_diff_ci":[^"]*' | head -1)
[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "options/1.csv does not reproduce the proposal ($a, $b)"
grep -q '"plans_changed": \[\]' "$TMP/fxw/whatif.json" && bad "the neutralised plan was not read as changed" || ok
expect 2 "$BIN" whatif --data "$W/data" --plans "$W/alt_malformed.csv" --out "$TMP/wx" --quiet
has "$TMP/err" 'alt_malformed.csv:4: rate: not a number: "abc"'
[ ! -e "$TMP/wx/whatif.json" ] && ok || bad "a bad plans file still wrote a what-if"
expect 2 "$BIN" whatif --plans "$TMP/nowhere.csv" --out "$TMP/wx" --quiet
has "$TMP/err" "nowhere.csv: No such file or directory"
expect 1 "$BIN" whatif --plans "$SAMPLE_PLANS" --period each --out "$TMP/wx" --quiet
has "$TMP/err" "a what-if takes --period LABEL or all, not each"
expect 1 "$BIN" propose --plans x.csv
has "$TMP/err" "propose takes no option '--plans'"
expect 4 "$BIN" propose --out /dev/null/prop --quiet
# --model within (SPEC 14.1): the what-if and the proposal say which model they used
expect 0 "$BIN" whatif --plans "$TMP/prop/options/1.csv" --out "$TMP/wiw" --period all --model within --quiet
has "$TMP/wiw/whatif.json" '"model": "within"'
has "$TMP/wiw/whatif.json" '"name": "promise_risk_within"'
has "$TMP/wiw/whatif.md" "same-rep promise-risk model (--model within)"
has "$TMP/wi1/whatif.json" '"model": "across"'
has "$TMP/wi1/whatif.md" "--model within uses the same-rep one"
expect 0 "$BIN" propose --out "$TMP/propw" --period all --model within --quiet
has "$TMP/propw/proposal.md" "the same-rep promise-risk model, which compares each rep with themselves"
expect 1 "$BIN" whatif --plans "$SAMPLE_PLANS" --model pooled
has "$TMP/err" "--model takes across or within, not 'pooled'"
expect 1 "$BIN" deals --model within
has "$TMP/err" "deals takes no option '--model'"
expect 0 "$BIN" whatif --help
has "$TMP/out" "--model across|within"
# generate --skill: the same company, rep skill behind volume and promising
expect 0 "$BIN" generate --out "$TMP/skill" --deals 400 --seed 3 --skill --quiet
expect 0 "$BIN" generate --out "$TMP/noskill" --deals 400 --seed 3 --quiet
cmp -s "$TMP/skill/reps.csv" "$TMP/noskill/reps.csv" && ok || bad "--skill changed reps.csv"
cmp -s "$TMP/skill/deals.csv" "$TMP/noskill/deals.csv" && bad "--skill left deals.csv as it was" || ok
# issue 22: many plans: the proposal simulates the 20 plans with the most won
# deals and names the others; bunching examines 20 plans.  A generated
# company's reps get a plan per five reps of the same plan (a rest of one
# or two joins the five before it), so that every plan has the 3 reps
# shared output needs to show it (groups.h)
"$BIN" generate --out "$TMP/ppsrc" --deals 20000 --seed 5 --quiet
mkdir -p "$TMP/pp"
cp "$TMP/ppsrc/"*.csv "$TMP/pp/"
awk -F, -v OFS=, -v dir="$TMP/pp" '
    FILENAME ~ /plans.csv$/ { if (FNR > 1) tiers[$1] = tiers[$1] $0 "\n"; next }
    pass == 0 { if (FNR > 1 && $5 != "") count[$5]++; if (FNR == 1) print "plan_id,period_type,quota,tier_floor,rate" > dir "/plans.csv"; next }
    FNR == 1 { print > dir "/reps.csv"; next }
    $5 != "" { c = count[$5]; f = int(c / 5); j = k[$5]; k[$5] = j + 1; chunk = int(j / 5)
               if (c % 5 < 3 && f > 0 && chunk > f - 1) chunk = f - 1
               id = "P-" $5 "-" chunk
               if (!(id in seen)) { seen[id] = 1; n = split(tiers[$5], t, "\n")
                   for (i = 1; i < n; i++) { sub(/^[^,]*/, id, t[i]); print t[i] > dir "/plans.csv" } }
               $5 = id }
    { print > dir "/reps.csv" }' \
    "$TMP/ppsrc/plans.csv" pass=0 "$TMP/ppsrc/reps.csv" pass=1 "$TMP/ppsrc/reps.csv"
np=$(tail -n +2 "$TMP/pp/plans.csv" | cut -d, -f1 | sort -u | wc -l)
[ "$np" -gt 20 ] && ok || bad "the many-plans fixture has $np plans, not more than 20"
expect 0 "$BIN" report --data "$TMP/pp" --out "$TMP/ppr" --period all --quiet
has "$TMP/ppr/proposal/proposal.json" '"kind": "plans_beyond_limit"'
has "$TMP/ppr/proposal/proposal.md" "$((np - 20)) more plans with won deals in"
has "$TMP/ppr/proposal/proposal.md" "the proposal simulates the 20 plans with the most won deals"
n=$(tail -n +2 "$TMP/ppr/proposal/proposal_options.csv" | cut -d, -f3 | sort -u | wc -l)
[ "$n" -le 20 ] && [ "$n" -gt 0 ] && ok || bad "the proposal simulated $n plans, not at most 20"
has "$TMP/ppr/results.json" '"bunching_not_examined"'
has "$TMP/ppr/report.md" "The 20 plans with the most rep-periods are examined; $((np - 20)) other plans"
expect 0 "$BIN" whatif --data "$TMP/pp" --plans "$TMP/ppr/proposal/options/1.csv" --out "$TMP/ppw" --period all --quiet
has "$TMP/ppw/whatif.md" "The plans it leaves out carry over unchanged:"
has "$TMP/ppw/whatif.md" "and $((np - 11)) more (whatif.json names them all)"
has "$TMP/ppw/whatif.md" "unchanged plans"

# SPEC 13: reps who moved from MM-Q to MM-Q-FY26 are filed under their last plan;
# a file that changes MM-Q alone files their MM-Q deals' differences under MM-Q
printf 'plan_id,period_type,quota,tier_floor,rate\nMM-Q,quarter,137000.00,0.00,0.08\nMM-Q,quarter,137000.00,1.00,0.10\nMM-Q,quarter,137000.00,1.50,0.15\n' >"$TMP/mmq.csv"
expect 0 "$BIN" whatif --plans "$TMP/mmq.csv" --period all --out "$TMP/mmqw" --quiet
flat=$(tr -d ' \n' <"$TMP/mmqw/whatif.json")
case $flat in *'"plans_changed":["MM-Q"]'*) ok ;; *) bad "whatif.json: MM-Q is not the one plan changed" ;; esac
total=$(printf '%s' "$flat" | grep -o '"commission_diff":[^,]*' | head -1 | cut -d: -f2)
mmq=$(printf '%s' "$flat" | grep -o '"plan_id":"MM-Q","changed":true,[^}]*"commission_diff":[^,]*' | grep -o '"commission_diff":[^,]*' | cut -d: -f2)
[ -n "$total" ] && [ "$total" = "$mmq" ] && ok || bad "MM-Q's commission difference ($mmq) is not the total ($total)"

# the report links its proposal draft
has "$TMP/sample/report.md" "(proposal/proposal.md)"
[ -s "$TMP/sample/proposal/proposal.md" ] && ok || bad "report wrote no proposal draft"

# issue 19: plain words in every shared document (no identifiers, SPEC, source
# or local paths, no "-0"), one verdict per finding, one number formatter
plain() {
    for w in 'promise_risk' 'promise\_risk' 'marginal_rate' 'marginal\_rate' 'type[' 'type\[' \
             'SPEC ' 'docs/' 'compsight sources' 'their owner' 'data/sample/plans.csv' "$TMP" \
             ' -0 ' '(-0 ' '-0 to' 'to -0' 'some excess, not clear'; do
        if grep -qF -- "$w" "$1"; then bad "$1 says '$w'"; grep -F -- "$w" "$1" | head -2 | sed 's/^/  | /'; else ok; fi
    done
}
for f in "$TMP/sample/report.md" "$TMP/sample/proposal/proposal.md" "$TMP/wi/whatif.md" \
         "$TMP/wi1/whatif.md" "$TMP/prop/proposal.md" "$TMP/gold/report.md"; do
    plain "$f"
done
has "$TMP/prop/proposal.md" "compsight whatif --plans options/1.csv --period all"
has "$TMP/wi/whatif.md" "The alternative plans file against the current plans"
has "$TMP/sample/report.md" "(Plot not shown: plan ENT-Y, 100% floor:"
has "$TMP/sample/report.md" "bookings (USD)"
has "$TMP/sample/report.md" "each interval is widened for that number"
# percentages print the same way in the report and in its proposal
pct=$(grep -o 'of them ([0-9.]*%)' "$TMP/sample/report.md" | grep -o '([0-9.]*%)')
[ -n "$pct" ] && ok || bad "no risky share in the report's summary"
has "$TMP/sample/proposal/proposal.md" "won deals $pct"
# a thin data set: nothing bold, each model says it has too little data
expect 0 "$BIN" generate --out "$TMP/thin" --deals 100 --seed 1 --quiet
expect 0 "$BIN" report --data "$TMP/thin" --out "$TMP/thinrep" --quiet
if grep -q '\*\*' "$TMP/thinrep/report.md"; then bad "bold text in a report on too little data"; else ok; fi
has "$TMP/thinrep/report.md" "There is too little data to tie risky promises to the plan's incentives."
has "$TMP/thinrep/report.md" "reading it needs at least 10 reps"
has "$TMP/thinrep/results.json" '"readable": false'
plain "$TMP/thinrep/report.md"
plain "$TMP/thinrep/proposal/proposal.md"
# thinner still (4 won deals, none risky): the fits fail, and the report
# says it is for want of data, never an empty reason (": .")
expect 0 "$BIN" generate --out "$TMP/thin40" --deals 40 --seed 1 --quiet
expect 0 "$BIN" report --data "$TMP/thin40" --out "$TMP/thin40rep" --quiet
if grep -q ': \.' "$TMP/thin40rep/report.md"; then bad "an empty reason in the 40-deal report"; else ok; fi
has "$TMP/thin40rep/report.md" "Too little data to read the link between the plan and risky promises."
has "$TMP/thin40rep/report.md" "Too little data to read the link between the plan and discounts."
has "$TMP/thin40rep/report.md" "There is too little data to tie risky promises to the plan's incentives."
plain "$TMP/thin40rep/report.md"
# no promise data: the trend says so instead of a risky rate of 0%
mkdir -p "$TMP/nopromises"
cp "$TMP/thin/"*.csv "$TMP/nopromises/"
rm "$TMP/nopromises/promises.csv"
expect 0 "$BIN" report --data "$TMP/nopromises" --out "$TMP/nprep" --period all --quiet
has "$TMP/nprep/report.md" "There is no promise data"
# ... and the index of a --period each run does not show a risky rate of 0% either
expect 0 "$BIN" report --data "$TMP/nopromises" --out "$TMP/npeach" --period each --quiet
has "$TMP/npeach/index.md" "There is no promise data"
if grep -q 'with a risky promise' "$TMP/npeach/index.md"; then bad "a risky-rate column in the index without promise data"; else ok; fi
if grep -q '| risky rate' "$TMP/nprep/report.md"; then bad "a risky-rate column without promise data"; else ok; fi


# ---------------------------------------------------------------------------
# issue 22: hostile sizes, faults and privacy
# ---------------------------------------------------------------------------
SAMPLE="$HERE/../../data/sample"

# reconciliation with nothing to compare (a header-only commissions.csv)
# says so, without "nan"
mkdir -p "$TMP/nocomm"
cp "$SAMPLE/"*.csv "$TMP/nocomm/"
head -1 "$SAMPLE/commissions.csv" >"$TMP/nocomm/commissions.csv"
expect 0 "$BIN" report --data "$TMP/nocomm" --out "$TMP/nocomm-out"
has "$TMP/err" "commissions.csv has no line for a won deal: nothing to reconcile"
lacks "$TMP/err" "nan"
lacks "$TMP/nocomm-out/report.md" "nan"

# --period all lists only the quarters that hold data: one deal closed on
# 1900-01-01 and one on 2200-12-31 (the plausible range's ends) add two
# quarters, not 1,200
mkdir -p "$TMP/far"
cp "$SAMPLE/"*.csv "$TMP/far/"
awk 'BEGIN{FS=OFS=","} NR>1 && $10=="won" && n<2 {n++; $9 = n == 1 ? "1900-01-01" : "2200-12-31"; $8 = ""} {print}' \
    "$SAMPLE/deals.csv" >"$TMP/far/deals.csv"
expect 0 "$BIN" report --data "$TMP/far" --out "$TMP/far-all" --period all --quiet
rows=$(grep -c '^| [0-9]*Q[1-4] |' "$TMP/far-all/report.md" || true)
[ "$rows" -le 12 ] && ok || bad "--period all on two far dates: $rows quarter rows in the trend"
has "$TMP/far-all/report.md" "| 2200Q4 |"
expect 0 "$BIN" report --data "$TMP/far" --out "$TMP/far-each" --period each --quiet
n=$(ls -d "$TMP/far-each/"*Q* | wc -l)
[ "$n" -le 12 ] && ok || bad "--period each on two far dates: $n quarter folders"
rows=$(grep -c '^| [0-9]*Q[1-4] |' "$TMP/far-each/index.md" || true)
[ "$rows" -le 12 ] && ok || bad "--period each on two far dates: $rows quarter rows in the index"

# plausible ranges, checked at import (schema.h): a rate of 1e154, an
# amount of 1e300 and deals dated 0001-01-01 and 9999-12-31 are rejects
# naming file, line and column, and the report runs on the rest instead of
# stopping at "marginal_rate: values too large"
# (on the sample as it was before real comp plans, SPEC 13: its plans.csv
# has no credit_ columns, so the appended line is plans.csv:11)
OLDSAMPLE="$TMP/sample-before-plans13"
"$BIN" generate --out "$OLDSAMPLE" --seed 2026 --preset sample --quiet
R="$TMP/ranges"
mkdir -p "$R"
cp "$OLDSAMPLE/"*.csv "$R/"
echo "MM-Q,quarter,140000.00,3.00,1e154" >>"$R/plans.csv"
awk 'BEGIN{FS=OFS=","} NR>1 && $10=="won" && n<3 {n++; if (n == 1) $6 = "1e300"; else {$9 = n == 2 ? "0001-01-01" : "9999-12-31"; $8 = ""}} {print}' \
    "$OLDSAMPLE/deals.csv" >"$R/deals.csv"
expect 0 "$BIN" check --data "$R" --all
has "$TMP/out" "plans.csv:11: rate: beyond the plausible range (at most 10, 1,000% of the amount): \"1e154\""
has "$TMP/out" "deals.csv:2: amount: beyond the plausible range (at most 1e15 either way): \"1e300\""
has "$TMP/out" "close_date: outside the plausible years 1900 to 2200: \"0001-01-01\""
has "$TMP/out" "close_date: outside the plausible years 1900 to 2200: \"9999-12-31\""
expect 0 "$BIN" report --data "$R" --out "$TMP/ranges-out" --period all --key-file "$KEY" --quiet
lacks "$TMP/err" "too large"
lacks "$TMP/ranges-out/report.md" "inf%"
has "$TMP/ranges-out/rejects.csv" "plans.csv,11,rate,"
# the what-if's plans file is read the same way: an error naming the line
expect 2 "$BIN" whatif --plans "$R/plans.csv" --out "$TMP/ranges-wi"
has "$TMP/err" "plans.csv:11: rate: beyond the plausible range"

# files that are not regular files are refused (exit 2), never waited on:
# a FIFO named deals.csv (opened for reading, it would block until a writer
# came; timeout only turns such a hang into a failure), a device as --plans
F="$TMP/fifo"
mkdir -p "$F"
cp "$SAMPLE/"*.csv "$F/"
rm "$F/deals.csv"
mkfifo "$F/deals.csv"
expect 2 timeout 600 "$BIN" check --data "$F"
has "$TMP/err" "deals.csv is a FIFO (named pipe), not a regular file"
expect 2 timeout 600 "$BIN" whatif --plans /dev/zero --out "$TMP/fifo-wi"
has "$TMP/err" "/dev/zero is a character device, not a regular file"
[ ! -e "$TMP/fifo-wi" ] && ok || bad "a refused --plans file still wrote a what-if"

# two columns that are one header once trimmed and case-folded are an
# error naming both, not the first read without a word
D="$TMP/duphdr"
mkdir -p "$D"
cp "$SAMPLE/"*.csv "$D/"
awk 'BEGIN{FS=OFS=","} {print $0, (NR == 1 ? "\" Amount \"" : "1")}' "$SAMPLE/deals.csv" >"$D/deals.csv"
expect 2 "$BIN" check --data "$D"
has "$TMP/err" "deals.csv:1: amount: the header has \"amount\" twice: column 6 \"amount\" and column 11 \" Amount \""


# control characters never reach a terminal: on a pseudo-terminal (script(1))
# every message, check line and deals row shows them as \xNN; a file or a
# pipe gets the bytes as read
T="$TMP/termdata"
mkdir -p "$T"
cp "$SAMPLE/"*.csv "$T/"
ESC=$(printf '\033')
BEL=$(printf '\007')
awk -v a="${ESC}]0;pwned${BEL}${ESC}[2J" 'BEGIN{FS=OFS=","} NR==2 {$3=a; $5=a} {print}' "$SAMPLE/deals.csv" >"$T/deals.csv"
# onpty FILE CMD...: run CMD on a terminal, what it showed into FILE
onpty() {
    f=$1
    shift
    cmd=""
    for a in "$@"; do cmd="$cmd '$a'"; done
    script -qec "$cmd" /dev/null </dev/null >"$f" 2>&1 || true
}
# clean_tty FILE: no ESC or BEL byte in FILE
clean_tty() {
    if tr -d '\n' <"$1" | grep -q "[$ESC$BEL]"; then bad "$1: a control character reached the terminal"; od -c "$1" | grep -m2 '033\|007' | sed 's/^/  | /'; else ok; fi
}
onpty "$TMP/tty-deals" "$BIN" deals --data "$T" --key-file "$KEY" --quiet
clean_tty "$TMP/tty-deals"
has "$TMP/tty-deals" '\x1b]0;pwned\x07\x1b[2J'
"$BIN" deals --data "$T" --key-file "$KEY" --quiet >"$TMP/file-deals" || true
has "$TMP/file-deals" "${ESC}]0;pwned${BEL}${ESC}[2J"
mkdir -p "$TMP/term${ESC}[2Jdir"
cp "$T/"*.csv "$TMP/term${ESC}[2Jdir/"
printf 'R9999%s[2J,X,Nowhere,AE,NOPE,\n' "$ESC" >>"$TMP/term${ESC}[2Jdir/reps.csv"
onpty "$TMP/tty-check" "$BIN" check --data "$TMP/term${ESC}[2Jdir"
clean_tty "$TMP/tty-check"
has "$TMP/tty-check" 'term\x1b[2Jdir'
has "$TMP/tty-check" 'reps.csv:'
onpty "$TMP/tty-msg" "$BIN" report --data "$T" --map "$TMP/no${ESC}]0;x${BEL}map" --out "$TMP/tty-rep"
clean_tty "$TMP/tty-msg"
has "$TMP/tty-msg" 'no\x1b]0;x\x07map'
onpty "$TMP/tty-usage" "$BIN" "x${ESC}[2J"
clean_tty "$TMP/tty-usage"
has "$TMP/tty-usage" "unknown command 'x\\x1b[2J'"


# keyed pseudonyms: BLAKE2b under a key in a file the user controls.  The
# committed test key gives the names computed apart (Python's
# hashlib.blake2b(id, key=bytes(range(32)), digest_size=16)); another key
# gives others; the unkeyed hash of before (which hashing R0000-R9999
# reversed) is gone
expect 0 "$BIN" report --out "$TMP/keyed" --key-file "$KEY" --quiet
has "$TMP/keyed/deals.csv" ",rep-ecede3c0f8,"          # R0002
lacks "$TMP/keyed/deals.csv" "rep-fa531843f4"          # R0002 unkeyed
expect 0 "$BIN" deals --key-file "$KEY" --quiet
has "$TMP/out" ",rep-ecede3c0f8,"
head -c 32 /dev/urandom >"$TMP/key2"
chmod 600 "$TMP/key2"
expect 0 "$BIN" deals --key-file "$TMP/key2" --quiet
lacks "$TMP/out" ",rep-ecede3c0f8,"
# the default key: made under $XDG_CONFIG_HOME (else ~/.config) on first
# use, mode 0600, 32 bytes, with a warning naming it; the same afterwards
expect 0 env XDG_CONFIG_HOME="$TMP/xdg" "$BIN" deals
has "$TMP/err" "created the pseudonym key $TMP/xdg/compsight/key"
[ "$(stat -c '%a %s' "$TMP/xdg/compsight/key")" = "600 32" ] && ok || bad "the default key is not 32 bytes, mode 0600"
[ "$(stat -c %a "$TMP/xdg/compsight")" = 700 ] && ok || bad "the key's directory is not mode 0700"
cp "$TMP/out" "$TMP/deals-default1"
expect 0 env XDG_CONFIG_HOME="$TMP/xdg" "$BIN" deals
lacks "$TMP/err" "created the pseudonym key"
cmp -s "$TMP/out" "$TMP/deals-default1" && ok || bad "pseudonyms changed between two runs with the default key"
expect 0 "$BIN" deals --quiet
[ -s "$HOME/.config/compsight/key" ] && ok || bad "no key made under ~/.config without XDG_CONFIG_HOME"
# a key others can read, or of the wrong size, is refused (exit 2) before
# anything is read or written
cp "$KEY" "$TMP/key-open"
chmod 644 "$TMP/key-open"
expect 2 "$BIN" report --key-file "$TMP/key-open" --out "$TMP/key-open-out"
has "$TMP/err" "pseudonym key $TMP/key-open: mode 0644 lets others read or change it"
[ ! -e "$TMP/key-open-out" ] && ok || bad "a refused key still wrote a report"
head -c 16 "$KEY" >"$TMP/key-short"
chmod 600 "$TMP/key-short"
expect 2 "$BIN" deals --key-file "$TMP/key-short"
has "$TMP/err" "16 bytes, a key is exactly 32"
# --private deals needs no key; check, whatif and propose take none
expect 0 "$BIN" deals --private --key-file "$TMP/key-open" --quiet
expect 1 "$BIN" check --key-file "$KEY"
has "$TMP/err" "check takes no option '--key-file'"


# no rep id or name outside private/: with --private the shared deals.csv
# keeps its pseudonyms and private/deals.csv (mode 0700 directory) has the ids
expect 0 "$BIN" report --out "$TMP/priv2" --private --key-file "$KEY" --quiet
if grep -q ',R0[0-9]*,' "$TMP/priv2/deals.csv"; then bad "--private put rep ids into the shared deals.csv"; else ok; fi
has "$TMP/priv2/deals.csv" ",rep-ecede3c0f8,"
has "$TMP/priv2/private/deals.csv" ",R0002,"
cmp -s "$TMP/priv2/deals.csv" "$TMP/keyed/deals.csv" && ok || bad "--private changed the shared deals.csv"


# files compsight writes for itself round-trip: a plan id beginning with @
# is written as it is in options/N.csv (an input), so the documented
# `whatif --plans options/1.csv` re-run works; the spreadsheet table
# proposal_options.csv stays neutralised
A="$TMP/atplan"
mkdir -p "$A"
cp "$SAMPLE/"*.csv "$A/"
for f in plans.csv reps.csv assignments.csv quotas.csv; do sed 's/MM-Q/@MM-Q/g' "$SAMPLE/$f" >"$A/$f"; done
expect 0 "$BIN" propose --data "$A" --out "$TMP/atprop" --period all --quiet
# (an option file lists the one plan it changes: some option changes @MM-Q)
grep -q '^@MM-Q' "$TMP/atprop/options/"*.csv && ok || bad "no options/N.csv names @MM-Q as plans.csv does"
grep -q "'@MM-Q" "$TMP/atprop/options/"*.csv && bad "an options/N.csv neutralises @MM-Q" || ok
has "$TMP/atprop/proposal_options.csv" "'@MM-Q"
for k in 1 2; do
    expect 0 "$BIN" whatif --data "$A" --plans "$TMP/atprop/options/$k.csv" --out "$TMP/atwi$k" --period all --quiet
done
a=$(grep -m1 '"risky_diff":' "$TMP/atprop/proposal.json" | tr -d ' ,')
b=$(grep -m1 '"risky_diff":' "$TMP/atwi1/whatif.json" | tr -d ' ,')
[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "whatif on options/1.csv with an @ plan does not reproduce the proposal ($a, $b)"


# never write where the output would overwrite or sit inside the input:
# --out equal to --data, or holding an input file (through a map's
# `file =` or a link too), is exit 1 before anything is read; the data is
# left as it was
D="$TMP/dd"
mkdir -p "$D"
cp "$SAMPLE/"*.csv "$D/"
sha1sum "$D"/* >"$TMP/dd.sum"
expect 1 "$BIN" report --data "$D" --out "$D" --key-file "$KEY"
has "$TMP/err" "the output directory $D is the data directory"
expect 1 "$BIN" report --data "$D" --out "$D/." --key-file "$KEY" --period each
expect 1 "$BIN" propose --data "$D" --out "$D"
expect 1 "$BIN" whatif --data "$D" --out "$D" --plans "$SAMPLE/plans.csv"
expect 1 "$BIN" report --data "$D" --out "$TMP" --key-file "$KEY"
has "$TMP/err" "holds the input file $D/"
sha1sum -c --quiet "$TMP/dd.sum" && ok || bad "--out over --data changed the data"
[ "$(ls "$D" | wc -l)" = "$(ls "$SAMPLE" | wc -l)" ] && ok || bad "--out over --data added files to it"
# before anything is read: a malformed deals.csv would be exit 2
printf 'deal_id,rep_id\n"D1,R1\n' >"$D/deals.csv"
expect 1 "$BIN" report --data "$D" --out "$D" --key-file "$KEY"
cp "$SAMPLE/deals.csv" "$D/deals.csv"
# a map's `file =` names an input that is (through a link) inside --out
M="$TMP/mapped"
mkdir -p "$M" "$TMP/mapped-out"
cp "$SAMPLE/"*.csv "$M/"
mv "$M/deals.csv" "$TMP/mapped-out/export.csv"
ln -s "$TMP/mapped-out/export.csv" "$M/export.csv"
printf '[deals]\nfile = export.csv\n' >"$TMP/mapped.ini"
expect 1 "$BIN" report --data "$M" --map "$TMP/mapped.ini" --out "$TMP/mapped-out" --key-file "$KEY"
has "$TMP/err" "holds the input file $M/export.csv"
[ -s "$TMP/mapped-out/export.csv" ] && [ ! -e "$TMP/mapped-out/report.md" ] && ok || bad "a mapped input inside --out was written over"
expect 0 "$BIN" report --data "$M" --map "$TMP/mapped.ini" --out "$TMP/mapped-out2" --key-file "$KEY" --quiet
# the what-if's plans file inside its --out
mkdir -p "$TMP/wi-in"
cp "$SAMPLE/plans.csv" "$TMP/wi-in/alt.csv"
expect 1 "$BIN" whatif --plans "$TMP/wi-in/alt.csv" --out "$TMP/wi-in"
has "$TMP/err" "holds the plans file $TMP/wi-in/alt.csv"
# an output directory inside the data directory is fine (it holds no input)
expect 0 "$BIN" report --data "$D" --out "$D/report" --key-file "$KEY" --quiet


# rejects.csv in a report names reps by pseudonym: a Salesforce owner who
# left (his full name is the rep_id) is not in the shared rejects.csv; the
# real one is in private/rejects.csv with --private, and on the operator's
# own screen (check)
S="$TMP/sf-departed"
mkdir -p "$S"
cp "$HERE/salesforce/"*.csv "$S/"
printf '"0065g00000ZzZzZ","Departed Employee Smith","Gamma GmbH","New Customer","9,000.00","1/10/2026","3/20/2026","Closed Won","Q1-2026"\n' >>"$S/deals.csv"
printf 'Dup Owner,Dup Owner,Mid-Market,AE,MM\nDup Owner,Dup Owner,Mid-Market,AE,MM\n' >>"$S/reps.csv"
expect 0 "$BIN" report --data "$S" --map salesforce --out "$TMP/sf-rep" --key-file "$KEY" --private --quiet
lacks "$TMP/sf-rep/rejects.csv" "Departed Employee Smith"
lacks "$TMP/sf-rep/rejects.csv" "Dup Owner"
has "$TMP/sf-rep/rejects.csv" "unknown rep_id rep-"
grep -q '^reps.csv,[0-9]*,rep_id,duplicate rep_id rep-[0-9a-f]\{10\} (first on line' "$TMP/sf-rep/rejects.csv" && ok ||
    bad "rejects.csv: the duplicate rep_id is not named by its pseudonym"
has "$TMP/sf-rep/private/rejects.csv" 'unknown rep_id ""Departed Employee Smith""'
# the name's pseudonym is the one its key gives (Python: hashlib.blake2b)
has "$TMP/sf-rep/rejects.csv" "unknown rep_id rep-$(printf 'Departed Employee Smith' | python3 -c 'import hashlib,sys; print(hashlib.blake2b(sys.stdin.buffer.read(), key=bytes(range(32)), digest_size=16).hexdigest()[:10])' 2>/dev/null || echo python3-missing)"
for f in $(cd "$TMP/sf-rep" && find . -type f ! -path './private/*'); do
    if grep -qF "Departed Employee Smith" "$TMP/sf-rep/$f"; then bad "the departed owner's name in shared $f"; fi
done
ok
expect 0 "$BIN" check --data "$S" --map salesforce
has "$TMP/out" 'unknown rep_id "Departed Employee Smith"'
# a run without --private removes the private/ an earlier run left there
expect 0 "$BIN" report --data "$S" --map salesforce --out "$TMP/sf-rep" --key-file "$KEY" --quiet
[ ! -e "$TMP/sf-rep/private" ] && ok || bad "a run without --private kept the earlier private/"
expect 0 "$BIN" report --out "$TMP/each-priv" --period each --private --key-file "$KEY" --quiet
[ -s "$TMP/each-priv/2026Q4/private/deals.csv" ] && ok || bad "--period each --private wrote no private/ per quarter"
expect 0 "$BIN" report --out "$TMP/each-priv" --period each --key-file "$KEY" --quiet
[ -z "$(find "$TMP/each-priv" -name private)" ] && ok || bad "--period each without --private kept an earlier private/"


# a team or plan of fewer than 3 reps is not shown on its own in shared
# output: R0002 alone on team "Solo Team" and plan SOLO-Y (a plan that is a
# person), R0003 and R0004 on "Duo Team", which leaves R0005 alone in
# Enterprise East.  The three small teams are pooled as "other teams" (4
# reps); SOLO-Y, even pooled one rep, is left out, with
# a note, from the tables, the plots (no threshold plot), results.json,
# deals.csv and the proposal (not simulated); private/ has them
G="$TMP/smallgroups"
mkdir -p "$G"
cp "$OLDSAMPLE/"*.csv "$G/"      # (one plan and team per rep: see the ranges test)
awk 'BEGIN{FS=OFS=","} $1=="R0002" {$3="Solo Team"; $5="SOLO-Y"} $1=="R0003" || $1=="R0004" {$3="Duo Team"} {print}' \
    "$OLDSAMPLE/reps.csv" >"$G/reps.csv"
grep '^ENT-Y,' "$OLDSAMPLE/plans.csv" | sed 's/^ENT-Y,/SOLO-Y,/' >>"$G/plans.csv"
expect 0 "$BIN" report --data "$G" --out "$TMP/sg" --period all --key-file "$KEY" --quiet
for w in "Solo Team" "Duo Team" "SOLO-Y"; do
    # (proposal/options/N.csv, inputs for whatif --plans, list every plan:
    # SECURITY.md, known issues)
    left=$(cd "$TMP/sg" && grep -rlF -- "$w" . | grep -v '^./private/\|^./proposal/options/' | tr '\n' ' ')
    [ -z "$left" ] && ok || bad "a group of fewer than 3 reps ($w) is named in shared output: $left"
done
has "$TMP/sg/report.md" "| other teams (3) |"
has "$TMP/sg/report.md" "Other teams: 3 teams with fewer than 3 reps each, 4 reps together."
has "$TMP/sg/report.md" "1 plan with fewer than 3 reps is left out"
has "$TMP/sg/report.md" "1 plan with fewer than 3 reps is left out: its attainments would describe its reps."
has "$TMP/sg/deals.csv" ",other teams,"
grep -q ',other teams,,' "$TMP/sg/deals.csv" && ok || bad "deals.csv: SOLO-Y's deals do not leave the plan blank"
has "$TMP/sg/results.json" '"team": "other teams"'
has "$TMP/sg/results.json" '"bunching_plans_left_out": 1'
has "$TMP/sg/proposal/proposal.md" "1 plan with fewer than 3 reps who won deals"
has "$TMP/sg/proposal/proposal.json" '"plans_not_shown": 1'
sed 's/^\(ENT-Y,.*\),1.30,0.1200$/\1,1.30,0.1100/; s/^\(SOLO-Y,.*\),1.30,0.1200$/\1,1.30,0.1100/' "$G/plans.csv" >"$TMP/sg-alt.csv"
expect 0 "$BIN" whatif --data "$G" --plans "$TMP/sg-alt.csv" --out "$TMP/sg-wi" --period all --quiet
has "$TMP/sg-wi/whatif.md" "| ENT-Y |"
lacks "$TMP/sg-wi/whatif.md" "SOLO-Y"
lacks "$TMP/sg-wi/whatif.json" "SOLO-Y"
has "$TMP/sg-wi/whatif.md" "1 plan with fewer than 3 reps who won deals is not shown by itself"
expect 0 "$BIN" report --data "$G" --out "$TMP/sg-priv" --period all --key-file "$KEY" --private --quiet
has "$TMP/sg-priv/private/deals.csv" ",Solo Team,SOLO-Y,"
# the report's "Teams with rejected rows" names a team only when shared
# output shows it: a rejected deal each of R0002 (Solo Team), R0003 (Duo
# Team) and R0006 (a team of 3 or more), and a rejected plans.csv row to
# make the warning show
GR="$TMP/smallgroups-rejects"
mkdir -p "$GR"
cp "$G/"*.csv "$GR/"
echo "BAD-Q,quarter,lots,0.00,0.1000" >>"$GR/plans.csv"
big=$(awk -F, '$1=="R0006" {print $3}' "$G/reps.csv")
for r in R0002 R0003 R0006; do
    echo "DX$r,$r,Some Account,new,Mobile,not-a-number,0,2025-01-02,2025-02-03,won" >>"$GR/deals.csv"
done
expect 0 "$BIN" report --data "$GR" --out "$TMP/sg-rej" --period all --key-file "$KEY" --quiet
has "$TMP/sg-rej/report.md" "Teams with rejected rows (of reps.csv and deals.csv): **$big** (1 row); and 2 teams of fewer than 3 reps, not named (2 rows)."
# and its "Plans with rejected rows" likewise: SOLO-Y (one rep) and BAD-Q
# (no reps) are counted, not named
has "$TMP/sg-rej/report.md" "Plans with rejected rows (of plans.csv, or of their reps and deals): **ENT-Y** (1 row); and 2 plans not shown on their own (no reps who won deals, or fewer than 3), not named (2 rows)."
for w in "Solo Team" "Duo Team" "SOLO-Y"; do
    lacks "$TMP/sg-rej/report.md" "$w"
    lacks "$TMP/sg-rej/report.html" "$w"
done


echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
