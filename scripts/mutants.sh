#!/usr/bin/env bash
# Mutation testing: cargo-mutants changes one operator at a time in FILE and reruns the tests.
#   bash scripts/mutants.sh FILE [TEST...]
# e.g. `bash scripts/mutants.sh nn/src/optim.rs training batches no_heap` runs only those test
# files of the root package for each mutant (much faster); with no TEST, all of them.
# nn's tests live in the root package (nn-tests), but cargo-mutants 27.1 runs only the
# mutated package's tests (`cargo test --package=nn@...`), with or without `--test-workspace
# true`. So this script hands cargo-mutants a `cargo` that runs the root package's tests
# instead. Results go to mutants.out/ (caught.txt, missed.txt, ...). MUTANTS_JOBS=2 runs two
# mutants at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
file=$1
shift
tests=""
for t in "$@"; do tests="$tests --test $t"; done
wrapper=$(mktemp)
trap 'rm -f "$wrapper"' EXIT
cat > "$wrapper" <<WRAP
#!/usr/bin/env bash
args=()
for a in "\$@"; do
  case "\$a" in
    --package=nn@*|--package=nn-macros@*) args+=("--package=nn-tests") ;;
    *) args+=("\$a") ;;
  esac
done
if [ "\${1:-}" = test ]; then exec "$(command -v cargo)" "\${args[@]}" $tests; fi
exec "$(command -v cargo)" "\${args[@]}"
WRAP
chmod +x "$wrapper"
# MUTANTS_ARGS adds options, e.g. MUTANTS_ARGS="--re STACK" for only the mutants it matches.
CARGO="$wrapper" cargo-mutants mutants --workspace -f "$file" -j "${MUTANTS_JOBS:-1}" --timeout 300 ${MUTANTS_ARGS:-}
