//! The traits every `network!` type implements, so generic code needs no macro.
use crate::{Activation, Float, Layer, Loss};
use core::fmt::Debug;
use nalgebra::{ComplexField, SMatrix, SVector};
use rand::{rngs::SmallRng, SeedableRng};

/// A network's parameters: a chain of dense layers. Optimizers and io only need this.
pub trait Model: Clone + Debug + PartialEq + Sized {
    /// The scalar type, `f32` or `f64`.
    type Scalar: Float;
    /// The declaration, such as `"2 => 4 relu => 1 sigmoid"`.
    const ARCHITECTURE: &'static str;
    /// The number of weights and biases.
    const PARAMS: usize;
    /// The bytes the parameters take.
    const BYTES: usize = Self::PARAMS * core::mem::size_of::<Self::Scalar>();
    /// The multiply-adds of one forward pass of one sample.
    const MACS: usize;

    /// A network whose parameters are all zero.
    #[must_use]
    fn zeros() -> Self;
    /// The layers, input side first.
    fn layers(&self) -> impl Iterator<Item = &dyn Layer<Self::Scalar>>;
    /// The layers, input side first, to change in place.
    fn layers_mut(&mut self) -> impl Iterator<Item = &mut dyn Layer<Self::Scalar>>;

    /// A network initialised from `seed` (He for the relu family, Glorot otherwise).
    #[must_use]
    fn new(seed: u64) -> Self {
        let mut rng = SmallRng::seed_from_u64(seed);
        let mut net = Self::zeros();
        net.layers_mut().for_each(|l| l.init(&mut rng));
        net
    }
    /// Every parameter tensor (weights, then bias, layer by layer).
    fn params(&self) -> impl Iterator<Item = &[Self::Scalar]> {
        self.layers().flat_map(|l| l.params())
    }
    /// Every parameter tensor, to change in place.
    fn params_mut(&mut self) -> impl Iterator<Item = &mut [Self::Scalar]> {
        self.layers_mut().flat_map(|l| l.params_mut())
    }
    /// Whether every parameter is finite (no NaN, no infinity).
    fn is_finite(&self) -> bool {
        self.params().flatten().all(|p| p.is_finite())
    }
    /// A Keras-like table of the layers, their shapes and parameter counts.
    #[cfg(feature = "std")]
    fn summary(&self) -> String {
        let mut s = format!(
            "{:<8}{:>8}{:>12}  {}\n",
            "layer", "output", "params", "activation"
        );
        for (i, l) in self.layers().enumerate() {
            let (o, n) = l.shape();
            let line = format!(
                "dense_{:<2}{o:>8}{:>12}  {}\n",
                i,
                o * n + o,
                l.activation()
            );
            s.push_str(&line);
        }
        s + &format!(
            "{} parameters ({} bytes), {} multiply-adds per sample: {}",
            Self::PARAMS,
            Self::BYTES,
            Self::MACS,
            Self::ARCHITECTURE
        )
    }
}

/// A network from `I` inputs to `O` outputs: the forward and backward passes.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a network from {I} inputs to {O} outputs",
    label = "the sizes here do not match the network's declaration",
    note = "a network's input and output lengths are part of its type: check the vector passed \
            to `forward`, the vector its result is bound to, and the targets given to training"
)]
pub trait Network<const I: usize, const O: usize>: Model {
    /// The output layer's activation, which decides the losses that fit.
    type Output: Activation;
    /// The input length.
    const INPUTS: usize = I;
    /// The output length.
    const OUTPUTS: usize = O;

    /// Computes the output layer's pre-activation `z` (the logits) for a batch, one sample
    /// per column: one matrix product per layer.
    #[must_use]
    fn logits_batch<const B: usize>(
        &self,
        x: &SMatrix<Self::Scalar, I, B>,
    ) -> SMatrix<Self::Scalar, O, B>;

    /// Runs the forward pass keeping every layer's `z` and `a` on the stack, then the chain
    /// rule backwards; adds `∂L/∂W` and `∂L/∂b` of the summed loss to `grads` and returns the
    /// summed loss of the batch.
    fn backward<L: Loss<Self::Output>, const B: usize>(
        &self,
        x: &SMatrix<Self::Scalar, I, B>,
        y: &SMatrix<Self::Scalar, O, B>,
        grads: &mut Self,
    ) -> Self::Scalar;

    /// Computes the output for a batch with one sample per column.
    #[must_use]
    fn forward_batch<const B: usize>(
        &self,
        x: &SMatrix<Self::Scalar, I, B>,
    ) -> SMatrix<Self::Scalar, O, B> {
        Self::Output::forward(&self.logits_batch(x))
    }

    /// Computes the output for one sample.
    #[must_use]
    fn forward(&self, x: &SVector<Self::Scalar, I>) -> SVector<Self::Scalar, O> {
        self.forward_batch(x)
    }
}
