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
//! const TRAINED = "net.safetensors"; }` gives the `const` `Net::TRAINED`. A trained network
//! whose hidden layers are relu or linear quantizes to int8 ([`quantize`], the scheme in
//! [`quant`]): a quarter of the bytes, and integer layers that need no floating-point unit.
//!
//! # The reading path
//!
//! The files that show how a network is declared, run, differentiated and trained, in the
//! order to read them (lines of code, without comments and blank lines):
//!
//! | file | lines | what it shows |
//! |---|---|---|
//! | `nn-macros/src/lib.rs` | 20 | the `network!` entry point: parse, validate, expand |
//! | `nn-macros/src/ast.rs` | 69 | the declaration as written, with its spans |
//! | `nn-macros/src/validate.rs` | 79 | sizes, activations, the storage rule |
//! | `nn-macros/src/expand.rs` | 127 | the struct, the unrolled forward and backward chains |
//! | `nn/src/lib.rs` | 62 | this file: the reading path, the modules, the re-exports |
//! | `nn/src/float.rs` | 29 | [`Float`]: `f32` or `f64` |
//! | `nn/src/storage.rs` | 37 | where a matrix's numbers live: [`Values`], [`Buffer`], [`Inline`] |
//! | `nn/src/inline.rs` | 7 | when a network is inline ([`INLINE_BYTES`], [`CHUNK`]) |
//! | `nn/src/gemm.rs` | 49 | the products seam: [`gemm`] |
//! | `nn/src/activation.rs` | 69 | `f` and `f'` side by side ([`Activation`]) |
//! | `nn/src/dense.rs` | 89 | [`Dense`]: `z = W·x + b` and its three products |
//! | `nn/src/network.rs` | 72 | [`Model`] and [`Network`]: parameters, forward, backward |
//! | `nn/src/loss.rs` | 77 | the losses and their `δ = ∂L/∂z` ([`Loss`]) |
//! | `nn/src/optim.rs` | 68 | [`Optimizer`] and [`Sgd`] |
//! | `nn/src/train.rs` | 100 | [`Trainer::step`] and the reduction seam, [`Reduce`] |
//! | `nn/src/error.rs` | 43 | [`Error`] |
//!
//! Every other file is a module a reader can skip: `kernel` (the fast products), `heap`
//! (storage for large networks), `adam`, `fit` (the minibatch loop), `eval`, `summary`,
//! `parallel`, `io` and `layout` (files), `data`, `quant` (int8), `distributed` (processes,
//! and checkpoints in `fit`), and in the macro `embed`,
//! `docs` and `cost`. Two seams show where other hardware takes over: every product of a
//! layer is one call of [`gemm`] (plain nalgebra here, SIMD and blocked kernels in `kernel`,
//! a GPU next), and a training step hands its gradient sums to one [`Reduce`] (nothing to do
//! in one process, [`Local`]; threads with `parallel`; an MPI all-reduce across processes
//! with `distributed`, `nn::distributed::Mpi`).
//! `docs/how-it-works.md` walks the path file by file.
//!
//! # Features
//!
//! - `std` (default): files, [`Trainer::fit`] with its progress bar, [`Summary`].
//! - `alloc`: [`to_bytes`] and [`from_bytes`] without `std`.
//! - `parallel`: data-parallel training, a large minibatch's gradient summed over shards on
//!   rayon's threads.
//! - `distributed`: data-parallel training across the processes of an MPI job
//!   (`nn::distributed::Mpi`; needs Open MPI, and `libclang` to build its bindings).
//! - `gpu`: forward passes and training on a GPU through wgpu (`nn::gpu`).
//! - `libm`: `exp`, `ln`, `tanh` and the rest from the libm crate even with `std`, as without
//!   it: the same bits on every platform, such as a host computing what a microcontroller
//!   computes, at some cost in speed where the system's libm is faster.
//!
//! Without the default features the crate is `#![no_std]` and needs no allocator: inline
//! networks, forward, backward, losses, optimizers and [`Trainer::step`] allocate nothing.
#![cfg_attr(not(feature = "std"), no_std)]
#[cfg(feature = "alloc")]
extern crate alloc;

// The reading path.
mod activation;
mod dense;
mod error;
mod float;
mod gemm;
mod inline;
mod loss;
mod network;
mod optim;
mod storage;
mod train;

