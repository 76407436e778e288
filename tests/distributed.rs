//! Training across MPI processes (feature `distributed`): `cargo test --features distributed
//! --test distributed` starts this program under `mpirun` with 2 and with 3 processes (an
//! uneven split), and each process checks, against the others and against one process
//! training alone:
//!
//! - after `fit`, every process holds the same weights, bit for bit, and the same history;
//!   they equal one process's within 1e-5 of the largest weight (the same minibatches,
//!   their sums added in another order: f32 rounding of about 6e-8 per sum, compounded over
//!   about 50 steps; measured here, 1.3e-7 to 1.9e-7);
//! - a step whose minibatch leaves a process no sample is fine;
//! - networks or data that differ between processes, and a NaN in one process's share, are an
//!   `Err` on every process, never a hang;
//! - a run stopped and resumed from its checkpoint ends as the run never stopped, bit for bit.
//!
//! Without `mpirun` on the machine it prints why and passes, unless `CI` is set.
use core::ops::ControlFlow;
use core::ops::Range;
use nn::distributed::{bindings, Mpi};
use nn::prelude::*;
use nn::{Adam, CrossEntropy, Error, Fit, History, Local, Optimizer, Reduce, Sgd, State, Sums};
use nn::{Model, Trainer};
use std::process::Command;

use bindings::collective::SystemOperation;
use bindings::topology::SimpleCommunicator;
use bindings::traits::*;

network! { struct Net < 4 => 16 tanh => 3 softmax > }

type Samples = (Vec<SVector<f32, 4>>, Vec<SVector<f32, 3>>);

/// `n` samples of three noisy clusters.
fn data(n: usize) -> Samples {
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for i in 0..n {
        let class = i % 3;
        let noise = |k: usize| ((i * 7 + k * 13) % 11) as f32 / 11.0 - 0.5;
        xs.push(SVector::from_fn(|k, _| {
            (k == class) as u8 as f32 + noise(k)
        }));
        ys.push(SVector::from_fn(|k, _| (k == class) as u8 as f32));
    }
    (xs, ys)
}

fn settings() -> Fit {
    Fit {
        epochs: 6,
        batch_size: 32,
        seed: 5,
        patience: Some(3),
        validation_split: 0.2,
        quiet: true,
        ..Fit::default()
    }
}

fn main() {
    if std::env::args().any(|arg| arg == "--rank") {
        return ranks();
    }
    let program = std::env::current_exe().expect("the test's own path");
    for n in ["2", "3"] {
        let mut mpirun = Command::new("mpirun");
        mpirun.args([
            "--allow-run-as-root",
            "--oversubscribe",
            "--timeout",
            "300",
            "-n",
            n,
        ]);
        let status = match mpirun.arg(&program).arg("--rank").status() {
            Err(e) if std::env::var_os("CI").is_none() => {
                return println!("skipped: no mpirun here ({e}); install openmpi-bin");
            }
            status => status.expect("mpirun starts"),
        };
        assert!(status.success(), "{n} processes: {status}");
        println!("{n} processes: ok");
    }
}

/// What every process runs.
fn ranks() {
    let universe = bindings::initialize().expect("MPI starts");
    let world = universe.world();
    fit_equals_one_process(&world, || Sgd::new(0.1, 0.9));
    fit_equals_one_process(&world, || Adam::new(0.01));
    a_process_may_get_no_sample(&world);
    differences_are_errors_everywhere(&world);
    a_nan_in_one_share_is_an_error_everywhere(&world);
    a_resumed_run_ends_as_one_never_stopped(&world);
    a_checkpoint_one_process_misses_is_an_error_everywhere(&world);
    a_split_within_each_process_composes(&world);
    an_f64_network_sums_in_f64(&world);
    println!("process {} of {}: ok", world.rank(), world.size());
}

/// The largest and the smallest of `value` over the processes.
fn extremes(world: &SimpleCommunicator, value: u64) -> (u64, u64) {
    let mut max = 0;
    let mut min = 0;
    world.all_reduce_into(&value, &mut max, SystemOperation::max());
    world.all_reduce_into(&value, &mut min, SystemOperation::min());
    (max, min)
}

/// Asserts that every process holds `net`'s weights bit for bit.
fn same_everywhere(world: &SimpleCommunicator, net: &Net) {
    let hash = |h: u64, w: &f32| (h ^ u64::from(w.to_bits())).wrapping_mul(0x0100_0000_01b3);
    let fingerprint = net.params().flatten().fold(0xcbf2_9ce4_8422_2325, hash);
    let (max, min) = extremes(world, fingerprint);
    assert_eq!(max, min, "the processes' weights differ");
}

/// The largest difference between two networks' weights, relative to the largest weight.
fn difference(a: &Net, b: &Net) -> f32 {
    let pairs = a.params().flatten().zip(b.params().flatten());
    let largest = a.params().flatten().fold(0.0f32, |m, w| m.max(w.abs()));
    pairs.fold(0.0f32, |m, (x, y)| m.max((x - y).abs())) / largest
}

