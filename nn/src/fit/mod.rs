//! The minibatch training loop, like Keras's `fit`: shuffled minibatches, validation, early
//! stopping, a progress bar.
mod checkpoint;
mod eval;
mod summary;

pub use checkpoint::State;
pub use eval::{class, evaluate, Metrics};
pub use summary::Summary;

use crate::data::Owned;
use crate::distributed::{agree, digest, resumed_at, Group};
use crate::error::{ensure, same_length};
use crate::{Data, Error, Float, Loss, Model, Network, Optimizer, Reduce, Trainer};
use checkpoint::Progress;

/// The settings of [`Trainer::fit`], like the arguments of Keras's `fit`:
/// `Fit { epochs: 100, batch_size: 32, ..Fit::default() }`. The defaults are Keras's: one
/// epoch of minibatches of 32, no validation, no early stopping, a progress bar.
///
/// ```
/// let fit = nn::Fit::default();
/// assert_eq!((fit.epochs, fit.batch_size, fit.patience), (1, 32, None));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    /// The most passes over the training data (1 by default).
    pub epochs: usize,
    /// Samples per optimizer step (the last batch of an epoch may be smaller; 32 by default).
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
    /// No progress bar. Without it, one is drawn on stderr when stderr is a terminal (by
    /// process 0 only, when many train together).
    pub quiet: bool,
    /// A checkpoint file: after every epoch, the whole state of training (weights, optimizer,
    /// epoch, early stopping, history) is saved to it, atomically (by process 0 only); and if
    /// it exists when `fit` starts, training resumes from it, ending exactly as the run it
    /// comes from would have ended without a stop. It stays when training ends (a run
    /// started again with it returns at once): remove it to train anew. Every process needs
    /// it at the same path (a file system they share).
    pub checkpoint: Option<std::path::PathBuf>,
}

impl Default for Fit {
    fn default() -> Self {
        Self {
            epochs: 1,
            batch_size: 32,
            seed: 0,
            patience: None,
            min_delta: 0.0,
            validation_split: 0.0,
            quiet: false,
            checkpoint: None,
        }
    }
}

/// What [`Trainer::fit`] measured after every epoch.
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

impl<N, Opt, L, R> Trainer<N, Opt, L, R>
where
    N: Model,
    Opt: Optimizer<N> + State<N>,
    L: Copy,
    R: Reduce + Group,
{
    /// Trains `net` on `train` for up to `fit.epochs` epochs of shuffled minibatches,
    /// measuring both data sets after each epoch (with [`Trainer::evaluate`]). With
    /// `fit.checkpoint`, it saves the whole state after every epoch and resumes from the file
    /// if it exists. The optimizer must say what state a checkpoint holds ([`State`]), and
    /// the reduction which processes it spans ([`Group`](crate::distributed::Group)): `nn`'s
    /// own do.
    ///
    /// # Errors
    /// [`Error::EmptyData`] (also when `fit.validation_split` leaves no training sample),
    /// [`Error::LengthMismatch`] (for either data set), [`Error::ZeroBatch`] and
    /// [`Error::NonFinite`] for a NaN or infinity in the validation data, before training;
    /// [`Error::NonFinite`] naming the epoch and batch, with `net` holding its last good
    /// weights; [`Error::Load`] or [`Error::Io`] for a checkpoint that does not load or
    /// cannot be saved; [`Error::Ranks`] on every process when processes training together
    /// differ in their data, settings or checkpoints.
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
        use rand::{seq::SliceRandom, SeedableRng};
        let group = &self.reduce;
        // All processes must train the same data with the same settings, or some would run
        // more steps than others and wait forever: checked before anything can end one early.
        agree(group, "data or Fit settings", || {
            digest(train, validation, fit)
        })?;
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(fit.seed);
        same_length(train.0, train.1)?;
        let split = (validation.is_none() && fit.validation_split > 0.0)
            .then(|| hold_out(train, fit.validation_split, &mut rng));
        // Without a validation set, the held-out samples if any are.
        let (train, validation) = match &split {
            Some(((x, y), (vx, vy))) if !vx.is_empty() => {
                ((&x[..], &y[..]), Some((&vx[..], &vy[..])))
            }
            _ => (train, validation),
        };
        check(train, validation)?;
        let (xs, ys) = train;
        ensure(fit.batch_size > 0, || Error::ZeroBatch)?;
        let mut progress = Progress {
            epochs: 0,
            stopped: false,
            best: net.clone(),
            best_loss: f64::MAX,
            history: History::default(),
        };
        if let Some(path) = &fit.checkpoint {
            // Every process takes part in the agreement, also one that finds no file.
            let resumed = path.exists().then(|| Progress::load(path, net, self));
            let at = |p: &Progress<N>| resumed_at(p.epochs, net);
            let state = || {
                resumed
                    .as_ref()
                    .map_or(0, |r| r.as_ref().map_or(u64::MAX, at))
            };
            agree(&self.reduce, "checkpoints", state)?;
            if let Some(resumed) = resumed {
                progress = resumed?;
            }
        }
        let root = self.reduce.rank() == 0;
        let bar = progress_bar(fit, root);
        bar.set_position(progress.epochs as u64);
        let mut order: Vec<usize> = (0..xs.len()).collect();
        // The generator of a resumed run, as it was: the shuffles of the epochs run, drawn again.
        (0..progress.epochs).for_each(|_| order.shuffle(&mut rng));
        // The shuffled minibatch, gathered here (its buffers reused from batch to batch).
        let mut batch_x = Vec::with_capacity(fit.batch_size.min(xs.len()));
        let mut batch_y = Vec::with_capacity(fit.batch_size.min(xs.len()));
        let start = progress.epochs;
        for epoch in start..fit.epochs {
            if progress.stopped {
                break;
            }
            order.shuffle(&mut rng);
            for (b, batch) in order.chunks(fit.batch_size).enumerate() {
                batch_x.clear();
                batch_y.clear();
                batch_x.extend(batch.iter().map(|&i| xs[i]));
                batch_y.extend(batch.iter().map(|&i| ys[i]));
                let stepped = self.step(net, (&batch_x, &batch_y));
                stepped.map_err(|e| e.at(epoch, b))?;
            }
            let train = self.evaluate(net, (xs, ys));
            let val = validation.map(|data| self.evaluate(net, data));
            let history = &mut progress.history;
            history.train.push(train);
            history.validation.extend(val);
            let loss = train.loss;
            let accuracy = train.accuracy;
            bar.set_message(format!("loss {loss:.4} accuracy {accuracy:.3}"));
            bar.inc(1);
            let monitored = val.unwrap_or(train).loss;
            let patience = fit.patience.unwrap_or(usize::MAX);
            if monitored < progress.best_loss - fit.min_delta {
                history.best_epoch = epoch;
                progress.best_loss = monitored;
                progress.best.clone_from(net);
            } else if epoch - history.best_epoch >= patience {
                progress.stopped = true;
            }
            progress.epochs = epoch + 1;
            if let Some(path) = &fit.checkpoint {
                // Process 0 saves; the others stop too if it could not.
                let saved = root.then(|| progress.save(path, net, self));
                let saved = saved.unwrap_or(Ok(()));
                let ok = || u64::from(saved.is_ok());
                agree(&self.reduce, "checkpoint saves", ok).and(saved)?;
            }
            if progress.stopped || each_epoch(net, &progress.history).is_break() {
                break;
            }
        }
        bar.finish_and_clear();
        if fit.patience.is_some() {
            *net = progress.best;
        }
        Ok(progress.history)
    }
}

