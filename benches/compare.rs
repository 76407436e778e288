//! nn against two baselines on four networks, in one run: (a) hand-written Rust on fixed-size
//! arrays with plain loops, (b) nalgebra's dynamic `DMatrix` (whose products call the blocked
//! GEMM of `matrixmultiply`). For each network: single-sample forward latency, batched inference
//! (batch 64) and training (plain SGD, minibatch 32, cross-entropy or BCE) over a fixed synthetic
//! data set. Criterion measures every time; then, since this machine's speed drifts over the
//! seconds between criterion's measurements, nn's ratio to each baseline comes from
//! alternating rounds of the two (`paired`), and the table shows the one to the faster. After criterion's own report it prints both as
//! tables, and the 784-wide network's training speed as a share of the sgemm peak.
//!
//! ```text
//! cargo bench --bench compare             # the full run
//! cargo bench --bench compare -- --quick  # the table in about a minute
//! cargo bench --bench compare --features parallel -- parallel  # data-parallel training
//! ```
use common::data;
use criterion::{BenchmarkId, Criterion, Throughput};
use nalgebra::{DMatrix, DVector};
use nn::prelude::*;
use nn::{BinaryCrossEntropy, CrossEntropy, Sgd, Trainer};
use std::hint::black_box;
use std::sync::{Mutex, OnceLock};
use std::time::{Instant, SystemTime};

mod common;

network! { struct Tiny < 2 => 4 relu => 1 sigmoid > }
network! { struct Small < 4 => 16 tanh => 3 softmax > }
network! { struct Digits < 64 => 32 relu => 10 softmax > }
network! { struct Mnist < 784 => 128 relu => 10 softmax > }

const SAMPLES: usize = 1024;
const BATCH: usize = 32;
const LR: f32 = 0.01;

/// Baseline (a): a one-hidden-layer network on fixed-size arrays, plain loops.
#[derive(Clone)]
struct Arrays<const I: usize, const H: usize, const O: usize> {
    w1: [[f32; I]; H],
    b1: [f32; H],
    w2: [[f32; H]; O],
    b2: [f32; O],
    relu: bool,
}

impl<const I: usize, const H: usize, const O: usize> Arrays<I, H, O> {
    fn new(relu: bool) -> Self {
        let w = |r: usize, c: usize| ((r * 31 + c * 17) % 13) as f32 / 13.0 - 0.5;
        Self {
            w1: std::array::from_fn(|r| std::array::from_fn(|c| w(r, c) * 0.3)),
            b1: [0.0; H],
            w2: std::array::from_fn(|r| std::array::from_fn(|c| w(r + 7, c) * 0.3)),
            b2: [0.0; O],
            relu,
        }
    }

    fn hidden(&self, x: &[f32; I]) -> [f32; H] {
        let mut h = self.b1;
        for (h, w) in h.iter_mut().zip(&self.w1) {
            for (w, x) in w.iter().zip(x) {
                *h += w * x;
            }
            *h = if self.relu { h.max(0.0) } else { h.tanh() };
        }
        h
    }

    /// The output probabilities: sigmoid for one output, else softmax.
    fn forward(&self, x: &[f32; I]) -> [f32; O] {
        self.output(&self.hidden(x))
    }

    /// The output probabilities of the hidden layer's values `h`.
    fn output(&self, h: &[f32; H]) -> [f32; O] {
        let mut z = self.b2;
        for (z, w) in z.iter_mut().zip(&self.w2) {
            for (w, h) in w.iter().zip(h) {
                *z += w * h;
            }
        }
        if O == 1 {
            z[0] = 1.0 / (1.0 + (-z[0]).exp());
        } else {
            let max = z.iter().fold(f32::MIN, |m, &v| m.max(v));
            let sum: f32 = z
                .iter_mut()
                .map(|v| {
                    *v = (*v - max).exp();
                    *v
                })
                .sum();
            z.iter_mut().for_each(|v| *v /= sum);
        }
        z
    }

