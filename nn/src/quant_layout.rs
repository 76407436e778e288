//! The layout of a quantized network's file, the checks that its values fit the scheme, and
//! the fixed-point multipliers (`nn::quant` documents the scheme). Like `layout.rs`, this
//! file is also compiled into `nn-macros`, so an embedded file is checked as a loaded one.
use crate::layout::LoadError;
use alloc::{format, string::String, vec, vec::Vec};

/// The scheme, recorded in a quantized file's metadata after the architecture.
pub const SCHEME: &str = "int8: weights symmetric per output channel, activations affine per \
                          tensor, int32 biases, fixed-point requantization";

/// The tensors of a quantized network whose dense layers have `shapes` (`(outputs,
/// inputs)`), in order: `input.scale` and `input.zero_point`, then for each layer `i`
/// `layers.{i}.weight` (I8 `[out, in]`), `bias` (I32), `weight_scale` (F32), `multiplier` and
/// `shift` (I32), all `[out]`, and `output_scale` (F32) and `output_zero_point` (I8), `[1]`.
pub fn tensors(shapes: &[(usize, usize)]) -> Vec<(String, Vec<usize>, &'static str)> {
    let mut tensors = vec![
        ("input.scale".into(), vec![1], "F32"),
        ("input.zero_point".into(), vec![1], "I8"),
    ];
    for (i, &(o, n)) in shapes.iter().enumerate() {
        let parts = [
            ("weight", vec![o, n], "I8"),
            ("bias", vec![o], "I32"),
            ("weight_scale", vec![o], "F32"),
            ("multiplier", vec![o], "I32"),
            ("shift", vec![o], "I32"),
            ("output_scale", vec![1], "F32"),
            ("output_zero_point", vec![1], "I8"),
        ];
        let parts = parts.into_iter();
        tensors
            .extend(parts.map(|(part, shape, dtype)| (format!("layers.{i}.{part}"), shape, dtype)));
    }
    tensors
}

/// The fixed-point form `(m, k)` of `M = input·weight / output` (in f64): `M = m·2^-k` with
/// `m` in `[2^30, 2^31)` rounded to nearest (half up) from `M`'s binary mantissa, and `k` in
/// `1..=62`; `(0, 62)` for an `M` below `2^-32`, which rounds every product to 0. `None` when
/// `M` is `2^30` or more.
pub fn multiplier(input: f32, weight: f32, output: f32) -> Option<(i32, i32)> {
    let m = f64::from(input) * f64::from(weight) / f64::from(output);
    let bits = m.to_bits();
    let exponent = i64::try_from((bits >> 52) & 0x7ff).ok()?;
    // `M = q·2^(exponent - 1022)`, `q = mantissa / 2^53` in `[0.5, 1)`.
    let mantissa = (bits & ((1 << 52) - 1)) | (1 << 52);
    let mut rounded = (mantissa + (1 << 21)) >> 22;
    let mut power = exponent - 1022;
    if rounded == 1 << 31 {
        rounded >>= 1;
        power += 1;
    }
    match 31 - power {
        ..=0 => None,
        k @ 1..=62 => Some((i32::try_from(rounded).ok()?, i32::try_from(k).ok()?)),
        _ => Some((0, 62)),
    }
}

/// Checks the values of a quantized file whose tensors start at `offsets` in `bytes`: every
/// scale positive, every multiplier and shift the ones the scales give, and no accumulator
/// able to overflow int32 (`Σ|Q[o, :]|·255 + |bias_o|` at most `i32::MAX`).
pub fn check(shapes: &[(usize, usize)], bytes: &[u8], offsets: &[usize]) -> Result<(), LoadError> {
    let tensors = tensors(shapes);
    let word = |t: usize, i: usize| {
        let at = offsets[t] + 4 * i;
        [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]
    };
    let float = |t: usize, i: usize| f32::from_le_bytes(word(t, i));
    let int = |t: usize, i: usize| i32::from_le_bytes(word(t, i));
    let error = |t: usize, why: String| LoadError::Value(tensors[t].0.clone(), why);
    for (t, (_, shape, dtype)) in tensors.iter().enumerate() {
        if *dtype == "F32" && (0..shape[0]).any(|i| float(t, i) <= 0.0) {
            return Err(error(t, "a scale must be positive".into()));
        }
    }
    let mut input = float(0, 0);
    for (layer, &(o, n)) in shapes.iter().enumerate() {
        let t = 2 + 7 * layer;
        let output = float(t + 5, 0);
        for r in 0..o {
            let Some((m, k)) = multiplier(input, float(t + 2, r), output) else {
                let why = format!("output {r}'s scales multiply its sums by 2^30 or more");
                return Err(error(t + 3, why));
            };
            if (m, k) != (int(t + 3, r), int(t + 4, r)) {
                let found = (int(t + 3, r), int(t + 4, r));
                let why = format!(
                    "output {r}'s multiplier and shift are {found:?}, its scales give {:?}",
                    (m, k)
                );
                return Err(error(t + 3, why));
            }
            let row = &bytes[offsets[t] + r * n..][..n];
            let sum: i64 = row
                .iter()
                .map(|&w| i64::from((w as i8).unsigned_abs()))
                .sum();
            if sum * 255 + i64::from(int(t + 1, r)).abs() > i64::from(i32::MAX) {
                let why = format!("output {r}'s sum could overflow its int32 accumulator");
                return Err(error(t + 1, why));
            }
        }
        input = output;
    }
    Ok(())
}
