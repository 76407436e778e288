//! Quantizing a trained network (post-training, calibrated on representative inputs), and
//! the safetensors form of a quantized network. `nn::quant` documents the scheme.
use crate::io::Layout;
use crate::io::{serialize, shapes, Saved};
use crate::quant::layout::SCHEME;
use crate::quant::multiplier;
use crate::quant::{f32_array, i8_array, Layers};
use crate::Quantized;
use crate::{from_bytes, Error, Float, Int8, LoadError, Model};
use crate::{Activation, Network, Quantize};
use alloc::{format, vec, vec::Vec};
use core::marker::PhantomData;
use nalgebra::SVector;

impl<N: Model, const I: usize, const O: usize, L: Layers<I, O>> Saved for Int8<N, I, O, L> {
    /// `N`'s architecture and the scheme; the tensors [`quant`](crate::quant) lists.
    fn layout() -> Layout {
        Layout {
            architecture: format!("{}; {SCHEME}", N::ARCHITECTURE),
            dtype: "I8",
            shapes: shapes::<N>(),
        }
    }
    fn values(&self) -> Vec<Vec<u8>> {
        let mut values = vec![self.input_scale.to_le_bytes().into()];
        values.push(self.input_zero.to_le_bytes().into());
        self.layers.tensors(&mut values);
        values
    }
    fn decode(bytes: &[u8], offsets: &[usize]) -> Self {
        let last = offsets.len() - 2;
        Self {
            input_scale: f32_array::<1>(bytes, offsets[0])[0],
            input_zero: i8_array::<1>(bytes, offsets[1])[0],
            output_scale: f32_array::<1>(bytes, offsets[last])[0],
            output_zero: i8_array::<1>(bytes, offsets[last + 1])[0],
            layers: L::read(bytes, &offsets[2..]),
            network: PhantomData,
        }
    }
}

/// `s`, or 1 for a range or a row that is all 0. (A range too wide for an `f32` scale gives
/// an infinite one, which the file's checks refuse.)
fn positive(s: f32) -> f32 {
    if s > 0.0 {
        s
    } else {
        1.0
    }
}

/// The sum over `samples` of input `c`'s square.
fn power(samples: &[Vec<f64>], c: usize) -> f64 {
    samples.iter().fold(0.0, |s, x| s + x[c] * x[c])
}

/// The clips a row of weights' scale is chosen from: `max|w|·c/CLIPS` for `c` in `1..=CLIPS`.
const CLIPS: u32 = 50;

/// The largest int8 weight: weights are symmetric, in `-127..=127`.
const WEIGHT_MAX: f64 = 127.0;

/// The scale of a row of weights: of the clips `max|w|·c/50` for `c` in `1..=50`, the one
/// whose rounding error, each input's weighted by its `power` (its sum of squares over the
/// calibration samples), is least (the largest clip on a tie). A large weight on an input that is nearly
/// always 0 (as folding a standardisation into the first layer makes) is clipped rather than
/// coarsening the whole row.
fn weight_scale(row: &[f64], power: &[f64]) -> f32 {
    let max = row.iter().fold(0.0f64, |m, w| m.max(libm::fabs(*w)));
    let mut best = (f64::INFINITY, 1.0);
    for c in (1..=CLIPS).rev() {
        // `max·(c/CLIPS)/WEIGHT_MAX` as one division, as the fixtures computed it.
        let scale = positive((max * f64::from(c) / (f64::from(CLIPS) * WEIGHT_MAX)) as f32);
        let s = f64::from(scale);
        let error = row.iter().zip(power).fold(0.0, |e, (&w, &p)| {
            let d = w - s * libm::round(w / s).clamp(-WEIGHT_MAX, WEIGHT_MAX);
            e + p * d * d
        });
        if error < best.0 {
            best = (error, scale);
        }
    }
    best.1
}

