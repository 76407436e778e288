//! Quantized networks: int8 weights and activations, int32 accumulators, no float inside a
//! layer, so a trained network runs on cores without a floating-point unit in a quarter of
//! its f32 bytes.
//!
//! # The scheme
//!
//! As TensorFlow Lite's int8 scheme, after a network is trained ([`quantize`]):
//!
//! - **Activations** (the network's input and every layer's output) are int8, affine per
//!   tensor: a real value `r` is `s·(q - z)` for the int8 `q`, a scale `s` and a zero point
//!   `z`. `s` and `z` come from the range of the values the float network computes on
//!   representative inputs (calibration), widened to hold 0: `s = (max - min)/255`,
//!   `z = round(-128 - min/s)`, and `q = clamp(round(r/s) + z, -128, 127)`.
//! - **Weights** are int8, symmetric per output channel: row `o` of `W` is `w_o·Q` with `Q`
//!   in `-127..=127`. `w_o` is `c/50·max|W[o, :]|/127` for the `c` in `1..=50` whose
//!   rounding error is least, each input's squared error weighted by that input's sum of
//!   squares over the calibration samples: a large weight on an input that is nearly always 0
//!   (folding a standardisation into the first layer makes such weights) is clipped rather
//!   than coarsening its whole row.
//! - **Biases** are int32 in the accumulator's units: `round(b_o / (s_in·w_o))`.
//! - **A layer** computes, all in integers, `acc_o = bias_o + Σ_i Q[o,i]·(x_i - z_in)` (int32),
//!   then requantizes: `y_o = clamp(z_out + round(acc_o·M_o), -128, 127)`, where the real
//!   factor `M_o = s_in·w_o/s_out` is the fixed-point multiplier `m_o` (int32, in
//!   `[2^30, 2^31)`) times `2^-k_o`: `round(acc·M) = (acc·m + 2^(k-1)) >> k`, in int64.
//!   `m` and `k` are computed once, when the network is quantized, and saved with it; the
//!   weight scales `w_o` are not kept (`M_o` holds them).
//! - **relu** is the clamp: a relu layer's output range starts at 0, so its zero point is
//!   -128 and clamping at -128 is `max(x, 0)`. **linear** hidden layers clamp to their
//!   calibrated range. Hidden layers with other activations (tanh, sigmoid, ...) have no
//!   integer form: such a network does not implement [`Quantize`], a compile error.
//! - **The output layer** is integer too; its int8 outputs are dequantized,
//!   `r = s·(q - z)`, and its activation (softmax, sigmoid, any) runs in float on them.
//!
//! # The file
//!
//! A quantized network saves as safetensors: `input.scale` (F32 `[1]`) and `input.zero_point`
//! (I8 `[1]`), then for each dense layer `i` `layers.{i}.weight` (I8 `[out, in]`, row-major),
//! `layers.{i}.bias` and `layers.{i}.multiplier` (I32 `[out]`), `layers.{i}.shift` (I8
//! `[out]`), `layers.{i}.output_scale` (F32 `[1]`) and `layers.{i}.output_zero_point` (I8
//! `[1]`); the metadata's `architecture` is the declaration, `; ` and the scheme. Loading
//! checks it as strictly as a float file, and also that every scale is positive, every
//! multiplier and shift has the fixed-point form, and no accumulator can overflow int32.
//!
//! **The error**: a weight is off by at most `w_o/2`, an activation by at most `s/2` (plus
//! whatever calibration clipped), so each output is off by about `s_out/2` plus the input
//! errors carried through `W`; `tests/quantized.rs` measures the accuracy on digits.
#[cfg(feature = "alloc")]
mod io;
#[cfg(feature = "alloc")]
pub(crate) mod layout;

#[cfg(feature = "alloc")]
pub use io::quantize;

use crate::io::consts::le;
use crate::{Activation, Model};
use core::marker::PhantomData;
use nalgebra::SVector;

