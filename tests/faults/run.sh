#!/bin/sh
# Fault injection: each fault gets its SPEC 10 exit code, a clear message, and no partial report.
# usage: tests/faults/run.sh /path/to/compsight          (`make fault-tests`)
#
# Faults are injected without privileges (CI runs as root, where chmod
# cannot make a directory unwritable): an LD_PRELOAD shim (failwrite.c,
# built here with $CC) fails open/write/rename/mkdir/read on chosen paths;
# /dev/full stands in for a full disk; a regular file stands where a
# directory should be; fake gnuplot programs on PATH go missing, die or
# hang; a second shim (failmalloc.c) fails the Nth allocation.
#
# Deterministic on a loaded machine: no check depends on how fast anything
# runs, and every run makes the same checks, so the count is the same on
# every run.  A kill or a hang is made to happen by the fake gnuplot, never
# raced against a deadline (see "gnuplot missing, killed while drawing, or
# hanging" below); the allocation sweep runs compsight on one thread (see
# "Allocation failures").  The test only ever kills processes it started,
# by pid.
#
# After an output fault the output directory must hold no report.md,
# report.html, results.json and no *.tmp (nor a plot's private directory,
# nor a staging directory): a leadership report is all there or not there;
# an earlier report in the same directory must be left exactly as it was.
# Each step fails in turn: creating, writing, renaming a file, and moving
# the finished report into place.  After an input fault (exit 2) nothing is
# written at all.
#
# A plot gnuplot cannot draw costs the picture, not the report
# (src/cli/cmd_report.c, docs/PLOTS.md): exit 0, a warning naming the plot, the
# report says so, and no half image.  Set GNUPLOT_FAIL_EXIT=4 to demand
# exit 4 instead.
set -eu
LC_ALL=C
export LC_ALL
if [ $# -ne 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 /path/to/compsight" >&2
    exit 1
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DATA=$ROOT/data/sample
GNUPLOT_FAIL_EXIT=${GNUPLOT_FAIL_EXIT:-0}
TMP=$(mktemp -d /tmp/compsight-faults.XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM
# the committed test key (a copy: a key must be mode 0600), and a home of
# our own, so that nothing is written into the tester's
KEY=$TMP/key
cp "$HERE/../fixtures/key" "$KEY"
chmod 600 "$KEY"
HOME=$TMP/home
export HOME
unset XDG_CONFIG_HOME
SOURCE_DATE_EPOCH=1790000000
export SOURCE_DATE_EPOCH
# a sanitizer build wants its runtime first; the shim may come before it
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS
pass=0
fail=0
skip=0

${CC:-cc} -shared -fPIC -O2 -o "$TMP/failwrite.so" "$HERE/failwrite.c" -ldl
SHIM=$TMP/failwrite.so

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
skipped() { skip=$((skip + 1)); echo "skip: $*"; }

# run NAME CODE [VAR=VALUE...] -- ARGS...: run compsight with the variables
# in its environment; stdout/stderr in $TMP/out, $TMP/err; check the code.
run() {
    name=$1 want=$2
    shift 2
    envs=""
    while [ "$1" != "--" ]; do
        envs="$envs $1"
        shift
    done
    shift
    rm -f "$TMP/log"
    set +e
    # shellcheck disable=SC2086
    env $envs "$BIN" "$@" >"$TMP/out" 2>"$TMP/err"
    got=$?
    set -e
    if [ "$got" = "$want" ]; then
        ok
    else
        bad "$name: exit $got, wanted $want"
        sed 's/^/  | /' "$TMP/err" | head -5
    fi
}

# fault NAME CODE OP PATH [VAR=VALUE...] -- ARGS...: run with the shim
fault() {
    name=$1 want=$2 op=$3 path=$4
    shift 4
    run "$name" "$want" LD_PRELOAD="$SHIM" FAULT_OP="$op" FAULT_PATH="$path" \
        FAULT_LOG="$TMP/log" "$@"
    if [ -s "$TMP/log" ]; then ok; else bad "$name: the fault was never injected"; fi
}

# says NAME TEXT: standard error holds TEXT (fixed string)
says() {
    if grep -qF -- "$2" "$TMP/err"; then ok; else
        bad "$1: stderr lacks: $2"
        sed 's/^/  | /' "$TMP/err" | head -5
    fi
}

# clean NAME DIR: no partial report in DIR
clean() {
    [ -d "$2" ] || { ok; return; }
    left=$(cd "$2" && find . \( -name report.md -o -name report.html -o -name results.json \
        -o -name '*.tmp' -o -path './plots/.*' -o -name '.compsight-*' \) -print | sort | tr '\n' ' ')
    if [ -z "$left" ]; then ok; else bad "$1: partial report left in the output directory: $left"; fi
}

# nothing NAME DIR: nothing at all was written
nothing() {
    if [ ! -e "$2" ] || [ -z "$(ls -A "$2")" ]; then ok; else
        bad "$1: files written after an input error: $(ls -A "$2" | tr '\n' ' ')"
    fi
}

# complete NAME DIR: a whole report
complete() {
    for f in report.md report.html results.json deals.csv rejects.csv; do
        [ -s "$2/$f" ] || { bad "$1: $f missing"; return; }
    done
    if [ -n "$(cd "$2" && find . -name '*.tmp' -o -path './plots/.*' -o -name '.compsight-*' | head -1)" ]; then
        bad "$1: temporary files left"
    else
        ok
    fi
}

R="report --data $DATA --key-file $KEY --quiet --out"

# ---------------------------------------------------------------------------
# Output faults: exit 4, a message naming the file and the reason, no report
# ---------------------------------------------------------------------------

# the output directory cannot be created: a regular file stands in the path
: >"$TMP/afile"
run "out under a file" 4 -- $R "$TMP/afile/report"
says "out under a file" "cannot create directory"
says "out under a file" "Not a directory"
run "out is a file" 4 -- $R "$TMP/afile"
says "out is a file" "$TMP/afile"

# mkdir refused (an unwritable parent, as for a non-root user)
fault "mkdir refused" 4 mkdir "$TMP/o-mkdir" -- $R "$TMP/o-mkdir/x"
says "mkdir refused" "Permission denied"
nothing "mkdir refused" "$TMP/o-mkdir"

# every output file in turn: cannot be created, disk full at once, disk
# full part way, cannot be renamed into place
for f in rejects.csv deals.csv results.json report.md report.html; do
    d=$TMP/o-open-$f
    fault "open $f" 4 open "/$f.tmp" -- $R "$d"
    says "open $f" "$f.tmp: Permission denied"
    clean "open $f" "$d"

    d=$TMP/o-full0-$f
    fault "disk full $f" 4 write "/$f.tmp" FAULT_AFTER=0 -- $R "$d"
    says "disk full $f" "$d/$f"          # where it would have been, not the staging directory
    says "disk full $f" "No space left on device"
    clean "disk full $f" "$d"

    d=$TMP/o-full-$f
    fault "quota full after 10 bytes of $f" 4 write "/$f.tmp" FAULT_AFTER=10 FAULT_ERRNO=EDQUOT -- $R "$d"
    says "quota full after 10 bytes of $f" "Disk quota exceeded"
    clean "quota full after 10 bytes of $f" "$d"

    d=$TMP/o-rename-$f
    fault "rename $f" 4 rename "/$f.tmp" FAULT_ERRNO=EACCES -- $R "$d"
    says "rename $f" "$f: Permission denied"
    clean "rename $f" "$d"
done

# a link planted where a temporary file could go is never followed: the
# report is staged in a fresh private directory (mkdtemp) and moved into
# place, so the planted link is neither written through nor replaced
d=$TMP/o-devfull
mkdir -p "$d"
ln -s /dev/full "$d/report.html.tmp"
run "link planted at report.html.tmp" 0 -- $R "$d"
[ -f "$d/report.html" ] && [ ! -L "$d/report.html" ] && ok || bad "link planted at report.html.tmp: report.html missing or a link"
[ -L "$d/report.html.tmp" ] && ok || bad "link planted at report.html.tmp: the planted link was touched"

# the last step fails: moving a finished file or directory from the
# staging directory into the output directory (rename to OUT/NAME)
for f in rejects.csv deals.csv results.json plots proposal report.md report.html; do
    d=$TMP/o-commit-$f
    fault "moving $f into place" 4 rename "$d/$f" FAULT_ERRNO=EIO -- $R "$d"
    says "moving $f into place" "Input/output error"
    clean "moving $f into place" "$d"
    if [ -d "$d" ] && [ -n "$(ls -A "$d")" ]; then
        bad "moving $f into place failed; left behind: $(ls -A "$d" | tr '\n' ' ')"
    else
        ok
    fi
done

# an earlier report in the same place stays as it was when a new one fails
# (the earlier one is for --period all, so that its files differ)
d=$TMP/o-earlier
run "earlier report" 0 -- $R "$d" --period all
sums() { (cd "$1" && find . -type f -exec sha1sum {} + | sort -k 2); }
sums "$d" >"$TMP/earlier.sum"
fault "new report.html disk full" 4 write "/report.html.tmp" -- $R "$d"
sums "$d" >"$TMP/after.sum"
if cmp -s "$TMP/earlier.sum" "$TMP/after.sum"; then ok; else
    bad "new report.html disk full: the earlier report was changed"
fi
for f in report.md results.json plots; do
    fault "moving the new $f into place" 4 rename "$d/$f" FAULT_ERRNO=EIO -- $R "$d"
    sums "$d" >"$TMP/after.sum"
    if cmp -s "$TMP/earlier.sum" "$TMP/after.sum"; then ok; else
        bad "moving the new $f into place failed, and the earlier report is now a mix; changed or gone: $(diff "$TMP/earlier.sum" "$TMP/after.sum" | grep '^[<>]' | sed 's/.*  //' | sort -u | head -8 | tr '\n' ' ')"
        # put the earlier report back for the next case
        rm -rf "$d"
        run "earlier report" 0 -- $R "$d" --period all
    fi
done

# the private report (--private) cannot be written
d=$TMP/o-private
fault "private/ refused" 4 mkdir "/private" -- $R "$d" --private
says "private/ refused" "private"
clean "private/ refused" "$d"
d=$TMP/o-private-full
fault "private/reps.csv disk full" 4 write "private/reps.csv" -- $R "$d" --private
says "private/reps.csv disk full" "No space left on device"
clean "private/reps.csv disk full" "$d"

# ---------------------------------------------------------------------------
# Whole or absent for every command that writes files: --period each (every
# quarter and the index, moved into place at once), whatif and propose.  An
# earlier output (made with other options, so that its files differ) stays
# exactly as it was when the new one fails at any step; a failure on an
# empty directory leaves no output file.  gnuplot is left out (PATH
# without it): plots do not change what is staged.
# ---------------------------------------------------------------------------
mkdir -p "$TMP/nobin"
for t in sh env; do
    p=$(command -v $t) && ln -sf "$p" "$TMP/nobin/$t"
done
NOGP="PATH=$TMP/nobin"
sums() { (cd "$1" && find . -type f -exec sha1sum {} + | sort -k 2); }
# unchanged NAME DIR: DIR holds exactly the files of $TMP/before.sum, and no
# staging directory
unchanged() {
    sums "$2" >"$TMP/after.sum"
    if cmp -s "$TMP/before.sum" "$TMP/after.sum"; then ok; else
        bad "$1: the earlier output changed: $(diff "$TMP/before.sum" "$TMP/after.sum" | grep '^[<>]' | sed 's/.*  //' | sort -u | head -6 | tr '\n' ' ')"
    fi
    if [ -n "$(find "$2" -name '.compsight-*' | head -1)" ]; then bad "$1: a staging directory was left"; else ok; fi
}

# --period each: a write failure in one quarter, in the index, or moving a
# quarter into place
E="report --data $DATA --key-file $KEY --quiet --period each --out"
d=$TMP/e-earlier
run "earlier --period each" 0 $NOGP -- $E "$d" --seed 5
sums "$d" >"$TMP/before.sum"
for f in 2025Q3/report.html 2026Q2/deals.csv 2026Q4/proposal/proposal.md index.md index.html; do
    fault "each: open $f" 4 open "/$f.tmp" $NOGP -- $E "$d"
    unchanged "each: open $f" "$d"
done
fault "each: moving 2026Q1 into place" 4 rename "$d/2026Q1" FAULT_ERRNO=EIO $NOGP -- $E "$d"
unchanged "each: moving 2026Q1 into place" "$d"
fault "each: moving index.html into place" 4 rename "$d/index.html" FAULT_ERRNO=EIO $NOGP -- $E "$d"
unchanged "each: moving index.html into place" "$d"
d=$TMP/e-empty
fault "each on an empty directory: open 2026Q2/report.md" 4 open "/2026Q2/report.md.tmp" $NOGP -- $E "$d"
if [ -n "$(find "$d" -mindepth 1 | head -1)" ]; then
    bad "each on an empty directory: left $(cd "$d" && find . -mindepth 1 | head -5 | tr '\n' ' ')"
else ok; fi

# whatif: each file, created, written, moved into place
W="whatif --data $DATA --plans $DATA/plans.csv --quiet --out"
d=$TMP/w-earlier
run "earlier whatif" 0 -- $W "$d" --period all
[ -s "$d/plots/whatif-commission.png" ] && ok || bad "earlier whatif: no plot"
sums "$d" >"$TMP/before.sum"
for f in whatif.json whatif.md whatif.html; do
    fault "whatif: open $f" 4 open "/$f.tmp" -- $W "$d"
    says "whatif: open $f" "$d/$f.tmp: Permission denied"
    unchanged "whatif: open $f" "$d"
    fault "whatif: disk full in $f" 4 write "/$f.tmp" FAULT_AFTER=10 -- $W "$d"
    unchanged "whatif: disk full in $f" "$d"
    fault "whatif: moving $f into place" 4 rename "$d/$f" FAULT_ERRNO=EIO -- $W "$d"
    unchanged "whatif: moving $f into place" "$d"
done
fault "whatif: moving a plot into place" 4 rename "$d/plots/whatif-risky.png" FAULT_ERRNO=EIO -- $W "$d"
unchanged "whatif: moving a plot into place" "$d"
# plots/ is shared: a what-if into a report's folder replaces its own plots only
d=$TMP/w-report
run "report for whatif" 0 $NOGP -- $R "$d"
touch "$d/plots/where.png"
run "whatif into a report's folder" 0 -- $W "$d"
[ -f "$d/plots/where.png" ] && [ -s "$d/plots/whatif-risky.png" ] && [ -s "$d/report.md" ] && ok ||
    bad "whatif into a report's folder: the report's plots or files are gone"

# propose: each file, and the options/ folder, which is replaced whole
P="propose --data $DATA --quiet --out"
d=$TMP/p-earlier
run "earlier propose" 0 -- $P "$d" --period all
echo stale >"$d/options/999.csv"
sums "$d" >"$TMP/before.sum"
for f in proposal.json proposal_options.csv options/3.csv proposal.md proposal.html; do
    fault "propose: open $f" 4 open "/$f.tmp" -- $P "$d"
    unchanged "propose: open $f" "$d"
done
fault "propose: moving options/ into place" 4 rename "$d/options" FAULT_ERRNO=EIO -- $P "$d"
unchanged "propose: moving options/ into place" "$d"
fault "propose: moving a plot into place" 4 rename "$d/plots/options-risky.png" FAULT_ERRNO=EIO -- $P "$d"
unchanged "propose: moving a plot into place" "$d"
run "propose over the earlier one" 0 -- $P "$d"
[ ! -e "$d/options/999.csv" ] && [ -s "$d/options/1.csv" ] && ok || bad "propose: an earlier options/ file was kept"

# generate: the data set is staged like a report, so a failure at any step
# (creating, writing, renaming a file inside the staging directory, moving
# it into place) leaves an earlier data set as it was and a new directory
# absent; SIGTERM and SIGINT (sent by the shim from inside a write, at a
# chosen byte: no timing) remove the staging directory and exit 143 and 130
G="generate --deals 300 --quiet --out"
d=$TMP/g-earlier
run "earlier generate" 0 -- $G "$d" --seed 1 --real-plans
sums "$d" >"$TMP/before.sum"
for f in deals.csv promises.csv assignments.csv; do
    fault "generate: open $f" 4 open "/$f.tmp" -- $G "$d" --seed 2 --real-plans
    says "generate: open $f" "$d/$f.tmp: cannot create: Permission denied"
    unchanged "generate: open $f" "$d"
    fault "generate: disk full in $f" 4 write "/$f.tmp" FAULT_AFTER=100 -- $G "$d" --seed 2 --real-plans
    unchanged "generate: disk full in $f" "$d"
    fault "generate: renaming $f.tmp" 4 rename "/$f.tmp" FAULT_ERRNO=EIO -- $G "$d" --seed 2 --real-plans
    unchanged "generate: renaming $f.tmp" "$d"
    fault "generate: moving $f into place" 4 rename "$d/$f" FAULT_ERRNO=EIO -- $G "$d" --seed 2 --real-plans
    unchanged "generate: moving $f into place" "$d"
done
for sig in TERM INT; do
    set +e
    env LD_PRELOAD="$SHIM" FAULT_OP=signal FAULT_SIGNAL=$sig FAULT_PATH="/promises.csv.tmp" \
        FAULT_AFTER=1000 FAULT_LOG="$TMP/log" env --default-signal=INT \
        "$BIN" $G "$d" --seed 2 --real-plans >"$TMP/out" 2>"$TMP/err"
    got=$?
    set -e
    [ "$got" = "$([ $sig = TERM ] && echo 143 || echo 130)" ] && ok || bad "generate: SIG$sig: exit $got"
    grep -q '^signal' "$TMP/log" && ok || bad "generate: SIG$sig was never sent"
    rm -f "$TMP/log"
    unchanged "generate: SIG$sig" "$d"
done
# a new directory: absent after a failure or a signal, whole after a success
fault "generate: disk full, new directory" 4 write "/deals.csv.tmp" FAULT_AFTER=100 -- $G "$TMP/g-new/a/b"
[ ! -e "$TMP/g-new" ] && ok || bad "generate: a failed run into a new directory left $(find "$TMP/g-new" | tr '\n' ' ')"
set +e
env LD_PRELOAD="$SHIM" FAULT_OP=signal FAULT_PATH="/deals.csv.tmp" FAULT_AFTER=1000 \
    "$BIN" $G "$TMP/g-new2" >"$TMP/out" 2>"$TMP/err"
got=$?
set -e
[ "$got" = 143 ] && ok || bad "generate: SIGTERM into a new directory: exit $got"
[ -z "$(ls -A "$TMP/g-new2" 2>/dev/null)" ] && ok || bad "generate: SIGTERM into a new directory left $(ls -A "$TMP/g-new2" | tr '\n' ' ')"
# SIGKILL leaves the staging directory (and nothing else); the next run
# removes it and writes the data set
set +e
env LD_PRELOAD="$SHIM" FAULT_OP=signal FAULT_SIGNAL=KILL FAULT_PATH="/deals.csv.tmp" FAULT_AFTER=1000 \
    "$BIN" $G "$TMP/g-new2" >"$TMP/out" 2>"$TMP/err"
got=$?
set -e
[ "$got" = 137 ] && ok || bad "generate: SIGKILL: exit $got"
[ "$(ls -A "$TMP/g-new2" | grep -c '^.compsight-staging-')" = 1 ] && [ -z "$(ls "$TMP/g-new2")" ] && ok ||
    bad "generate: SIGKILL left $(ls -A "$TMP/g-new2" | tr '\n' ' '), wanted a staging directory alone"
run "generate after a killed run" 0 -- $G "$TMP/g-new2"
[ -s "$TMP/g-new2/deals.csv" ] && [ -z "$(find "$TMP/g-new2" -name '.compsight-*' -o -name '*.tmp' | head -1)" ] &&
    ok || bad "generate after a killed run: $(ls -A "$TMP/g-new2" | tr '\n' ' ')"
# a data set without the optional files replaces one with them whole
run "generate without --real-plans over one with" 0 -- $G "$d" --seed 1
[ ! -e "$d/assignments.csv" ] && [ ! -e "$d/splits.csv" ] && [ -s "$d/deals.csv" ] && ok ||
    bad "generate: assignments.csv or splits.csv of the earlier data set kept"

# standard output full: deals and check print their product there
set +e
"$BIN" deals --data "$DATA" --quiet >/dev/full 2>"$TMP/err"
got=$?
set -e
[ "$got" = 4 ] && ok || bad "deals > /dev/full: exit $got, wanted 4"
says "deals > /dev/full" "error writing standard output"
set +e
"$BIN" check --data "$DATA" >/dev/full 2>"$TMP/err"
got=$?
set -e
[ "$got" = 4 ] && ok || bad "check > /dev/full: exit $got, wanted 4"

# ---------------------------------------------------------------------------
# Only the output directory is written (SPEC 11): a symbolic link planted
# where compsight puts a temporary file must not redirect the write.
# ---------------------------------------------------------------------------
d=$TMP/o-planted
mkdir -p "$d"
echo "precious" >"$TMP/precious"
for f in report.md rejects.csv; do
    ln -sf "$TMP/precious" "$d/$f.tmp"
done
set +e
"$BIN" $R "$d" >"$TMP/out" 2>"$TMP/err"
set -e
if [ "$(cat "$TMP/precious")" = precious ]; then ok; else
    bad "a symlink planted at OUT/report.md.tmp made compsight overwrite a file outside the output directory"
fi

# ---------------------------------------------------------------------------
# Input faults: exit 2, a message naming the file, nothing written
# ---------------------------------------------------------------------------

run "no data directory" 2 -- $R "$TMP/i-none" --data "$TMP/nowhere"
says "no data directory" "$TMP/nowhere"
nothing "no data directory" "$TMP/i-none"

# deals.csv vanishes between the directory check (stat) and the open
fault "deals.csv vanishes" 2 vanish "/deals.csv" -- $R "$TMP/i-vanish"
says "deals.csv vanishes" "deals.csv"
says "deals.csv vanishes" "No such file or directory"
nothing "deals.csv vanishes" "$TMP/i-vanish"

# deals.csv cannot be opened (permissions, as for a non-root user)
fault "deals.csv unreadable" 2 vanish "/deals.csv" FAULT_ERRNO=EACCES -- $R "$TMP/i-acces"
says "deals.csv unreadable" "Permission denied"
nothing "deals.csv unreadable" "$TMP/i-acces"

# the disk fails in the middle of promises.csv
fault "promises.csv read error" 2 read "/promises.csv" FAULT_AFTER=20000 -- $R "$TMP/i-eio"
says "promises.csv read error" "promises.csv"
says "promises.csv read error" "Input/output error"
nothing "promises.csv read error" "$TMP/i-eio"

# deals.csv is truncated while it is read (another process rewrites the
# export): the file was 368 kB when opened, reading ends after 100 kB
fault "deals.csv truncated mid-read" 2 eof "/deals.csv" FAULT_AFTER=100000 -- $R "$TMP/i-eof"
says "deals.csv truncated mid-read" "deals.csv"
nothing "deals.csv truncated mid-read" "$TMP/i-eof"

# the map file is cut short the same way
fault "map truncated mid-read" 2 eof "salesforce.ini" FAULT_AFTER=300 -- \
    report --data "$ROOT/tests/cli/salesforce" --map "$ROOT/data/maps/salesforce.ini" --quiet --out "$TMP/i-mapeof"
says "map truncated mid-read" "salesforce.ini"
nothing "map truncated mid-read" "$TMP/i-mapeof"

# an input that is not a file: a directory, an endless device
mkdir -p "$TMP/i-dir"
cp "$DATA/plans.csv" "$DATA/reps.csv" "$TMP/i-dir/"
mkdir "$TMP/i-dir/deals.csv"
run "deals.csv is a directory" 2 -- $R "$TMP/i-dir-out" --data "$TMP/i-dir"
says "deals.csv is a directory" "deals.csv"
nothing "deals.csv is a directory" "$TMP/i-dir-out"
rmdir "$TMP/i-dir/deals.csv"
ln -s /dev/zero "$TMP/i-dir/deals.csv"
run "deals.csv is /dev/zero" 2 -- $R "$TMP/i-zero-out" --data "$TMP/i-dir"
says "deals.csv is /dev/zero" "deals.csv is a character device, not a regular file"
nothing "deals.csv is /dev/zero" "$TMP/i-zero-out"

# ---------------------------------------------------------------------------
# gnuplot missing, killed while drawing, or hanging
# ---------------------------------------------------------------------------
#
# Each event is made to happen, never raced against the clock:
# - a kill: a fake gnuplot on PATH sends SIGKILL to itself on the script it
#   is meant to die on, chosen by the plot the script draws (its `set
#   output` line), never by the order in which the plot thread and the
#   proposal happen to start their gnuplots; "the first run that draws X"
#   is an atomic mkdir that succeeds once.
# - a hang: the fake blocks opening $TMP/never, a FIFO that nothing ever
#   opens for writing, so it waits forever and only compsight's own timer
#   can end it.  The limit it gets (HANG_LIMIT seconds) is generous: the
#   one thing that must happen within it is a fake answering `gnuplot
#   --version` with echo.  No check measures how long a run took; that the
#   report waited out the limit once, not once per plot, is checked by
#   counting the fakes started, each of which writes its pid to a file.
# - afterwards no fake is left running (`stopped`): a pid from those files
#   whose command line still names $TMP is ours (a pid the system has
#   since given to another process is not) and is killed, by pid.
# The fakes answer `gnuplot --version` with the real gnuplot's answer, read
# once here, so that the probe does not start a real gnuplot.

HANG_LIMIT=5

# fake DIR [probe]: the fake gnuplot DIR/gnuplot whose body is on stdin;
# it answers --version like the real one, unless `probe` (the body sees it)
fake() {
    mkdir -p "$1"
    {
        echo '#!/bin/sh'
        [ "${2:-}" = probe ] ||
            echo "if [ \"\${1:-}\" = --version ]; then echo '$GNUPLOT_VERSION'; exit 0; fi"
        cat
    } >"$1/gnuplot"
    chmod +x "$1/gnuplot"
}

# stopped NAME PIDFILE: no fake gnuplot whose pid is in PIDFILE still runs;
# one that does is killed by its pid.  The command line is matched by the
# shell itself (case), so that no process of the check, which would name
# $TMP too, can be taken for a fake that got the same pid.
stopped() {
    left=""
    for pid in $(cat "$2" 2>/dev/null); do
        cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || cmd=""
        case $cmd in
        *"$TMP/"*)
            left="$left $pid"
            kill -9 "$pid" 2>/dev/null || true
            ;;
        esac
    done
    if [ -z "$left" ]; then ok; else bad "$1: a gnuplot compsight started still runs (pid$left)"; fi
}

# gnuplot missing: SPEC 10 says the report is written, without plots, with a warning
mkdir -p "$TMP/nobin"
for t in sh env; do
    p=$(command -v $t) && ln -sf "$p" "$TMP/nobin/$t"
done
d=$TMP/g-missing
run "gnuplot missing" 0 PATH="$TMP/nobin" -- report --data "$DATA" --out "$d"
says "gnuplot missing" "gnuplot not found"
complete "gnuplot missing" "$d"
if ls "$d"/plots/*.png >/dev/null 2>&1; then bad "gnuplot missing: images appeared"; else ok; fi
if ls "$d"/plots/*.gp >/dev/null 2>&1; then ok; else bad "gnuplot missing: the scripts were not kept"; fi
grep -q "gnuplot" "$d/report.md" && ok || bad "gnuplot missing: report.md does not say why there are no plots"

if command -v gnuplot >/dev/null 2>&1; then
    REAL_GNUPLOT=$(command -v gnuplot)
    GNUPLOT_VERSION=$("$REAL_GNUPLOT" --version | tr -d "'")
    mkfifo "$TMP/never"

    # gnuplot that starts writing its images, then is killed (SIGKILL)
    fake "$TMP/killbin" <<EOF
outs=\$(sed -n "s/^set output '\\([^']*\\)'.*/\\1/p")
for o in \$outs; do printf '\\211PNG\\r\\n\\032\\nhalf' >"\$o"; done
kill -9 \$\$
EOF
    d=$TMP/g-killed
    run "gnuplot killed" "$GNUPLOT_FAIL_EXIT" PATH="$TMP/killbin:$PATH" -- report --data "$DATA" --out "$d"
    says "gnuplot killed" "plots"
    if [ "$GNUPLOT_FAIL_EXIT" = 0 ]; then complete "gnuplot killed" "$d"; else clean "gnuplot killed" "$d"; fi
    if ls "$d"/plots/*.png "$d"/plots/*.svg >/dev/null 2>&1; then
        bad "gnuplot killed: half images left in plots/"
    else
        ok
    fi

    # gnuplot killed once: the first run that draws where.png (a report
    # plot, in a batch) and the first that draws options-risky.png (a
    # proposal plot, alone) die, whichever runs first.  The report's batch
    # is drawn again one plot at a time, so every report plot is there; the
    # proposal plot is missing, and the warning names it.
    fake "$TMP/oncebin" <<EOF
script=\$(mktemp "$TMP/script.XXXXXX")
cat >"\$script"
for p in where options-risky; do
    if grep -q "^set output '\$p.png'" "\$script" && mkdir "$TMP/killed-\$p" 2>/dev/null; then
        kill -9 \$\$
    fi
done
exec "$REAL_GNUPLOT" <"\$script"
EOF
    d=$TMP/g-killed-once
    run "gnuplot killed once" "$GNUPLOT_FAIL_EXIT" PATH="$TMP/oncebin:$PATH" -- report --data "$DATA" --out "$d"
    [ -d "$TMP/killed-where" ] && [ -d "$TMP/killed-options-risky" ] && ok ||
        bad "gnuplot killed once: the fake never killed where or options-risky"
    says "gnuplot killed once" "options-risky.gp: gnuplot killed by signal 9"
    if grep -q "where.gp" "$TMP/err"; then bad "gnuplot killed once: a warning names where.gp, drawn again"; else ok; fi
    if [ "$GNUPLOT_FAIL_EXIT" = 0 ]; then complete "gnuplot killed once" "$d"; else clean "gnuplot killed once" "$d"; fi
    # every report plot is drawn, and whole (a PNG ends with its IEND chunk)
    for gp in "$d"/plots/*.gp; do
        p=${gp%.gp}.png
        [ -s "$p" ] && [ -s "${gp%.gp}.svg" ] && tail -c 8 "$p" | od -An -c | grep -q 'I   E   N   D' &&
            ok || bad "gnuplot killed once: ${gp%.gp} missing or cut"
    done
    [ -s "$d/proposal/plots/options-commission.png" ] && ok ||
        bad "gnuplot killed once: options-commission not drawn"
    [ ! -e "$d/proposal/plots/options-risky.png" ] && [ ! -e "$d/proposal/plots/options-risky.svg" ] && ok ||
        bad "gnuplot killed once: options-risky has images"
    [ -z "$(find "$d" -name '.*' -path '*/plots/*')" ] && ok || bad "gnuplot killed once: private plot directories left"

    # gnuplot dies on one plot wherever it is drawn: the report's plots go
    # to gnuplot in batches, so that plot takes its batch down with it; the
    # batch's other plots are drawn again one at a time, and only the one
    # plot is missing, named in the warning.
    fake "$TMP/wherebin" <<EOF
script=\$(mktemp "$TMP/script.XXXXXX")
cat >"\$script"
if grep -q "^set output 'where.png'" "\$script"; then kill -9 \$\$; fi
exec "$REAL_GNUPLOT" <"\$script"
EOF
    d=$TMP/g-killed-plot
    run "gnuplot dies on one plot" "$GNUPLOT_FAIL_EXIT" PATH="$TMP/wherebin:$PATH" -- report --data "$DATA" --out "$d"
    says "gnuplot dies on one plot" "where.gp: gnuplot killed by signal 9"
    if [ "$GNUPLOT_FAIL_EXIT" = 0 ]; then complete "gnuplot dies on one plot" "$d"; fi
    [ ! -e "$d/plots/where.png" ] && [ ! -e "$d/plots/where.svg" ] && ok ||
        bad "gnuplot dies on one plot: where has images"
    for gp in "$d"/plots/*.gp; do
        case $gp in */where.gp) continue ;; esac
        [ -s "${gp%.gp}.png" ] && [ -s "${gp%.gp}.svg" ] && ok || bad "gnuplot dies on one plot: ${gp%.gp} not drawn"
    done
    [ -z "$(find "$d" -name '.*' -path '*/plots/*')" ] && ok || bad "gnuplot dies on one plot: private plot directories left"

    # gnuplot hangs (reads nothing, never exits): each process is stopped
    # at COMPSIGHT_GNUPLOT_TIMEOUT, the undrawn plots are not tried again
    # one by one, and the report is written without them, naming its plot
    # scripts where the reader finds them (not in the staging directory).
    fake "$TMP/hangbin" <<EOF
