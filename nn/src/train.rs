//! Training: one step on one batch (no heap), and `fit`, the minibatch loop (std).
use crate::error::{ensure, same_length};
use crate::network::finite;
use crate::storage::Columns;
use crate::{c, Activation, Batch, Buffer, Error, Float, Loss, Model, Network, Optimizer, Values};
use nalgebra::{ComplexField, SVector};

/// Training and evaluation gather samples into matrices of this many columns, so that each
/// layer's products run as matrix products; the rest of a batch goes in matrices of 8
/// columns, then one by one.
pub const CHUNK: usize = 32;

/// Trains a network with an optimizer `Opt` and a loss `L`, like Keras's `compile`.
///
/// It keeps the gradient, shaped like the network, so [`Trainer::step`] allocates nothing;
/// and for an optimizer that is not [all or nothing](Optimizer::ALL_OR_NOTHING), a copy of
/// the last good weights.
#[derive(Clone, Debug)]
pub struct Trainer<N, Opt, L> {
    /// The optimizer.
    pub optimizer: Opt,
    /// The loss.
    pub loss: L,
    /// The gradient of the last step.
    grads: N,
    /// The weights before the last step, if the optimizer needs them kept.
    last_good: Option<N>,
}

impl<N: Model, Opt: Optimizer<N>, L> Trainer<N, Opt, L> {
    /// A trainer that minimises `loss` with `optimizer`.
    pub fn new(optimizer: Opt, loss: L) -> Self {
        Self {
            optimizer,
            loss,
            grads: N::default(),
            last_good: (!Opt::ALL_OR_NOTHING).then(N::default),
        }
    }

    /// One step on one batch, `(inputs, targets)` (the data form of [`Trainer::fit`] and
    /// [`evaluate`] too): the gradient of the mean loss (the samples' gradients summed, over
    /// the batch size), then one optimizer step. Returns the mean loss before the step.
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
        self.step_on(net, inputs.iter().zip(targets))
    }

    /// [`Trainer::step`] on any `(input, target)` pairs, such as `fit`'s shuffled minibatch.
    fn step_on<'a, const I: usize, const O: usize>(
        &mut self,
        net: &mut N,
        batch: impl IntoIterator<Item = Sample<'a, N::Scalar, I, O>>,
    ) -> Result<N::Scalar, Error>
    where
        N: Network<I, O>,
        L: Loss<N::Output>,
    {
        let grads = &mut self.grads;
        grads.params_mut().for_each(|g| g.fill(c(0.0)));
        #[cfg(feature = "parallel")]
        let (loss, _, n) = crate::parallel::gradient::<N, L, I, O>(net, grads, batch)?;
        #[cfg(not(feature = "parallel"))]
        let (loss, _, n) = in_columns::<N, L, I, O>(net, Some(grads), batch)?;
        ensure(n > 0, || Error::EmptyData)?;
        let scale = c::<N::Scalar>(1.0 / n as f64);
        let mut finite = true;
        // Vectorised like the products: this and the optimizer's passes read every parameter.
        crate::gemm::simd(
            #[inline(always)]
            || {
                for g in grads.params_mut() {
                    g.iter_mut().for_each(|g| *g *= scale);
                    finite &= crate::network::finite(g);
                }
            },
        );
        let loss = c::<N::Scalar>(loss / n as f64);
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

/// One `(input, target)` pair.
pub type Sample<'a, T, const I: usize, const O: usize> = (&'a SVector<T, I>, &'a SVector<T, O>);

/// Gathers `samples` into matrices of [`CHUNK`] columns (in the network's storage) and runs
/// each through `net`, the rest in matrices of 8 columns, then one by one: the backward pass
/// adding to `grads` if given, else the forward pass. Returns the summed loss, the samples
/// classified right and the number of samples.
pub(crate) fn in_columns<'a, N, L, const I: usize, const O: usize>(
    net: &N,
    mut grads: Option<&mut N>,
    samples: impl IntoIterator<Item = Sample<'a, N::Scalar, I, O>>,
) -> Result<(f64, usize, usize), Error>
where
    N: Network<I, O>,
    L: Loss<N::Output>,
{
    let mut x = Batch::<N, I, CHUNK>::zeros();
    let mut y = Batch::<N, O, CHUNK>::zeros();
    let mut sum = (0.0, 0);
    let mut filled = 0;
    let mut n = 0;
    for (xi, yi) in samples {
        x.values_mut()[filled * I..][..I].copy_from_slice(xi.as_slice());
        y.values_mut()[filled * O..][..O].copy_from_slice(yi.as_slice());
        filled += 1;
        if filled == CHUNK {
            let (x, y) = (x.values(), y.values());
            run::<N, L, I, O, CHUNK>(net, grads.as_deref_mut(), x, y, &mut sum)?;
            filled = 0;
            n += CHUNK;
        }
    }
    let mut done = 0;
    while filled - done >= 8 {
        let (x, y) = (&x.values()[done * I..], &y.values()[done * O..]);
        run::<N, L, I, O, 8>(net, grads.as_deref_mut(), x, y, &mut sum)?;
        done += 8;
    }
    for i in done..filled {
        let (x, y) = (&x.values()[i * I..], &y.values()[i * O..]);
        run::<N, L, I, O, 1>(net, grads.as_deref_mut(), x, y, &mut sum)?;
    }
    Ok((sum.0, sum.1, n + filled))
}