/// A dense layer of a quantized network, from `I` int8 inputs to `O` int8 outputs (see the
/// module's docs for the arithmetic).
#[derive(Clone, Debug, PartialEq)]
pub struct QDense<const I: usize, const O: usize> {
    /// `Q`, int8, one row per output (as `torch.nn.Linear` stores weights): `O` rows.
    pub weight: Rows<I>,
    /// The bias in the accumulator's units, `round(b_o / (s_in·w_o))`.
    pub bias: [i32; O],
    /// Each output's fixed-point multiplier `m_o`: with the shift, the factor
    /// `M_o = s_in·w_o/s_out` that takes an accumulator to the output's units.
    pub multiplier: [i32; O],
    /// Each output's right shift `k_o`.
    pub shift: [i8; O],
    /// The output's scale `s_out`.
    pub output_scale: f32,
    /// The output's zero point `z_out`.
    pub output_zero: i8,
}

/// The int8 weights of a quantized layer, one row of `I` per output: in read-only memory (an
/// embedded network's, in flash on a microcontroller) or on the heap (a quantized or loaded
/// network's, so that a large one never passes through the stack). Either way they are seen
/// as a slice of rows, and compare by value.
#[derive(Clone, Debug)]
pub enum Rows<const I: usize> {
    /// Rows in read-only memory: an embedded network's.
    Static(&'static [[i8; I]]),
    /// Rows on the heap.
    #[cfg(feature = "alloc")]
    Heap(alloc::boxed::Box<[[i8; I]]>),
}

impl<const I: usize> core::ops::Deref for Rows<I> {
    type Target = [[i8; I]];
    fn deref(&self) -> &[[i8; I]] {
        match self {
            Self::Static(rows) => rows,
            #[cfg(feature = "alloc")]
            Self::Heap(rows) => rows,
        }
    }
}

impl<const I: usize> PartialEq for Rows<I> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

/// The fixed-point form `(m, k)` of `M = input·weight / output` (in f64): `M = m·2^-k` with
/// `m` in `[2^30, 2^31)` rounded to nearest (half up) from `M`'s binary mantissa, and `k` in
/// `1..=62`; `(0, 62)` for an `M` below `2^-32`, which rounds every product to 0. `None` when
/// `M` is `2^30` or more.
///
/// ```
/// use nn::quant::multiplier;
/// assert_eq!(multiplier(1.0, 1.0, 4.0), Some((1 << 30, 32))); // 0.25 = 2^30·2^-32
/// assert_eq!(multiplier(3.0, 1.0, 4.0), Some((3 << 29, 31))); // 0.75
/// assert_eq!(multiplier(1.0, 1.0, 1e-10), None); // 10^10 is over 2^30
/// ```
#[must_use]
pub fn multiplier(input: f32, weight: f32, output: f32) -> Option<(i32, i8)> {
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
        k @ 1..=62 => Some((i32::try_from(rounded).ok()?, i8::try_from(k).ok()?)),
        _ => Some((0, 62)),
    }
}

/// `clamp(z + round(acc·m·2^-k), -128, 127)`, rounding half up, in integers. A shift outside
/// `1..=62`, which loading refuses, counts as the nearest end.
pub fn requantize(acc: i32, multiplier: i32, shift: i8, zero: i8) -> i8 {
    let shift = shift.clamp(1, 62);
    let half = 1i64 << (shift - 1);
    let scaled = (i64::from(acc) * i64::from(multiplier) + half) >> shift;
    (scaled + i64::from(zero)).clamp(-128, 127) as i8
}

impl<const I: usize, const O: usize> QDense<I, O> {
    /// Computes the int8 outputs `y` for the int8 inputs `x`, whose zero point is `zero`.
    pub fn run(&self, x: &[i8; I], zero: i8, y: &mut [i8; O]) {
        for (o, (row, y)) in self.weight.iter().zip(y).enumerate() {
            let mut acc = self.bias[o];
            // Loading checks that no sum overflows; one of a layer built by hand wraps.
            for (&w, &v) in row.iter().zip(x) {
                acc = acc.wrapping_add(i32::from(w) * (i32::from(v) - i32::from(zero)));
            }
            *y = requantize(acc, self.multiplier[o], self.shift[o], self.output_zero);
        }
    }

