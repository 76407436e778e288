//! Losses, with PyTorch's default reductions. Each gives the loss summed over the batch's
//! samples and `δ = ∂L/∂z`, the gradient at the output layer's pre-activation; training divides
//! both by the batch size, which gives PyTorch's mean.
use crate::{Activation, Float, Sigmoid, Softmax};

/// A loss that fits an output layer with activation `A`.
///
/// It reads a batch's values column by column (`rows` outputs per sample), as activations do:
/// the output layer's pre-activation `z`, its output `a = f(z)` and the targets `y`.
#[diagnostic::on_unimplemented(
    message = "the loss `{Self}` does not fit an output layer with activation `{A}`",
    note = "`CrossEntropy` needs a softmax output layer, `BinaryCrossEntropy` a sigmoid one; \
            `Mse` fits any"
)]
pub trait Loss<A: Activation> {
    /// Returns the loss summed over the batch's samples (columns).
    fn loss<T: Float>(z: &[T], a: &[T], y: &[T], rows: usize) -> T;
    /// Writes `δ = ∂L/∂z` of the summed loss to `delta`.
    fn delta<T: Float>(z: &[T], a: &[T], y: &[T], delta: &mut [T], rows: usize);
}

/// The output activations a loss `L` fits: `Softmax` for [`CrossEntropy`], `Sigmoid` for
/// [`BinaryCrossEntropy`]. The losses' impls are generic over it, so that a mismatch, even
/// through `Trainer::step` or `fit`, is reported with this message rather than as a type
/// mismatch of the network's `Output`.
#[diagnostic::on_unimplemented(
    message = "the loss `{L}` does not fit an output layer with activation `{Self}`",
    note = "`CrossEntropy` needs a softmax output layer, `BinaryCrossEntropy` a sigmoid one; \
            `Mse` fits any"
)]
pub trait OutputFor<L> {}
impl OutputFor<CrossEntropy> for Softmax {}
impl OutputFor<BinaryCrossEntropy> for Sigmoid {}

/// Mean squared error: this computes `mean((a - y)²)` over all elements, like `nn.MSELoss`,
/// with `δ = 2/O·(a - y) ⊙ f'(z)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mse;

impl<A: Activation> Loss<A> for Mse {
    fn loss<T: Float>(_: &[T], a: &[T], y: &[T], rows: usize) -> T {
        let per = T::count(rows as u64).recip();
        let squares = a.iter().zip(y).map(|(&a, &y)| (a - y) * (a - y) * per);
        squares.fold(T::zero(), |sum, e| sum + e)
    }
    fn delta<T: Float>(z: &[T], a: &[T], y: &[T], delta: &mut [T], rows: usize) {
        let per = T::count(rows as u64).recip();
        for ((d, &a), &y) in delta.iter_mut().zip(a).zip(y) {
            *d = (a - y) * (per + per);
        }
        A::backward(z, a, delta, rows);
    }
}

/// Binary cross-entropy on a sigmoid output: this computes
/// `mean(-(y·ln σ(z) + (1 - y)·ln(1 - σ(z))))` over all elements, like `nn.BCELoss`, in the
/// stable form `max(z, 0) - z·y + ln(1 + e^(-|z|))`, where `ln(1 + e^(-|z|))` is
/// `-ln max(a, 1 - a)` for `a = σ(z)`; with `δ = (σ(z) - y) / O`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BinaryCrossEntropy;

impl<A: Activation + OutputFor<Self>> Loss<A> for BinaryCrossEntropy {
    fn loss<T: Float>(z: &[T], a: &[T], y: &[T], rows: usize) -> T {
        let per = T::count(rows as u64).recip();
        let mut sum = T::zero();
        for ((&z, &a), &y) in z.iter().zip(a).zip(y) {
            sum += (z.max(T::zero()) - z * y - a.max(T::one() - a).ln()) * per;
        }
        sum
    }
    fn delta<T: Float>(_: &[T], a: &[T], y: &[T], delta: &mut [T], rows: usize) {
        let per = T::count(rows as u64).recip();
        for ((d, &a), &y) in delta.iter_mut().zip(a).zip(y) {
            *d = (a - y) * per;
        }
    }
}

/// Cross-entropy on a softmax output with one-hot (or probability) targets: this computes
/// `-Σ y·(z - lse)` per sample, `lse` the log-sum-exp of `z`, averaged over the batch like
/// `nn.CrossEntropyLoss`, with `δ = softmax(z) - y`. The log-sum-exp comes from the largest
/// output, which never underflows: `lse = z_m - ln a_m` for `a = softmax(z)` and `m` the
/// index of the largest `a`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CrossEntropy;

impl<A: Activation + OutputFor<Self>> Loss<A> for CrossEntropy {
    fn loss<T: Float>(z: &[T], a: &[T], y: &[T], rows: usize) -> T {
        let mut sum = T::zero();
        let columns = z.chunks_exact(rows).zip(a.chunks_exact(rows));
        for ((z, a), y) in columns.zip(y.chunks_exact(rows)) {
            let m = largest(a);
            let lse = z[m] - a[m].ln();
            sum -= z
                .iter()
                .zip(y)
                .fold(T::zero(), |s, (&z, &y)| s + y * (z - lse));
        }
        sum
    }
    fn delta<T: Float>(_: &[T], a: &[T], y: &[T], delta: &mut [T], _: usize) {
        for ((d, &a), &y) in delta.iter_mut().zip(a).zip(y) {
            *d = a - y;
        }
    }
}

/// The index of the largest value (the first of equal ones; 0 for none).
pub(crate) fn largest<T: PartialOrd>(v: &[T]) -> usize {
    (0..v.len()).fold(0, |m, i| if v[i] > v[m] { i } else { m })
}
