#!/bin/sh
# Real exports as they come (SPEC 12), from the command line: the fixtures of
# tests/fixtures/real/ (see its README), the options, and a Windows-1252,
# semicolon, decimal-comma, CRLF copy of the bundled sample that must give
# the same figures as the sample itself.
# usage: real.sh /path/to/compsight
set -eu
LC_ALL=C
export LC_ALL
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
REAL=$HERE/../fixtures/real
SAMPLE=$HERE/../../data/sample
TMP=$(mktemp -d /tmp/compsight-real.XXXXXX)
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
SOURCE_DATE_EPOCH=1790000000
export SOURCE_DATE_EPOCH
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
    if grep -qF -- "$2" "$1"; then ok; else bad "$1 lacks: $2"; sed 's/^/  | /' "$1" | head -8; fi
}

# lacks FILE TEXT
lacks() {
    if grep -qF -- "$2" "$1"; then bad "$1 has: $2"; else ok; fi
}

# --- options --------------------------------------------------------------
expect 1 "$BIN" check --encoding ebcdic;      has "$TMP/err" "--encoding takes auto, utf-8"
expect 1 "$BIN" check --delimiter :;          has "$TMP/err" "--delimiter takes auto"
expect 1 "$BIN" check --max-rejected 101;     has "$TMP/err" "--max-rejected takes a percentage"
expect 1 "$BIN" check --max-rejected x;       has "$TMP/err" "--max-rejected takes a percentage"
expect 1 "$BIN" report --all;                 has "$TMP/err" "report takes no option '--all'"
expect 0 "$BIN" check --help;                 has "$TMP/out" "--max-rejected PCT"
has "$TMP/out" "--encoding auto|utf-8|windows-1252|iso-8859-1"
has "$TMP/out" "  --all "
expect 1 "$BIN" check --map nonesuch-preset;  has "$TMP/err" "presets: salesforce, salesforce-api, hubspot"

# --- a Windows-1252 file from European Excel --------------------------------
expect 0 "$BIN" check --data "$REAL/excel-1252" --decimal-comma
has "$TMP/out" "note: deals.csv: not UTF-8, read as Windows-1252; delimited by semicolons"
has "$TMP/out" "usable"
expect 0 "$BIN" deals --data "$REAL/excel-1252" --decimal-comma --period all --quiet
has "$TMP/out" "Équipe “Nord” €"
has "$TMP/out" "Café Grün GmbH"
has "$TMP/out" "12500.5"
expect 0 "$BIN" report --data "$REAL/excel-1252" --decimal-comma --period all --out "$TMP/x1252" --quiet
has "$TMP/x1252/report.md" "deals.csv is not UTF-8: it was read as Windows-1252"
# --encoding utf-8: the same bytes are invalid UTF-8 (and no rep is left)
expect 2 "$BIN" check --data "$REAL/excel-1252" --decimal-comma --encoding utf-8
has "$TMP/out" "invalid UTF-8"
has "$TMP/out" "hint: reps.csv is not UTF-8: read it with --encoding windows-1252"
# --delimiter , on a semicolon file: the header says what is wrong
expect 2 "$BIN" check --data "$REAL/excel-1252" --delimiter ,
has "$TMP/err" "is the delimiter ';'?"

# --- a Salesforce report with its footer ------------------------------------
expect 0 "$BIN" check --data "$REAL/sf-report" --map salesforce --strict
has "$TMP/out" "note: deals.csv: 4 rows excluded (footer: 4; check --all lists them)"
expect 0 "$BIN" check --data "$REAL/sf-report" --map salesforce --all
has "$TMP/out" "deals.csv:8: excluded: footer"
has "$TMP/out" "deals.csv:11: excluded: footer"
expect 0 "$BIN" report --data "$REAL/sf-report" --map salesforce --period all --out "$TMP/sfr" --strict --quiet
has "$TMP/sfr/excluded.csv" "file,line,reason,source_file"
has "$TMP/sfr/excluded.csv" "deals.csv,10,footer,deals.csv"
has "$TMP/sfr/results.json" '"rows_excluded": {'
has "$TMP/sfr/results.json" '"footer": 4'
has "$TMP/sfr/report.md" "4 rows left out on purpose"
has "$TMP/sfr/report.md" "(excluded.csv)"

# --- D/M dates under the US preset ------------------------------------------
expect 2 "$BIN" check --data "$REAL/sf-ddmm" --map salesforce
has "$TMP/err" "compsight: deals.csv:4: Created Date (created_date): \"20/01/2026\" is not M/D/YYYY"
has "$TMP/err" "use --date-format eu"
expect 0 "$BIN" deals --data "$REAL/sf-ddmm" --map salesforce --date-format eu --period all --quiet
has "$TMP/out" ",2026-04-07,"
lacks "$TMP/out" ",2026-07-04,"

