//! Small neural networks whose shapes the compiler checks.
//!
//! Under the circles-and-arrows picture, a neural network is a sequence of matrix
//! multiplications. One dense layer computes `a = f(W·x + b)`; a batch of samples is a matrix
//! whose columns are the samples, so a forward pass is one matrix product per layer; training is
//! the chain rule written as transposed products. This crate shows exactly that, on
//! [`nalgebra`]'s statically sized matrices, so a shape mistake is a compile error.
//!
//! The [`network!`] macro declares a network; everything else (layers, activations, losses,
//! optimizers, the training loop) is plain generic Rust in this crate.
//!
//! ```
//! use nn::prelude::*;
//!
//! network! {
//!     /// Learns exclusive or.
//!     pub struct Xor < 2 => 4 relu => 1 sigmoid >
//! }
//!
//! let net = Xor::new(7); // seeded: He init for relu layers, Glorot otherwise
//! let y = net.forward(&SVector::from([1.0, 0.0]));
//! assert!(y[0] > 0.0 && y[0] < 1.0);
//! assert_eq!(Xor::PARAMS, 4 * 2 + 4 + 1 * 4 + 1);
//! ```
//!
//! Training is [`Trainer::fit`] (Keras-like) or [`Trainer::step`] (one batch, for your own
//! loop); saving is [`save`]/[`load`] in PyTorch's safetensors layout, and a declaration can
//! embed a trained file at compile time: `network! { struct Net < 2 => 1 sigmoid >
//! const TRAINED = "net.safetensors"; }` gives the `const` `Net::TRAINED`.
//!
//! A trained network whose hidden layers are relu or linear quantizes to int8 ([`quantize`],
//! the scheme in [`quant`]): a quarter of the bytes, and integer layers that need no
//! floating-point unit. A quantized network saves, loads and embeds like a float one.
//!
//! Features:
//! - `std` (default): files, [`Trainer::fit`] with its progress bar, [`Model::summary`].
//! - `alloc`: [`to_bytes`] and [`from_bytes`] without `std`.
//! - `parallel`: data-parallel training, a large minibatch's gradient summed over shards on
//!   rayon's threads.
//!
//! Where the numbers live is decided per network: a network whose parameters, and a batch of
//! [`CHUNK`] samples of its widest layer, take at most 16 KiB is [`Inline`] (plain `SMatrix`
//! values, nothing on the heap); a larger one is on the [`Heap`] (one boxed slice per matrix),
//! so networks of any size run in debug builds on small stacks (see [`Model::Store`]). Every
//! product of a layer is one call of [`gemm`], the seam where a GPU's GEMM would plug in: an
//! inline network's products run as static loops (nothing on the heap), a heap network's
//! large ones as the blocked GEMM of `matrixmultiply`.
//!
//! Without the default features the crate is `#![no_std]` and needs no allocator: inline
//! networks, forward, backward, losses, optimizers and [`Trainer::step`] allocate nothing.
#![cfg_attr(not(feature = "std"), no_std)]
#[cfg(feature = "alloc")]
extern crate alloc;

mod activation;
#[cfg(feature = "std")]
pub mod data;
mod dense;
mod error;
mod gemm;
#[cfg(feature = "alloc")]
mod io;
#[cfg(feature = "alloc")]
mod layout;
mod layout_const;
mod loss;
mod network;
mod optim;
#[cfg(feature = "parallel")]
mod parallel;
pub mod quant;
#[cfg(feature = "alloc")]
mod quant_io;
#[cfg(feature = "alloc")]
mod quant_layout;
mod storage;
mod train;

