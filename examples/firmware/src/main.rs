//! nn on a microcontroller: models embedded at compile time classify ten images of digits
//! with no allocator, and every number goes out over semihosting.
//!
//! - By default (a Cortex-M3, the LM3S6965 that QEMU's `lm3s6965evb` emulates) the float
//!   digits model of `examples/digits.rs` classifies them and a small network trains on the
//!   device.
//! - With `--features int8`, the digits model quantized by `examples/quantize.rs` classifies
//!   them in integers only (the images quantized by the compiler, `forward_int8`, `class`): the
//!   firmware links no floating point; with `--features int8,large` so does a quantized model
//!   of 167 k parameters, whose 669 kB of f32 would not fit the LM3S6965's 256 KiB of flash.
//! - Built for `thumbv6m-none-eabi`, this runs on a Cortex-M0 without a floating-point unit
//!   (QEMU's `microbit`, an nRF51: 256 KiB of flash, 16 KiB of RAM); for
//!   `thumbv7em-none-eabihf`, on a Cortex-M4F (QEMU's `mps2-an386`).
//!
//! The last line is the stack's high-water mark, found by painting the stack before the run.
//! Before any output the firmware runs one inference of its model between two markers, whose
//! instructions `.ci/firmware` counts (`measure`).
//!
//! ```text
//! cd examples/firmware && cargo run --release                       # needs qemu-system-arm
//! cd examples/firmware && cargo run --release --features int8,large --target thumbv6m-none-eabi
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
mod measure;
mod stack;

network! {
    /// The digits classifier, its weights in flash.
    pub struct Digits < 64 => 32 relu => 10 softmax >
    const TRAINED = "../models/digits.safetensors";
    const INT8: int8 = "../models/digits-int8.safetensors";
}

network! {
    /// A digits classifier of 167 k parameters, embedded quantized.
    pub struct Large < 64 => 512 relu => 256 relu => 10 softmax >
    const INT8: int8 = "../models/digits-large-int8.safetensors";
}

/// The models: `const`s, so they live in flash with no parsing and no allocation.
#[cfg(not(feature = "int8"))]
static MODEL: Digits = Digits::TRAINED;
#[cfg(feature = "int8")]
static INT8: nn::Quantized<Digits> = Digits::INT8;
#[cfg(feature = "large")]
static LARGE: nn::Quantized<Large> = Large::INT8;
/// The ten images as each int8 model's inputs, quantized by the compiler.
#[cfg(feature = "int8")]
static INPUTS: [[i8; 64]; 10] = demo::inputs(&Digits::INT8);
#[cfg(feature = "large")]
static LARGE_INPUTS: [[i8; 64]; 10] = demo::inputs(&Large::INT8);

/// One inference of the build's model on the first image, as its API takes and gives it: what
/// `.ci/firmware` counts the instructions of.
fn infer() {
    #[cfg(not(feature = "int8"))]
    {
        let x = SVector::from_column_slice(core::hint::black_box(&images::IMAGES[0]));
        measure::count(|| MODEL.forward(&x));
    }
    #[cfg(all(feature = "int8", not(feature = "large")))]
    measure::count(|| INT8.class(&INT8.forward_int8(core::hint::black_box(&INPUTS[0]))));
    #[cfg(feature = "large")]
    measure::count(|| LARGE.class(&LARGE.forward_int8(core::hint::black_box(&LARGE_INPUTS[0]))));
}

/// Runs the models this build holds, writing to `out`.
fn run(out: &mut impl core::fmt::Write) -> core::fmt::Result {
    #[cfg(not(feature = "int8"))]
    demo::run(&MODEL, out)?;
    #[cfg(feature = "int8")]
    demo::int8(&INT8, &INPUTS, out)?;
    #[cfg(feature = "large")]
    demo::int8(&LARGE, &LARGE_INPUTS, out)?;
    Ok(())
}

#[entry]
fn main() -> ! {
    stack::paint();
    infer();
    let ran = hio::hstdout().map(|mut out| {
        let ok = run(&mut out).is_ok();
        let used = stack::used();
        ok && core::fmt::Write::write_fmt(&mut out, format_args!("stack {used} bytes\n")).is_ok()
    });
    debug::exit(if ran == Ok(true) {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    loop {}
}