# --- a Salesforce Data Export, API names, with our own map after the preset -
expect 2 "$BIN" check --data "$REAL/sf-export" --map salesforce-api
has "$TMP/out" "Opportunity.csv (deals.csv): 7 of 8 rows rejected"
has "$TMP/out" "OwnerId (rep_id): rep \"0055g000004QaAAA\" owns deals but has no plan_id in User.csv"
has "$TMP/out" "hint: most deals belong to reps without a plan"
has "$TMP/err" "no usable won deals"
expect 0 "$BIN" check --data "$REAL/sf-export" --map salesforce-api --map "$REAL/sf-export/ours.ini" --strict
has "$TMP/out" "note: User.csv (reps.csv): not UTF-8, read as Windows-1252; 1 row excluded (exclude.UserType = AutomatedProcess: 1"
has "$TMP/out" "note: Opportunity.csv (deals.csv): 1 row excluded (exclude.IsDeleted = true: 1"
has "$TMP/out" "won deals: 4"
# the order of the maps matters: ours first, the preset's type.blank unset
printf '[deals]\ntype.blank = renewal\n' >"$TMP/renewal.ini"
expect 0 "$BIN" deals --data "$REAL/sf-export" --map salesforce-api --map "$REAL/sf-export/ours.ini" \
    --map "$TMP/renewal.ini" --period all --quiet
has "$TMP/out" ",renewal,"
# a report with nothing usable says why
expect 2 "$BIN" report --data "$REAL/sf-export" --map salesforce-api --out "$TMP/none" --quiet
has "$TMP/err" "compsight: nothing usable; the rows were rejected for these reasons:"
has "$TMP/err" "compsight:   hint: most deals belong to reps without a plan"
has "$TMP/err" "compsight: deals.csv: no usable won deals: nothing to analyse"
# more than 20% rejected: the report says so first; --max-rejected exits 3
printf '[reps]\nplan_id.default = AE-Q\n' >"$TMP/plan.ini"
expect 0 "$BIN" report --data "$REAL/sf-export" --map salesforce-api --map "$TMP/plan.ini" \
    --period all --out "$TMP/loud" --quiet
has "$TMP/loud/report.md" "**Read this first: rows are missing from this report.**"
has "$TMP/loud/report.md" "43% of the rows of deals.csv (read from Opportunity.csv) were rejected (3 of 7)."
# (a team of two reps, Ventas Sur, is counted, not named: groups.h)
has "$TMP/loud/report.md" "Teams with rejected rows (of reps.csv and deals.csv): 2 teams of fewer than 3 reps, not named (3 rows)."
lacks "$TMP/loud/report.md" "Ventas Sur"
has "$TMP/loud/rejects.csv" "file,line,column,reason,source_file,source_column"
has "$TMP/loud/rejects.csv" "deals.csv,3,type,required value is missing,Opportunity.csv,Type"
head -12 "$TMP/loud/report.md" | grep -qF "Read this first" && ok || bad "the warning is not first in report.md"
expect 3 "$BIN" report --data "$REAL/sf-export" --map salesforce-api --map "$TMP/plan.ini" \
    --period all --out "$TMP/loud3" --max-rejected 40 --quiet
has "$TMP/err" "compsight: deals.csv: 42.9% of the rows rejected (3 of 7), more than --max-rejected 40%"
expect 0 "$BIN" report --data "$REAL/sf-export" --map salesforce-api --map "$TMP/plan.ini" \
    --period all --out "$TMP/loud4" --max-rejected 45 --quiet
expect 3 "$BIN" check --data "$REAL/sf-export" --map salesforce-api --map "$TMP/plan.ini" --max-rejected 0
expect 0 "$BIN" check --data "$REAL/sf-export" --map salesforce-api --map "$TMP/plan.ini" --all
has "$TMP/out" "Opportunity.csv:3: Type (type): required value is missing"
has "$TMP/out" "User.csv:5: excluded: exclude.UserType = AutomatedProcess"

# --- a vtiger dump: no header, \N, backslash escapes --------------------------
expect 0 "$BIN" check --data "$REAL/vtiger" --map "$REAL/vtiger/vtiger.ini" --strict
has "$TMP/out" "won deals: 3"
expect 0 "$BIN" deals --data "$REAL/vtiger" --map "$REAL/vtiger/vtiger.ini" --period all --quiet
has "$TMP/out" 'POT1,'
has "$TMP/out" '"Acme ""Big"" Corp"'