    /// One SGD step on a minibatch: the mean of the per-sample gradients `p - y`.
    #[allow(
        clippy::needless_range_loop,
        reason = "the baseline is plain index loops on purpose"
    )]
    fn train(&mut self, xs: &[[f32; I]], ys: &[[f32; O]]) {
        let mut g = Self {
            w1: [[0.0; I]; H],
            b1: [0.0; H],
            w2: [[0.0; H]; O],
            b2: [0.0; O],
            relu: self.relu,
        };
        for (x, y) in xs.iter().zip(ys) {
            // Each layer once: the hidden values, then the output from them.
            let h = self.hidden(x);
            let p = self.output(&h);
            let d2: [f32; O] = std::array::from_fn(|o| p[o] - y[o]);
            for o in 0..O {
                g.b2[o] += d2[o];
                for j in 0..H {
                    g.w2[o][j] += d2[o] * h[j];
                }
            }
            for j in 0..H {
                let back: f32 = (0..O).map(|o| self.w2[o][j] * d2[o]).sum();
                let d1 = back
                    * if self.relu {
                        f32::from(u8::from(h[j] > 0.0))
                    } else {
                        1.0 - h[j] * h[j]
                    };
                g.b1[j] += d1;
                for i in 0..I {
                    g.w1[j][i] += d1 * x[i];
                }
            }
        }
        let step = LR / xs.len() as f32;
        for (w, g) in self.w1.iter_mut().flatten().zip(g.w1.iter().flatten()) {
            *w -= step * g;
        }
        for (w, g) in self.w2.iter_mut().flatten().zip(g.w2.iter().flatten()) {
            *w -= step * g;
        }
        for (b, g) in self
            .b1
            .iter_mut()
            .zip(&g.b1)
            .chain(self.b2.iter_mut().zip(&g.b2))
        {
            *b -= step * g;
        }
    }
}

/// Baseline (b): the same network on nalgebra's dynamic matrices, a batch per product.
struct Dynamic {
    w1: DMatrix<f32>,
    b1: DVector<f32>,
    w2: DMatrix<f32>,
    b2: DVector<f32>,
    relu: bool,
}

impl Dynamic {
    fn new(i: usize, h: usize, o: usize, relu: bool) -> Self {
        let w = |r: usize, c: usize| ((r * 31 + c * 17) % 13) as f32 / 13.0 - 0.5;
        Self {
            w1: DMatrix::from_fn(h, i, |r, c| w(r, c) * 0.3),
            b1: DVector::zeros(h),
            w2: DMatrix::from_fn(o, h, |r, c| w(r + 7, c) * 0.3),
            b2: DVector::zeros(o),
            relu,
        }
    }

    /// The hidden activations and the output probabilities for a batch (one sample per column).
    fn forward(&self, x: &DMatrix<f32>) -> (DMatrix<f32>, DMatrix<f32>) {
        let mut h = &self.w1 * x;
        for mut col in h.column_iter_mut() {
            col += &self.b1;
        }
        h.apply(|v| *v = if self.relu { v.max(0.0) } else { v.tanh() });
        let mut z = &self.w2 * &h;
        for mut col in z.column_iter_mut() {
            col += &self.b2;
            if col.len() == 1 {
                col[0] = 1.0 / (1.0 + (-col[0]).exp());
            } else {
                let max = col.max();
                col.apply(|v| *v = (*v - max).exp());
                let sum = col.sum();
                col /= sum;
            }
        }
        (h, z)
    }

    fn train(&mut self, x: &DMatrix<f32>, y: &DMatrix<f32>) {
        let (h, p) = self.forward(x);
        let d2 = p - y;
        let mut d1 = self.w2.tr_mul(&d2);
        d1.zip_apply(&h, |d, h| {
            *d *= if self.relu {
                f32::from(u8::from(h > 0.0))
            } else {
                1.0 - h * h
            }
        });
        let step = LR / x.ncols() as f32;
        self.w2 -= &d2 * h.transpose() * step;
        self.b2 -= d2.column_sum() * step;
        self.w1 -= &d1 * x.transpose() * step;
        self.b1 -= d1.column_sum() * step;
    }
}

/// nn's network with the baselines' weights (`Arrays::new`, `Dynamic::new`), so that all three
/// compute the same numbers: the cost of `tanh` and `exp` depends on their inputs.
fn same_weights<N: Model<Scalar = f32>>() -> N {
    let w = |r: usize, c: usize| ((r * 31 + c * 17) % 13) as f32 / 13.0 - 0.5;
    let mut net = N::default();
    let layers = net.params_mut().step_by(2).zip(N::LAYERS).zip([0, 7]);
    for ((weights, layer), shift) in layers {
        for c in 0..layer.inputs {
            for r in 0..layer.outputs {
                weights[c * layer.outputs + r] = w(r + shift, c) * 0.3;
            }
        }
    }
    net
}

