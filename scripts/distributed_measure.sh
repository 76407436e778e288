#!/usr/bin/env bash
# Samples per second of `784 => 128 relu => 10 softmax` on 1 and 2 MPI processes, and the
# all-reduce's time, in ROUNDS alternating rounds (default 5); prints each figure's median and
# range. Needs Open MPI; builds the example first.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
cargo build --release --quiet --features distributed --example distributed
out=$(mktemp)
for _ in $(seq "$rounds"); do
  for n in 1 2; do
    mpirun --allow-run-as-root --oversubscribe -n "$n" target/release/examples/distributed --measure \
      | grep -v '^processes' >>"$out"
  done
done
python3 - "$out" <<'PY'
import sys, statistics
rows = {}
for line in open(sys.argv[1]):
    p, b, r, rate, reduce = [c.strip() for c in line.split("|")]
    rows.setdefault((int(p), int(b), r), []).append((float(rate), reduce.replace(" ms", "")))
print("processes | minibatch | reduction | samples/s, median (range) | all-reduce ms, median")
for (p, b, r), v in sorted(rows.items()):
    rates = sorted(x for x, _ in v)
    ms = [float(y) for _, y in v if y != "none"]
    reduce = f"{statistics.median(ms):.3f}" if ms else "none"
    print(f"{p} | {b} | {r} | {statistics.median(rates):.0f} ({rates[0]:.0f} to {rates[-1]:.0f}) | {reduce}")
PY
rm -f "$out"
