//! The recipe, from a CSV file to a saved model, with nn alone: read Fisher's iris, split it
//! (stratified, seeded), standardise it on the training part, train with early stopping on a
//! validation split, measure on the test part, fold the standardisation into the network so
//! that it takes raw measurements, save it.
//!
//! ```text
//! cargo run --release --example iris -- [--seed N] [--data FILE]
//! ```
use clap::Parser;
use nn::data::{Scaler, Table};
use nn::prelude::*;
use nn::{Adam, CrossEntropy, Fit, Trainer};
use std::path::PathBuf;
use std::process::ExitCode;

mod common;

network! {
    /// Tells three kinds of iris apart from four measurements (cm).
    pub struct Iris < 4 => 16 relu => 3 softmax >
}

/// Trains an iris classifier and saves it to `target/iris.safetensors`.
#[derive(Parser)]
struct Args {
    /// The seed of the split, the initial weights and the shuffles.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// A CSV file with a header, four measurements and a `species` column (0, 1 or 2).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/data/iris.csv"))]
    data: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::report(|| run(&args))
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let table = Table::read_csv(&args.data, "species")?;
    let (train, test) = table.split(0.2, args.seed)?; // 20% of each class to test
    let scaler = Scaler::fit(&train)?; // the training part's means and deviations
    let (x, y) = scaler.apply(&train).data()?; // inputs, one-hot targets
    let (test_x, test_y) = scaler.apply(&test).data()?;

    let mut net = Iris::new(args.seed);
    let mut trainer = Trainer::new(Adam::new(0.01), CrossEntropy);
    let fit = Fit {
        epochs: 300,
        batch_size: 16,
        seed: args.seed,
        validation_split: 0.2,
        patience: Some(20),
        ..Fit::default()
    };
    let history = trainer.fit(&mut net, (&x, &y), None, &fit)?;
    let test = nn::evaluate(&net, (&test_x, &test_y), CrossEntropy);
    let epochs = history.train.len();
    println!(
        "test accuracy {:.1}% after {epochs} epochs",
        100.0 * test.accuracy
    );

    scaler.fold_into(&mut net)?; // now it takes raw measurements
    std::fs::create_dir_all("target")?;
    nn::save(&net, "target/iris.safetensors")?;
    println!("saved target/iris.safetensors; embed it in a program with");
    println!("  network! {{ struct Iris < 4 => 16 relu => 3 softmax >");
    println!("             const TRAINED = \"target/iris.safetensors\"; }}");
    Ok(())
}
