//! The host's reference for `examples/firmware`: the same models, the same ten images and the
//! same training, through the very same code (`examples/firmware/src/demo.rs`), so that
//! `.ci/firmware` can check that the microcontroller computes the same numbers.
//!
//! ```text
//! cargo run --release --example firmware_host --features libm -- [float|int8|large]
//! ```
//!
//! With `--features libm` (as `.ci/firmware` builds it) nn computes `exp` and `tanh` with the
//! libm crate, as the firmware does, and every number equals the device's; without it, with the
//! system's, and a float may differ in its last bit.
//!
//! `float` is the default firmware, `int8` its `--features int8` build, `large` its
//! `--features int8,large` build.
use clap::{Parser, ValueEnum};
use nn::prelude::*;

#[path = "firmware/src/demo.rs"]
mod demo;
#[path = "firmware/src/images.rs"]
mod images;

network! {
    /// The digits classifier, as the firmware embeds it.
    pub struct Digits < 64 => 32 relu => 10 softmax >
    const TRAINED = "models/digits.safetensors";
    const INT8: int8 = "models/digits-int8.safetensors";
}

network! {
    /// The quantized model of 167 k parameters, as the firmware embeds it.
    pub struct Large < 64 => 512 relu => 256 relu => 10 softmax >
    const INT8: int8 = "models/digits-large-int8.safetensors";
}

/// The large model, in read-only data rather than on the stack.
static LARGE: nn::Quantized<Large> = Large::INT8;

/// Writes to standard output.
struct Stdout;

impl std::fmt::Write for Stdout {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        print!("{s}");
        Ok(())
    }
}

/// Which firmware's numbers to print.
#[derive(Clone, Copy, ValueEnum)]
enum Build {
    /// The default firmware: the float model, and 200 Adam steps.
    Float,
    /// `--features int8`: the quantized model.
    Int8,
    /// `--features int8,large`: both quantized models.
    Large,
}

/// Prints what the firmware of `examples/firmware` prints, computed on the host.
#[derive(Parser)]
struct Args {
    /// The firmware build.
    #[arg(value_enum, default_value = "float")]
    build: Build,
}

fn main() -> std::fmt::Result {
    match Args::parse().build {
        Build::Int8 => demo::int8(&Digits::INT8, &demo::inputs(&Digits::INT8), &mut Stdout),
        Build::Large => {
            demo::int8(&Digits::INT8, &demo::inputs(&Digits::INT8), &mut Stdout)?;
            demo::int8(&LARGE, &demo::inputs(&LARGE), &mut Stdout)
        }
        Build::Float => demo::run(&Digits::TRAINED, &mut Stdout),
    }
}