/// Trains `net` from seed 0 with `optimizer`, on `world` or alone.
fn fit<Opt: Optimizer<Net> + State<Net>>(
    world: Option<&SimpleCommunicator>,
    optimizer: Opt,
    fit: &Fit,
    stop_after: Option<usize>,
) -> Result<(Net, History), Error> {
    let (xs, ys) = data(300);
    let mut net = Net::new(0);
    let stop = |_: &Net, history: &History| match stop_after {
        Some(k) if history.train.len() == k => ControlFlow::Break(()),
        _ => ControlFlow::Continue(()),
    };
    let history = match world {
        Some(world) => {
            let mpi = Mpi::new(world.duplicate(), &net)?;
            let mut trainer = Trainer::reducing(optimizer, CrossEntropy, mpi);
            trainer.fit_with(&mut net, (&xs, &ys), None, fit, stop)?
        }
        None => {
            let mut trainer = Trainer::reducing(optimizer, CrossEntropy, Local);
            trainer.fit_with(&mut net, (&xs, &ys), None, fit, stop)?
        }
    };
    Ok((net, history))
}

fn fit_equals_one_process<Opt: Optimizer<Net> + State<Net>>(
    world: &SimpleCommunicator,
    optimizer: impl Fn() -> Opt,
) {
    let (together, history) = fit(Some(world), optimizer(), &settings(), None).unwrap();
    same_everywhere(world, &together);
    let (alone, alone_history) = fit(None, optimizer(), &settings(), None).unwrap();
    let difference = difference(&together, &alone);
    if world.rank() == 0 {
        println!(
            "{} processes: weights {difference:.1e} from one process's",
            world.size()
        );
    }
    assert!(difference < 1e-5, "{difference} from one process");
    assert_eq!(history.best_epoch, alone_history.best_epoch);
    for (a, b) in history.validation.iter().zip(&alone_history.validation) {
        assert!((a.loss - b.loss).abs() < 1e-4 && a.accuracy == b.accuracy);
    }
}

fn a_process_may_get_no_sample(world: &SimpleCommunicator) {
    let (xs, ys) = data(1);
    let mut net = Net::new(0);
    let mut alone = net.clone();
    let mpi = Mpi::new(world.duplicate(), &net).unwrap();
    let mut trainer = Trainer::reducing(Sgd::new(0.1, 0.0), CrossEntropy, mpi);
    let loss = trainer.step(&mut net, (&xs, &ys)).unwrap();
    let mut local = Trainer::reducing(Sgd::new(0.1, 0.0), CrossEntropy, Local);
    let alone_loss = local.step(&mut alone, (&xs, &ys)).unwrap();
    assert_eq!(loss, alone_loss);
    assert_eq!(net, alone);
}

fn differences_are_errors_everywhere(world: &SimpleCommunicator) {
    let rank = world.rank() as u64;
    let error = Mpi::new(world.duplicate(), &Net::new(rank)).unwrap_err();
    assert_eq!(error, Error::Ranks("starting weights"));
    // The last process has one sample more.
    let last = rank + 1 == world.size() as u64;
    let (xs, ys) = data(300 + usize::from(last));
    let mut net = Net::new(0);
    let mpi = Mpi::new(world.duplicate(), &net).unwrap();
    let mut trainer = Trainer::reducing(Adam::new(0.01), CrossEntropy, mpi);
    let error = trainer.fit(&mut net, (&xs, &ys), None, &settings());
    assert_eq!(error.unwrap_err(), Error::Ranks("data or Fit settings"));
    assert_eq!(net, Net::new(0));
}

fn a_nan_in_one_share_is_an_error_everywhere(world: &SimpleCommunicator) {
    let (mut xs, ys) = data(300);
    // Sample 299 is in the last process's share of the batch that holds it.
    xs[299][2] = f32::NAN;
    let fit = Fit {
        validation_split: 0.0,
        ..settings()
    };
    let mut net = Net::new(0);
    let mpi = Mpi::new(world.duplicate(), &net).unwrap();
    let mut trainer = Trainer::reducing(Adam::new(0.01), CrossEntropy, mpi);
    let error = trainer.fit(&mut net, (&xs, &ys), None, &fit).unwrap_err();
    assert!(matches!(error, Error::NonFinite("sample", 0, _)), "{error}");
    same_everywhere(world, &net);
    assert!(net.is_finite());
}

