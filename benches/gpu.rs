//! The GPU against the CPU, in one run, on `784 => 128 relu => 10 softmax` and
//! `3072 => 512 relu => 10 softmax`: `forward_batch` at batches of 64 to 65 536 and training
//! steps (Adam, cross-entropy) at minibatches of 32 to 4096. It prints the adapter first: on a
//! software GPU (Mesa's llvmpipe, "lavapipe") the GPU's figures measure the back end's
//! overhead on the CPU, not a GPU's speed. Criterion measures every configuration; then a
//! table gives samples per second on both and their ratio, from rounds of the two taken in
//! turn (the medians of up to 5 each), since this machine's speed drifts between criterion's
//! measurements.
//!
//! ```text
//! cargo bench --bench gpu --features gpu            # criterion's report and the table
//! cargo bench --bench gpu --features gpu -- --table # the table only
//! ```
use common::data;
use criterion::{BenchmarkId, Criterion, Throughput};
use nn::gpu::Gpu;
use nn::prelude::*;
use nn::{Adam, Batch, CrossEntropy, Trainer};
use std::hint::black_box;
use std::time::Instant;

mod common;

network! { struct Mnist < 784 => 128 relu => 10 softmax > }
network! { struct Cifar < 3072 => 512 relu => 10 softmax > }

/// The median of `rounds` (seconds).
fn median(rounds: &mut [f64]) -> f64 {
    rounds.sort_by(f64::total_cmp);
    rounds[rounds.len() / 2]
}

/// Times `cpu` and `gpu` in turn, 5 rounds each (fewer, at least one, once 20 seconds have
/// passed), and prints a row: samples per second on each and the GPU's over the CPU's.
fn row(what: &str, samples: usize, mut cpu: impl FnMut(), mut gpu: impl FnMut()) {
    let (mut on_cpu, mut on_gpu) = (Vec::new(), Vec::new());
    let start = Instant::now();
    while on_cpu.len() < 5 && (on_cpu.is_empty() || start.elapsed().as_secs_f64() < 20.0) {
        let start = Instant::now();
        cpu();
        on_cpu.push(start.elapsed().as_secs_f64());
        let start = Instant::now();
        gpu();
        on_gpu.push(start.elapsed().as_secs_f64());
    }
    let cpu = samples as f64 / median(&mut on_cpu);
    let gpu = samples as f64 / median(&mut on_gpu);
    println!(
        "| {what} | {samples} | {cpu:.0} | {gpu:.0} | {:.4} |",
        gpu / cpu
    );
}

/// `forward_batch` at batch `B` on the CPU and the GPU.
fn forward<N, const I: usize, const O: usize, const B: usize>(c: &mut Criterion, table: bool)
where
    N: Network<I, O> + Model<Scalar = f32>,
{
    let net = N::new(0);
    let mut gpu = Gpu::new(&net).expect("a GPU adapter");
    let (xs, _) = data::<I, O>(B);
    let mut batch = Batch::<N, I, B>::zeros();
    batch
        .values_mut()
        .copy_from_slice(&xs.iter().flatten().copied().collect::<Vec<_>>());
    let name = format!("forward {}", N::ARCHITECTURE);
    if table {
        let cpu = || drop(black_box(net.forward_batch(&batch)));
        let on_gpu = || drop(black_box(gpu.forward_batch(&batch).expect("the GPU runs")));
        return row(&name, B, cpu, on_gpu);
    }
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .throughput(Throughput::Elements(B as u64));
    group.bench_function(BenchmarkId::new("cpu", B), |b| {
        b.iter(|| net.forward_batch(&batch))
    });
    group.bench_function(BenchmarkId::new("gpu", B), |b| {
        b.iter(|| gpu.forward_batch(&batch))
    });
}

/// Training steps at minibatch `batch`, on the CPU and the GPU (Adam, cross-entropy).
fn train<N, const I: usize, const O: usize>(c: &mut Criterion, batch: usize, table: bool)
where
    N: Network<I, O, Output = nn::Softmax> + Model<Scalar = f32>,
{
    let (xs, ys) = data::<I, O>(batch);
    let mut net = N::new(0);
    let mut gpu = Gpu::new(&net).expect("a GPU adapter");
    let mut cpu = Trainer::new(Adam::new(1e-3), CrossEntropy);
    let mut on_gpu = nn::gpu::Trainer::new(Adam::new(1e-3), CrossEntropy);
    let name = format!("train {}", N::ARCHITECTURE);
    if table {
        let cpu = || drop(cpu.step(&mut net, (&xs, &ys)));
        let on_gpu = || drop(on_gpu.step(&mut gpu, (&xs, &ys)));
        return row(&name, batch, cpu, on_gpu);
    }
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .throughput(Throughput::Elements(batch as u64));
    group.bench_function(BenchmarkId::new("cpu", batch), |b| {
        b.iter(|| cpu.step(&mut net, (&xs, &ys)))
    });
    group.bench_function(BenchmarkId::new("gpu", batch), |b| {
        b.iter(|| on_gpu.step(&mut gpu, (&xs, &ys)))
    });
}

/// Every configuration, each network's after the other.
fn all<N, const I: usize, const O: usize>(c: &mut Criterion, table: bool)
where
    N: Network<I, O, Output = nn::Softmax> + Model<Scalar = f32>,
{
    forward::<N, I, O, 64>(c, table);
    forward::<N, I, O, 256>(c, table);
    forward::<N, I, O, 1024>(c, table);
    forward::<N, I, O, 4096>(c, table);
    forward::<N, I, O, 16384>(c, table);
    forward::<N, I, O, 65536>(c, table);
    for batch in [32, 128, 512, 1024, 4096] {
        train::<N, I, O>(c, batch, table);
    }
}

fn main() {
    let adapter = Gpu::new(&Mnist::new(0)).expect("a GPU adapter");
    println!("adapter: {}", adapter.adapter());
    let table = std::env::args().any(|arg| arg == "--table");
    let mut c = Criterion::default();
    if !table {
        c = c.configure_from_args();
        all::<Mnist, 784, 10>(&mut c, false);
        all::<Cifar, 3072, 10>(&mut c, false);
        c.final_summary();
    }
    println!("\nadapter: {}", adapter.adapter());
    println!("| what | samples | CPU samples/s | GPU samples/s | GPU / CPU |");
    println!("|---|---|---|---|---|");
    all::<Mnist, 784, 10>(&mut c, true);
    all::<Cifar, 3072, 10>(&mut c, true);
}
