#!/usr/bin/env bash
# A copy of the workplace's shared tools/loc, so that a fresh clone can count: `bash scripts/loc.sh`.
# loc: lines of code of the library (nn/src and nn-macros/src, .rs and .wgsl), in the figures the
# line budgets are kept in. Counts non-blank lines that are not comments (//, ///, //!, /* */).
#
#   reading path: what a reader must read to see how a network is declared, run forward,
#                 differentiated and trained, as a sequence of matrix products: every file that is
#                 not a module below. Budget 1000: the promise of the talk this library comes from.
#   modules:      what a product needs beyond that, each in files (or a folder) of its own, named
#                 by its first word; a reader can skip any of them. Budget 2000 together, except
#                 the two back ends, which have their own: gpu 900, distributed 250.
#
# Module names (a file or folder under nn/src or nn-macros/src whose name starts with one):
#   speed:    kernel simd heap chunk parallel
#   training: fit eval summary adam schedule metric predict checkpoint
#   files:    io layout embed
#   data:     data
#   int8:     quant
#   macro:    docs cost
#   backends: gpu (or wgpu) and distributed (or mpi)
# Usage: loc [REPO_ROOT]   (default: the git top level of the current folder)
set -eu
root=${1:-$(git rev-parse --show-toplevel 2>/dev/null || pwd)}
modules="kernel simd heap chunk parallel fit eval summary adam schedule metric predict checkpoint io layout embed data quant docs cost gpu wgpu distributed mpi"
declare -A by_module
path=0; rest=0; gpu=0; dist=0
count() {
  awk '
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
    END { print count + 0 }' "$1"
}
for dir in nn/src nn-macros/src; do
  [ -d "$root/$dir" ] || continue
  while IFS= read -r -d '' f; do
    n=$(count "$f")
    rel=${f#$root/}
    inner=${rel#$dir/}
    kind="reading"
    for m in $modules; do
      case "$inner" in "$m"*) kind=$m; break ;; esac
    done
    case "$kind" in wgpu) kind=gpu ;; mpi) kind=distributed ;; esac
    printf '%6d  %-12s %s\n' "$n" "$kind" "$rel"
    case "$kind" in
      reading) path=$((path + n)) ;;
      gpu) gpu=$((gpu + n)) ;;
      distributed) dist=$((dist + n)) ;;
      *) rest=$((rest + n)) ;;
    esac
    by_module[$kind]=$(( ${by_module[$kind]:-0} + n ))
  done < <(find "$root/$dir" \( -name '*.rs' -o -name '*.wgsl' \) -print0 | sort -z)
done
echo
for m in $modules; do
  [ -n "${by_module[$m]:-}" ] && printf '%6d  module %s\n' "${by_module[$m]}" "$m"
done
printf '%6d  reading path (budget 1000)\n' "$path"
printf '%6d  modules      (budget 2000, gpu and distributed apart)\n' "$rest"
printf '%6d  gpu          (budget 900)\n' "$gpu"
printf '%6d  distributed  (budget 250)\n' "$dist"
printf '%6d  total\n' "$((path + rest + gpu + dist))"