fn a_resumed_run_ends_as_one_never_stopped(world: &SimpleCommunicator) {
    let dir = env!("CARGO_TARGET_TMPDIR");
    let size = world.size();
    let path = std::path::Path::new(dir).join(format!("distributed-{size}.ckpt"));
    if world.rank() == 0 {
        let _ = std::fs::remove_file(&path);
    }
    world.barrier();
    let with_checkpoint = Fit {
        checkpoint: Some(path.clone()),
        ..settings()
    };
    let (expected, expected_history) =
        fit(Some(world), Adam::new(0.01), &settings(), None).unwrap();
    let (stopped, _) = fit(Some(world), Adam::new(0.01), &with_checkpoint, Some(2)).unwrap();
    assert_ne!(stopped, expected);
    world.barrier();
    let (resumed, history) = fit(Some(world), Adam::new(0.01), &with_checkpoint, None).unwrap();
    assert_eq!(resumed, expected);
    assert_eq!(history, expected_history);
    same_everywhere(world, &resumed);
}

fn a_checkpoint_one_process_misses_is_an_error_everywhere(world: &SimpleCommunicator) {
    // Each process's own path, as on machines that share no file system: only process 0
    // finds a checkpoint.
    let name = format!("seen-by-0-{}-{}.ckpt", world.size(), world.rank());
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_file(&path);
    let with_checkpoint = Fit {
        checkpoint: Some(path.clone()),
        ..settings()
    };
    if world.rank() == 0 {
        let one_epoch = Fit {
            epochs: 1,
            ..with_checkpoint.clone()
        };
        fit(None, Adam::new(0.01), &one_epoch, None).unwrap();
    }
    world.barrier();
    let error = fit(Some(world), Adam::new(0.01), &with_checkpoint, None).unwrap_err();
    assert_eq!(error, Error::Ranks("checkpoints"));
    // Every process finds one, but of another epoch: process r's ran r + 1 epochs.
    let _ = std::fs::remove_file(&path);
    let epochs = Fit {
        epochs: world.rank() as usize + 1,
        ..with_checkpoint.clone()
    };
    fit(None, Adam::new(0.01), &epochs, None).unwrap();
    world.barrier();
    let error = fit(Some(world), Adam::new(0.01), &with_checkpoint, None).unwrap_err();
    assert_eq!(error, Error::Ranks("checkpoints"));
}

/// A reduction within one process that computes a batch in two halves, as `Threads` does on
/// two threads.
#[derive(Debug)]
struct Halves;

impl Reduce for Halves {
    fn reduce<N: Model>(
        &self,
        len: usize,
        grads: &mut N,
        local: impl Fn(Range<usize>, &mut N) -> Result<Sums<N::Scalar>, Error> + Sync,
    ) -> Result<Sums<N::Scalar>, Error> {
        let first = local(0..len / 2, grads)?;
        let mut second_half = N::default();
        let second = local(len / 2..len, &mut second_half)?;
        let pairs = grads
            .params_mut()
            .flatten()
            .zip(second_half.params().flatten());
        pairs.for_each(|(g, h)| *g += *h);
        let loss = first.loss + second.loss;
        let samples = first.samples + second.samples;
        Ok(Sums { loss, samples })
    }
}

fn a_split_within_each_process_composes(world: &SimpleCommunicator) {
    let (xs, ys) = data(90);
    let mut net = Net::new(0);
    let mut alone = net.clone();
    let mpi = Mpi::with(world.duplicate(), &net, Halves).unwrap();
    let debug = format!("{mpi:?}");
    let place = format!("rank: {}, size: {}", world.rank(), world.size());
    assert!(debug.contains(&place), "{debug}");
    let mut trainer = Trainer::reducing(Sgd::new(0.1, 0.9), CrossEntropy, mpi);
    let mut local = Trainer::reducing(Sgd::new(0.1, 0.9), CrossEntropy, Local);
    for _ in 0..3 {
        trainer.step(&mut net, (&xs, &ys)).unwrap();
        local.step(&mut alone, (&xs, &ys)).unwrap();
    }
    let difference = difference(&net, &alone);
    assert!(difference < 1e-6, "{difference} from one process");
}

network! { struct Wide: f64 < 4 => 16 tanh => 3 softmax > }

/// An f64 network's gradient is summed in f64: within f64 rounding of one process's.
fn an_f64_network_sums_in_f64(world: &SimpleCommunicator) {
    let (xs, ys) = data(90);
    let xs: Vec<SVector<f64, 4>> = xs.iter().map(|x| x.cast()).collect();
    let ys: Vec<SVector<f64, 3>> = ys.iter().map(|y| y.cast()).collect();
    let mut net = Wide::new(0);
    let mut alone = net.clone();
    let mpi = Mpi::new(world.duplicate(), &net).unwrap();
    let mut trainer = Trainer::reducing(Adam::new(0.01), CrossEntropy, mpi);
    let mut local = Trainer::reducing(Adam::new(0.01), CrossEntropy, Local);
    for _ in 0..5 {
        trainer.step(&mut net, (&xs, &ys)).unwrap();
        local.step(&mut alone, (&xs, &ys)).unwrap();
    }
    let pairs = net.params().flatten().zip(alone.params().flatten());
    let difference = pairs.fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
    assert!(difference < 1e-12, "{difference} from one process");
}