/// The three implementations of one network and its three measurements.
fn bench<N, L, const I: usize, const H: usize, const O: usize>(
    c: &mut Criterion,
    name: &str,
    relu: bool,
    loss: L,
) where
    N: Network<I, O, Scalar = f32>,
    L: nn::Loss<N::Output> + Copy,
{
    let (xs, ys) = data::<I, O>(SAMPLES);
    let arrays_x: Vec<[f32; I]> = xs
        .iter()
        .map(|x| x.as_slice().try_into().expect("I values"))
        .collect();
    let arrays_y: Vec<[f32; O]> = ys
        .iter()
        .map(|y| y.as_slice().try_into().expect("O values"))
        .collect();
    let dyn_x = DMatrix::from_columns(
        &xs.iter()
            .map(|x| DVector::from_column_slice(x.as_slice()))
            .collect::<Vec<_>>(),
    );
    let dyn_y = DMatrix::from_columns(
        &ys.iter()
            .map(|y| DVector::from_column_slice(y.as_slice()))
            .collect::<Vec<_>>(),
    );
    let net = same_weights::<N>();
    let (arrays, dynamic) = (Arrays::<I, H, O>::new(relu), Dynamic::new(I, H, O, relu));
    let (ours, theirs) = (net.forward(&xs[3]), arrays.forward(&arrays_x[3]));
    let same = ours.iter().zip(theirs).all(|(a, b)| (a - b).abs() < 1e-5);
    assert!(same, "{name}: nn and the baseline compute the same outputs");

    let index = 3;
    let one = dyn_x.columns(index, 1).into_owned();
    cell(
        c,
        &format!("{name}/forward"),
        1,
        "",
        || net.forward(black_box(&xs[index])),
        || arrays.forward(black_box(&arrays_x[index])),
        || dynamic.forward(black_box(&one)).1,
    );
    let batch = Box::new(SMatrix::<f32, I, 64>::from_fn(|r, c| xs[c][r]));
    let dyn_batch = dyn_x.columns(0, 64).into_owned();
    cell(
        c,
        &format!("{name}/batch64"),
        64,
        "",
        || net.forward_batch(black_box(&*batch)),
        || {
            arrays_x[..64]
                .iter()
                .map(|x| arrays.forward(x)[0])
                .sum::<f32>()
        },
        || dynamic.forward(black_box(&dyn_batch)).1,
    );

    let mut trainer = Box::new(Trainer::new(Sgd::new(LR, 0.0), loss));
    let mut nn_net = Box::new(net.clone());
    let mut arrays_net = Box::new(arrays.clone());
    let mut dyn_net = Dynamic::new(I, H, O, relu);
    let batches: Vec<_> = (0..SAMPLES / BATCH)
        .map(|k| {
            (
                dyn_x.columns(k * BATCH, BATCH).into_owned(),
                dyn_y.columns(k * BATCH, BATCH).into_owned(),
            )
        })
        .collect();
    cell(
        c,
        &format!("{name}/train"),
        SAMPLES as u64,
        "/1024",
        || {
            for (x, y) in xs.chunks(BATCH).zip(ys.chunks(BATCH)) {
                trainer.step(&mut *nn_net, (x, y)).expect("finite");
            }
        },
        || {
            for (x, y) in arrays_x.chunks(BATCH).zip(arrays_y.chunks(BATCH)) {
                arrays_net.train(x, y);
            }
        },
        || batches.iter().for_each(|(x, y)| dyn_net.train(x, y)),
    );
}

/// nn's time over the faster baseline's, per group, from [`paired`].
static RATIOS: Mutex<Vec<(String, f64, &str)>> = Mutex::new(Vec::new());

/// One cell of the table: criterion measures nn and both baselines (the times), then
/// [`paired`] measures nn against each, and the ratio is the one against the faster.
fn cell<A, B, C>(
    c: &mut Criterion,
    group: &str,
    elements: u64,
    suffix: &str,
    mut nn: impl FnMut() -> A,
    mut arrays: impl FnMut() -> B,
    mut dmatrix: impl FnMut() -> C,
) {
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(elements));
    if elements == SAMPLES as u64 {
        g.sample_size(10);
    }
    // "nn" or, for training, "nn/1024": the function and the samples.
    let id = |name: &str| match suffix {
        "" => BenchmarkId::from_parameter(name),
        _ => BenchmarkId::new(name, SAMPLES),
    };
    g.bench_function(id("nn"), |b| b.iter(&mut nn));
    g.bench_function(id("arrays"), |b| b.iter(&mut arrays));
    g.bench_function(id("dmatrix"), |b| b.iter(&mut dmatrix));
    g.finish();
    if mean_ns(group, &format!("nn{suffix}")).is_none() {
        return; // filtered out
    }
    let a = paired(&mut nn, &mut arrays);
    let d = paired(&mut nn, &mut dmatrix);
    // Against the faster baseline: the one nn's time is the larger multiple of.
    let ratio = if a >= d {
        (a, "arrays")
    } else {
        (d, "dmatrix")
    };
    let mut ratios = RATIOS.lock().expect("not poisoned");
    ratios.push((group.to_string(), ratio.0, ratio.1));
}

