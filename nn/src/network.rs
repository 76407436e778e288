//! The traits every `network!` type implements, so generic code needs no macro.
use crate::{Activation, Buffer, Float, Init, Loss, Storage, Values};
use core::fmt::Debug;
use nalgebra::{ComplexField, SVector};
use rand::{rngs::Xoshiro256PlusPlus, Rng, SeedableRng};

/// A network's parameters: a chain of dense layers. Optimizers and io need only this.
///
/// `Default` gives the network whose parameters are all zero.
pub trait Model: Clone + Debug + Default + PartialEq + Send + Sync + Sized {
    /// The scalar type, `f32` or `f64`.
    type Scalar: Float;
    /// Where the parameters, their gradients and every batch's activations live: [`Inline`]
    /// when the parameters take at most [`INLINE_BYTES`] and so does a batch of [`CHUNK`]
    /// samples of any layer's inputs or outputs, else [`Heap`]. Inline networks allocate
    /// nothing.
    ///
    /// [`Inline`]: crate::Inline
    /// [`Heap`]: crate::Heap
    /// [`INLINE_BYTES`]: crate::INLINE_BYTES
    /// [`CHUNK`]: crate::CHUNK
    type Store: Storage;
    /// The output layer's activation, which decides the losses that fit.
    type Output: Activation;
    /// The declaration, such as `"2 => 4 relu => 1 sigmoid"`.
    const ARCHITECTURE: &'static str;
    /// Every dense layer, input side first.
    const LAYERS: &'static [Layer];
    /// The number of weights and biases.
    const PARAMS: usize;
    /// The bytes the parameters take.
    const BYTES: usize = Self::PARAMS * core::mem::size_of::<Self::Scalar>();
    /// The multiply-adds of one forward pass of one sample.
    const MACS: usize;

    /// Every parameter tensor, layer by layer: the weights (column by column, as nalgebra
    /// stores them), then the bias.
    fn params(&self) -> impl Iterator<Item = &[Self::Scalar]>;
    /// Every parameter tensor, to change in place.
    fn params_mut(&mut self) -> impl Iterator<Item = &mut [Self::Scalar]>;

    /// A network initialised from `seed`: biases zero, weights uniform in `±limit`, the
    /// [`Init`] of each layer's activation (He for the relu family, else Glorot). Computed in
    /// the network's scalar type; each weight takes 53 random bits, as `rand` draws an `f64`.
    fn new(seed: u64) -> Self {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut net = Self::default();
        for (w, layer) in net.params_mut().step_by(2).zip(Self::LAYERS) {
            let fan = match layer.init {
                Init::He => layer.inputs,
                Init::Glorot => layer.inputs + layer.outputs,
            };
            let limit = (Self::Scalar::cast(6.0) / Self::Scalar::count(fan as u64)).sqrt();
            // 53 random bits times `2·limit/2^53`, less `limit`: uniform in `[-limit, limit)`.
            let scale = limit * Self::Scalar::cast(f64::EPSILON);
            for w in w {
                *w = Self::Scalar::count(rng.next_u64() >> 11) * scale - limit;
            }
        }
        net
    }
    /// Whether every parameter is finite (no NaN, no infinity).
    fn is_finite(&self) -> bool {
        self.params().all(finite)
    }
}

/// One dense layer of a network, as [`Model::LAYERS`] lists it: its weights are an
/// `outputs × inputs` matrix.
///
/// ```
/// use nn::prelude::*;
/// use nn::{Init, Layer};
/// network! { struct Xor < 2 => 4 relu => 1 sigmoid > }
/// let hidden = Layer { outputs: 4, inputs: 2, activation: "relu", init: Init::He };
/// assert_eq!(Xor::LAYERS[0], hidden);
/// assert_eq!(Xor::LAYERS[1].init, Init::Glorot);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layer {
    /// The outputs (the weights' rows).
    pub outputs: usize,
    /// The inputs (the weights' columns).
    pub inputs: usize,
    /// The activation's name in `network!`, such as `"relu"`.
    pub activation: &'static str,
    /// How [`Model::new`] draws its weights: its activation's [`Activation::INIT`].
    pub init: Init,
}

/// Whether every value is finite: a fold that does not stop early, so that it vectorises.
pub(crate) fn finite<T: Float>(values: &[T]) -> bool {
    values.iter().fold(true, |ok, v| ok & v.is_finite())
}

/// A batch for network `N`: `R` values per sample, one sample per column, in the network's
/// storage (an `SMatrix` for an inline network).
pub type Batch<N, const R: usize, const B: usize> =
    <<N as Model>::Store as Storage>::Matrix<<N as Model>::Scalar, R, B>;

/// A network from `I` inputs to `O` outputs: the forward and backward passes.
///
/// A batch argument is anything that holds `R×B` values column by column: an `SMatrix`, or a
/// [`Batch`] in the network's storage (on the heap for a large network).
pub trait Network<const I: usize, const O: usize>: Model {
    /// The input length.
    const INPUTS: usize = I;
    /// The output length.
    const OUTPUTS: usize = O;

    /// Computes the output layer's pre-activation `z` (the logits) for a batch, one sample
    /// per column: one matrix product per layer.
    fn logits_batch<const B: usize>(
        &self,
        x: &impl Values<Self::Scalar, I, B>,
    ) -> Batch<Self, O, B>;

    /// Runs the forward pass keeping every layer's `z` and `a`, then the chain rule
    /// backwards; adds `∂L/∂W` and `∂L/∂b` of the summed loss to `grads` and returns the
    /// summed loss of the batch.
    fn backward<L: Loss<Self::Output>, const B: usize>(
        &self,
        x: &impl Values<Self::Scalar, I, B>,
        y: &impl Values<Self::Scalar, O, B>,
        grads: &mut Self,
    ) -> Self::Scalar;

    /// Computes the output for a batch with one sample per column.
    fn forward_batch<const B: usize>(
        &self,
        x: &impl Values<Self::Scalar, I, B>,
    ) -> Batch<Self, O, B> {
        let mut z = self.logits_batch(x);
        Self::Output::forward(z.values_mut(), O);
        z
    }

    /// Computes the output for one sample.
    fn forward(&self, x: &SVector<Self::Scalar, I>) -> SVector<Self::Scalar, O> {
        SVector::from_column_slice(self.forward_batch(x).values())
    }
}
