//! What the firmware computes, shared with the host's reference (`examples/firmware_host.rs`),
//! so that both run the very same code and print in the very same format.
use crate::images::{IMAGES, LABELS};
use core::fmt::{Result, Write};
use nn::prelude::*;
use nn::{Adam, BinaryCrossEntropy, Trainer};

network! {
    /// A small network trained on the device.
    pub struct Xor < 2 => 4 tanh => 1 sigmoid >
}

/// Classifies the ten images with `model`, then trains an XOR network for 200 Adam steps,
/// writing every number to `out`.
#[allow(dead_code)] // a build runs the float or the int8 models
pub fn run<N: Network<64, 10, Scalar = f32>>(model: &N, out: &mut impl Write) -> Result {
    let (arch, params, bytes) = (N::ARCHITECTURE, N::PARAMS, N::BYTES);
    writeln!(out, "model {arch}: {params} parameters, {bytes} bytes")?;
    for (image, label) in IMAGES.iter().zip(LABELS) {
        let p = model.forward(&SVector::from_column_slice(image));
        write!(out, "label {label} predicted {} outputs", p.imax())?;
        for v in p.iter() {
            write!(out, " {v}")?;
        }
        writeln!(out)?;
    }
    train(out)
}

/// Training with no allocator: 200 Adam steps of a small XOR network, seeded, on the stack.
#[inline(never)]
fn train(out: &mut impl Write) -> Result {
    let mut net = Xor::new(1);
    let mut trainer = Trainer::new(Adam::new(0.05), BinaryCrossEntropy);
    let xs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]].map(SVector::from);
    let ys = [[0.0], [1.0], [1.0], [0.0]].map(SVector::from);
    let mut loss = 0.0;
    for _ in 0..200 {
        match trainer.step(&mut net, (&xs, &ys)) {
            Ok(l) => loss = l,
            Err(e) => return writeln!(out, "training failed: {e}"),
        }
    }
    write!(out, "xor after 200 steps: loss {loss} outputs")?;
    for x in &xs {
        write!(out, " {}", net.forward(x)[0])?;
    }
    writeln!(out)
}

/// The ten images as the quantized `model`'s int8 inputs: a `const fn`, so that the firmware
/// has them from the compiler (as it would a table from a sensor's readings to int8 inputs)
/// and computes no float.
#[allow(dead_code)] // a build runs the float or the int8 models
pub const fn inputs<N: Model, L: nn::Layers<64, 10>>(
    model: &nn::Int8<N, 64, 10, L>,
) -> [[i8; 64]; 10] {
    let mut inputs = [[0; 64]; 10];
    let mut i = 0;
    while i < 10 {
        inputs[i] = model.quantize_input(&IMAGES[i]);
        i += 1;
    }
    inputs
}

/// Classifies the ten images, given as the int8 `inputs`, with the quantized `model` in
/// integers only, writing the int8 outputs of its last layer and the class they give.
#[allow(dead_code)] // a build runs the float or the int8 models
pub fn int8<N, L>(
    model: &nn::Int8<N, 64, 10, L>,
    inputs: &[[i8; 64]; 10],
    out: &mut impl Write,
) -> Result
where
    N: Model<Output: nn::quant::IntegerClass>,
    L: nn::Layers<64, 10>,
{
    writeln!(
        out,
        "int8 model {}: {} parameters",
        N::ARCHITECTURE,
        N::PARAMS
    )?;
    for (x, label) in inputs.iter().zip(LABELS) {
        let q = model.forward_int8(x);
        write!(out, "label {label} predicted {} int8", model.class(&q))?;
        for v in q {
            write!(out, " {v}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}
