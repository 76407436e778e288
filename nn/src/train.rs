//! Training: one step on one batch (no heap), and `fit`, the minibatch loop (std).
use crate::{c, Error, Loss, Model, Network, Optimizer};
use nalgebra::{ComplexField, SVector};

/// Trains a network with an optimizer `Opt` and a loss `L`, like Keras's `compile`.
///
/// It keeps the gradient buffer and a copy of the last good weights, both shaped like the
/// network, so [`Trainer::step`] allocates nothing.
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

    /// One step on one batch of `(input, target)` pairs: the mean loss's gradient (the sum of
    /// the samples' gradients over the batch size), then one optimizer step. Returns the mean
    /// loss before the step.
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
        let non_finite = |what| Error::NonFinite {
            what,
            epoch: 0,
            batch: 0,
        };
        let grads = &mut self.grads;
        grads.params_mut().flatten().for_each(|g| *g = c(0.0));
        let (mut loss, mut n) = (c::<N::Scalar>(0.0), 0usize);
        for (x, y) in batch {
            if !x.iter().chain(y.iter()).all(|v| v.is_finite()) {
                return Err(non_finite("sample"));
            }
            loss += net.backward::<L, 1>(x, y, grads);
            n += 1;
        }
        if n == 0 {
            return Err(Error::EmptyData);
        }
        let scale = c::<N::Scalar>(1.0 / n as f64);
        grads.params_mut().flatten().for_each(|g| *g *= scale);
        loss *= scale;
        if !loss.is_finite() {
            return Err(non_finite("loss"));
        }
        if !grads.is_finite() {
            return Err(non_finite("gradient"));
        }
        self.last_good.clone_from(net);
        self.optimizer.step(net, grads);
        if !net.is_finite() {
            net.clone_from(&self.last_good);
            return Err(non_finite("weights"));
        }
        Ok(loss)
    }
}

#[cfg(feature = "std")]
pub use fit::{evaluate, Data, Fit, History, Metrics};

#[cfg(feature = "std")]
mod fit {
    use super::{c, Error, Loss, Network, Optimizer, SVector, Trainer};
    use crate::{Activation as _, Float as _};
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    use rand::{rngs::SmallRng, seq::SliceRandom, SeedableRng};

    /// A data set as two slices of the same length: the inputs and their targets.
    pub type Data<'a, T, const I: usize, const O: usize> =
        (&'a [SVector<T, I>], &'a [SVector<T, O>]);

    /// The settings of [`Trainer::fit`], like the arguments of Keras's `fit`.
    #[derive(Clone, Debug, PartialEq)]
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
        /// Show a progress bar on stderr (only when stderr is a terminal).
        pub progress: bool,
    }

    impl Default for Fit {
        /// 10 epochs of batches of 32, seed 0, no early stopping, a progress bar.
        fn default() -> Self {
            let (epochs, batch_size, seed, patience, progress) = (10, 32, 0, None, true);
            Self {
                epochs,
                batch_size,
                seed,
                patience,
                progress,
            }
        }
    }

    /// A loss and an accuracy, measured over a whole data set.
    #[derive(Clone, Copy, Debug, Default, PartialEq)]
    pub struct Metrics {
        /// The mean loss.
        pub loss: f64,
        /// The fraction of samples classified right: the largest output matches the largest
        /// target, or for a single output, both are on the same side of 0.5.
        pub accuracy: f64,
    }

    /// What [`Trainer::fit`] measured after every epoch.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct History {
        /// On the training data, one entry per epoch run.
        pub train: Vec<Metrics>,
        /// On the validation data (empty without it).
        pub validation: Vec<Metrics>,
        /// The epoch whose weights the network ended with.
        pub best_epoch: usize,
    }

    /// Measures `net` on `(inputs, targets)` with `loss`. An empty data set measures as NaN.
    #[must_use]
    pub fn evaluate<N: Network<I, O>, L: Loss<N::Output>, const I: usize, const O: usize>(
        net: &N,
        inputs: &[SVector<N::Scalar, I>],
        targets: &[SVector<N::Scalar, O>],
        _loss: L,
    ) -> Metrics {
        let (mut loss, mut right) = (0.0, 0);
        for (x, y) in inputs.iter().zip(targets) {
            let z = net.logits_batch(x);
            loss += L::loss(&z, y).0.to_f64();
            let a = N::Output::forward(&z);
            let half = c::<N::Scalar>(0.5);
            right += usize::from(match O {
                1 => (a[0] >= half) == (y[0] >= half),
                _ => a.imax() == y.imax(),
            });
        }
        let n = inputs.len() as f64;
        Metrics {
            loss: loss / n,
            accuracy: right as f64 / n,
        }
    }

    impl<N: crate::Model, Opt: Optimizer<N>, L: Copy> Trainer<N, Opt, L> {
        /// Trains `net` on `train` for up to `fit.epochs` epochs of shuffled minibatches,
        /// measuring both data sets after each epoch.
        ///
        /// # Errors
        /// [`Error::EmptyData`], [`Error::LengthMismatch`] (for either data set) and
        /// [`Error::ZeroBatch`] before training; [`Error::NonFinite`] naming the epoch and
        /// batch, with `net` holding its last good weights.
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
            let (xs, ys) = train;
            for (x, y) in core::iter::once(train).chain(validation) {
                if x.len() != y.len() {
                    let (inputs, targets) = (x.len(), y.len());
                    return Err(Error::LengthMismatch { inputs, targets });
                }
            }
            if xs.is_empty() {
                return Err(Error::EmptyData);
            }
            if fit.batch_size == 0 {
                return Err(Error::ZeroBatch);
            }
            let bar = if fit.progress {
                ProgressBar::with_draw_target(Some(fit.epochs as u64), ProgressDrawTarget::stderr())
            } else {
                ProgressBar::hidden()
            };
            let template = "epoch {pos}/{len} {bar:30} {msg} ETA {eta}";
            bar.set_style(ProgressStyle::with_template(template).expect("a valid template"));
            let mut rng = SmallRng::seed_from_u64(fit.seed);
            let mut order: Vec<usize> = (0..xs.len()).collect();
            let mut history = History::default();
            let (mut best, mut best_loss) = (net.clone(), f64::INFINITY);
            for epoch in 0..fit.epochs {
                order.shuffle(&mut rng);
                for (b, batch) in order.chunks(fit.batch_size).enumerate() {
                    let pairs = batch.iter().map(|&i| (&xs[i], &ys[i]));
                    self.step(net, pairs).map_err(|e| e.at(epoch, b))?;
                }
                let train = evaluate(net, xs, ys, self.loss);
                history.train.push(train);
                let mut monitored = train.loss;
                if let Some((vx, vy)) = validation {
                    let val = evaluate(net, vx, vy, self.loss);
                    history.validation.push(val);
                    monitored = val.loss;
                }
                bar.set_message(format!("loss {:.4} acc {:.3}", train.loss, train.accuracy));
                bar.inc(1);
                if monitored < best_loss {
                    (best_loss, history.best_epoch) = (monitored, epoch);
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
                net.clone_from(&best);
            }
            Ok(history)
        }
    }
}
