//! A trained model inside the binary: the digits network that `examples/digits.rs` trained and
//! saved, embedded at compile time as a `const`. No file is read, nothing is parsed and nothing
//! is allocated to classify.
//!
//! ```text
//! cargo run --release --example classify                  # the first 10 images of the data set
//! echo "0,0,5,13,9,1,0,0,..." | cargo run --release --example classify -- -   # 64 pixels a line
//! ```
use nn::prelude::*;

network! {
    /// The digits classifier of `examples/digits.rs`; it takes raw pixel counts (0 to 16).
    pub struct Digits < 64 => 32 relu => 10 softmax >
    const TRAINED = "examples/models/digits.safetensors";
}

/// The model, in the binary's read-only data.
static MODEL: Digits = Digits::TRAINED;

fn main() {
    let from_stdin = std::env::args().nth(1).is_some_and(|a| a == "-");
    let lines: Vec<String> = if from_stdin {
        std::io::stdin().lines().map_while(Result::ok).collect()
    } else {
        nn_examples::DIGITS_CSV
            .lines()
            .take(10)
            .map(String::from)
            .collect()
    };
    for line in lines.iter().filter(|l| !l.trim().is_empty()) {
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
}
