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
grep -qxF -- "$BIN report" "$TMP/make-n" && ok || { bad "make report does not run a plain '$BIN report'"; tail -3 "$TMP/make-n"; }

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
expect 0 "$BIN" report --data "$HERE/../reference/handmade" --period all --out "$TMP/gold" --quiet
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
# neutralised ('=ENT-Y), and whatif reads that form back (issue 22)
mkdir -p "$TMP/fx"
for f in plans reps deals quotas spiffs roadmap promises; do
    sed 's/ENT-Y/=ENT-Y/g; s/MM-Q/+MM-Q/g; s/SMB-Q/@SMB-Q/g' "$W/data/$f.csv" >"$TMP/fx/$f.csv"
done
expect 0 "$BIN" propose --data "$TMP/fx" --out "$TMP/fxp" --period all --quiet
has "$TMP/fxp/options/1.csv" "'"
expect 0 "$BIN" whatif --data "$TMP/fx" --plans "$TMP/fxp/options/1.csv" --out "$TMP/fxw" --period all --quiet
a=$(tr -d ' \n' <"$TMP/fxp/proposal.json" | grep -o '"commission_diff_ci":[^"]*' | head -1)
b=$(tr -d ' \n' <"$TMP/fxw/whatif.json" | grep -o '"commission_diff_ci":[^"]*' | head -1)
[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "a neutralised options/1.csv does not reproduce the proposal ($a, $b)"
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
# issue 22: a plan per rep (25 plans): the proposal simulates the 20 plans with
# the most won deals and names the others; bunching examines 20 plans
mkdir -p "$TMP/pp"
cp "$HERE"/../../data/sample/*.csv "$TMP/pp/"
awk -F, -v OFS=, 'NR == FNR { if (FNR > 1) tiers[$1] = tiers[$1] $0 "\n"; next }
    FNR == 1 { print > "'"$TMP/pp/reps.csv"'"; print "plan_id,period_type,quota,tier_floor,rate" > "'"$TMP/pp/plans.csv"'"; next }
    $5 != "" { n = split(tiers[$5], t, "\n")
               for (i = 1; i < n; i++) { sub(/^[^,]*/, "P-" $1, t[i]); print t[i] > "'"$TMP/pp/plans.csv"'" }
               $5 = "P-" $1 }
    { print > "'"$TMP/pp/reps.csv"'" }' "$HERE/../../data/sample/plans.csv" "$HERE/../../data/sample/reps.csv"
expect 0 "$BIN" report --data "$TMP/pp" --out "$TMP/ppr" --period all --quiet
has "$TMP/ppr/proposal/proposal.json" '"kind": "plans_beyond_limit"'
has "$TMP/ppr/proposal/proposal.md" "5 more plans with won deals in"
has "$TMP/ppr/proposal/proposal.md" "the proposal simulates the 20 plans with the most won deals"
[ "$(grep -o '"plan_id": "P-R[0-9]*"' "$TMP/ppr/proposal/proposal_options.csv" "$TMP/ppr/proposal/proposal.json" | sort -u | wc -l)" -le 25 ] && ok || bad "proposal lists too many plans"
n=$(tail -n +2 "$TMP/ppr/proposal/proposal_options.csv" | cut -d, -f3 | sort -u | wc -l)
[ "$n" -le 20 ] && [ "$n" -gt 0 ] && ok || bad "the proposal simulated $n plans, not at most 20"
has "$TMP/ppr/results.json" '"bunching_not_examined"'
has "$TMP/ppr/report.md" "The 20 plans with the most rep-periods are examined; 5 other plans"
expect 0 "$BIN" whatif --data "$TMP/pp" --plans "$TMP/ppr/proposal/options/1.csv" --out "$TMP/ppw" --period all --quiet
has "$TMP/ppw/whatif.md" "The plans it leaves out carry over unchanged:"
has "$TMP/ppw/whatif.md" "and 14 more (whatif.json names them all)"
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


echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