    /// The layer of weights `weight` whose other five tensors (bias, multiplier, shift, output
    /// scale, output zero point) start at `at` in the checked file `bytes`: how an embedded
    /// quantized network becomes a `const`, and how loading decodes one.
    #[must_use]
    pub const fn read(weight: Rows<I>, bytes: &[u8], at: &[usize]) -> Self {
        Self {
            weight,
            bias: i32_array::<O>(bytes, at[0]),
            multiplier: i32_array::<O>(bytes, at[1]),
            shift: i8_array::<O>(bytes, at[2]),
            output_scale: f32_array::<1>(bytes, at[3])[0],
            output_zero: i8_array::<1>(bytes, at[4])[0],
        }
    }

    /// The six tensors' little-endian bytes, in the order [`QDense::read`] takes them.
    #[cfg(feature = "alloc")]
    pub fn tensors(&self) -> [alloc::vec::Vec<u8>; 6] {
        let weight = self.weight.as_flattened().iter();
        let shift = self.shift.iter();
        let bias = self.bias.iter();
        let multiplier = self.multiplier.iter();
        [
            weight.flat_map(|v| v.to_le_bytes()).collect(),
            bias.flat_map(|v| v.to_le_bytes()).collect(),
            multiplier.flat_map(|v| v.to_le_bytes()).collect(),
            shift.flat_map(|v| v.to_le_bytes()).collect(),
            self.output_scale.to_le_bytes().into(),
            self.output_zero.to_le_bytes().into(),
        ]
    }
}

/// A chain of quantized layers from `I` inputs to `O` outputs: `(QDense<I, H>, rest)` with
/// `rest` a chain from `H` to `O`, ending in `()`. `network!` writes the chain of a network.
pub trait Layers<const I: usize, const O: usize>: Clone + core::fmt::Debug + PartialEq {
    /// Computes the int8 outputs `y` for the int8 inputs `x`, whose zero point is `zero`.
    fn run(&self, x: &[i8; I], zero: i8, y: &mut [i8; O]);
    /// The chain whose layers' tensors start at `at`, six per layer, in the checked file
    /// `bytes`, its weights on the heap.
    #[cfg(feature = "alloc")]
    fn read(bytes: &[u8], at: &[usize]) -> Self;
    /// Appends every layer's tensors to `out`, input side first.
    #[cfg(feature = "alloc")]
    fn tensors(&self, out: &mut alloc::vec::Vec<alloc::vec::Vec<u8>>);
}

impl<const I: usize> Layers<I, I> for () {
    fn run(&self, x: &[i8; I], _: i8, y: &mut [i8; I]) {
        *y = *x;
    }
    #[cfg(feature = "alloc")]
    fn read(_: &[u8], _: &[usize]) -> Self {}
    #[cfg(feature = "alloc")]
    fn tensors(&self, _: &mut alloc::vec::Vec<alloc::vec::Vec<u8>>) {}
}

impl<const I: usize, const H: usize, const O: usize, R: Layers<H, O>> Layers<I, O>
    for (QDense<I, H>, R)
{
    fn run(&self, x: &[i8; I], zero: i8, y: &mut [i8; O]) {
        let mut h = [0; H];
        self.0.run(x, zero, &mut h);
        self.1.run(&h, self.0.output_zero, y);
    }
    #[cfg(feature = "alloc")]
    fn read(bytes: &[u8], at: &[usize]) -> Self {
        let rows = bytes[at[0]..].chunks_exact(I).take(H);
        let rows = rows.map(|row| core::array::from_fn(|i| i8::from_le_bytes([row[i]])));
        let weight = Rows::Heap(rows.collect());
        (
            QDense::read(weight, bytes, &at[1..]),
            R::read(bytes, &at[6..]),
        )
    }
    #[cfg(feature = "alloc")]
    fn tensors(&self, out: &mut alloc::vec::Vec<alloc::vec::Vec<u8>>) {
        out.extend(self.0.tensors());
        self.1.tensors(out);
    }
}

