//! The host's reference for `examples/firmware`: the same model, the same ten images and the
//! same training, through the very same code (`examples/firmware/src/demo.rs`), so that
//! `.ci/firmware` can check that the microcontroller computes the same numbers.
use nn::prelude::*;

#[path = "firmware/src/demo.rs"]
mod demo;
#[path = "firmware/src/images.rs"]
mod images;

network! {
    /// The digits classifier, as the firmware embeds it.
    pub struct Digits < 64 => 32 relu => 10 softmax >
    const TRAINED = "examples/models/digits.safetensors";
}

/// Writes to standard output.
struct Stdout;

impl std::fmt::Write for Stdout {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        print!("{s}");
        Ok(())
    }
}

fn main() -> std::fmt::Result {
    demo::run(&Digits::TRAINED, &mut Stdout)
}
