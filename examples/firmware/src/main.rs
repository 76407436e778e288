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
use nn::{Adam, BinaryCrossEntropy, Trainer};
use panic_halt as _;

mod images;

network! {
    /// The digits classifier, its weights in flash.
    pub struct Digits < 64 => 32 relu => 10 softmax >
    const TRAINED = "../models/digits.safetensors";
}

network! {
    /// A small network trained on the device.
    pub struct Xor < 2 => 4 tanh => 1 sigmoid >
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
    fine_tune();
    debug::exit(debug::EXIT_SUCCESS);
    loop {}
}

/// On-device training, with no allocator: 200 Adam steps of a small XOR network, seeded, on
/// the stack.
#[inline(never)]
fn fine_tune() {
    let mut net = Xor::new(1);
    let mut trainer = Trainer::new(Adam::new(0.05), BinaryCrossEntropy);
    let xs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]].map(SVector::from);
    let ys = [[0.0], [1.0], [1.0], [0.0]].map(SVector::from);
    let mut loss = 0.0;
    for _ in 0..200 {
        match trainer.step(&mut net, xs.iter().zip(&ys)) {
            Ok(l) => loss = l,
            Err(e) => hprintln!("training failed: {e}"),
        }
    }
    hprint!("xor after 200 steps: loss {loss:.7} outputs");
    for x in &xs {
        hprint!(" {:.7}", net.forward(x)[0]);
    }
    hprintln!();
}