/// The quantized form of network `N`, from `I` inputs to `O` outputs: the input's and the
/// output's scale and zero point and the chain of integer layers `L`. [`Quantized<N>`] names
/// the type.
///
/// Two ways to run it:
/// - **In integers only**, for a firmware with no floating point at all (a core without an
///   FPU then links no software floating point): [`quantize_input`](Self::quantize_input)
///   (a `const fn`: inputs known while compiling, or a table from a sensor's readings to int8
///   inputs, are quantized by the compiler), [`forward_int8`](Self::forward_int8) for the
///   int8 outputs (the last layer's `z`, quantized) and [`class`](Self::class) for the class.
///   The output's scale and zero point turn an int8 output into a real value,
///   `s·(q - z)`, where the caller needs one.
/// - **In float**, for convenience: [`forward`](Self::forward) quantizes, runs the integer
///   layers, dequantizes and runs `N`'s output activation in float.
///
/// ```
/// use nn::prelude::*;
/// network! { struct Net < 2 => 8 relu => 1 sigmoid > }
/// let net = Net::new(1);
/// let samples = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]].map(SVector::from);
/// let int8: nn::Quantized<Net> = nn::quantize(&net, &samples)?;
/// for x in &samples {
///     assert!((int8.forward(x)[0] - net.forward(x)[0]).abs() < 0.02);
///     // The same, in integers: the int8 output `q` is `z` plus the logit over the scale.
///     let q = int8.forward_int8(&int8.quantize_input(&(*x).into()));
///     let logit = int8.output_scale * f32::from(i16::from(q[0]) - i16::from(int8.output_zero));
///     assert!((1.0 / (1.0 + (-logit).exp()) - int8.forward(x)[0]).abs() < 1e-6);
///     assert_eq!(int8.class(&q), nn::class(net.forward(x).as_slice()));
/// }
/// # Ok::<(), nn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Int8<N, const I: usize, const O: usize, L> {
    /// The input's scale `s`.
    pub input_scale: f32,
    /// The input's zero point `z`.
    pub input_zero: i8,
    /// The output's scale: the last layer's, here so that it is a constant expression for an
    /// embedded network: `Net::INT8.output_scale` (with `alloc`, whose heap rows give the
    /// type a destructor, through a `static NET: Quantized<Net> = Net::INT8;` and
    /// `NET.output_scale`).
    pub output_scale: f32,
    /// The output's zero point: the last layer's.
    pub output_zero: i8,
    /// The integer layers.
    pub layers: L,
    /// The float network this is the quantized form of (zero-sized).
    pub network: PhantomData<fn() -> N>,
}

impl<N: Model, const I: usize, const O: usize, L: Layers<I, O>> Int8<N, I, O, L> {
    /// The int8 input for the real values `x`: `clamp(round(x/s) + z, -128, 127)`, rounding
    /// half away from zero (NaN counts as 0). A `const fn`: what is known while compiling
    /// is quantized by the compiler, so that the firmware computes no float.
    ///
    /// ```
    /// use nn::prelude::*;
    /// network! { struct Net < 3 => 1 linear > }
    /// let calibration = [SVector::from([0.0, 255.0, 7.0])];
    /// let int8: nn::Quantized<Net> = nn::quantize(&Net::new(0), &calibration)?;
    /// // The range [0, 255] in steps of 1 from -128.
    /// assert_eq!((int8.input_scale, int8.input_zero), (1.0, -128));
    /// assert_eq!(int8.quantize_input(&[0.5, 2.5, 300.0]), [-127, -125, 127]);
    /// assert_eq!(int8.quantize_input(&[-0.5, f32::NAN, 127.4]), [-128, -128, -1]);
    /// # Ok::<(), nn::Error>(())
    /// ```
    pub const fn quantize_input(&self, x: &[f32; I]) -> [i8; I] {
        let mut q = [0; I];
        let mut i = 0;
        while i < I {
            // `r` beyond ±256 ends at -128 or 127 whatever the zero point; a NaN stays NaN.
            let r = (x[i] / self.input_scale).clamp(-256.0, 256.0);
            let whole = r as i32;
            let fraction = r - whole as f32;
            let rounded = whole + (fraction >= 0.5) as i32 - (fraction <= -0.5) as i32;
            let shifted = (rounded + self.input_zero as i32) as f32;
            q[i] = shifted.clamp(-128.0, 127.0) as i8;
            i += 1;
        }
        q
    }

    /// The int8 outputs for the int8 input `x`: integers only.
    pub fn forward_int8(&self, x: &[i8; I]) -> [i8; O] {
        let mut y = [0; O];
        self.layers.run(x, self.input_zero, &mut y);
        y
    }

