//! The dense layer: `a = f(W·x + b)`, and the three products of its forward and backward pass.
use crate::gemm::{gemm, Product};
use crate::{Activation, Buffer, Float, Inline, Loss, Storage, Values};

/// A fully connected layer from `I` inputs to `O` outputs with activation `A`, its numbers
/// kept in storage `S` ([`Inline`] or [`crate::Heap`]).
///
/// The weights are an `O×I` matrix, so `W·x` maps an input column to an output column, exactly
/// as `torch.nn.Linear` stores them. A batch is a matrix with one sample per column.
#[derive(Clone, Debug, PartialEq)]
pub struct Dense<T: Float, const I: usize, const O: usize, A: Activation, S: Storage = Inline> {
    /// `W`, one row per output.
    pub weight: S::Matrix<T, O, I>,
    /// `b`, added to every column of `W·x`.
    pub bias: S::Matrix<T, O, 1>,
    /// The activation `f` (zero-sized).
    pub activation: A,
}

/// A layer's forward pass over a batch, kept for its backward pass.
#[derive(Clone, Debug, PartialEq)]
pub struct Forward<M> {
    /// The pre-activation `z = W·x + b`.
    pub z: M,
    /// The output `a = f(z)`.
    pub a: M,
}

impl<T: Float, const I: usize, const O: usize, A: Activation, S: Storage> Default
    for Dense<T, I, O, A, S>
{
    /// A layer whose weights and bias are all zero.
    fn default() -> Self {
        Self {
            weight: Buffer::zeros(),
            bias: Buffer::zeros(),
            activation: A::default(),
        }
    }
}

impl<T: Float, const I: usize, const O: usize, A: Activation, S: Storage> Dense<T, I, O, A, S> {
    /// Computes `z = W·x + b` for a batch `x`: the bias in every column, then `Z += W·X`.
    pub fn linear<const B: usize>(&self, x: &impl Values<T, I, B>) -> S::Matrix<T, O, B> {
        let mut z = S::Matrix::<T, O, B>::zeros();
        for column in z.values_mut().chunks_exact_mut(O) {
            column.copy_from_slice(self.bias.values());
        }
        let w = self.weight.values();
        gemm::<S, T, O, I, B>(z.values_mut(), w, x.values(), Product::AB);
        z
    }

    /// Computes `a = f(W·x + b)` for a batch `x`.
    pub fn output<const B: usize>(&self, x: &impl Values<T, I, B>) -> S::Matrix<T, O, B> {
        let mut a = self.linear(x);
        A::forward(a.values_mut(), O);
        a
    }

    /// Computes `z = W·x + b` and `a = f(z)` for a batch `x`, both of which the backward pass
    /// needs.
    pub fn forward<const B: usize>(&self, x: &impl Values<T, I, B>) -> Forward<S::Matrix<T, O, B>> {
        let z = self.linear(x);
        let mut a = z.clone();
        A::forward(a.values_mut(), O);
        Forward { z, a }
    }

    /// Computes the loss `L` summed over the batch, for this output layer's forward pass and
    /// the targets `y`.
    pub fn loss<L: Loss<A>, const B: usize>(
        &self,
        forward: &Forward<S::Matrix<T, O, B>>,
        y: &impl Values<T, O, B>,
    ) -> T {
        L::loss(forward.z.values(), forward.a.values(), y.values(), O)
    }

    /// Computes this output layer's `δ = ∂L/∂z` for the loss `L` summed over the batch.
    pub fn output_delta<L: Loss<A>, const B: usize>(
        &self,
        forward: &Forward<S::Matrix<T, O, B>>,
        y: &impl Values<T, O, B>,
    ) -> S::Matrix<T, O, B> {
        let mut delta = S::Matrix::<T, O, B>::zeros();
        let z = forward.z.values();
        let a = forward.a.values();
        L::delta(z, a, y.values(), delta.values_mut(), O);
        delta
    }

    /// Turns `∂L/∂a` in `g` into this layer's `δ = ∂L/∂z` (`∂L/∂a ⊙ f'(z)` for an
    /// elementwise `f`), given the layer's forward pass.
    pub fn delta<const B: usize>(
        &self,
        forward: &Forward<S::Matrix<T, O, B>>,
        g: &mut S::Matrix<T, O, B>,
    ) {
        A::backward(forward.z.values(), forward.a.values(), g.values_mut(), O);
    }

    /// Computes `∂L/∂x = Wᵀ·δ`, the gradient passed down to the layer below.
    pub fn grad_input<const B: usize>(&self, delta: &S::Matrix<T, O, B>) -> S::Matrix<T, I, B> {
        let mut g = S::Matrix::<T, I, B>::zeros();
        let w = self.weight.values();
        gemm::<S, T, I, O, B>(g.values_mut(), w, delta.values(), Product::AtB);
        g
    }

    /// Adds `δ·xᵀ` to `W` and the row sums of `δ` to `b`: used on a gradient, this accumulates
    /// `∂L/∂W` and `∂L/∂b` for the batch `x` whose `δ = ∂L/∂z` is given.
    pub fn accumulate<const B: usize>(
        &mut self,
        x: &impl Values<T, I, B>,
        delta: &S::Matrix<T, O, B>,
    ) {
        let w = self.weight.values_mut();
        gemm::<S, T, O, B, I>(w, delta.values(), x.values(), Product::ABt);
        for column in delta.values().chunks_exact(O) {
            let bias = self.bias.values_mut().iter_mut();
            bias.zip(column).for_each(|(b, &d)| *b += d);
        }
    }
}
