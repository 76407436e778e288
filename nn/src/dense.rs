//! The dense layer: `a = f(W·x + b)`.
use crate::{Activation, Float};
use nalgebra::{DMatrixView, DMatrixViewMut, SMatrix, SVector};

/// A fully connected layer from `I` inputs to `O` outputs with activation `A`.
///
/// The weights are an `O×I` matrix, so `W·x` maps an input column to an output column, exactly
/// as `torch.nn.Linear` stores them.
#[derive(Clone, Debug, PartialEq)]
pub struct Dense<T: Float, const I: usize, const O: usize, A: Activation> {
    /// `W`, one row per output.
    pub weight: SMatrix<T, O, I>,
    /// `b`, added to every column of `W·x`.
    pub bias: SVector<T, O>,
    /// The activation `f` (zero-sized).
    pub activation: A,
}

impl<T: Float, const I: usize, const O: usize, A: Activation> Default for Dense<T, I, O, A> {
    /// A layer whose weights and bias are all zero.
    fn default() -> Self {
        let (weight, bias, activation) = (SMatrix::zeros(), SVector::zeros(), A::default());
        Self {
            weight,
            bias,
            activation,
        }
    }
}

impl<T: Float, const I: usize, const O: usize, A: Activation> Dense<T, I, O, A> {
    /// Computes `z = W·x + b` for a batch `x` with one sample per column. Small products run
    /// as nalgebra's unrolled loops on the static matrices; from 8 samples and 32 768
    /// multiply-adds on, views of the same memory go through nalgebra's dynamic-size product,
    /// which calls the blocked GEMM of `matrixmultiply` (with `std`): that is where a GPU's
    /// GEMM would plug in.
    pub fn linear<const B: usize>(&self, x: &SMatrix<T, I, B>) -> SMatrix<T, O, B> {
        let mut z = SMatrix::from_fn(|r, _| self.bias[r]);
        if B < 8 || O * I * B < 32_768 {
            z += self.weight * x;
        } else {
            let w = DMatrixView::from_slice(self.weight.as_slice(), O, I);
            let x = DMatrixView::from_slice(x.as_slice(), I, B);
            DMatrixViewMut::from_slice(z.as_mut_slice(), O, B).gemm(T::one(), &w, &x, T::one());
        }
        z
    }

    /// Computes `[z, a]` for a batch `x`: `z = W·x + b` and `a = f(z)`.
    pub fn forward<const B: usize>(&self, x: &SMatrix<T, I, B>) -> [SMatrix<T, O, B>; 2] {
        let z = self.linear(x);
        [z, A::apply(z)]
    }

    /// Turns `∂L/∂a` in `g` into this layer's error `δ = ∂L/∂z` (`∂L/∂a ⊙ f'(z)` for an
    /// elementwise `f`), given the layer's forward pass `za = [z, a]`.
    pub fn delta<const B: usize>(&self, za: &[SMatrix<T, O, B>; 2], g: &mut SMatrix<T, O, B>) {
        A::backward(za[0].as_slice(), za[1].as_slice(), g.as_mut_slice(), O);
    }

    /// Adds `δ·xᵀ` to `W` and the row sums of `δ` to `b`: used on a gradient, this accumulates
    /// `∂L/∂W` and `∂L/∂b` for the batch `x` whose pre-activation error is `δ = ∂L/∂z`.
    pub fn accumulate<const B: usize>(&mut self, x: &SMatrix<T, I, B>, delta: &SMatrix<T, O, B>) {
        self.weight.gemm(T::one(), delta, &x.transpose(), T::one());
        self.bias += delta.column_sum();
    }
}
