//! Training: one step on one batch (no heap), and `fit`, the minibatch loop (std).
use crate::error::ensure;
use crate::{c, Activation, Error, Float, Loss, Model, Network, Optimizer};
use nalgebra::{ComplexField, SVector};

/// Trains a network with an optimizer `Opt` and a loss `L`, like Keras's `compile`.
///
/// It keeps the gradient and a copy of the last good weights, both shaped like the network,
/// so [`Trainer::step`] allocates nothing.
#[derive(Clone, Debug)]
pub struct Trainer<N, Opt, L> {
    /// The optimizer.
    pub optimizer: Opt,
    /// The loss.
    pub loss: L,
    /// The gradient of the last step, and the weights before it.
    buffers: (N, N),
}

impl<N: Model, Opt: Optimizer<N>, L> Trainer<N, Opt, L> {
    /// A trainer that minimises `loss` with `optimizer`.
    pub fn new(optimizer: Opt, loss: L) -> Self {
        let buffers = (N::default(), N::default());
        Self {
            optimizer,
            loss,
            buffers,
        }
    }

    /// One step on one batch of `(input, target)` pairs: the gradient of the mean loss (the
    /// samples' gradients summed, over the batch size), then one optimizer step. Returns the
    /// mean loss before the step.
    ///
    /// # Errors
    /// [`Error::EmptyData`] for an empty batch; [`Error::NonFinite`] (at epoch 0, batch 0) for a
    /// NaN or infinity in a sample (input or target), the loss, the gradient or the updated
    /// weights, in which case `net` keeps the weights it had before the step.
    pub fn step<'a, const I: usize, const O: usize>(
        &mut self,
        net: &mut N,
        batch: impl IntoIterator<Item = Sample<'a, N::Scalar, I, O>>,
    ) -> Result<N::Scalar, Error>
    where
        N: Network<I, O>,
        L: Loss<N::Output, N::Scalar, O, 1>,
    {
        let (grads, last_good) = (&mut self.buffers.0, &mut self.buffers.1);
        grads.params_mut().flatten().for_each(|g| *g = c(0.0));
        let (loss, n) = gradient::<N, L, I, O>(net, grads, batch, true)?;
        let scale = c::<N::Scalar>(1.0 / n as f64);
        grads.params_mut().flatten().for_each(|g| *g *= scale);
        ensure(n > 0, Error::EmptyData)?;
        ensure((loss * scale).is_finite(), Error::NonFinite("loss", 0, 0))?;
        ensure(grads.is_finite(), Error::NonFinite("gradient", 0, 0))?;
        last_good.clone_from(net);
        self.optimizer.step(net, grads);
        if !net.is_finite() {
            net.clone_from(last_good);
            return Err(Error::NonFinite("weights", 0, 0));
        }
        Ok(loss * scale)
    }
}

/// One `(input, target)` pair.
pub type Sample<'a, T, const I: usize, const O: usize> = (&'a SVector<T, I>, &'a SVector<T, O>);

/// Adds the gradient of the loss summed over `batch` to `grads` and returns the summed loss
/// and the number of samples: the map of a map-reduce, one sample at a time.
///
/// With the `parallel` feature and `split`, a batch of at least 200 000 multiply-adds of
/// forward pass is split into one shard per rayon thread; each thread maps its shard into a
/// gradient buffer of its own, and the buffers are added in order (the reduce, which a cluster
/// would run as an all-reduce), so the result does not depend on scheduling. Smaller batches
/// stay serial, where threads cost more than they save.
#[cfg_attr(not(feature = "parallel"), allow(unused_variables))]
fn gradient<'a, N, L, const I: usize, const O: usize>(
    net: &N,
    grads: &mut N,
    batch: impl IntoIterator<Item = Sample<'a, N::Scalar, I, O>>,
    split: bool,
) -> Result<(N::Scalar, usize), Error>
where
    N: Network<I, O>,
    L: Loss<N::Output, N::Scalar, O, 1>,
{
    #[cfg(feature = "parallel")]
    if split {
        use rayon::prelude::*;
        let batch: Vec<_> = batch.into_iter().collect();
        if batch.len() * N::MACS < 200_000 {
            return gradient::<N, L, I, O>(net, grads, batch, false);
        }
        let map = |shard: &[Sample<'a, N::Scalar, I, O>]| {
            let mut g = N::default();
            gradient::<N, L, I, O>(net, &mut g, shard.iter().copied(), false).map(|r| (r, g))
        };
        let shard = batch.len().div_ceil(rayon::current_num_threads());
        let shards: Vec<_> = batch.par_chunks(shard).map(map).collect::<Result<_, _>>()?;
        let mut sum = (c(0.0), 0);
        for ((loss, n), g) in shards {
            sum = (sum.0 + loss, sum.1 + n);
            let pairs = grads.params_mut().flatten().zip(g.params().flatten());
            pairs.for_each(|(a, b)| *a += *b);
        }
        return Ok(sum);
    }
    let (mut loss, mut n) = (c::<N::Scalar>(0.0), 0);
    for (x, y) in batch {
        let finite = x.iter().chain(y.iter()).all(|v| v.is_finite());
        ensure(finite, Error::NonFinite("sample", 0, 0))?;
        (loss, n) = (loss + net.backward::<L, 1>(x, y, grads), n + 1);
    }
    Ok((loss, n))
}

/// A loss and an accuracy, measured over a whole data set.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Metrics {
    /// The mean loss.
    pub loss: f64,
    /// The fraction of samples classified right: their largest output is at their largest
    /// target, or for a single output, both are on the same side of 0.5.
    pub accuracy: f64,
}

