//! Training: one step on one batch, as matrix products, and the seam its gradient sums go
//! through before the optimizer steps.
use crate::error::{ensure, same_length};
use crate::gemm::elementwise;
use crate::{DefaultReduce, Error, Float, Loss, Model, Network, Optimizer};
use core::ops::Range;
use nalgebra::{ComplexField, SVector};

/// Trains a network with an optimizer `Opt` and a loss `L`, like Keras's `compile`; its
/// gradient sums go through the reduction `R` (see [`Reduce`]).
///
/// It keeps the gradient, shaped like the network, so [`Trainer::step`] allocates nothing;
/// and for an optimizer that is not [all or nothing](Optimizer::ALL_OR_NOTHING), a copy of
/// the last good weights.
#[derive(Clone, Debug)]
pub struct Trainer<N, Opt, L, R = DefaultReduce> {
    /// The optimizer.
    pub optimizer: Opt,
    /// The loss.
    pub loss: L,
    /// Where a step's gradient sums are combined.
    pub reduce: R,
    /// The gradient of the last step.
    grads: N,
    /// The weights before the last step, if the optimizer needs them kept.
    last_good: Option<N>,
}

impl<N: Model, Opt: Optimizer<N>, L> Trainer<N, Opt, L> {
    /// A trainer that minimises `loss` with `optimizer`, its gradient sums combined by
    /// [`DefaultReduce`].
    pub fn new(optimizer: Opt, loss: L) -> Self {
        Self::reducing(optimizer, loss, DefaultReduce::default())
    }
}

impl<N: Model, Opt: Optimizer<N>, L, R: Reduce> Trainer<N, Opt, L, R> {
    /// A trainer that minimises `loss` with `optimizer`, its gradient sums combined by
    /// `reduce` (see [`Reduce`]).
    pub fn reducing(optimizer: Opt, loss: L, reduce: R) -> Self {
        Self {
            optimizer,
            loss,
            reduce,
            grads: N::default(),
            last_good: (!Opt::ALL_OR_NOTHING).then(N::default),
        }
    }

    /// One step on one batch, `(inputs, targets)` (the data form of [`Trainer::fit`] and
    /// [`evaluate`](crate::evaluate) too): the gradient of the mean loss (the samples'
    /// gradients summed, over the batch size), then one optimizer step. Returns the mean loss
    /// before the step.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] if the slices differ in length; [`Error::EmptyData`] for an
    /// empty batch; [`Error::NonFinite`] (at epoch 0, batch 0) for a NaN or infinity in a
    /// sample (input or target), the loss, the gradient or the updated weights, in which case
    /// `net` and the optimizer are exactly as they were before the step.
    pub fn step<const I: usize, const O: usize>(
        &mut self,
        net: &mut N,
        (inputs, targets): Data<'_, N::Scalar, I, O>,
    ) -> Result<N::Scalar, Error>
    where
        N: Network<I, O>,
        L: Loss<N::Output>,
    {
        same_length(inputs, targets)?;
        let grads = &mut self.grads;
        grads.params_mut().for_each(|g| g.fill(nalgebra::zero()));
        // The local sums of a range of the batch: its gradient in matrices of `CHUNK` columns.
        let local = |range: Range<usize>, grads: &mut N| {
            let samples = range.map(|i| (&inputs[i], &targets[i]));
            crate::chunks::gradient::<N, L, I, O>(net, grads, samples)
        };
        let sums = self.reduce.reduce(inputs.len(), grads, local)?;
        ensure(sums.samples > 0, || Error::EmptyData)?;
        let scale = N::Scalar::count(sums.samples as u64).recip();
        let mut finite = true;
        elementwise(
            #[inline(always)]
            || {
                for g in grads.params_mut() {
                    g.iter_mut().for_each(|g| *g *= scale);
                    finite &= crate::network::finite(g);
                }
            },
        );
        let loss = sums.loss * scale;
        ensure(loss.is_finite(), || Error::NonFinite("loss", 0, 0))?;
        ensure(finite, || Error::NonFinite("gradient", 0, 0))?;
        let Some(last_good) = &mut self.last_good else {
            self.optimizer.step(net, grads)?;
            return Ok(loss);
        };
        // The copy catches an optimizer of the user's that writes a NaN anyway.
        let copy = |(to, from): (&mut [N::Scalar], &[N::Scalar])| to.copy_from_slice(from);
        last_good.params_mut().zip(net.params()).for_each(copy);
        let stepped = self.optimizer.step(net, grads);
        if stepped.is_err() || !net.is_finite() {
            net.params_mut().zip(last_good.params()).for_each(copy);
            return Err(Error::NonFinite("weights", 0, 0));
        }
        Ok(loss)
    }
}

