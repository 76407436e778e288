//! nn on a microcontroller: the digits model that `examples/digits.rs` trained, embedded at
//! compile time, classifies ten images on a Cortex-M3 (the LM3S6965 that QEMU emulates) with no
//! allocator, a small network trains on the device, and every number goes out over
//! semihosting.
//!
//! ```text
//! cd examples/firmware && cargo run --release   # needs qemu-system-arm
//! ```
#![no_std]
#![no_main]

use cortex_m as _; // its single-core critical section, which semihosting output uses
use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hio};
use nn::prelude::*;
use panic_halt as _;

mod demo;
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
    let ran = hio::hstdout().map(|mut out| demo::run(&MODEL, &mut out).is_ok());
    debug::exit(if ran == Ok(true) {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    loop {}
}
