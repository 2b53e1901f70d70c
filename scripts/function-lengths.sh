#!/bin/sh
# Functions longer than a limit, and source files longer than another:
# the sizes issue 18 keeps in check (a function over 120 lines or a file
# over 1,000 is a sign that two concerns share a room; STYLE.md).
# usage: scripts/function-lengths.sh [FUNC_LIMIT [FILE_LIMIT]]   (defaults 120, 1000)
# A function runs from a line that opens with `{` in column 0 to the next
# `}` in column 0; its name is read off the lines before the brace.
# Generated tables (files whose first line says "generated") are left out.
# Exit 1 when anything is over its limit.
set -eu
cd "$(dirname "$0")/.."
FL=${1:-120}
FILEL=${2:-1000}
over=0
for f in src/*/*.c src/*/*.h include/compsight/*.h; do
    head -1 "$f" | grep -qi generated && continue
    n=$(wc -l <"$f")
    if [ "$n" -gt "$FILEL" ]; then
        echo "$f: $n lines (file limit $FILEL)"
        over=1
    fi
    awk -v lim="$FL" -v file="$f" '
        /^\{/ { start = NR; name = prev; next }
        /^\}/ && start { len = NR - start + 1
                         if (len > lim) { printf "%s:%d: %s: %d lines (function limit %d)\n", file, start, name, len, lim; bad = 1 }
                         start = 0 }
        /\(/ && !start { prev = $0; sub(/\(.*/, "", prev); sub(/.*[ *]/, "", prev) }
        END { exit bad }' "$f" || over=1
done
exit $over
