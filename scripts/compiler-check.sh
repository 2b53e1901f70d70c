#!/bin/sh
# The same data and the same report from a clang build as from the gcc
# build (`make compiler-check`).  C leaves some orders to the compiler (two
# calls in one expression, for one); the generator's random draws and every
# figure must not depend on them.
#
# usage: scripts/compiler-check.sh [BUILD_DIR]     (default build: the gcc
#        build to compare against, made with make first)
#
# Installs clang when missing (as root; otherwise names the package and
# stops), builds compsight with CC=clang into build-clang, and compares:
#   - `compsight generate` for the committed sample and three other sets
#     (plain, --dirty with another fiscal start, --null), file by file;
#   - `compsight report --period all --private` on the dirty set and
#     `compsight propose` on the sample: every output file, byte for byte
#     (the proposal's text names its own directory, so it is compared with
#     that name taken out).
# Exit 1 on any difference, with the first lines of it.
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:-build}
CLANG_BUILD=build-clang
. scripts/need.sh
need compiler-check clang clang
make --no-print-directory -s "$BUILD/compsight" >/dev/null
make --no-print-directory -s CC=clang BUILD="$CLANG_BUILD" "$CLANG_BUILD/compsight" >/dev/null

TMP=$(mktemp -d /tmp/compsight-compilers.XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM
# the pseudonym key of these runs goes under $TMP, not into the tester's home
HOME=$TMP/home
export HOME
unset XDG_CONFIG_HOME
SOURCE_DATE_EPOCH=1790000000
export SOURCE_DATE_EPOCH
GCC_BIN=$BUILD/compsight
CLANG_BIN=$CLANG_BUILD/compsight
pass=0
fail=0

# same NAME DIR_A DIR_B: every file of the two trees, byte for byte
same() {
    if diff -r "$2" "$3" >"$TMP/diff" 2>&1; then
        pass=$((pass + 1))
        printf 'ok    %s\n' "$1"
    else
        fail=$((fail + 1))
        printf 'FAIL  %s\n' "$1"
        sed 's/^/  | /' "$TMP/diff" | head -20
    fi
}

# gen NAME ARGS...: generate with both builds, compare
gen() {
    name=$1
    shift
    "$GCC_BIN" generate --out "$TMP/gcc-$name" "$@" --quiet
    "$CLANG_BIN" generate --out "$TMP/clang-$name" "$@" --quiet
    same "generate $name ($*)" "$TMP/gcc-$name" "$TMP/clang-$name"
}

gen sample --seed 2026 --preset sample
gen plain --deals 20000 --seed 1
gen dirty --deals 5000 --seed 5 --dirty --fiscal-start 2
gen null --deals 5000 --seed 3 --null

for cc in gcc clang; do
    if [ $cc = gcc ]; then bin=$GCC_BIN; else bin=$CLANG_BIN; fi
    # the dirty set's rejects are warned about: kept out of sight unless it fails
    "$bin" report --data "$TMP/gcc-dirty" --period all --private --out "$TMP/report-$cc" \
        --quiet >/dev/null 2>"$TMP/stderr" || { cat "$TMP/stderr"; exit 1; }
    "$bin" propose --period all --out "$TMP/propose-$cc" --quiet >/dev/null 2>"$TMP/stderr" ||
        { cat "$TMP/stderr"; exit 1; }
    # a proposal's text says where its option files are: its own directory
    for out in "$TMP/report-$cc" "$TMP/propose-$cc"; do
        find "$out" -name 'proposal.md' -o -name 'proposal.html' | while read -r f; do
            sed "s#$out#OUT#g" "$f" >"$f.tmp" && mv "$f.tmp" "$f"
        done
    done
done
same "report --period all --private (dirty set)" "$TMP/report-gcc" "$TMP/report-clang"
same "propose (sample)" "$TMP/propose-gcc" "$TMP/propose-clang"

echo "compiler-check: $pass passed, $fail failed"
[ "$fail" = 0 ]
