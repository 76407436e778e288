//! Measuring a network on a data set: its mean loss and accuracy.
use crate::chunks::{in_columns, Columns, Pass};
use crate::{Activation, Batch, Buffer, Data, Error, Float, Loss, Network, Values};
use core::marker::PhantomData;

/// A loss and an accuracy, measured over a whole data set.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Metrics {
    /// The mean loss.
    pub loss: f64,
    /// The fraction of samples classified right: their largest output is at their largest
    /// target, or for a single output, both are on the same side of 0.5.
    pub accuracy: f64,
}

/// Measures `net` on `(inputs, targets)` with `loss`, [`CHUNK`](crate::CHUNK) samples at a
/// time. An empty data set measures as NaN.
pub fn evaluate<N, L, const I: usize, const O: usize>(
    net: &N,
    (inputs, targets): Data<'_, N::Scalar, I, O>,
    _loss: L,
) -> Metrics
where
    N: Network<I, O>,
    L: Loss<N::Output>,
{
    let mut pass = Count::<L> {
        loss: 0.0,
        right: 0,
        of: PhantomData,
    };
    let samples = inputs.iter().zip(targets);
    let n = in_columns(net, &mut pass, samples).map_or(0, |n| n) as f64;
    Metrics {
        loss: pass.loss / n,
        accuracy: pass.right as f64 / n,
    }
}

/// The forward pass: adds each batch's summed loss to `loss` and the samples classified right
/// to `right`.
struct Count<L> {
    loss: f64,
    right: usize,
    of: PhantomData<L>,
}

impl<N: Network<I, O>, L: Loss<N::Output>, const I: usize, const O: usize> Pass<N, I, O>
    for Count<L>
{
    fn run<const B: usize>(
        &mut self,
        net: &N,
        x: Columns<'_, N::Scalar, I, B>,
        y: Columns<'_, N::Scalar, O, B>,
    ) -> Result<(), Error> {
        let z: Batch<N, O, B> = net.logits_batch(&x);
        let mut a = z.clone();
        N::Output::forward(a.values_mut(), O);
        self.loss += L::loss(z.values(), a.values(), y.values(), O).to_f64();
        for (a, y) in a.values().chunks_exact(O).zip(y.values().chunks_exact(O)) {
            self.right += usize::from(class(a) == class(y));
        }
        Ok(())
    }
}

/// The class a sample's outputs (or one-hot target) stand for: the index of the largest, or
/// for a single output, whether it is at least 0.5.
///
/// ```
/// assert_eq!(nn::class(&[0.1f32, 0.7, 0.2]), 1);
/// assert_eq!(nn::class(&[0.3f32]), 0);
/// ```
pub fn class<T: Float>(v: &[T]) -> usize {
    match v.len() {
        1 => usize::from(v[0] >= T::cast(0.5)),
        _ => crate::loss::largest(v),
    }
}
