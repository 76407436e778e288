#!/usr/bin/env bash
# What embedding a large trained model costs the compiler: builds a small crate that declares
# `3072 => 512 relu => 10 softmax` (1 578 506 parameters, a 6.3 MB safetensors file) with and
# without `const TRAINED = "cifar.safetensors";`, and prints the wall time and the peak memory
# (/usr/bin/time -v, the largest process: rustc) of compiling that crate alone, its
# dependencies already built. Usage: bash scripts/embed-cost.sh [debug|release]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
profile=${1:-debug}
flag=$([ "$profile" = release ] && echo --release || true)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/src"
cat > "$dir/Cargo.toml" <<TOML
[package]
name = "embed-cost"
version = "0.1.0"
edition = "2021"
[dependencies]
nn = { path = "$root/nn" }
[workspace]
TOML
export CARGO_TARGET_DIR=$root/target/embed-cost
declare() {
  cat > "$dir/src/main.rs" <<RS
use nn::prelude::*;
network! {
    struct Cifar < 3072 => 512 relu => 10 softmax >
    $1
}
fn main() {
    $2
}
RS
}
# A model file: the network as initialised from seed 0 (as large as a trained one).
declare "" 'nn::save(&Cifar::new(0), "cifar.safetensors").expect("saved");'
(cd "$dir" && cargo run -q $flag)
ls -l "$dir/cifar.safetensors" | awk '{print "model file: " $5 " bytes"}'
measure() {
  touch "$dir/src/main.rs"
  (cd "$dir" && /usr/bin/time -v cargo build -q $flag) 2>&1 \
    | awk -v what="$1" '/Elapsed/ {t=$NF} /Maximum resident/ {m=$NF} END {printf "%-30s %s wall, %.0f MB peak\n", what, t, m/1024}'
}
declare "" 'println!("{}", Cifar::new(0).forward(&SVector::zeros())[0]);'
measure "without the const:"
declare 'const TRAINED = "cifar.safetensors";' 'println!("{}", Cifar::TRAINED.network().forward(&SVector::zeros())[0]);'
measure "with the const:"
(cd "$dir" && cargo run -q $flag)
