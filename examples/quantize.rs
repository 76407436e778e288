//! Post-training int8 quantization on the UCI digits: the float model against its quantized
//! form over five splits, and the quantized models the firmware embeds.
//!
//! For each seed 0 to 4 it trains `64 => 32 relu => 10 softmax` as `examples/digits.rs` does
//! (an 80/20 stratified split, early stopping on a tenth of the training part, standardised
//! pixels folded into the first layer), quantizes it calibrated on the training images, and
//! prints both test accuracies. Then it quantizes the shipped `examples/models/digits.safetensors`
//! (seed 0's split) and trains and quantizes `64 => 512 relu => 256 relu => 10 softmax`
//! (166 k parameters: 666 kB as f32, more than the LM3S6965's 256 KiB of flash), and saves both
//! quantized models to `target/models/` (the firmware embeds the copies in `examples/models/`).
//!
//! ```text
//! cargo run --release --example quantize
//! ```
use clap::Parser;
use nn::data::{Scaler, Table};
use nn::prelude::*;
use nn::{Adam, CrossEntropy, Fit, Trainer};
use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;

mod common;

network! {
    /// The digits classifier of `examples/digits.rs`.
    pub struct Digits < 64 => 32 relu => 10 softmax >
    const TRAINED = "models/digits.safetensors";
}

network! {
    /// A digits classifier of 166 k parameters.
    pub struct Large < 64 => 512 relu => 256 relu => 10 softmax >
}

/// Raw pixels (0 to 16) and one-hot digits.
type Data = (Vec<SVector<f32, 64>>, Vec<SVector<f32, 10>>);

/// Seed `seed`'s training and test parts, raw.
fn split(seed: u64) -> Result<(Table, Table), Box<dyn Error>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/digits.csv");
    Ok(Table::read_csv(path, "digit")?.split(0.2, seed)?)
}

/// Trains a network as `examples/digits.rs` does, the standardisation folded in, so that it
/// takes raw pixels.
fn train<N: Network<64, 10, Scalar = f32, Output = nn::Softmax>>(
    seed: u64,
    train: &Table,
) -> Result<N, Box<dyn Error>> {
    let (train, validation) = train.split(0.1, seed)?;
    let scaler = Scaler::fit(&train)?;
    let (x, y): Data = scaler.apply(&train).data()?;
    let (vx, vy): Data = scaler.apply(&validation).data()?;
    let mut net = N::new(seed);
    let fit = Fit {
        epochs: 60,
        batch_size: 32,
        seed,
        patience: Some(15),
        quiet: true,
        ..Fit::default()
    };
    let mut trainer = Trainer::new(Adam::new(0.01), CrossEntropy);
    trainer.fit(&mut net, (&x, &y), Some((&vx, &vy)), &fit)?;
    scaler.fold_into(&mut net)?;
    Ok(net)
}

/// The share of `data`'s images that `predict` classifies right.
fn accuracy(data: &Data, predict: impl Fn(&SVector<f32, 64>) -> SVector<f32, 10>) -> f64 {
    let right = data.0.iter().zip(&data.1);
    let right = right.filter(|(x, y)| predict(x).imax() == y.imax()).count();
    right as f64 / data.0.len() as f64
}

/// Quantizes the digits classifier to int8 over five splits, and saves the quantized models.
#[derive(Parser)]
struct Args {
    /// Where to write digits-int8.safetensors and digits-large-int8.safetensors (the firmware
    /// embeds the copies in `examples/models/`: copy them there to replace them).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/models"))]
    out: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::report(|| run(&args))
}

fn run(args: &Args) -> Result<(), Box<dyn Error>> {
    println!(
        "seed  float   int8    (test accuracy, {} parameters)",
        Digits::PARAMS
    );
    let mut sums = (0.0, 0.0);
    for seed in 0..5 {
        let (train_part, test) = split(seed)?;
        let net: Digits = train(seed, &train_part)?;
        let (images, test): (Data, Data) = (train_part.data()?, test.data()?);
        let quantized = nn::quantize(&net, &images.0)?;
        let float = accuracy(&test, |x| net.forward(x));
        let int8 = accuracy(&test, |x| quantized.forward(x));
        println!("{seed:>4}  {:.2}%  {:.2}%", float * 100.0, int8 * 100.0);
        sums = (sums.0 + float, sums.1 + int8);
    }
    let (float, int8) = (sums.0 / 5.0 * 100.0, sums.1 / 5.0 * 100.0);
    println!(
        "mean  {float:.2}%  {int8:.2}%  (int8 - float: {:+.2} points)\n",
        int8 - float
    );

    let out = args.out.display();
    std::fs::create_dir_all(&args.out)?;
    let (train_part, test) = split(0)?;
    let (images, test_data): (Data, Data) = (train_part.data()?, test.data()?);
    let small = nn::quantize(&Digits::TRAINED, &images.0)?;
    let float = accuracy(&test_data, |x| Digits::TRAINED.forward(x));
    let int8 = accuracy(&test_data, |x| small.forward(x));
    let bytes = nn::to_bytes(&small)?.len();
    let weights = Digits::PARAMS - 42;
    let params = weights + 4 * 42;
    println!(
        "digits.safetensors: float {:.2}%, int8 {:.2}%; parameters {params} bytes as int8 \
         weights and int32 biases, {:.1}% of their {} f32 bytes; file {bytes} bytes",
        float * 100.0,
        int8 * 100.0,
        100.0 * params as f64 / Digits::BYTES as f64,
        Digits::BYTES,
    );
    nn::save(&small, args.out.join("digits-int8.safetensors"))?;

    let large: Large = train(0, &train_part)?;
    let quantized = nn::quantize(&large, &images.0)?;
    let float = accuracy(&test_data, |x| large.forward(x));
    let int8 = accuracy(&test_data, |x| quantized.forward(x));
    let bytes = nn::to_bytes(&quantized)?.len();
    println!(
        "{}: {} parameters, float {:.2}% ({} bytes), int8 {:.2}% (file {bytes} bytes)",
        Large::ARCHITECTURE,
        Large::PARAMS,
        float * 100.0,
        Large::BYTES,
        int8 * 100.0,
    );
    nn::save(&quantized, args.out.join("digits-large-int8.safetensors"))?;
    println!("saved digits-int8.safetensors and digits-large-int8.safetensors to {out}");
    Ok(())
}