    /// The class of the int8 outputs `y`, as [`crate::class`] gives it from the float
    /// outputs, in integers: the first largest output, or for one output whether it is at
    /// least the output's zero point. Softmax and sigmoid keep the order of their inputs, and
    /// sigmoid's 0.5 is a logit of 0, so the class is that of [`forward`](Self::forward) (for
    /// one output, as long as the output's scale is over `1e-7`, as a calibrated one is).
    pub fn class(&self, y: &[i8; O]) -> usize
    where
        N::Output: IntegerClass,
    {
        match O {
            1 => usize::from(y[0] >= self.output_zero),
            _ => crate::loss::largest(y),
        }
    }

    /// The output for `x`: quantized, run in integers, dequantized (`s·(q - z)`), then the
    /// output activation.
    pub fn forward(&self, x: &SVector<f32, I>) -> SVector<f32, O> {
        let q = self.forward_int8(&self.quantize_input(&x.data.0[0]));
        let zero = i16::from(self.output_zero);
        let real = |q: i8| self.output_scale * f32::from(i16::from(q) - zero);
        let mut y = SVector::from(q.map(real));
        N::Output::forward(y.as_mut_slice(), O);
        y
    }
}

/// An output activation whose class [`Int8::class`] finds from the int8 outputs without
/// running it: `softmax` and `sigmoid`.
#[diagnostic::on_unimplemented(
    message = "`Int8::class` needs a softmax or sigmoid output layer, not `{Self}`",
    note = "the class of another output activation is `nn::class` of `forward`'s outputs"
)]
pub trait IntegerClass: Activation {}
impl IntegerClass for crate::Softmax {}
impl IntegerClass for crate::Sigmoid {}

/// A network that quantizes: its hidden layers are `relu` or `linear`. `network!` implements
/// it for such networks, naming the quantized type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be quantized: a hidden layer's activation has no integer form",
    note = "a quantized network's hidden layers are `relu` or `linear`; its output layer may \
            have any activation"
)]
pub trait Quantize: Model {
    /// The quantized network: an [`Int8`] with this network's shapes.
    type Int8;
}

/// The quantized form of network `N`, such as
/// `Int8<Digits, 64, 10, (QDense<64, 32>, (QDense<32, 10>, ()))>`.
pub type Quantized<N> = <N as Quantize>::Int8;

/// Writes a `const fn` named `$name` that reads `N` little-endian `$t` at `offset`: how an
/// embedded quantized file becomes a `const`.
macro_rules! array {
    ($(#[$doc:meta])* $name:ident, $t:ty, $zero:literal) => {
        $(#[$doc])*
        #[must_use]
        pub const fn $name<const N: usize>(bytes: &[u8], offset: usize) -> [$t; N] {
            const SIZE: usize = core::mem::size_of::<$t>();
            let mut values = [$zero; N];
            let mut i = 0;
            while i < N {
                values[i] = <$t>::from_le_bytes(le(bytes, offset + SIZE * i));
                i += 1;
            }
            values
        }
    };
}

array! {
    /// `N` int8 values at `offset` in `bytes`.
    ///
    /// ```
    /// assert_eq!(nn::quant::i8_array::<2>(&[0, 255, 1], 1), [-1, 1]);
    /// ```
    i8_array, i8, 0
}
array! {
    /// `N` little-endian int32 values at `offset` in `bytes`.
    ///
    /// ```
    /// assert_eq!(nn::quant::i32_array::<1>(&(-7i32).to_le_bytes(), 0), [-7]);
    /// ```
    i32_array, i32, 0
}
array! {
    /// `N` little-endian `f32` values at `offset` in `bytes`.
    ///
    /// ```
    /// assert_eq!(nn::quant::f32_array::<1>(&0.5f32.to_le_bytes(), 0), [0.5]);
    /// ```
    f32_array, f32, 0.0
}

/// The `R×C` int8 matrix stored row-major at `offset` in `bytes`, row by row.
///
/// ```
/// assert_eq!(nn::quant::i8_rows::<2, 1>(&[1, 2], 0), [[1], [2]]);
/// ```
#[must_use]
pub const fn i8_rows<const R: usize, const C: usize>(bytes: &[u8], offset: usize) -> [[i8; C]; R] {
    let mut rows = [[0; C]; R];
    let mut r = 0;
    while r < R {
        rows[r] = i8_array::<C>(bytes, offset + r * C);
        r += 1;
    }
    rows
}
