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
            write!(out, " {v:.7}")?;
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
    write!(out, "xor after 200 steps: loss {loss:.7} outputs")?;
    for x in &xs {
        write!(out, " {:.7}", net.forward(x)[0])?;
    }
    writeln!(out)
}

/// Classifies the ten images with the quantized `model`, writing the int8 outputs of its
/// integer layers and the probabilities after dequantizing.
#[allow(dead_code)] // a build runs the float or the int8 models
pub fn int8<N: Model, L: nn::Layers<64, 10>>(
    model: &nn::Int8<N, 64, 10, L>,
    out: &mut impl Write,
) -> Result {
    writeln!(
        out,
        "int8 model {}: {} parameters",
        N::ARCHITECTURE,
        N::PARAMS
    )?;
    for (image, label) in IMAGES.iter().zip(LABELS) {
        let x = SVector::from_column_slice(image);
        let q = model.forward_int8(&model.quantize_input(&x));
        let p = model.forward(&x);
        write!(out, "label {label} predicted {} int8", p.imax())?;
        for v in q {
            write!(out, " {v}")?;
        }
        write!(out, " outputs")?;
        for v in p.iter() {
            write!(out, " {v:.7}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}
