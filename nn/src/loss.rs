//! Losses, with PyTorch's default reductions. Each returns the loss summed over the batch's
//! samples and `δ = ∂L/∂z`, the error at the output layer's pre-activation; training divides
//! both by the batch size, which gives PyTorch's mean.
use crate::{c, Activation, Float, Sigmoid, Softmax};
use nalgebra::SMatrix;

/// A loss that fits an output layer with activation `A`.
#[diagnostic::on_unimplemented(
    message = "the loss `{Self}` does not fit an output layer with activation `{A}`",
    note = "`CrossEntropy` needs a softmax output layer, `BinaryCrossEntropy` a sigmoid one; \
            `Mse` fits any"
)]
pub trait Loss<A: Activation, T: Float, const O: usize, const B: usize> {
    /// Computes the loss summed over the batch's samples (columns) and `∂L/∂z`, from the
    /// output layer's pre-activation `z` and the targets `y`.
    fn loss(z: &SMatrix<T, O, B>, y: &SMatrix<T, O, B>) -> (T, SMatrix<T, O, B>);
}

/// Mean squared error: this computes `mean((a - y)²)` over all elements, like `nn.MSELoss`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mse;

impl<A: Activation, T: Float, const O: usize, const B: usize> Loss<A, T, O, B> for Mse {
    fn loss(z: &SMatrix<T, O, B>, y: &SMatrix<T, O, B>) -> (T, SMatrix<T, O, B>) {
        let (a, per) = (A::apply(*z), c::<T>(1.0 / O as f64));
        let mut delta = (a - y) * (per + per);
        A::backward(z.as_slice(), a.as_slice(), delta.as_mut_slice(), O);
        ((a - y).norm_squared() * per, delta)
    }
}

/// Binary cross-entropy on a sigmoid output: this computes
/// `mean(-(y·ln σ(z) + (1 - y)·ln(1 - σ(z))))` over all elements, like `nn.BCELoss`, in the
/// stable form `max(z, 0) - z·y + ln(1 + e^(-|z|))`, with `δ = σ(z) - y`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BinaryCrossEntropy;

impl<T: Float, const O: usize, const B: usize> Loss<Sigmoid, T, O, B> for BinaryCrossEntropy {
    fn loss(z: &SMatrix<T, O, B>, y: &SMatrix<T, O, B>) -> (T, SMatrix<T, O, B>) {
        let per = c::<T>(1.0 / O as f64);
        let loss = z.zip_fold(y, T::zero(), |acc, z, y| {
            acc + z.max(T::zero()) - z * y + (-z.abs()).exp().ln_1p()
        });
        (loss * per, (Sigmoid::apply(*z) - y) * per)
    }
}

/// Cross-entropy on a softmax output with one-hot (or probability) targets: this computes
/// `-Σ y·ln softmax(z)` per sample, averaged over the batch like `nn.CrossEntropyLoss`, from
/// the log-sum-exp of `z`, with `δ = softmax(z) - y`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CrossEntropy;

impl<T: Float, const O: usize, const B: usize> Loss<Softmax, T, O, B> for CrossEntropy {
    fn loss(z: &SMatrix<T, O, B>, y: &SMatrix<T, O, B>) -> (T, SMatrix<T, O, B>) {
        let mut loss = T::zero();
        for (z, y) in z.column_iter().zip(y.column_iter()) {
            let max = z.max();
            let lse = max + z.map(|v| (v - max).exp()).sum().ln();
            loss += z.zip_fold(&y, T::zero(), |acc, z, y| acc - y * (z - lse));
        }
        (loss, Softmax::apply(*z) - y)
    }
}