/// The scale and zero point of the values in `samples`, their range widened to hold 0.
fn range(samples: &[Vec<f64>]) -> (f32, i8) {
    let all = samples.iter().flatten();
    let lo = all.clone().fold(0.0f64, |m, &v| m.min(v));
    let hi = all.fold(0.0f64, |m, &v| m.max(v));
    let scale = positive(((hi - lo) / 255.0) as f32);
    let zero = libm::round(-128.0 - lo / f64::from(scale)).clamp(-128.0, 127.0);
    (scale, zero as i8)
}

/// Quantizes the trained `net` to int8, calibrated on `samples`: representative inputs, such
/// as a few hundred training samples, whose float activations give each layer's range. The
/// result is checked as a loaded file is ([`from_bytes`]).
///
/// # Errors
/// [`Error::EmptyData`] for no samples, [`Error::Calibration`] for a sample holding NaN or
/// infinity, [`Error::Load`] when a layer's numbers do not fit the scheme (a
/// [`LoadError::Value`](crate::LoadError::Value) naming the tensor).
pub fn quantize<N, const I: usize, const O: usize>(
    net: &N,
    samples: &[SVector<N::Scalar, I>],
) -> Result<Quantized<N>, Error>
where
    N: Network<I, O> + Quantize,
    Quantized<N>: Saved,
{
    let to_f64 = |x: &SVector<N::Scalar, I>| x.iter().map(|v| v.to_f64()).collect();
    let mut samples: Vec<Vec<f64>> = samples.iter().map(to_f64).collect();
    crate::error::ensure(!samples.is_empty(), || Error::EmptyData)?;
    let not_finite = |x: &Vec<f64>| x.iter().any(|v| !v.is_finite());
    if let Some(i) = samples.iter().position(not_finite) {
        return Err(Error::Calibration(i));
    }
    let (mut scale, zero) = range(&samples);
    let mut values: Vec<Vec<u8>> = vec![scale.to_le_bytes().into(), zero.to_le_bytes().into()];
    let mut params = net.params();
    for (index, layer) in N::LAYERS.iter().enumerate() {
        let o = layer.outputs;
        let n = layer.inputs;
        let (Some(w), Some(b)) = (params.next(), params.next()) else {
            break;
        };
        // `W[r, c]` is `w[c·o + r]` (nalgebra keeps columns); relu only on hidden layers.
        let relu = layer.activation == crate::Relu::NAME && index + 1 < N::LAYERS.len();
        let power: Vec<f64> = (0..n).map(|c| power(&samples, c)).collect();
        let z = |x: &Vec<f64>, r: usize| {
            let sum = (0..n).fold(b[r].to_f64(), |s, c| s + w[c * o + r].to_f64() * x[c]);
            if relu {
                sum.max(0.0)
            } else {
                sum
            }
        };
        let outputs = |x: &Vec<f64>| (0..o).map(|r| z(x, r)).collect();
        samples = samples.iter().map(outputs).collect();
        let (output, zero) = range(&samples);
        let mut parts: [Vec<u8>; 4] = Default::default();
        for r in 0..o {
            let row: Vec<f64> = (0..n).map(|c| w[c * o + r].to_f64()).collect();
            let ws = weight_scale(&row, &power);
            let q = |w: &f64| libm::round(w / f64::from(ws)).clamp(-WEIGHT_MAX, WEIGHT_MAX) as i8;
            parts[0].extend(row.iter().map(q).flat_map(i8::to_le_bytes));
            let bias = libm::round(b[r].to_f64() / (f64::from(scale) * f64::from(ws)));
            parts[1].extend((bias as i32).to_le_bytes());
            let Some((m, k)) = multiplier(scale, ws, output) else {
                let why = format!("output {r}'s scales multiply its sums by 2^30 or more");
                let name = format!("layers.{index}.multiplier");
                return Err(Error::Load(LoadError::Value(name, why)));
            };
            parts[2].extend(m.to_le_bytes());
            parts[3].extend(k.to_le_bytes());
        }
        values.extend(parts);
        values.extend([output.to_le_bytes().into(), zero.to_le_bytes().into()]);
        scale = output;
    }
    from_bytes(&serialize(&Quantized::<N>::layout(), &values)?)
}