pub use activation::*;
pub use dense::Dense;
pub use error::Error;
pub use gemm::{gemm, Product, BLOCKED_GEMM};
#[cfg(feature = "alloc")]
pub use io::{from_bytes, load_state_dict, state_dict, to_bytes, Embedded, Saved, Tensor};
#[cfg(feature = "std")]
pub use io::{load, save};
#[cfg(feature = "alloc")]
pub use layout::{Layout, LoadError};
pub use layout_const::{f32_matrix, f64_matrix};
pub use loss::{BinaryCrossEntropy, CrossEntropy, Loss, Mse, OutputFor};
pub use nalgebra::{self, SMatrix, SVector};
pub use network::{Batch, Model, Network};
/// Declares a network: a struct of statically sized dense layers, with its forward and
/// backward passes.
///
/// # Grammar
///
/// ```text
/// network! {
///     ATTRIBUTES* VISIBILITY struct NAME (: f32 | : f64)? < INPUTS (=> SIZE ACTIVATION)+ >
///     (const CONST_NAME = "weights.safetensors";)*
/// }
/// ```
///
/// - `INPUTS` and every `SIZE` are whole numbers from 1, written without a suffix (`784`,
///   not `784usize`); `=> SIZE ACTIVATION` adds a dense layer `a = f(W·x + b)` of `SIZE`
///   outputs. The struct gets one public field per layer, `l1`, `l2`, ... (an
///   [`Dense`]).
/// - The scalar is `f32` unless `: f64` follows the name.
/// - Attributes (doc comments, derives of your own) and the visibility apply to the struct.
/// - Each `const NAME = "file";` embeds trained weights at compile time as `NAME::CONST_NAME`,
///   from a safetensors file (path relative to the declaring crate's `Cargo.toml`) that is
///   checked against the declaration while compiling: see the README's "Embedding".
///   `const NAME: int8 = "file";` embeds a quantized network ([`Quantized<Net>`], saved from
///   [`quantize`]'s result) the same way.
/// - A network whose hidden layers are all `relu` or `linear` implements [`Quantize`]: it
///   quantizes to int8 (see [`quant`]); others are a compile error when quantized.
///
/// # Activations
///
/// | name | `f(x)` |
/// |---|---|
/// | `linear` | `x` |
/// | `relu` | `max(x, 0)` |
/// | `leaky_relu` | `max(x, 0.01·x)` |
/// | `sigmoid` | `1 / (1 + e^(-x))` |
/// | `tanh` | `tanh(x)` |
/// | `softmax` | `e^(x_i) / Σ_j e^(x_j)`, over each sample's outputs |
/// | `gelu` | `x·Φ(x)`, the exact GELU |
/// | `elu` | `x` for `x > 0`, else `e^x - 1` |
/// | `silu` | `x·σ(x)` |
/// | `softplus` | `ln(1 + e^x)` |
///
/// Each is a type of this crate, named in CamelCase ([`LeakyRelu`]), with its derivative.
///
/// # Example
///
/// ```
/// use nn::prelude::*;
///
/// network! {
///     /// Classifies iris flowers.
///     pub struct Iris: f64 < 4 => 16 relu => 3 softmax >
/// }
///
/// let net = Iris::new(0);
/// let p = net.forward(&SVector::from([5.1, 3.5, 1.4, 0.2]));
/// assert!((p.sum() - 1.0).abs() < 1e-12);
/// assert_eq!(Iris::PARAMS, 16 * (4 + 1) + 3 * (16 + 1));
/// assert_eq!(net.l1.weight.shape(), (16, 4));
/// ```
///
/// # Compile errors
///
/// A declaration the macro cannot build is an error at the offending token:
///
/// ```compile_fail
/// nn::network! { struct Net < 2 => 4 rleu => 1 sigmoid > } // unknown activation `rleu`
/// ```
/// ```compile_fail
/// nn::network! { struct Net < 2 => 4 => 1 sigmoid > } // an activation must follow `4`
/// ```
/// ```compile_fail
/// nn::network! { struct Net < 2 => 0 relu => 1 sigmoid > } // a size must be at least 1
/// ```
/// ```compile_fail
/// nn::network! { struct Net < 2 => 4 relu => 1 sigmoid > const W = "missing.safetensors"; }
/// ```
///
/// and so is using a network with the wrong shapes or loss:
///
/// ```compile_fail,E0308
/// use nn::prelude::*;
/// network! { struct Net < 2 => 4 relu => 1 sigmoid > }
/// Net::new(0).forward(&SVector::from([1.0, 2.0, 3.0])); // 3 inputs, the network takes 2
/// ```
/// ```compile_fail,E0277
/// use nn::prelude::*;
/// network! { struct Net < 2 => 4 relu => 3 linear > }
/// // cross-entropy needs a softmax output layer
/// let trainer = nn::Trainer::<Net, _, _>::new(nn::Sgd::new(0.1, 0.0), nn::CrossEntropy);
/// let (x, y) = (SVector::<f32, 2>::zeros(), SVector::<f32, 3>::zeros());
/// let _ = { let mut t = trainer; t.step(&mut Net::new(0), (&[x], &[y])) };
/// ```
///
/// `tests/ui/` holds every error with the message it gives.
#[doc(inline)]
pub use nn_macros::network;
pub use optim::{Adam, Optimizer, Sgd};
pub use quant::{
    f32_array, i32_array, i8_array, i8_rows, Int8, Layers, QDense, Quantize, Quantized, Rows,
};
#[cfg(feature = "alloc")]
pub use quant_io::quantize;
#[cfg(feature = "alloc")]
pub use storage::HeapMatrix;
pub use storage::{Buffer, Heap, Inline, Storage, Values};
#[cfg(feature = "std")]
pub use train::History;
pub use train::{class, evaluate, Data, Fit, Metrics, Trainer, CHUNK};

