#!/usr/bin/env bash
# loc: lines of code of the library itself (nn/src and nn-macros/src), the figures the line budgets
# are kept in. Counts non-blank lines that are not comments (//, ///, //!, /* */).
#   core:   what the talk this library comes from builds: the macro, layers, activations, losses,
#           optimizers, training, storage. Budget 1000.
#   extras: what a product needs beyond it, each in files of its own under nn/src whose path
#           starts with io, layout, data, quant, parallel or fuzz (a file or a folder). Budget 800.
# Usage: bash scripts/loc.sh [REPO_ROOT]   (a copy of the workplace's shared tools/loc)
# Usage: loc [REPO_ROOT]   (default: the git top level of the current folder)
set -eu
root=${1:-$(git rev-parse --show-toplevel 2>/dev/null || pwd)}
core=0; extras=0
for dir in nn/src nn-macros/src; do
  [ -d "$root/$dir" ] || continue
  while IFS= read -r -d '' f; do
    n=$(awk '
      BEGIN { inblock = 0 }
      {
        line = $0
        sub(/^[ \t]+/, "", line)
        if (inblock) { if (index(line, "*/")) inblock = 0; next }
        if (line == "") next
        if (substr(line, 1, 2) == "//") next
        if (substr(line, 1, 2) == "/*") { if (!index(line, "*/")) inblock = 1; next }
        count++
      }
      END { print count + 0 }' "$f")
    rel=${f#$root/}
    kind=core
    case "$rel" in
      nn/src/io*|nn/src/layout*|nn/src/data*|nn/src/quant*|nn/src/parallel*|nn/src/fuzz*) kind=extras ;;
    esac
    printf '%6d  %-7s %s\n' "$n" "$kind" "$rel"
    if [ "$kind" = core ]; then core=$((core + n)); else extras=$((extras + n)); fi
  done < <(find "$root/$dir" -name '*.rs' -print0 | sort -z)
done
printf '%6d  core   (budget 1000)\n' "$core"
printf '%6d  extras (budget 800)\n' "$extras"
printf '%6d  total\n' "$((core + extras))"