// Modules a reader can skip (`gpu` and `parallel` say in their files which feature they
// need).
mod adam;
mod chunks;
#[cfg(feature = "std")]
pub mod data;
pub mod distributed;
#[cfg(feature = "std")]
mod fit;
pub mod gpu;
mod heap;
mod io;
mod kernel;
mod parallel;
pub mod quant;

pub use activation::*;
pub use adam::Adam;
pub use dense::{Dense, Forward};
pub use error::Error;
#[cfg(feature = "std")]
pub use fit::*;
pub use float::Float;
pub use gemm::{gemm, Product};
pub use heap::*;
pub use inline::{CHUNK, INLINE_BYTES};
pub use io::*;
pub use kernel::BLOCKED_GEMM;
pub use loss::{BinaryCrossEntropy, CrossEntropy, Loss, Mse, OutputFor};
pub use nalgebra::{self, SMatrix, SVector};
pub use network::{Batch, Layer, Model, Network};
/// Declares a network: a struct of statically sized dense layers, with its forward and
/// backward passes.
///
/// # Grammar
///
/// ```text
/// network! {
///     ATTRIBUTES* VISIBILITY struct NAME (: f32 | : f64)? < INPUTS (=> SIZE ACTIVATION)+ >
///     (const CONST_NAME (: int8)? = "weights.safetensors";)*
/// }
/// ```
///
/// - `INPUTS` and every `SIZE` are whole numbers from 1, written without a suffix (`784`,
///   not `784usize`); `=> SIZE ACTIVATION` adds a dense layer `a = f(W·x + b)` of `SIZE`
///   outputs.
/// - The scalar is `f32` unless `: f64` follows the name.
/// - Attributes (doc comments, derives of your own) and the visibility apply to the struct.
/// - Each `const NAME = "file";` embeds trained weights at compile time as `NAME::CONST_NAME`,
///   from a safetensors file (path relative to the declaring crate's `Cargo.toml`) that is
///   checked against the declaration while compiling: see the README's "Saving and
///   embedding". `const NAME: int8 = "file";` embeds a quantized network ([`Quantized<Net>`],
///   saved from [`quantize`]'s result) the same way.
///
/// # What it generates
///
/// `examples/xor_expanded.rs` shows the whole expansion of `Xor` written by hand. In short:
///
/// - the struct, with one public field per layer, `l1`, `l2`, ..., each a [`Dense`], and a
///   rustdoc that shows its equations, forward and backward, with every shape;
/// - [`Model`] (its parameters, `LAYERS`, `PARAMS`, `MACS`, and where its numbers live) and
///   [`Network<INPUTS, OUTPUTS>`](Network): `logits_batch`, the forward chain of products,
///   and `backward`, the chain rule unrolled layer by layer;
/// - for a network whose hidden layers are all `relu` or `linear`, [`Quantize`]: it quantizes
///   to int8 (see [`quant`]); others are a compile error when quantized;
/// - one associated `const` per embedded file.
///
/// A network's numbers are [`Inline`] (plain `SMatrix` values: nothing on the heap) when its
/// parameters, and a batch of [`CHUNK`] samples of its widest layer, take at most
/// [`INLINE_BYTES`] (16 KiB);
/// otherwise they are on the [`Heap`], one boxed slice per matrix, so that networks of any
/// size run on small stacks.
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
pub use optim::{Optimizer, Sgd};
#[cfg(feature = "parallel")]
pub use parallel::Threads;
#[cfg(feature = "alloc")]
pub use quant::quantize;
pub use quant::{Int8, Layers, Quantize, Quantized};
pub use storage::{Buffer, Inline, Storage, Values};
pub use train::{Data, Local, Reduce, Sums, Trainer};

/// The reduction of [`Trainer::new`]: [`Local`], or with the `parallel` feature,
/// `nn::Threads`.
#[cfg(not(feature = "parallel"))]
pub type DefaultReduce = Local;
/// The reduction of [`Trainer::new`]: [`Local`], or with the `parallel` feature,
/// [`Threads`].
#[cfg(feature = "parallel")]
pub type DefaultReduce = Threads;

/// What a program that declares and uses networks needs: `use nn::prelude::*;`.
///
/// The traits are also imported without a name (`as _`), so their methods stay in scope
/// when a network of the module is itself named `Model` or `Network`.
pub mod prelude {
    pub use crate::{network, Buffer, Model, Network, SMatrix, SVector, Values};
    pub use crate::{Buffer as _, Model as _, Network as _, Values as _};
    #[cfg(feature = "std")]
    pub use crate::{Summary, Summary as _};
}