/// Runs the first `B` columns of the inputs `x` and the targets `y`: with `grads`, the
/// backward pass, adding to `grads` and to the summed loss; else the forward pass, adding to
/// the summed loss and the count of samples classified right.
fn run<N, L, const I: usize, const O: usize, const B: usize>(
    net: &N,
    grads: Option<&mut N>,
    x: &[N::Scalar],
    y: &[N::Scalar],
    sum: &mut (f64, usize),
) -> Result<(), Error>
where
    N: Network<I, O>,
    L: Loss<N::Output>,
{
    let x = Columns::<N::Scalar, I, B>(x);
    let y = Columns::<N::Scalar, O, B>(y);
    if let Some(grads) = grads {
        let finite = finite(x.values()) && finite(y.values());
        ensure(finite, || Error::NonFinite("sample", 0, 0))?;
        sum.0 += net.backward::<L, B>(&x, &y, grads).to_f64();
        return Ok(());
    }
    let z = net.logits_batch(&x);
    let mut a = z.clone();
    N::Output::forward(a.values_mut(), O);
    let mut delta = Batch::<N, O, B>::zeros();
    let loss = L::loss(z.values(), a.values(), y.values(), delta.values_mut(), O);
    sum.0 += loss.to_f64();
    for (a, y) in a.values().chunks_exact(O).zip(y.values().chunks_exact(O)) {
        sum.1 += usize::from(class(a) == class(y));
    }
    Ok(())
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

/// Measures `net` on `(inputs, targets)` with `loss`, [`CHUNK`] samples at a time. An empty
/// data set measures as NaN.
pub fn evaluate<N, L, const I: usize, const O: usize>(
    net: &N,
    (inputs, targets): Data<'_, N::Scalar, I, O>,
    _loss: L,
) -> Metrics
where
    N: Network<I, O>,
    L: Loss<N::Output>,
{
    let samples = inputs.iter().zip(targets);
    let sum = in_columns::<N, L, I, O>(net, None, samples);
    let (loss, right, n) = sum.unwrap_or((f64::NAN, 0, 0));
    Metrics {
        loss: loss / n as f64,
        accuracy: right as f64 / n as f64,
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
        1 => usize::from(v[0] >= c(0.5)),
        _ => crate::loss::largest(v),
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
    /// Seeds the shuffle of every epoch: the same seed gives the same result (with the
    /// `parallel` feature, on the same number of threads).
    pub seed: u64,
    /// Stop when the monitored loss (validation if given, else training) has not improved
    /// for this many epochs, and restore the best weights.
    pub patience: Option<usize>,
    /// The least decrease of the monitored loss that counts as an improvement, as in Keras's
    /// `EarlyStopping` (0 by default).
    pub min_delta: f64,
    /// The fraction of the training data, from 0 to 1, held out as validation data when
    /// `fit` is given none, as Keras's `validation_split` (which holds out the last samples;
    /// here a random choice seeded by `seed`). Nothing is held out if it rounds to no sample.
    pub validation_split: f64,
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
    /// [`Error::EmptyData`] (also when `fit.validation_split` leaves no training sample),
    /// [`Error::LengthMismatch`] (for either data set), [`Error::ZeroBatch`] and
    /// [`Error::NonFinite`] for a NaN or infinity in the validation data, before training;
    /// [`Error::NonFinite`] naming the epoch and batch, with `net` holding its last good
    /// weights.
    pub fn fit<const I: usize, const O: usize>(
        &mut self,
        net: &mut N,
        train: Data<'_, N::Scalar, I, O>,
        validation: Option<Data<'_, N::Scalar, I, O>>,
        fit: &Fit,
    ) -> Result<History, Error>
    where
        N: Network<I, O>,
        L: Loss<N::Output>,
    {
        let each_epoch = |_: &N, _: &History| core::ops::ControlFlow::Continue(());
        self.fit_with(net, train, validation, fit, each_epoch)
    }

    /// [`Trainer::fit`], calling `each_epoch(net, history)` after every epoch, as Keras's
    /// callbacks: to log, to save a checkpoint, or to stop (by returning
    /// `ControlFlow::Break(())`; early stopping still restores the best weights).
    ///
    /// ```
    /// use core::ops::ControlFlow;
    /// use nn::prelude::*;
    /// use nn::{Adam, BinaryCrossEntropy, Fit, Trainer};
    ///
    /// network! { struct Xor < 2 => 8 tanh => 1 sigmoid > }
    /// let xs = [[0., 0.], [0., 1.], [1., 0.], [1., 1.]].map(SVector::from);
    /// let ys = [[0.], [1.], [1.], [0.]].map(SVector::from);
    /// let mut net = Xor::new(1);
    /// let mut trainer = Trainer::new(Adam::new(0.05), BinaryCrossEntropy);
    /// let fit = Fit { epochs: 1000, batch_size: 4, quiet: true, ..Fit::default() };
    /// // Stop as soon as every sample is classified right.
    /// let history = trainer.fit_with(&mut net, (&xs, &ys), None, &fit, |_net, history| {
    ///     match history.train.last().map(|m| m.accuracy) {
    ///         Some(1.0) => ControlFlow::Break(()),
    ///         _ => ControlFlow::Continue(()),
    ///     }
    /// })?;
    /// assert!(history.train.len() < 1000);
    /// # Ok::<(), nn::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Trainer::fit`].
    pub fn fit_with<const I: usize, const O: usize>(
        &mut self,
        net: &mut N,
        train: Data<'_, N::Scalar, I, O>,
        validation: Option<Data<'_, N::Scalar, I, O>>,
        fit: &Fit,
        mut each_epoch: impl FnMut(&N, &History) -> core::ops::ControlFlow<()>,
    ) -> Result<History, Error>
    where
        N: Network<I, O>,
        L: Loss<N::Output>,
    {
        use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
        use rand::{seq::SliceRandom, SeedableRng};
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(fit.seed);
        same_length(train.0, train.1)?;
        let split = (validation.is_none() && fit.validation_split > 0.0)
            .then(|| crate::data::hold_out(train, fit.validation_split, &mut rng));
        // Without a validation set, the held-out samples if any are.
        let (train, validation) = match &split {
            Some(((x, y), (vx, vy))) if !vx.is_empty() => {
                ((&x[..], &y[..]), Some((&vx[..], &vy[..])))
            }
            _ => (train, validation),
        };
        for (x, y) in [Some(train), validation].into_iter().flatten() {
            same_length(x, y)?;
            ensure(!x.is_empty(), || Error::EmptyData)?;
        }
        if let Some((x, y)) = validation {
            let inputs = x.iter().all(|v| finite(v.as_slice()));
            let targets = y.iter().all(|v| finite(v.as_slice()));
            ensure(inputs && targets, || {
                Error::NonFinite("validation sample", 0, 0)
            })?;
        }
        let (xs, ys) = train;
        ensure(fit.batch_size > 0, || Error::ZeroBatch)?;
        // Epochs on stderr, hidden when quiet or when stderr is not a terminal (indicatif).
        let bar = ProgressBar::new(fit.epochs as u64);
        if fit.quiet {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        let style = ProgressStyle::with_template("epoch {pos}/{len} {bar:30} {msg} ETA {eta}");
        bar.set_style(style.unwrap_or_else(|_| ProgressStyle::default_bar()));
        let mut order: Vec<usize> = (0..xs.len()).collect();
        let mut history = History::default();
        let mut best = net.clone();
        let mut best_loss = f64::MAX;
        for epoch in 0..fit.epochs {
            order.shuffle(&mut rng);
            for (b, batch) in order.chunks(fit.batch_size).enumerate() {
                let pairs = batch.iter().map(|&i| (&xs[i], &ys[i]));
                self.step_on(net, pairs).map_err(|e| e.at(epoch, b))?;
            }
            let train = evaluate(net, (xs, ys), self.loss);
            let val = validation.map(|data| evaluate(net, data, self.loss));
            history.train.push(train);
            history.validation.extend(val);
            let loss = train.loss;
            let accuracy = train.accuracy;
            bar.set_message(format!("loss {loss:.4} accuracy {accuracy:.3}"));
            bar.inc(1);
            let monitored = val.unwrap_or(train).loss;
            let patience = fit.patience.unwrap_or(usize::MAX);
            if monitored < best_loss - fit.min_delta {
                history.best_epoch = epoch;
                best_loss = monitored;
                best.clone_from(net);
            } else if epoch - history.best_epoch >= patience {
                break;
            }
            if each_epoch(net, &history).is_break() {
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