/// What a batch's samples add up to, beside their gradient: what a step hands to the
/// reduction, and the reduction hands back for all the batch. `T` is the network's scalar.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sums<T> {
    /// The loss summed over the samples.
    pub loss: T,
    /// The number of samples.
    pub samples: usize,
}

/// The gradient-reduction seam: how the sums of one batch, computed in pieces, become one.
///
/// A step zeroes its gradient and calls [`Reduce::reduce`] with a function that adds the
/// gradient of any range of the batch's samples to a buffer shaped like the network and
/// returns their [`Sums`]; whatever the reduction, the step then divides by the number of
/// samples and steps the optimizer. [`Local`] computes the whole batch here; `nn::Threads`
/// (feature `parallel`) computes shards on rayon's threads and adds them up;
/// `nn::distributed::Mpi` (feature `distributed`) computes this process's share of the batch
/// and all-reduces the sums across the processes of an MPI job.
///
/// A reduction of your own, here one that computes a batch in two halves, each into a buffer
/// of its own, and adds them (what `Threads` does on two threads):
///
/// ```
/// use core::ops::Range;
/// use nn::prelude::*;
/// use nn::{Error, Local, Mse, Reduce, Sgd, Sums, Trainer};
///
/// struct Halves;
/// impl Reduce for Halves {
///     fn reduce<N: Model>(
///         &self,
///         len: usize,
///         grads: &mut N,
///         local: impl Fn(Range<usize>, &mut N) -> Result<Sums<N::Scalar>, Error> + Sync,
///     ) -> Result<Sums<N::Scalar>, Error> {
///         let first = local(0..len / 2, grads)?;
///         let mut second_half = N::default();
///         let second = local(len / 2..len, &mut second_half)?;
///         let pairs = grads.params_mut().flatten().zip(second_half.params().flatten());
///         pairs.for_each(|(g, h)| *g += *h);
///         let loss = first.loss + second.loss;
///         let samples = first.samples + second.samples;
///         Ok(Sums { loss, samples })
///     }
/// }
///
/// network! { struct Net < 2 => 3 tanh => 1 linear > }
/// let xs: Vec<_> = (0..10).map(|k| SVector::from([k as f32, 1.0])).collect();
/// let ys: Vec<_> = (0..10).map(|k| SVector::from([k as f32 * 0.1])).collect();
/// let mut by_halves = Net::new(0);
/// let mut here = Net::new(0);
/// let mut halves = Trainer::reducing(Sgd::new(0.01, 0.0), Mse, Halves);
/// let mut local = Trainer::reducing(Sgd::new(0.01, 0.0), Mse, Local);
/// let a = halves.step(&mut by_halves, (&xs, &ys))?;
/// let b = local.step(&mut here, (&xs, &ys))?;
/// assert!((a - b).abs() < 1e-6);
/// for (w, v) in by_halves.params().flatten().zip(here.params().flatten()) {
///     assert!((w - v).abs() < 1e-6);
/// }
/// # Ok::<(), Error>(())
/// ```
pub trait Reduce {
    /// Adds the gradient of the batch's `len` samples to `grads` (zero on entry) and returns
    /// their sums, calling `local(range, buffer)` for the samples it computes here.
    ///
    /// # Errors
    /// The first error `local` returns.
    fn reduce<N: Model>(
        &self,
        len: usize,
        grads: &mut N,
        local: impl Fn(Range<usize>, &mut N) -> Result<Sums<N::Scalar>, Error> + Sync,
    ) -> Result<Sums<N::Scalar>, Error>;
}

/// One process, one thread: the local sums are the sums.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Local;

impl Reduce for Local {
    fn reduce<N: Model>(
        &self,
        len: usize,
        grads: &mut N,
        local: impl Fn(Range<usize>, &mut N) -> Result<Sums<N::Scalar>, Error> + Sync,
    ) -> Result<Sums<N::Scalar>, Error> {
        local(0..len, grads)
    }
}

/// A data set as two slices of the same length: the inputs and their targets.
pub type Data<'a, T, const I: usize, const O: usize> = (&'a [SVector<T, I>], &'a [SVector<T, O>]);