/// What a program that declares and uses networks needs: `use nn::prelude::*;`.
///
/// The traits are also imported without a name (`as _`), so their methods stay in scope
/// when a network of the module is itself named `Model` or `Network`.
pub mod prelude {
    pub use crate::{network, Buffer, Model, Network, SMatrix, SVector, Values};
    pub use crate::{Buffer as _, Model as _, Network as _, Values as _};
}

/// A scalar a network computes in: `f32` (the default) or `f64`.
pub trait Float: nalgebra::RealField + Copy + Default {
    /// The safetensors name of this type: `"F32"` or `"F64"`.
    const DTYPE: &'static str;
    /// The error function `erf(x) = 2/√π ∫₀ˣ e^(-t²) dt`.
    fn erf(self) -> Self;
    /// Widens (or keeps) the value as an `f64`.
    fn to_f64(self) -> f64;
    /// The `f64` `x` in this type, rounded to the nearest `f32` for `f32`: the conversion
    /// generic code needs, as in `T::cast(0.5)`.
    ///
    /// ```
    /// use nn::Float;
    /// fn half<T: Float>() -> T { T::cast(0.5) }
    /// assert_eq!(half::<f32>(), 0.5f32);
    /// ```
    fn cast(x: f64) -> Self;
    /// The value's little-endian bytes.
    fn to_le(self) -> impl IntoIterator<Item = u8>;
}

/// Implements [`Float`] for `$t`, whose safetensors name is `$dtype` and whose erf is `$erf`.
macro_rules! float {
    ($t:ty, $dtype:literal, $erf:path) => {
        impl Float for $t {
            const DTYPE: &'static str = $dtype;
            fn erf(self) -> Self {
                $erf(self)
            }
            fn to_f64(self) -> f64 {
                f64::from(self)
            }
            fn cast(x: f64) -> Self {
                x as $t
            }
            fn to_le(self) -> impl IntoIterator<Item = u8> {
                self.to_le_bytes()
            }
        }
    };
}
float!(f32, "F32", libm::erff);
float!(f64, "F64", libm::erf);

/// Converts an `f64` constant to the network's scalar type: [`Float::cast`].
pub(crate) fn c<T: Float>(x: f64) -> T {
    T::cast(x)
}