/// `Err` unless both data sets have as many targets as inputs and some samples, and the
/// validation data is finite: what `fit` checks before training.
pub(crate) fn check<T: Float, const I: usize, const O: usize>(
    train: Data<'_, T, I, O>,
    validation: Option<Data<'_, T, I, O>>,
) -> Result<(), Error> {
    for (x, y) in [Some(train), validation].into_iter().flatten() {
        same_length(x, y)?;
        ensure(!x.is_empty(), || Error::EmptyData)?;
    }
    // Every input and target of the validation data, if any, is finite.
    let finite = validation.is_none_or(|(x, y)| {
        let values = x.iter().flatten().chain(y.iter().flatten());
        values.fold(true, |all, v| all & v.is_finite())
    });
    ensure(finite, || Error::NonFinite("validation sample", 0, 0))
}

/// The bar of `fit.epochs` epochs on stderr, hidden when quiet, when not `shown` or when
/// stderr is not a terminal (indicatif).
pub(crate) fn progress_bar(fit: &Fit, shown: bool) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    let bar = ProgressBar::new(fit.epochs as u64);
    if fit.quiet || !shown {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let style = ProgressStyle::with_template("epoch {pos}/{len} {bar:30} {msg} ETA {eta}");
    bar.set_style(style.unwrap_or_else(|_| ProgressStyle::default_bar()));
    bar
}

/// Splits `(xs, ys)` into a training part and, held out, `fraction` of the samples chosen with
/// `rng`, each in its original order: [`Fit::validation_split`].
pub(crate) fn hold_out<T: Float, const I: usize, const O: usize>(
    (xs, ys): Data<'_, T, I, O>,
    fraction: f64,
    rng: &mut impl rand::Rng,
) -> (Owned<T, I, O>, Owned<T, I, O>) {
    let held = (xs.len() as f64 * fraction).round() as usize;
    let mut order: Vec<usize> = (0..xs.len()).collect();
    rand::seq::SliceRandom::shuffle(&mut order[..], rng);
    let mut is_held = vec![false; xs.len()];
    order.iter().take(held).for_each(|&i| is_held[i] = true);
    let (mut train, mut validation) = ((Vec::new(), Vec::new()), (Vec::new(), Vec::new()));
    for ((x, y), held) in xs.iter().zip(ys).zip(is_held) {
        let part = if held { &mut validation } else { &mut train };
        part.0.push(*x);
        part.1.push(*y);
    }
    (train, validation)
}

/// The message, as `Display` writes it: what a `main` returning `Result<_, Error>` prints.
///
/// ```
/// let error = nn::Error::LengthMismatch(4, 3);
/// assert_eq!(format!("{error:?}"), "4 inputs but 3 targets");
/// ```
impl core::fmt::Debug for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(self, f)
    }
}

impl Error {
    /// Places a [`Error::NonFinite`] at `epoch` and `batch`; other errors are unchanged.
    pub fn at(self, epoch: usize, batch: usize) -> Self {
        match self {
            Self::NonFinite(what, ..) => Self::NonFinite(what, epoch, batch),
            other => other,
        }
    }
}
