//! nn on a microcontroller: the digits model that `examples/digits.rs` trained, embedded at
//! compile time, classifies ten images on a Cortex-M3 (the LM3S6965 that QEMU emulates) with no
//! allocator, and prints every output over semihosting.
//!
//! ```text
//! cd examples/firmware && cargo run --release   # needs qemu-system-arm
//! ```
#![no_std]
#![no_main]

use cortex_m as _; // its single-core critical section, which semihosting output uses
use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprint, hprintln};
use nn::prelude::*;
use panic_halt as _;

mod images;

network! {
    /// The digits classifier, its weights in flash.
    pub struct Digits < 64 => 32 relu => 10 softmax >
    const TRAINED = "../models/digits.safetensors";
}

/// The model: a `const`, so it lives in flash with no parsing and no allocation.
static MODEL: Digits = Digits::TRAINED;

#[entry]
fn main() -> ! {
    hprintln!(
        "model {}: {} parameters, {} bytes",
        Digits::ARCHITECTURE,
        Digits::PARAMS,
        Digits::BYTES
    );
    for (image, label) in images::IMAGES.iter().zip(images::LABELS) {
        let p = MODEL.forward(&SVector::from_column_slice(image));
        hprint!("label {label} predicted {} outputs", p.imax());
        for v in p.iter() {
            hprint!(" {v:.7}");
        }
        hprintln!();
    }
    debug::exit(debug::EXIT_SUCCESS);
    loop {}
}