echo \$\$ >>"$TMP/hang.pids"
read -r line <"$TMP/never"
EOF
    d=$TMP/g-hangs
    run "gnuplot hangs" "$GNUPLOT_FAIL_EXIT" COMPSIGHT_GNUPLOT_TIMEOUT=$HANG_LIMIT PATH="$TMP/hangbin:$PATH" -- \
        report --data "$DATA" --out "$d"
    # one gnuplot per batch of the report's plots (min(processors online,
    # 4), as plot.c counts them) and one per proposal plot, none started
    # again for a single plot.  At most: a fake stopped before it wrote
    # its pid is not counted.
    cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
    [ "$cpus" -gt 4 ] && cpus=4
    starts=$(cat "$TMP/hang.pids" 2>/dev/null | wc -l)
    [ "$starts" -le $((cpus + 2)) ] && ok ||
        bad "gnuplot hangs: $starts gnuplot processes for $cpus batches and 2 proposal plots"
    says "gnuplot hangs" "$d/plots/where.gp: not drawn: gnuplot did not finish within $HANG_LIMIT s"
    says "gnuplot hangs" "$d/proposal/plots/options-risky.gp: gnuplot did not finish within $HANG_LIMIT s"
    if [ "$GNUPLOT_FAIL_EXIT" = 0 ]; then
        complete "gnuplot hangs" "$d"
        grep -q "could not be drawn (plots/where.gp: not drawn" "$d/report.md" && ok ||
            bad "gnuplot hangs: report.md does not name plots/where.gp"
        if grep -q "compsight-staging" "$d/report.md" "$TMP/err"; then
            bad "gnuplot hangs: a message names the staging directory"
        else
            ok
        fi
    fi
    if ls "$d"/plots/*.png "$d"/proposal/plots/*.png >/dev/null 2>&1; then
        bad "gnuplot hangs: images appeared"
    else
        ok
    fi
    stopped "gnuplot hangs" "$TMP/hang.pids"

    # gnuplot hangs before it draws anything, on `gnuplot --version`: the
    # probe is stopped at the limit, once for the whole report (not once
    # per question), and the report is written without plots, saying why.
    fake "$TMP/probebin" probe <<EOF
echo \$\$ >>"$TMP/probe.pids"
read -r line <"$TMP/never"
EOF
    d=$TMP/g-probe
    run "gnuplot --version hangs" 0 COMPSIGHT_GNUPLOT_TIMEOUT=$HANG_LIMIT PATH="$TMP/probebin:$PATH" -- \
        report --data "$DATA" --out "$d"
    probes=$(cat "$TMP/probe.pids" 2>/dev/null | wc -l)
    [ "$probes" -le 1 ] && ok || bad "gnuplot --version hangs: $probes probes, wanted 1"
    says "gnuplot --version hangs" "gnuplot --version did not answer within $HANG_LIMIT s"
    complete "gnuplot --version hangs" "$d"
    grep -q "gnuplot could not be used: gnuplot --version did not answer within $HANG_LIMIT s" "$d/report.md" &&
        ok || bad "gnuplot --version hangs: report.md does not say why it has no plots"
    stopped "gnuplot --version hangs" "$TMP/probe.pids"

    # -----------------------------------------------------------------------
    # Signals, and the staging directories of dead runs
    # -----------------------------------------------------------------------
    # compsight runs in the background with a fake gnuplot first on PATH.
    # The first fake that is asked to draw (an atomic mkdir) reports "ready
    # PID" on fd 9, a FIFO that compsight and its children inherit from
    # here, and then blocks on $TMP/never: compsight is then drawing, its
    # staging directory made.  Only then is the signal sent; no sleep, no
    # deadline (the plot timeout is set far away).  If compsight ends
    # without drawing, every writer of the FIFO is gone and the read ends
    # with nothing: a failure, not a hang.  The other fakes draw with the
    # real gnuplot.  The blocked fake is killed by the pid it reported,
    # after a check that it is ours (its command line names $TMP).
    fake "$TMP/blockbin" <<EOF
if mkdir "$TMP/gp-blocked" 2>/dev/null; then
    echo "ready \$\$" >&9
    read -r line <"$TMP/never"
    exit 1
fi
exec "$REAL_GNUPLOT"
EOF
    # launch ARGS...: compsight ARGS in the background (SIGINT not ignored,
    # as it would be for a background job of this shell); its pid in $cs
    # The write end compsight inherits is opened here, before the fork: a
    # redirection in the background command would be made by the child
    # later, and on a loaded machine this shell could close its own writer
    # first and read end of file (a run that seemed to end before drawing).
    launch() {
        rm -rf "$TMP/ready" "$TMP/gp-blocked"
        mkfifo "$TMP/ready"
        exec 8<>"$TMP/ready"      # a reader and a writer: the opens below do not block
        exec 7<"$TMP/ready"       # this shell's read end
        exec 9>"$TMP/ready"       # the write end compsight and its children inherit
        PATH="$TMP/blockbin:$PATH" COMPSIGHT_GNUPLOT_TIMEOUT=100000 \
            env --default-signal=INT "$BIN" "$@" >"$TMP/out" 2>"$TMP/err" &
        cs=$!
        exec 9>&- 8>&-
    }
    # ready NAME: wait until the fake says compsight is drawing; its pid in $gp
    ready() {
        gp=""
        if read -r word gp <&7 && [ "$word" = ready ]; then ok; else
            bad "$1: compsight ended before it drew"
            sed 's/^/  | /' "$TMP/err" | head -3
        fi
        exec 7<&-
    }
    # ended NAME CODE: compsight has ended with CODE; the blocked fake is stopped
    ended() {
        set +e
        wait "$cs" 2>/dev/null
        got=$?
        set -e
        [ "$got" = "$2" ] && ok || bad "$1: exit $got, wanted $2"
        if [ -n "$gp" ]; then
            case $(tr '\0' ' ' 2>/dev/null <"/proc/$gp/cmdline") in
            *"$TMP/"*) kill -9 "$gp" 2>/dev/null || true ;;
            esac
        fi
    }
    staged() { find "$1" -maxdepth 1 -name '.compsight-staging-*' | wc -l; }

    # SIGTERM and SIGINT during a report: exit 143 and 130, the staging
    # directory removed, the earlier report as it was
    d=$TMP/s-report
    run "earlier report (signals)" 0 $NOGP -- $R "$d" --period all
    sums "$d" >"$TMP/before.sum"
    for sig in TERM INT; do
        launch report --data "$DATA" --key-file "$KEY" --quiet --out "$d"
        ready "SIG$sig during a report"
        [ "$(staged "$d")" = 1 ] && ok || bad "SIG$sig during a report: no staging directory while drawing"
        kill -$sig "$cs"
        ended "SIG$sig during a report" "$([ $sig = TERM ] && echo 143 || echo 130)"
        unchanged "SIG$sig during a report" "$d"
    done
    # the same for --period each, whatif and propose
    launch report --data "$DATA" --key-file "$KEY" --quiet --period each --out "$TMP/s-each"
    ready "SIGTERM during --period each"
    kill -TERM "$cs"
    ended "SIGTERM during --period each" 143
    [ -z "$(ls -A "$TMP/s-each")" ] && ok || bad "SIGTERM during --period each: left $(ls -A "$TMP/s-each" | tr '\n' ' ')"
    d=$TMP/s-whatif
    run "earlier whatif (signals)" 0 -- $W "$d" --period all
    sums "$d" >"$TMP/before.sum"
    launch whatif --data "$DATA" --plans "$DATA/plans.csv" --quiet --out "$d"
    ready "SIGINT during whatif"
    kill -INT "$cs"
    ended "SIGINT during whatif" 130
    unchanged "SIGINT during whatif" "$d"
    d=$TMP/s-propose
    run "earlier propose (signals)" 0 -- $P "$d" --period all
    sums "$d" >"$TMP/before.sum"
    launch propose --data "$DATA" --quiet --out "$d"
    ready "SIGTERM during propose"
    kill -TERM "$cs"
    ended "SIGTERM during propose" 143
    unchanged "SIGTERM during propose" "$d"

    # SIGKILL leaves the staging directory; the next run into the same
    # folder removes it (its lock is free), and writes its report
    d=$TMP/s-killed
    launch report --data "$DATA" --key-file "$KEY" --quiet --out "$d"
    ready "SIGKILL during a report"
    kill -KILL "$cs"
    ended "SIGKILL during a report" 137
    [ "$(staged "$d")" = 1 ] && ok || bad "SIGKILL during a report: no staging directory left to sweep"
    run "the run after a SIGKILL" 0 $NOGP -- $R "$d"
    [ "$(staged "$d")" = 0 ] && ok || bad "the run after a SIGKILL left the dead run's staging directory"
    complete "the run after a SIGKILL" "$d"

    # a concurrent run's staging directory is never removed: A draws
    # (blocked), B writes into the same folder and finishes, A's staging
    # directory is still there; A, ended by SIGTERM, removes it, and B's
    # report stays
    d=$TMP/s-concurrent
    launch report --data "$DATA" --key-file "$KEY" --quiet --out "$d"
    ready "concurrent runs: A"
    run "concurrent runs: B" 0 $NOGP -- $R "$d" --period all
    [ "$(staged "$d")" = 1 ] && ok || bad "concurrent runs: B removed A's staging directory"
    [ -s "$d/report.md" ] && [ -s "$d/report.html" ] && ok || bad "concurrent runs: B wrote no report"
    sums "$d" | grep -v '/.compsight-staging-' >"$TMP/before.sum" || true
    kill -TERM "$cs"
    ended "concurrent runs: A" 143
    unchanged "concurrent runs: A ended" "$d"

    # a gnuplot script cannot be written (disk full in plots/)
    d=$TMP/g-gpfull
    fault "plot script disk full" "$GNUPLOT_FAIL_EXIT" write "/plots/where.gp" -- \
        report --data "$DATA" --out "$d"
    says "plot script disk full" "No space left on device"
    [ -z "$(find "$d" -name '*.tmp')" ] && ok || bad "plot script disk full: *.tmp left"
else
    skipped "gnuplot killed: gnuplot is not installed"
fi

# ---------------------------------------------------------------------------
# Allocation failures
# ---------------------------------------------------------------------------
#
# The Nth allocation of the report fails, for OOM_POINTS values of N spread
# over all of them (failmalloc.c).  Each run ends with exit 4, a message
# that says "out of memory" (or, from fopen, "Cannot allocate memory" after
# the file's name) and no report, or with exit 0 and the very report of a
# run where nothing failed (a failure some code absorbs must not change an
# output: jansson, for one, drops a member it cannot store without a
# word).  Never a crash, a hang or a half report: one check per run.
#
# The sweep runs compsight on one thread: the shim makes pthread_create
# fail in compsight, which then does in line what it would have handed to
# a thread (every thread start has that fallback).  So the Nth allocation
# is the same allocation on every run, and N gets the same verdict every
# time; the reference run, made the same way, counts the same total, so
# the same N are tried.  With threads, which allocation came Nth depended
# on scheduling: the proposal's option workers and the import's reader and
# loader share out their work as each comes free, so not even one thread's
# own allocations come in a fixed order, and numbering them per thread
# would not help.  That the one-thread report is the report of an
# ordinary run, threads and all, is checked too.
#
# `timeout` only guards against a hang (a bug): a run takes about a second.
# Not under a sanitizer, whose allocator the shim would bypass.
if ldd "$BIN" 2>/dev/null | grep -q 'lib[at]san\|libubsan'; then
    skipped "allocation failures: a sanitizer build"
else
    ${CC:-cc} -shared -fPIC -O2 -o "$TMP/failmalloc.so" "$HERE/failmalloc.c" -ldl
    ref=$TMP/m-ref
    env FAIL_COUNT=1 LD_PRELOAD="$TMP/failmalloc.so" "$BIN" report --data "$DATA" --key-file "$KEY" --out "$ref" \
        >/dev/null 2>"$TMP/err" || bad "allocation failures: the reference run failed"
    total=$(sed -n 's/^allocations: //p' "$TMP/err")
    [ "${total:-0}" -gt 1000 ] && ok || bad "allocation failures: counted ${total:-no} allocations"
    # the one-thread report against an ordinary run's
    d=$TMP/m-threads
    "$BIN" report --data "$DATA" --key-file "$KEY" --out "$d" >/dev/null 2>"$TMP/err" || true
    differ=""
    for f in $(cd "$ref" && find . -type f | sort); do
        sed "s|$ref|OUT|g" "$ref/$f" >"$TMP/a"
        if [ ! -f "$d/$f" ] || ! sed "s|$d|OUT|g" "$d/$f" | cmp -s - "$TMP/a"; then differ="$differ $f"; fi
    done
    [ -z "$differ" ] && ok || bad "allocation failures: the report on one thread differs from one with threads in:$differ"
    rm -rf "$d"
    n=${OOM_POINTS:-24}
    k=1
    while [ "$k" -le "$n" ]; do
        at=$(( (${total:-0} * k + n / 2) / n - k % 7 ))      # spread, not on a grid
        d=$TMP/m-$at
        set +e
        env FAIL_AT="$at" LD_PRELOAD="$TMP/failmalloc.so" timeout 600 "$BIN" report --data "$DATA" --key-file "$KEY" \
            --out "$d" >/dev/null 2>"$TMP/err"
        got=$?
        set -e
        case $got in
        0)
            same=yes
            for f in $(cd "$ref" && find . -type f ! -name '*.png' ! -name '*.svg' | sort); do
                sed "s|$ref|OUT|g" "$ref/$f" >"$TMP/a"
                if [ ! -f "$d/$f" ] || ! sed "s|$d|OUT|g" "$d/$f" | cmp -s - "$TMP/a"; then
                    same="no ($f)"
                    break
                fi
            done
            [ "$same" = yes ] && ok || bad "allocation $at failed: exit 0 with another report: $same"
            ;;
        4)
            # "out of memory", or a file that could not be opened for it,
            # and no partial report
            # (no output directory at all when the import ran out of memory)
            left=$(cd "$d" 2>/dev/null && find . \( -name report.md -o -name report.html \
                -o -name results.json -o -name '*.tmp' -o -path './plots/.*' -o -name '.compsight-*' \) \
                -print | sort | tr '\n' ' ' || true)
            if ! grep -qE "out of memory|Cannot allocate memory" "$TMP/err"; then
                bad "allocation $at failed: exit 4 without saying out of memory"
                sed 's/^/  | /' "$TMP/err" | head -3
            elif [ -n "$left" ]; then
                bad "allocation $at failed: partial report left in the output directory: $left"
            else
                ok
            fi
            ;;
        *)
            bad "allocation $at failed: exit $got"
            sed 's/^/  | /' "$TMP/err" | head -3
            ;;
        esac
        rm -rf "$d"
        k=$((k + 1))
    done
fi

echo "faults: $pass passed, $fail failed${skip:+, $skip skipped}"
[ "$fail" = 0 ]
