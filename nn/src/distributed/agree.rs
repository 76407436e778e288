//! How processes training together agree: on their shares of a batch, and on the data,
//! settings, weights and checkpoints that must be the same on all.
use super::Group;
use crate::error::ensure;
use crate::{evaluate, Data, Error, Fit, Float, Loss, Metrics, Model, Network, Reduce, Trainer};
use core::ops::Range;

impl<N: Model, Opt, L: Copy, R: Reduce + Group> Trainer<N, Opt, L, R> {
    /// Measures `net` on `data` with the trainer's loss, as [`evaluate`] does; when many
    /// processes train together (see [`Group`]), each measures its share of `data` and they
    /// add up their totals, so that all get the same figures.
    ///
    /// ```
    /// use nn::prelude::*;
    /// use nn::{BinaryCrossEntropy, Sgd, Trainer};
    ///
    /// network! { struct Net < 2 => 1 sigmoid > }
    /// let net = Net::new(0);
    /// let xs = [[0.0, 1.0], [1.0, 0.0]].map(SVector::from);
    /// let ys = [[1.0], [0.0]].map(SVector::from);
    /// let trainer = Trainer::new(Sgd::new(0.1, 0.0), BinaryCrossEntropy);
    /// let here = trainer.evaluate(&net, (&xs, &ys));
    /// assert_eq!(here, nn::evaluate(&net, (&xs, &ys), BinaryCrossEntropy));
    /// ```
    pub fn evaluate<const I: usize, const O: usize>(
        &self,
        net: &N,
        (xs, ys): Data<'_, N::Scalar, I, O>,
    ) -> Metrics
    where
        N: Network<I, O>,
        L: Loss<N::Output>,
    {
        if self.reduce.size() == 1 {
            return evaluate(net, (xs, ys), self.loss);
        }
        let share = share(&self.reduce, xs.len().min(ys.len()));
        let n = share.len() as f64;
        let here = evaluate(net, (&xs[share.clone()], &ys[share]), self.loss);
        // An empty share measures as NaN: it adds nothing.
        let mut totals = [here.loss * n, here.accuracy * n, n];
        if n == 0.0 {
            totals = [0.0; 3];
        }
        self.reduce.sum(&mut totals);
        let loss = totals[0] / totals[2];
        let accuracy = totals[1] / totals[2];
        Metrics { loss, accuracy }
    }
}

/// This process's share of `len` samples: the `rank`-th of `size` parts that differ in length
/// by at most one.
pub(crate) fn share(group: &impl Group, len: usize) -> Range<usize> {
    let size = group.size();
    let rank = group.rank();
    len * rank / size..len * (rank + 1) / size
}

/// `Err(Error::Ranks(what))` on every process unless all computed the same `value` (computed
/// only when there are many).
///
/// # Errors
/// [`Error::Ranks`] naming `what`.
pub(crate) fn agree(
    group: &impl Group,
    what: &'static str,
    value: impl FnOnce() -> u64,
) -> Result<(), Error> {
    if group.size() == 1 {
        return Ok(());
    }
    let value = value();
    // The largest fingerprint, and the largest of their complements: the smallest's.
    let mut extremes = [value, !value];
    group.max(&mut extremes);
    let same = extremes[0] == !extremes[1];
    ensure(same, || Error::Ranks(what))
}

/// A 64-bit FNV-1a hash of `words`: what processes compare to agree on data and weights.
pub(crate) fn fingerprint(words: impl IntoIterator<Item = u64>) -> u64 {
    let hash = |h: u64, word: u64| (h ^ word).wrapping_mul(0x0100_0000_01b3);
    words.into_iter().fold(0xcbf2_9ce4_8422_2325, hash)
}

/// What processes training together must agree on: the data and the settings.
pub(crate) fn digest<T: Float, const I: usize, const O: usize>(
    train: Data<'_, T, I, O>,
    validation: Option<Data<'_, T, I, O>>,
    fit: &Fit,
) -> u64 {
    let mut words = vec![fit.epochs as u64, fit.batch_size as u64, fit.seed];
    let patience = fit.patience.map_or(u64::MAX, |p| p as u64);
    words.extend([
        patience,
        fit.min_delta.to_bits(),
        fit.validation_split.to_bits(),
    ]);
    for (x, y) in [Some(train), validation].into_iter().flatten() {
        words.extend([x.len() as u64, y.len() as u64]);
        let inputs = x.iter().flat_map(|v| v.iter());
        let targets = y.iter().flat_map(|v| v.iter());
        words.push(fingerprint(
            inputs.chain(targets).map(|v| v.to_f64().to_bits()),
        ));
    }
    fingerprint(words)
}

/// What processes resuming together must agree on: the epoch and the weights.
pub(crate) fn resumed_at<N: Model>(epochs: usize, net: &N) -> u64 {
    fingerprint([epochs as u64].into_iter().chain(weights(net)))
}

/// A network's weights as words, to fingerprint.
pub(crate) fn weights<N: Model>(net: &N) -> impl Iterator<Item = u64> + '_ {
    net.params().flatten().map(|w| w.to_f64().to_bits())
}