/// `a`'s time over `b`'s, measured in alternating rounds (a then b, then b then a) of the same
/// number of calls, at least 0.5 ms each: the median of the rounds' ratios. Criterion measures
/// each function for seconds after the other, and this machine's speed drifts by more than the
/// differences measured; a slow spell hits both sides of a round alike.
fn paired<A, B>(mut a: impl FnMut() -> A, mut b: impl FnMut() -> B) -> f64 {
    let mut a = || drop(black_box(a()));
    let mut b = || drop(black_box(b()));
    let mut calls = 1;
    while time(&mut a, calls) < 5e-4 {
        calls *= 2;
    }
    let quick = std::env::args().any(|arg| arg == "--quick");
    let (least, most) = if quick { (11, 1.0) } else { (51, 5.0) };
    let (start, mut ratios) = (Instant::now(), Vec::new());
    while ratios.len() < least || start.elapsed().as_secs_f64() < most {
        let ratio = if ratios.len() % 2 == 0 {
            let ta = time(&mut a, calls);
            ta / time(&mut b, calls)
        } else {
            let tb = time(&mut b, calls);
            time(&mut a, calls) / tb
        };
        ratios.push(ratio);
    }
    ratios.sort_by(f64::total_cmp);
    ratios[ratios.len() / 2]
}

/// The seconds `calls` calls of `f` take.
fn time(f: &mut impl FnMut(), calls: u32) -> f64 {
    let start = Instant::now();
    (0..calls).for_each(|_| f());
    start.elapsed().as_secs_f64()
}

/// When this run started.
static START: OnceLock<SystemTime> = OnceLock::new();

/// The mean time criterion measured for one benchmark in this run, in nanoseconds.
fn mean_ns(group: &str, function: &str) -> Option<f64> {
    let target = std::env::var("CARGO_TARGET_DIR")
        .unwrap_or(concat!(env!("CARGO_MANIFEST_DIR"), "/../target").into());
    let dir = std::path::Path::new(&target).join("criterion");
    let file = dir
        .join(group.replace('/', "_"))
        .join(function)
        .join("new/estimates.json");
    let start = *START.get()?;
    if std::fs::metadata(&file).ok()?.modified().ok()? < start {
        return None; // an earlier run's
    }
    let json = std::fs::read_to_string(file).ok()?;
    let mean = json
        .split("\"mean\"")
        .nth(1)?
        .split("\"point_estimate\":")
        .nth(1)?;
    mean.split([',', '}']).next()?.trim().parse().ok()
}

/// A time in nanoseconds, in the unit that suits it.
fn pretty(ns: f64) -> String {
    match ns {
        ns if ns < 1e3 => format!("{ns:.3} ns"),
        ns if ns < 1e6 => format!("{:.3} µs", ns / 1e3),
        ns => format!("{:.3} ms", ns / 1e6),
    }
}

/// Prints, as the README's two Markdown tables, the times of nn and of both baselines in every
/// cell (criterion's means), and nn's time divided by the faster baseline's (the median of
/// [`paired`] rounds), against the targets.
fn table() {
    let networks = [
        ("2-4-1", Tiny::ARCHITECTURE),
        ("4-16-3", Small::ARCHITECTURE),
        ("64-32-10", Digits::ARCHITECTURE),
        ("784-128-10", Mnist::ARCHITECTURE),
    ];
    let cells = [("forward", ""), ("batch64", ""), ("train", "/1024")];
    let mut times = String::from(
        "| network | forward, 1 sample: nn / arrays / DMatrix | batch of 64 | training, 1024 samples (SGD, minibatch 32) |\n|---|---|---|---|\n",
    );
    let mut ratios = String::from(
        "| nn's time / the faster baseline's, paired | forward (target ≤ 1.2) | batch of 64 (≤ 1/0.9) | training (≤ 1/0.9) |\n|---|---|---|---|\n",
    );
    for (net, architecture) in networks {
        times += &format!("| `{architecture}` |");
        ratios += &format!("| `{architecture}` |");
        for (cell, suffix) in cells {
            let group = format!("{net}/{cell}");
            let time = |f: &str| mean_ns(&group, &format!("{f}{suffix}"));
            let text = match (time("nn"), time("arrays"), time("dmatrix")) {
                (Some(nn), Some(a), Some(d)) => {
                    format!("{} / {} / {}", pretty(nn), pretty(a), pretty(d))
                }
                _ => "not measured".into(),
            };
            let measured = RATIOS.lock().expect("not poisoned");
            let ratio = match measured.iter().find(|(g, ..)| *g == group) {
                Some((_, ratio, baseline)) => format!("{ratio:.2} ({baseline})"),
                None => "not measured".into(),
            };
            times += &format!(" {text} |");
            ratios += &format!(" {ratio} |");
        }
        times += "\n";
        ratios += "\n";
    }
    println!("\n{times}\n{ratios}");
}

