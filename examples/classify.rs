//! A trained model inside the binary: the digits network that `examples/digits.rs` trained and
//! saved, embedded at compile time as a `const`. No file is read, nothing is parsed and nothing
//! is allocated to classify.
//!
//! ```text
//! cargo run --release --example classify                  # the first 10 images of the data set
//! cargo run --release --example classify -- --count 20 FILE.csv
//! echo "0,0,5,13,9,1,0,0,..." | cargo run --release --example classify -- -   # 64 pixels a line
//! ```
use nn::prelude::*;
use std::process::ExitCode;

mod common;

network! {
    /// The digits classifier of `examples/digits.rs`; it takes raw pixel counts (0 to 16).
    pub struct Digits < 64 => 32 relu => 10 softmax >
    const TRAINED = "models/digits.safetensors";
}

/// The model, in the binary's read-only data.
static MODEL: Digits = Digits::TRAINED;

/// Classifies digits with the embedded model.
#[derive(clap::Parser)]
struct Args {
    /// A CSV file with a header and 64 pixel counts per line (a 65th field, the digit, is
    /// shown), or `-` for such lines, without a header, on stdin.
    #[arg(default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/data/digits.csv"))]
    input: String,
    /// How many images to classify.
    #[arg(long, default_value_t = 10)]
    count: usize,
}

fn main() -> ExitCode {
    let args = <Args as clap::Parser>::parse();
    common::report(|| run(&args))
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let lines: Vec<String> = match args.input.as_str() {
        "-" => std::io::stdin().lines().collect::<Result<_, _>>()?,
        path => std::fs::read_to_string(path)?
            .lines()
            .skip(1)
            .map(String::from)
            .collect(),
    };
    for line in lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .take(args.count)
    {
        let values: Result<Vec<f32>, _> = line.split(',').map(|v| v.trim().parse()).collect();
        match values {
            Ok(v) if v.len() >= 64 => {
                let p = MODEL.forward(&SVector::from_column_slice(&v[..64]));
                let label = v
                    .get(64)
                    .map_or(String::new(), |l| format!(" (labelled {l})"));
                println!("digit {} with p = {:.3}{label}", p.imax(), p.max());
            }
            _ => eprintln!("skipped a line that does not start with 64 numbers: {line}"),
        }
    }
    Ok(())
}