# --- the sample, as European Excel would save it ------------------------------
# Windows-1252, ';', decimal comma, CRLF, accented letters, a euro sign and
# curly quotes in team and feature names; then with D.M.YYYY dates.  The
# figures of results.json must be those of the sample (the same names
# written in UTF-8 with commas): byte for byte.
recode() {  # recode SRC DST DATES(iso|dmy)
    mkdir -p "$2"
    for f in "$1"/*.csv; do
        perl -CS -Mutf8 -e '
            my $dmy = $ARGV[0] eq "dmy";
            my @names = (["Enterprise East", "Entreprise Est “Île” €"],
                         ["Mid-Market", "Mittelstand Süd"],
                         ["SMB", "PME Côte d’Azur"],
                         ["Single sign-on", "Authentification unique “SSO” à €0"]);
            binmode STDIN, ":encoding(UTF-8)";
            while (my $line = <STDIN>) {
                chomp $line;
                my @f; my $rest = $line;
                while (1) {                     # RFC 4180 fields
                    if ($rest =~ s/^"((?:[^"]|"")*)"//) { (my $v = $1) =~ s/""/"/g; push @f, $v; }
                    else { $rest =~ s/^([^,]*)//; push @f, $1; }
                    last unless $rest =~ s/^,//;
                }
                for (@f) {
                    for my $n (@names) { s/\Q$n->[0]\E/$n->[1]/g; }
                    s/^(-?\d+)\.(\d+)$/$1,$2/;                      # decimal comma
                    s/^(\d{4})-(\d\d)-(\d\d)$/$3.$2.$1/ if $dmy;    # D.M.YYYY
                    $_ = "\"" . s/"/""/gr . "\"" if /[;"\r\n]/;
                }
                print join(";", @f), "\r\n";
            }' "$3" <"$f" | iconv -f UTF-8 -t WINDOWS-1252 >"$2/$(basename "$f")"
    done
}
names() {  # names SRC DST: the same names, in UTF-8 with commas
    mkdir -p "$2"
    for f in "$1"/*.csv; do
        sed -e 's/Enterprise East/Entreprise Est “Île” €/g' -e 's/Mid-Market/Mittelstand Süd/g' \
            -e 's/SMB/PME Côte d’Azur/g' \
            -e 's/Single sign-on/Authentification unique “SSO” à €0/g' "$f" >"$2/$(basename "$f")"
    done
}
recode "$SAMPLE" "$TMP/eu" iso
recode "$SAMPLE" "$TMP/eu-dmy" dmy
names "$SAMPLE" "$TMP/utf8"
grep -q "$(printf '\223')" "$TMP/eu/reps.csv" && ok || bad "the copy has no Windows-1252 curly quote"
grep -q "$(printf '\r')" "$TMP/eu/deals.csv" && ok || bad "the copy has no CRLF"
grep -q ';' "$TMP/eu/deals.csv" && grep -Eq ';[0-9]+,[0-9]+;' "$TMP/eu/deals.csv" && ok || bad "the copy has no ; or decimal comma"
grep -Eq '[0-9]{2}\.[0-9]{2}\.[0-9]{4}' "$TMP/eu-dmy/deals.csv" && ok || bad "the copy has no D.M.YYYY dates"
expect 0 "$BIN" report --data "$TMP/utf8" --out "$TMP/r-utf8" --period all --quiet
expect 0 "$BIN" report --data "$TMP/eu" --decimal-comma --out "$TMP/r-eu" --period all --quiet
expect 0 "$BIN" report --data "$TMP/eu-dmy" --decimal-comma --date-format eu --out "$TMP/r-dmy" --period all --quiet
# the data directory's name is in no figure; the trust box names the encoding
cmp -s "$TMP/r-utf8/results.json" "$TMP/r-eu/results.json" && ok || {
    bad "results.json of the Windows-1252 copy differs"; diff "$TMP/r-utf8/results.json" "$TMP/r-eu/results.json" | head -10; }
cmp -s "$TMP/r-utf8/results.json" "$TMP/r-dmy/results.json" && ok || {
    bad "results.json of the D.M.YYYY copy differs"; diff "$TMP/r-utf8/results.json" "$TMP/r-dmy/results.json" | head -10; }
cmp -s "$TMP/r-utf8/deals.csv" "$TMP/r-eu/deals.csv" && ok || bad "deals.csv of the copy differs"
has "$TMP/r-eu/report.md" "reps.csv is not UTF-8: it was read as Windows-1252"
has "$TMP/r-eu/report.md" "roadmap.csv is not UTF-8: it was read as Windows-1252"
has "$TMP/r-eu/deals.csv" "Entreprise Est “Île” €"
# and the names aside, the figures are the sample's
expect 0 "$BIN" report --data "$SAMPLE" --out "$TMP/r-sample" --period all --quiet
sed -e 's/Enterprise East/Entreprise Est “Île” €/g' -e 's/Mid-Market/Mittelstand Süd/g' \
    -e 's/SMB/PME Côte d’Azur/g' -e 's/Single sign-on/Authentification unique “SSO” à €0/g' \
    "$TMP/r-sample/results.json" >"$TMP/sample-named.json"
cmp -s "$TMP/sample-named.json" "$TMP/r-eu/results.json" && ok || {
    bad "results.json of the copy is not the sample's"; diff "$TMP/sample-named.json" "$TMP/r-eu/results.json" | head -10; }

echo "real exports: $pass passed, $fail failed"
[ "$fail" = 0 ]
