//! Declares the XOR network, prints its summary, trains it and prints its outputs for the four
//! inputs. (`2 => 8 tanh => 1 sigmoid` learns XOR from nearly every seed; with 4 relu units, a
//! seed whose units start dead cannot.)
//!
//! ```text
//! cargo run --release --example xor -- [--seed N] [--epochs N]
//! ```
use clap::Parser;
use nn::prelude::*;
use nn::{Adam, BinaryCrossEntropy, Fit, Trainer};
use std::process::ExitCode;

mod common;

network! {
    /// Learns exclusive or.
    pub struct Xor < 2 => 8 tanh => 1 sigmoid >
}

/// Trains a network on exclusive or.
#[derive(Parser)]
struct Args {
    /// The seed of the initial weights and the shuffles.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Passes over the four samples.
    #[arg(long, default_value_t = 500)]
    epochs: usize,
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::report(|| run(&args))
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let xs: Vec<SVector<f32, 2>> = [[0., 0.], [0., 1.], [1., 0.], [1., 1.]]
        .map(Into::into)
        .into();
    let ys: Vec<SVector<f32, 1>> = [[0.], [1.], [1.], [0.]].map(Into::into).into();
    let mut net = Xor::new(args.seed);
    println!("{}\n", net.summary());
    let mut trainer = Trainer::new(Adam::new(0.05), BinaryCrossEntropy);
    let fit = Fit {
        epochs: args.epochs,
        batch_size: 4,
        seed: args.seed,
        ..Fit::default()
    };
    let history = trainer.fit(&mut net, (&xs, &ys), None, &fit)?;
    let last = history.train.last().copied().unwrap_or_default();
    println!(
        "after {} epochs: loss {:.4}, accuracy {:.0}%",
        history.train.len(),
        last.loss,
        last.accuracy * 100.0
    );
    for x in &xs {
        println!("{:?} -> {:.4}", [x[0], x[1]], net.forward(x)[0]);
    }
    Ok(())
}