/// Measures `net` on `(inputs, targets)` with `loss`. An empty data set measures as NaN.
pub fn evaluate<N, L, const I: usize, const O: usize>(
    net: &N,
    (inputs, targets): Data<'_, N::Scalar, I, O>,
    _loss: L,
) -> Metrics
where
    N: Network<I, O>,
    L: Loss<N::Output, N::Scalar, O, 1>,
{
    let mut sum = Metrics::default();
    for (x, y) in inputs.iter().zip(targets) {
        let z = net.logits_batch(x);
        sum.loss += L::loss(&z, y).0.to_f64();
        let a = N::Output::apply(z);
        sum.accuracy += f64::from(u8::from(class(&a) == class(y)));
    }
    let n = inputs.len() as f64;
    (sum.loss, sum.accuracy) = (sum.loss / n, sum.accuracy / n);
    sum
}

/// The class a vector stands for: the index of its largest element, or for a single
/// element, whether it is at least 0.5.
fn class<T: Float, const O: usize>(v: &SVector<T, O>) -> usize {
    match O {
        1 => usize::from(v[0] >= c(0.5)),
        _ => v.imax(),
    }
}

/// A data set as two slices of the same length: the inputs and their targets.
pub type Data<'a, T, const I: usize, const O: usize> = (&'a [SVector<T, I>], &'a [SVector<T, O>]);

/// The settings of [`Trainer::fit`], like the arguments of Keras's `fit`:
/// `Fit { epochs: 100, batch_size: 32, ..Fit::default() }` (the default trains no epochs and
/// has no batch size: set both).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fit {
    /// The most passes over the training data.
    pub epochs: usize,
    /// Samples per optimizer step (the last batch of an epoch may be smaller).
    pub batch_size: usize,
    /// Seeds the shuffle of every epoch: the same seed gives the same result.
    pub seed: u64,
    /// Stop when the monitored loss (validation if given, else training) has not improved
    /// for this many epochs, and restore the best weights.
    pub patience: Option<usize>,
    /// No progress bar. Without it, one is drawn on stderr when stderr is a terminal.
    pub quiet: bool,
}

/// What [`Trainer::fit`] measured after every epoch.
#[cfg(feature = "std")]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// On the training data, one entry per epoch run.
    pub train: Vec<Metrics>,
    /// On the validation data (empty without it).
    pub validation: Vec<Metrics>,
    /// The epoch with the lowest monitored loss; with early stopping, the network ends with
    /// that epoch's weights.
    pub best_epoch: usize,
}

#[cfg(feature = "std")]
impl<N: Model, Opt: Optimizer<N>, L: Copy> Trainer<N, Opt, L> {
    /// Trains `net` on `train` for up to `fit.epochs` epochs of shuffled minibatches,
    /// measuring both data sets after each epoch.
    ///
    /// # Errors
    /// [`Error::EmptyData`], [`Error::LengthMismatch`] (for either data set) and
    /// [`Error::ZeroBatch`] before training; [`Error::NonFinite`] naming the epoch and batch,
    /// with `net` holding its last good weights.
    pub fn fit<const I: usize, const O: usize>(
        &mut self,
        net: &mut N,
        train: Data<'_, N::Scalar, I, O>,
        validation: Option<Data<'_, N::Scalar, I, O>>,
        fit: &Fit,
    ) -> Result<History, Error>
    where
        N: Network<I, O>,
        L: Loss<N::Output, N::Scalar, O, 1>,
    {
        use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
        use rand::{seq::SliceRandom, SeedableRng};
        for (x, y) in [Some(train), validation].into_iter().flatten() {
            ensure(x.len() == y.len(), Error::LengthMismatch(x.len(), y.len()))?;
            ensure(!x.is_empty(), Error::EmptyData)?;
        }
        let (xs, ys) = train;
        ensure(fit.batch_size > 0, Error::ZeroBatch)?;
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(fit.seed);
        // Epochs on stderr, hidden when quiet or when stderr is not a terminal (indicatif).
        let bar = ProgressBar::new(fit.epochs as u64);
        if fit.quiet {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        let style = ProgressStyle::with_template("epoch {pos}/{len} {bar:30} {msg} ETA {eta}");
        bar.set_style(style.unwrap_or_else(|_| ProgressStyle::default_bar()));
        let mut order: Vec<usize> = (0..xs.len()).collect();
        let (mut history, mut best, mut best_loss) = (History::default(), net.clone(), f64::MAX);
        for epoch in 0..fit.epochs {
            order.shuffle(&mut rng);
            for (b, batch) in order.chunks(fit.batch_size).enumerate() {
                let pairs = batch.iter().map(|&i| (&xs[i], &ys[i]));
                self.step(net, pairs).map_err(|e| e.at(epoch, b))?;
            }
            let train = evaluate(net, (xs, ys), self.loss);
            let val = validation.map(|data| evaluate(net, data, self.loss));
            history.train.push(train);
            history.validation.extend(val);
            let (loss, accuracy) = (train.loss, train.accuracy);
            bar.set_message(format!("loss {loss:.4} accuracy {accuracy:.3}"));
            bar.inc(1);
            let monitored = val.unwrap_or(train).loss;
            let patience = fit.patience.unwrap_or(usize::MAX);
            if monitored < best_loss {
                (history.best_epoch, best_loss) = (epoch, monitored);
                best.clone_from(net);
            } else if epoch - history.best_epoch >= patience {
                break;
            }
        }
        bar.finish_and_clear();
        if fit.patience.is_some() {
            *net = best;
        }
        Ok(history)
    }
}
