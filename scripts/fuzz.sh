#!/bin/sh
# Run every libFuzzer target (fuzz/fuzz_*.c) for a bounded time; `make fuzz`.
#
# usage: scripts/fuzz.sh [TARGET...]          (default: all targets)
# env:   FUZZ_SECONDS  seconds per target (default 30)
#        FUZZ_BUILD    build directory (default build-fuzz)
#        CLANG         compiler (default clang)
#
# Installs clang and its runtime libraries when missing (as root; otherwise
# names the packages and stops), builds the targets with fuzz/build.sh, runs
# each on a working corpus in $FUZZ_BUILD/corpus/TARGET seeded from
# fuzz/corpus/TARGET and tests/regressions/TARGET, then prints one summary
# line per target (executions, coverage, features, corpus size).
#
# A crash, sanitizer report, violated property, leak or timeout stops that
# target: its input is copied to fuzz/crashes/TARGET-KIND-HASH, the end of
# libFuzzer's log (the stack) is shown, the other targets still run, and
# the script exits 1.  Turn a crash into a regression test by moving the
# file to tests/regressions/TARGET/ (tests/test_regressions.c replays it).
set -eu
cd "$(dirname "$0")/.."
SECS=${FUZZ_SECONDS:-30}
OUT=${FUZZ_BUILD:-build-fuzz}
CLANG=${CLANG:-clang}

# --- clang and libFuzzer ---------------------------------------------------
. scripts/need.sh
need_install() { install_packages fuzz "$@"; }
if ! command -v "$CLANG" >/dev/null 2>&1; then
    need_install clang
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT INT TERM
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$probe/p.c"
if ! "$CLANG" -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" >/dev/null 2>&1; then
    major=$("$CLANG" --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -1)
    need_install "libclang-rt-$major-dev"
fi
for p in libgsl-dev libcsv-dev libinih-dev libjansson-dev libsodium-dev pkg-config; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need_install "$p"
done

# --- build -------------------------------------------------------------------
built=$(FUZZ_BUILD=$OUT CLANG=$CLANG sh fuzz/build.sh "$@" | sed -n 's/^built: //p')
if [ -z "$built" ]; then
    echo "fuzz: no target could be built" >&2
    exit 1
fi

dict_of() {
    case $1 in
    csvread|dialect) echo fuzz/dict/csv.dict ;;
    dataset) echo fuzz/dict/dataset.dict ;;
    mapfile) echo fuzz/dict/mapfile.dict ;;
    parse) echo fuzz/dict/parse.dict ;;
    *) echo fuzz/dict/escape.dict ;;
    esac
}

# --- run -------------------------------------------------------------------
mkdir -p "$OUT/logs" "$OUT/artifacts"
failed=0
summary=""
for t in $built; do
    work=$OUT/corpus/$t
    mkdir -p "$work"
    seeds="fuzz/corpus/$t"
    [ -d "tests/regressions/$t" ] && seeds="$seeds tests/regressions/$t"
    maxlen=4096
    [ "$t" = dataset ] && maxlen=16384
    log=$OUT/logs/$t.log
    rm -f "$OUT/artifacts/$t-"*
    echo "fuzz: $t for ${SECS}s"
    set +e
    "$OUT/fuzz_$t" -max_total_time="$SECS" -timeout=30 -rss_limit_mb=2048 -max_len=$maxlen \
        -dict="$(dict_of "$t")" -artifact_prefix="$OUT/artifacts/$t-" -print_final_stats=1 \
        "$work" $seeds >"$log" 2>&1
    rc=$?
    set -e
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
    line=$(printf '%-8s execs=%-9s cov=%-6s ft=%-6s corpus=%-5s' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}")
    if [ $rc -ne 0 ]; then
        failed=$((failed + 1))
        mkdir -p fuzz/crashes
        saved=""
        for a in "$OUT/artifacts/$t-"*; do
            [ -f "$a" ] || continue
            kind=$(basename "$a" | sed "s/^$t-//; s/-.*//")
            dest=fuzz/crashes/$t-$kind-$(sha1sum "$a" | cut -c1-12)
            cp "$a" "$dest"
            saved="$saved $dest"
        done
        line="$line FAILED (exit $rc):${saved:- no input saved}"
        echo "fuzz: $t FAILED; the end of $log:" >&2
        grep -v '^#[0-9]' "$log" | tail -40 | sed 's/^/  | /' >&2
    else
        line="$line ok"
    fi
    summary="$summary$line
"
done

echo
echo "fuzz summary (${SECS}s per target; logs in $OUT/logs/):"
printf '%s' "$summary"
if [ $failed -gt 0 ]; then
    echo "fuzz: $failed target(s) failed; inputs saved under fuzz/crashes/" >&2
    exit 1
fi
