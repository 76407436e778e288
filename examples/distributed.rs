//! Training on many processes: the digits of the `digits` example, trained data-parallel by
//! every process of an MPI job, each computing its share of every minibatch.
//!
//! ```text
//! cargo build --release --features distributed --example distributed
//! mpirun -n 2 target/release/examples/distributed [--check] [--checkpoint FILE]   # --help: all
//! mpirun -n 2 target/release/examples/distributed --measure   # samples/s, all-reduce time
//! ```
//!
//! Every process reads the data, builds the network from the same seed and trains; process 0
//! prints and saves. `--check` also trains alone in every process and fails unless the weights
//! are within 1e-4 (relative) of the job's and the test accuracy within 0.5 points.
use clap::Parser;
use nn::data::{Scaler, Table};
use nn::distributed::{bindings, Mpi};
use nn::prelude::*;
use nn::{Adam, CrossEntropy, Fit, Local, Trainer};
use std::{error::Error, path::PathBuf, process::ExitCode, time::Instant};

use bindings::collective::SystemOperation;
use bindings::topology::SimpleCommunicator;
use bindings::traits::*;

network! {
    /// Classifies 8×8 images of handwritten digits.
    pub struct Digits < 64 => 32 relu => 10 softmax >
}

network! {
    /// MNIST's shape, for `--measure`.
    pub struct Mnist < 784 => 128 relu => 10 softmax >
}

/// Trains the digits classifier on every process of an MPI job.
#[derive(Parser)]
struct Args {
    /// The most epochs to train (early stopping may end sooner).
    #[arg(long, default_value_t = 60)]
    epochs: usize,
    /// Samples per step, over all processes.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// The seed of the split, the initial weights and the shuffles.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// A checkpoint file, saved after every epoch; if it exists, training resumes from it.
    #[arg(long)]
    checkpoint: Option<PathBuf>,
    /// Also train alone in every process, and fail unless the results agree.
    #[arg(long)]
    check: bool,
    /// Instead of training digits, measure samples per second and the all-reduce's time on
    /// `784 => 128 relu => 10 softmax`.
    #[arg(long)]
    measure: bool,
    /// Where process 0 writes digits-distributed.safetensors.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/models"))]
    out: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let Some(universe) = bindings::initialize() else {
        eprintln!("error: MPI was already started");
        return ExitCode::FAILURE;
    };
    let world = universe.world();
    let run = if args.measure {
        measure(&world)
    } else {
        train(&args, &world)
    };
    match run {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error (process {}): {e}", world.rank());
            ExitCode::FAILURE
        }
    }
}

fn train(args: &Args, world: &SimpleCommunicator) -> Result<(), Box<dyn Error>> {
    let root = world.rank() == 0;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/digits.csv");
    let table = Table::read_csv(path, "digit")?;
    let (train, test) = table.split(0.2, args.seed)?;
    let (train, validation) = train.split(0.1, args.seed)?;
    let scaler = Scaler::fit(&train)?;
    let (x, y) = scaler.apply(&train).data()?;
    let (validation_x, validation_y) = scaler.apply(&validation).data()?;
    let (test_x, test_y) = scaler.apply(&test).data()?;
    let validation = Some((&validation_x[..], &validation_y[..]));
    let fit = Fit {
        epochs: args.epochs,
        batch_size: args.batch_size,
        seed: args.seed,
        patience: Some(15),
        checkpoint: args.checkpoint.clone(),
        ..Fit::default()
    };

    let mut net = Digits::new(args.seed);
    let mpi = Mpi::new(world.duplicate(), &net)?;
    let mut trainer = Trainer::reducing(Adam::new(0.01), CrossEntropy, mpi);
    let start = Instant::now();
    let history = trainer.fit(&mut net, (&x, &y), validation, &fit)?;
    let seconds = start.elapsed().as_secs_f64();
    let test_data = (&test_x[..], &test_y[..]);
    let accuracy = trainer.evaluate(&net, test_data).accuracy;
    if root {
        let processes = world.size();
        let epochs = history.train.len();
        let plural = if processes == 1 { "" } else { "es" };
        println!("{processes} process{plural} trained {epochs} epochs in {seconds:.2} s");
        println!(
            "test accuracy {:.2}% ({} images)",
            accuracy * 100.0,
            test_x.len()
        );
        std::fs::create_dir_all(&args.out)?;
        let model = args.out.join("digits-distributed.safetensors");
        // The saved model takes raw pixels: the standardisation folds into the first layer.
        let mut raw = net.clone();
        scaler.fold_into(&mut raw)?;
        nn::save(&raw, &model)?;
        println!("saved the model to {}", model.display());
    }
    if args.check {
        let mut alone = Digits::new(args.seed);
        let mut local = Trainer::reducing(Adam::new(0.01), CrossEntropy, Local);
        let fit = Fit {
            checkpoint: None,
            quiet: true,
            ..fit
        };
        local.fit(&mut alone, (&x, &y), validation, &fit)?;
        let alone_accuracy = local.evaluate(&alone, test_data).accuracy;
        let largest = alone.params().flatten().fold(0.0f32, |m, w| m.max(w.abs()));
        let pairs = net.params().flatten().zip(alone.params().flatten());
        let difference = pairs.fold(0.0f32, |m, (a, b)| m.max((a - b).abs())) / largest;
        let points = (accuracy - alone_accuracy).abs() * 100.0;
        if root {
            println!("alone: test accuracy {:.2}%", alone_accuracy * 100.0);
            println!("weights within {difference:.1e} (relative) of one process's");
        }
        if difference > 1e-4 || points > 0.5 {
            return Err(format!("{difference} from one process, {points} points").into());
        }
    }
    Ok(())
}

