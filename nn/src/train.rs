//! Training: one step on one batch (no heap), and `fit`, the minibatch loop (std).
use crate::{c, Error, Float, Loss, Model, Network, Optimizer};
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
    grads: N,
    last_good: N,
}

impl<N: Model, Opt: Optimizer<N>, L> Trainer<N, Opt, L> {
    /// A trainer that minimises `loss` with `optimizer`.
    #[must_use]
    pub fn new(optimizer: Opt, loss: L) -> Self {
        let (grads, last_good) = (N::zeros(), N::zeros());
        Self {
            optimizer,
            loss,
            grads,
            last_good,
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
        batch: impl IntoIterator<Item = (&'a SVector<N::Scalar, I>, &'a SVector<N::Scalar, O>)>,
    ) -> Result<N::Scalar, Error>
    where
        N: Network<I, O>,
        L: Loss<N::Output>,
    {
        let (mut loss, mut n, grads) = (c::<N::Scalar>(0.0), 0, &mut self.grads);
        grads.params_mut().flatten().for_each(|g| *g = c(0.0));
        for (x, y) in batch {
            if !x.iter().chain(y.iter()).all(|v| v.is_finite()) {
                return Err(Error::non_finite("sample"));
            }
            loss += net.backward::<L, 1>(x, y, grads);
            n += 1;
        }
        if n == 0 {
            return Err(Error::EmptyData);
        }
        let scale = c::<N::Scalar>(1.0 / f64::from(n));
        grads.params_mut().flatten().for_each(|g| *g *= scale);
        if !(loss * scale).is_finite() {
            return Err(Error::non_finite("loss"));
        } else if !grads.is_finite() {
            return Err(Error::non_finite("gradient"));
        }
        self.last_good.clone_from(net);
        self.optimizer.step(net, grads);
        if !net.is_finite() {
            net.clone_from(&self.last_good);
            return Err(Error::non_finite("weights"));
        }
        Ok(loss * scale)
    }
}

/// Measures `net` on `(inputs, targets)` with `loss`: the mean loss, and the fraction of
/// samples whose largest output is at the largest target (for a single output: both on the
/// same side of 0.5). An empty data set measures as NaN.
#[must_use]
pub fn evaluate<N: Network<I, O>, L: Loss<N::Output>, const I: usize, const O: usize>(
    net: &N,
    inputs: &[SVector<N::Scalar, I>],
    targets: &[SVector<N::Scalar, O>],
    _loss: L,
) -> Metrics {
    let (mut loss, mut right, half) = (0.0, 0, c::<N::Scalar>(0.5));
    for (x, y) in inputs.iter().zip(targets) {
        let z = net.logits_batch(x);
        let a = <N::Output as crate::Activation>::forward(&z);
        let hit = if O == 1 {
            (a[0] >= half) == (y[0] >= half)
        } else {
            a.imax() == y.imax()
        };
        (loss, right) = (loss + L::loss(&z, y).0.to_f64(), right + u32::from(hit));
    }
    let n = inputs.len() as f64;
    Metrics {
        loss: loss / n,
        accuracy: f64::from(right) / n,
    }
}

/// A loss and an accuracy, measured over a whole data set.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Metrics {
    /// The mean loss.
    pub loss: f64,
    /// The fraction of samples classified right.
    pub accuracy: f64,
}

/// The settings of [`Trainer::fit`], like the arguments of Keras's `fit`.
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

impl Fit {
    /// `epochs` passes in batches of `batch_size`, seed 0, no early stopping, a progress bar.
    #[must_use]
    pub fn new(epochs: usize, batch_size: usize) -> Self {
        Self {
            epochs,
            batch_size,
            ..Self::default()
        }
    }
}

/// A data set as two slices of the same length: the inputs and their targets.
pub type Data<'a, T, const I: usize, const O: usize> = (&'a [SVector<T, I>], &'a [SVector<T, O>]);

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
        L: Loss<N::Output>,
    {
        use rand::{seq::SliceRandom, SeedableRng};
        let (xs, ys) = train;
        if let Some((x, y)) = [Some(train), validation]
            .into_iter()
            .flatten()
            .find(|d| d.0.len() != d.1.len())
        {
            return Err(Error::LengthMismatch(x.len(), y.len()));
        } else if xs.is_empty() {
            return Err(Error::EmptyData);
        } else if fit.batch_size == 0 {
            return Err(Error::ZeroBatch);
        }
        let bar = progress_bar(fit);
        let mut rng = rand::rngs::SmallRng::seed_from_u64(fit.seed);
        let mut order: Vec<usize> = (0..xs.len()).collect();
        let (mut history, mut best) = (History::default(), net.clone());
        for epoch in 0..fit.epochs {
            order.shuffle(&mut rng);
            for (b, batch) in order.chunks(fit.batch_size).enumerate() {
                let pairs = batch.iter().map(|&i| (&xs[i], &ys[i]));
                self.step(net, pairs).map_err(|e| e.at(epoch, b))?;
            }
            let train = evaluate(net, xs, ys, self.loss);
            let val = validation.map(|(vx, vy)| evaluate(net, vx, vy, self.loss));
            history.train.push(train);
            history.validation.extend(val);
            bar.set_message(format!(
                "loss {:.4} accuracy {:.3}",
                train.loss, train.accuracy
            ));
            bar.inc(1);
            let log = if val.is_some() {
                &history.validation
            } else {
                &history.train
            };
            if epoch == 0 || log[epoch].loss < log[history.best_epoch].loss {
                history.best_epoch = epoch;
                best.clone_from(net);
            } else if fit
                .patience
                .is_some_and(|p| epoch - history.best_epoch >= p)
            {
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

/// A progress bar of epochs on stderr, hidden when `fit.quiet` or when stderr is not a
/// terminal (indicatif's rule).
#[cfg(feature = "std")]
fn progress_bar(fit: &Fit) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    let target = if fit.quiet {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let bar = ProgressBar::with_draw_target(Some(fit.epochs as u64), target);
    let style = ProgressStyle::with_template("epoch {pos}/{len} {bar:30} {msg} ETA {eta}");
    bar.set_style(style.unwrap_or_else(|_| ProgressStyle::default_bar()));
    bar
}
