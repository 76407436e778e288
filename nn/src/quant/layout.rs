//! The layout of a quantized network's file, the checks that its values fit the scheme, and
//! the fixed-point multipliers (`nn::quant` documents the scheme). Like `layout.rs`, this
//! file is also compiled into `nn-macros`, so an embedded file is checked as a loaded one.
use crate::io::layout_error::LoadError;
use alloc::{format, string::String, vec, vec::Vec};

/// The scheme, recorded in a quantized file's metadata after the architecture.
pub const SCHEME: &str = "int8: weights symmetric per output channel, activations affine per \
                          tensor, int32 biases, fixed-point requantization";

/// The tensors of a quantized network whose dense layers have `shapes` (`(outputs,
/// inputs)`), in order: `input.scale` and `input.zero_point`, then for each layer `i`
/// `layers.{i}.weight` (I8 `[out, in]`), `bias` and `multiplier` (I32) and `shift` (I8), all
/// `[out]`, and `output_scale` (F32) and `output_zero_point` (I8), `[1]`.
pub fn tensors(shapes: &[(usize, usize)]) -> Vec<(String, Vec<usize>, &'static str)> {
    let mut tensors = vec![
        ("input.scale".into(), vec![1], "F32"),
        ("input.zero_point".into(), vec![1], "I8"),
    ];
    for (i, &(o, n)) in shapes.iter().enumerate() {
        let parts = [
            ("weight", vec![o, n], "I8"),
            ("bias", vec![o], "I32"),
            ("multiplier", vec![o], "I32"),
            ("shift", vec![o], "I8"),
            ("output_scale", vec![1], "F32"),
            ("output_zero_point", vec![1], "I8"),
        ];
        let named = |(part, shape, dtype)| (format!("layers.{i}.{part}"), shape, dtype);
        tensors.extend(parts.into_iter().map(named));
    }
    tensors
}

/// Checks the values of a quantized file whose tensors start at `offsets` in `bytes`: every
/// scale positive, every multiplier and shift a fixed-point factor (`m` in `[2^30, 2^31)` or
/// 0, `k` in `1..=62`), and no accumulator able to overflow int32 (`Σ|Q[o, :]|·255 +
/// |bias_o|` at most `i32::MAX`).
pub fn check(shapes: &[(usize, usize)], bytes: &[u8], offsets: &[usize]) -> Result<(), LoadError> {
    let tensors = tensors(shapes);
    let word = |t: usize, i: usize| {
        let at = offsets[t] + 4 * i;
        [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]
    };
    let int = |t: usize, i: usize| i32::from_le_bytes(word(t, i));
    let error = |t: usize, why: String| LoadError::Value(tensors[t].0.clone(), why);
    for (t, (_, _, dtype)) in tensors.iter().enumerate() {
        if *dtype == "F32" && f32::from_le_bytes(word(t, 0)) <= 0.0 {
            return Err(error(t, "a scale must be positive".into()));
        }
    }
    for (layer, &(o, n)) in shapes.iter().enumerate() {
        let t = 2 + 6 * layer;
        for r in 0..o {
            let (m, k) = (int(t + 2, r), bytes[offsets[t + 3] + r] as i8);
            if !(m == 0 || (1 << 30..1 << 31).contains(&i64::from(m))) || !(1..=62).contains(&k) {
                let why = format!(
                    "output {r}'s multiplier and shift ({m}, {k}) are no fixed-point factor: \
                     the multiplier is 0 or in [2^30, 2^31), the shift in 1..=62"
                );
                return Err(error(t + 2, why));
            }
            let row = &bytes[offsets[t] + r * n..][..n];
            let magnitudes = row.iter().map(|&w| i64::from((w as i8).unsigned_abs()));
            let sum: i64 = magnitudes.sum();
            if sum * 255 + i64::from(int(t + 1, r)).abs() > i64::from(i32::MAX) {
                let why = format!("output {r}'s sum could overflow its int32 accumulator");
                return Err(error(t + 1, why));
            }
        }
    }
    Ok(())
}