/// Samples per second of `784 => 128 relu => 10 softmax` at minibatches of 256 and 1024, and
/// the time of one all-reduce of its gradient (101 770 f32). In one process, also without MPI
/// (`Local`), the baseline.
fn measure(world: &SimpleCommunicator) -> Result<(), Box<dyn Error>> {
    let root = world.rank() == 0;
    let samples = 8192;
    let x: Vec<SVector<f32, 784>> = (0..samples)
        .map(|i| SVector::from_fn(|k, _| ((i * 31 + k * 17) % 97) as f32 / 97.0))
        .collect();
    let y: Vec<SVector<f32, 10>> = (0..samples)
        .map(|i| SVector::from_fn(|k, _| f32::from(u8::from(k == i % 10))))
        .collect();
    let net = Mnist::new(0);
    let processes = world.size();
    if root {
        println!("processes | minibatch | reduction | samples/s | all-reduce of the gradient");
    }
    for batch in [256, 1024] {
        if processes == 1 {
            let local = Trainer::reducing(Adam::new(0.001), CrossEntropy, Local);
            let rate = samples_per_second(world, local, (&x, &y), batch)?;
            println!("1 | {batch} | Local | {rate:.0} | none");
        }
        let mpi = Mpi::new(world.duplicate(), &net)?;
        let trainer = Trainer::reducing(Adam::new(0.001), CrossEntropy, mpi);
        let rate = samples_per_second(world, trainer, (&x, &y), batch)?;
        let reduce = all_reduce_seconds(world, Mnist::PARAMS, 50);
        if root {
            let ms = reduce * 1e3;
            println!("{processes} | {batch} | Mpi | {rate:.0} | {ms:.3} ms");
        }
    }
    Ok(())
}

/// Samples per second of `trainer`'s steps on `data` in minibatches of `batch`, after one step
/// to warm up.
fn samples_per_second<R: nn::Reduce>(
    world: &SimpleCommunicator,
    mut trainer: Trainer<Mnist, Adam<Mnist>, CrossEntropy, R>,
    (x, y): nn::Data<'_, f32, 784, 10>,
    batch: usize,
) -> Result<f64, nn::Error> {
    let mut net = Mnist::new(0);
    trainer.step(&mut net, (&x[..batch], &y[..batch]))?;
    world.barrier();
    let start = Instant::now();
    for (xs, ys) in x.chunks(batch).zip(y.chunks(batch)) {
        trainer.step(&mut net, (xs, ys))?;
    }
    world.barrier();
    Ok(x.len() as f64 / start.elapsed().as_secs_f64())
}

/// The mean time of `times` all-reduces of `len` f32s over `world`.
fn all_reduce_seconds(world: &SimpleCommunicator, len: usize, times: usize) -> f64 {
    let send = vec![1.0f32; len];
    let mut sums = vec![0.0f32; len];
    world.barrier();
    let start = Instant::now();
    for _ in 0..times {
        world.all_reduce_into(&send[..], &mut sums[..], SystemOperation::sum());
    }
    start.elapsed().as_secs_f64() / times as f64
}