/// The core's single-thread sgemm peak, as far as software on it reaches: a 512×512 by 512×512
/// f32 product through nalgebra's `gemm`, which calls `matrixmultiply`'s blocked, vectorised
/// kernel (the GEMM nn's large products use), in GFLOP/s (2 flops per multiply-add). Then nn's
/// training of the 784-wide network against it, [`paired`]: a sample costs
/// `2·(3·MACS − 784·128)` flops (the forward product of each layer, `Δ·Xᵀ` of each, and `Wᵀ·Δ`
/// of every layer but the first).
fn peak(c: &mut Criterion) {
    let a = DMatrix::<f32>::from_fn(512, 512, |r, c| ((r * 3 + c) % 7) as f32 * 0.1);
    let mut out = DMatrix::<f32>::zeros(512, 512);
    let mut sgemm = || out.gemm(1.0, black_box(&a), black_box(&a), 0.0);
    let mut group = c.benchmark_group("sgemm");
    group.bench_function("512", |b| b.iter(&mut sgemm));
    group.finish();
    let Some(time) = mean_ns("sgemm", "512") else {
        return; // filtered out
    };
    let (xs, ys) = data::<784, 10>(SAMPLES);
    let mut net = Box::new(same_weights::<Mnist>());
    let mut trainer = Trainer::new(Sgd::new(LR, 0.0), CrossEntropy);
    let train = || {
        for (x, y) in xs.chunks(BATCH).zip(ys.chunks(BATCH)) {
            trainer.step(&mut *net, (x, y)).expect("finite");
        }
    };
    let ratio = paired(train, &mut sgemm);
    let flops = 2.0 * (3 * Mnist::MACS - 784 * 128) as f64 * SAMPLES as f64;
    let peak = 2.0 * 512f64.powi(3) / time;
    let share = flops / (2.0 * 512f64.powi(3)) / ratio;
    println!(
        "\n784-128-10 training: {:.1} GFLOP/s, {:.0}% of the single-thread sgemm peak ({peak:.1} GFLOP/s, 512³; the share from paired rounds)",
        share * peak,
        100.0 * share
    );
}

/// Data-parallel training (`--features parallel`): `64 => 32 relu => 10 softmax`, SGD,
/// minibatch 256, on a pool of one thread (serial) and of two.
#[cfg(feature = "parallel")]
fn parallel(c: &mut Criterion) {
    let (xs, ys) = data::<64, 10>(SAMPLES);
    let mut group = c.benchmark_group("parallel/train256");
    group.throughput(Throughput::Elements(SAMPLES as u64));
    let mut train = [1, 2].map(|threads| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a pool");
        let mut net = Digits::new(0);
        let mut trainer = Trainer::new(Sgd::new(0.01, 0.0), CrossEntropy);
        let (xs, ys) = (&xs, &ys);
        move || {
            for (x, y) in xs.chunks(256).zip(ys.chunks(256)) {
                pool.install(|| trainer.step(&mut net, (x, y)))
                    .expect("finite");
            }
        }
    });
    for (threads, train) in [1, 2].into_iter().zip(&mut train) {
        group.bench_function(format!("{threads} threads"), |b| b.iter(&mut *train));
    }
    group.finish();
    if mean_ns("parallel/train256", "2 threads").is_some() {
        let [one, two] = &mut train;
        let speedup = paired(one, two);
        println!("\ndata-parallel training at minibatch 256: {speedup:.2}x the serial throughput on 2 threads, paired rounds (target ≥ 1.6)");
    }
}

fn main() {
    START.get_or_init(SystemTime::now);
    let mut c = Criterion::default().configure_from_args().without_plots();
    #[cfg(feature = "parallel")]
    parallel(&mut c);
    bench::<Tiny, _, 2, 4, 1>(&mut c, "2-4-1", true, BinaryCrossEntropy);
    bench::<Small, _, 4, 16, 3>(&mut c, "4-16-3", false, CrossEntropy);
    bench::<Digits, _, 64, 32, 10>(&mut c, "64-32-10", true, CrossEntropy);
    bench::<Mnist, _, 784, 128, 10>(&mut c, "784-128-10", true, CrossEntropy);
    peak(&mut c);
    c.final_summary();
    table();
}
