//! Running many samples as matrices: a batch of any length gathered into matrices of
//! [`CHUNK`] columns, so that every layer's products are matrix products.
use crate::error::ensure;
use crate::network::finite;
use crate::train::Sums;
use crate::{Batch, Buffer, Error, Float, Loss, Model, Network, Values, CHUNK};
use core::marker::PhantomData;
use nalgebra::SVector;

/// `R·C` values in memory owned elsewhere, column by column.
pub(crate) struct Columns<'a, T, const R: usize, const C: usize>(pub &'a [T]);

impl<T: Float, const R: usize, const C: usize> Values<T, R, C> for Columns<'_, T, R, C> {
    fn values(&self) -> &[T] {
        &self.0[..R * C]
    }
}

/// One `(input, target)` pair.
pub type Sample<'a, T, const I: usize, const O: usize> = (&'a SVector<T, I>, &'a SVector<T, O>);

/// The gradient of `samples` added to `grads`, with their summed loss and count: a step's
/// local sums.
///
/// # Errors
/// [`Error::NonFinite`] for a sample holding NaN or infinity.
pub(crate) fn gradient<'a, N, L, const I: usize, const O: usize>(
    net: &N,
    grads: &mut N,
    samples: impl IntoIterator<Item = Sample<'a, N::Scalar, I, O>>,
) -> Result<Sums<N::Scalar>, Error>
where
    N: Network<I, O>,
    L: Loss<N::Output>,
{
    let mut pass = Gradient::<N, L> {
        grads,
        loss: nalgebra::zero(),
        of: PhantomData,
    };
    let samples = in_columns(net, &mut pass, samples)?;
    let loss = pass.loss;
    Ok(Sums { loss, samples })
}

/// What to do with the samples gathered into matrices, one sample per column: the backward
/// pass in training, the forward pass in evaluation.
pub(crate) trait Pass<N: Network<I, O>, const I: usize, const O: usize> {
    /// Runs the `B` inputs `x` with their targets `y`.
    fn run<const B: usize>(
        &mut self,
        net: &N,
        x: Columns<'_, N::Scalar, I, B>,
        y: Columns<'_, N::Scalar, O, B>,
    ) -> Result<(), Error>;
}

/// Gathers `samples` into matrices of [`CHUNK`] columns (in the network's storage) and runs
/// `pass` on each, the rest in matrices of 8 columns, then one by one. Returns the number of
/// samples.
pub(crate) fn in_columns<'a, N, P, const I: usize, const O: usize>(
    net: &N,
    pass: &mut P,
    samples: impl IntoIterator<Item = Sample<'a, N::Scalar, I, O>>,
) -> Result<usize, Error>
where
    N: Network<I, O>,
    P: Pass<N, I, O>,
{
    let mut x = Batch::<N, I, CHUNK>::zeros();
    let mut y = Batch::<N, O, CHUNK>::zeros();
    let mut filled = 0;
    let mut n = 0;
    for (xi, yi) in samples {
        x.values_mut()[filled * I..][..I].copy_from_slice(xi.as_slice());
        y.values_mut()[filled * O..][..O].copy_from_slice(yi.as_slice());
        filled += 1;
        if filled == CHUNK {
            pass.run::<CHUNK>(net, Columns(x.values()), Columns(y.values()))?;
            filled = 0;
            n += CHUNK;
        }
    }
    let mut done = 0;
    while filled - done >= 8 {
        let xs = Columns(&x.values()[done * I..]);
        pass.run::<8>(net, xs, Columns(&y.values()[done * O..]))?;
        done += 8;
    }
    for i in done..filled {
        let xs = Columns(&x.values()[i * I..]);
        pass.run::<1>(net, xs, Columns(&y.values()[i * O..]))?;
    }
    Ok(n + filled)
}

/// The backward pass: adds each batch's gradient to `grads` and its summed loss to `loss`.
struct Gradient<'g, N: Model, L> {
    grads: &'g mut N,
    loss: N::Scalar,
    of: PhantomData<L>,
}

impl<N: Network<I, O>, L: Loss<N::Output>, const I: usize, const O: usize> Pass<N, I, O>
    for Gradient<'_, N, L>
{
    fn run<const B: usize>(
        &mut self,
        net: &N,
        x: Columns<'_, N::Scalar, I, B>,
        y: Columns<'_, N::Scalar, O, B>,
    ) -> Result<(), Error> {
        let finite = finite(x.values()) && finite(y.values());
        ensure(finite, || Error::NonFinite("sample", 0, 0))?;
        self.loss += net.backward::<L, B>(&x, &y, self.grads);
        Ok(())
    }
}
