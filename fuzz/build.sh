#!/bin/sh
# Build the libFuzzer targets into build-fuzz/: the library (src/*/*.c but
# cli/main.c) with clang and -fsanitize=fuzzer-no-link,address,undefined, then
# one binary per fuzz/fuzz_*.c linked with -fsanitize=fuzzer.
#
# usage: fuzz/build.sh [TARGET...]      (default: every fuzz/fuzz_*.c)
# env:   CLANG (default clang), FUZZ_BUILD (default build-fuzz),
#        FUZZ_CFLAGS (added to the compile flags)
#
# A source file that does not compile (someone is editing it) is left out
# with a warning; a target that then cannot link is reported and skipped.
# Prints the targets it built, one per line, on standard output as
# "built: NAME"; exits 1 only when no target could be built at all.
set -eu
cd "$(dirname "$0")/.."
CLANG=${CLANG:-clang}
OUT=${FUZZ_BUILD:-build-fuzz}
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
PKGS="gsl jansson inih libsodium"
if ! command -v "$CLANG" >/dev/null 2>&1; then
    echo "fuzz/build.sh: $CLANG not found (scripts/fuzz.sh installs clang)" >&2
    exit 1
fi
PKG_CFLAGS=$(pkg-config --cflags $PKGS 2>/dev/null || true)
PKG_LIBS="$(pkg-config --libs $PKGS 2>/dev/null || echo -lgsl -lgslcblas -ljansson -linih -lsodium) -lcsv -lpthread -lm"
CFLAGS="-std=c11 -g -O1 -Wall -Wextra -Wno-unused-parameter -Iinclude -Isrc -D_GNU_SOURCE $PKG_CFLAGS $SAN ${FUZZ_CFLAGS:-}"

mkdir -p "$OUT/obj"
# newest header: an object older than it is rebuilt (coarse but safe)
newest=$(ls -t include/compsight/*.h src/*/*.h fuzz/build.sh | head -1)

# compile the library objects, two at a time per processor
jobs=$(nproc 2>/dev/null || echo 2)
: >"$OUT/failed"
for src in src/*/*.c; do
    name=$(basename "$src" .c)
    [ "$name" = main ] && continue
    obj="$OUT/obj/$name.o"
    if [ -f "$obj" ] && [ "$obj" -nt "$src" ] && [ "$obj" -nt "$newest" ]; then
        continue
    fi
    echo "$src"
done | xargs -r -P "$jobs" -I{} sh -c '
    src={}; name=$(basename "$src" .c); obj="'"$OUT"'/obj/$name.o"
    if ! '"$CLANG"' '"$CFLAGS"' -fsanitize=fuzzer-no-link -c -o "$obj.tmp" "$src" 2>"'"$OUT"'/obj/$name.log"; then
        rm -f "$obj.tmp" "$obj"; echo "$src" >>"'"$OUT"'/failed"
    else
        mv "$obj.tmp" "$obj"
    fi'
if [ -s "$OUT/failed" ]; then
    while read -r src; do
        echo "fuzz/build.sh: warning: $src does not compile, left out (see $OUT/obj/$(basename "$src" .c).log)" >&2
    done <"$OUT/failed"
fi
# the archive holds what compiled (stale objects of sources that no longer
# compile were removed above)
rm -f "$OUT/libcompsight-fuzz.a"
ar rcs "$OUT/libcompsight-fuzz.a" "$OUT"/obj/*.o

if [ $# -eq 0 ]; then
    set -- $(for f in fuzz/fuzz_*.c; do basename "$f" .c | sed 's/^fuzz_//'; done)
fi
built=0
for t in "$@"; do
    src=fuzz/fuzz_$t.c
    bin=$OUT/fuzz_$t
    if [ ! -f "$src" ]; then
        echo "fuzz/build.sh: no such target: $t" >&2
        continue
    fi
    if "$CLANG" $CFLAGS -Ifuzz -fsanitize=fuzzer -o "$bin.tmp" "$src" \
        "$OUT/libcompsight-fuzz.a" $PKG_LIBS 2>"$OUT/fuzz_$t.log"; then
        mv "$bin.tmp" "$bin"
        echo "built: $t"
        built=$((built + 1))
    else
        rm -f "$bin.tmp"
        echo "fuzz/build.sh: warning: target $t does not build (see $OUT/fuzz_$t.log)" >&2
        sed 's/^/  | /' "$OUT/fuzz_$t.log" | head -5 >&2
    fi
done
[ "$built" -gt 0 ]
