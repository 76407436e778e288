//! Checkpoints: the whole state of [`Trainer::fit`](crate::Trainer::fit) after an epoch, in
//! one safetensors file ([`Fit::checkpoint`](crate::Fit::checkpoint)), from which a run that
//! stopped resumes exactly where it was.
//!
//! The file holds one tensor, `state`, every value an `f64`: the epochs run, whether early
//! stopping ended the run, the best epoch and its monitored loss, whether there was
//! validation, the optimizer's counters; then the history (loss and accuracy of each epoch,
//! on the training data, then on the validation data); then the weights, the best weights so far and the optimizer's
//! buffers, each in the order of [`Model::params`](crate::Model::params). The shuffle's
//! generator is not stored: it is rebuilt from `Fit::seed` by drawing the shuffles of the
//! epochs run again, which gives the same generator and the same order of samples.
use crate::fit::History;
use crate::io::layout::{check, value};
use crate::io::write_atomically;
use crate::{Adam, Error, Float, LoadError, Metrics, Model, Sgd, Trainer};
use safetensors::{tensor::TensorView, Dtype, SafeTensorError, SafeTensors};
use std::path::Path;

/// An optimizer whose state a checkpoint holds, so that a resumed run steps as the
/// uninterrupted one would: [`Sgd`]'s velocity, [`Adam`]'s moments and step count.
/// [`Trainer::fit`] needs it; an optimizer of your own implements it, if it has no state with
/// an empty `impl State<Net> for Mine {}`:
///
/// ```
/// use nn::prelude::*;
/// use nn::{Error, Fit, Mse, Optimizer, State, Trainer};
///
/// network! { struct Net < 1 => 1 linear > }
///
/// /// Plain gradient descent, with no state.
/// struct Descent(f32);
/// impl Optimizer<Net> for Descent {
///     fn step(&mut self, net: &mut Net, grads: &Net) -> Result<(), Error> {
///         for (w, g) in net.params_mut().zip(grads.params()) {
///             w.iter_mut().zip(g).for_each(|(w, g)| *w -= self.0 * g);
///         }
///         Ok(())
///     }
/// }
/// impl State<Net> for Descent {}
///
/// let xs = [[0.0], [1.0], [2.0]].map(SVector::from);
/// let ys = [[1.0], [3.0], [5.0]].map(SVector::from);
/// let mut net = Net::new(0);
/// let mut trainer = Trainer::new(Descent(0.1), Mse);
/// let fit = Fit { epochs: 300, batch_size: 3, quiet: true, ..Fit::default() };
/// trainer.fit(&mut net, (&xs, &ys), None, &fit)?;
/// assert!((net.forward(&SVector::from([3.0]))[0] - 7.0).abs() < 0.05);
/// # Ok::<(), Error>(())
/// ```
pub trait State<N> {
    /// Its buffers shaped like the network.
    fn buffers(&mut self) -> Vec<&mut N> {
        Vec::new()
    }

    /// Its counters.
    fn counters(&mut self) -> Vec<&mut u64> {
        Vec::new()
    }
}

impl<N: Model> State<N> for Sgd<N> {
    fn buffers(&mut self) -> Vec<&mut N> {
        vec![&mut self.velocity]
    }
}

impl<N: Model> State<N> for Adam<N> {
    fn buffers(&mut self) -> Vec<&mut N> {
        vec![&mut self.moments.0, &mut self.moments.1]
    }

    fn counters(&mut self) -> Vec<&mut u64> {
        vec![&mut self.t]
    }
}

/// Where [`Trainer::fit`] stands after an epoch: beside the weights and the optimizer's state,
/// what a checkpoint holds.
#[derive(Clone, Debug)]
pub(crate) struct Progress<N> {
    /// The epochs run.
    pub(crate) epochs: usize,
    /// Whether early stopping ended the run.
    pub(crate) stopped: bool,
    /// The weights of the epoch with the lowest monitored loss.
    pub(crate) best: N,
    /// That loss.
    pub(crate) best_loss: f64,
    /// What was measured after each epoch.
    pub(crate) history: History,
}

/// The numbers before the optimizer's counters: epochs, stopped, best epoch, best loss,
/// validated.
const HEADER: usize = 5;

impl<N: Model> Progress<N> {
    /// Saves `net`, the state of `trainer`'s optimizer and this progress to `path`,
    /// atomically, as [`save`](crate::save) does: one `F64` tensor, `state`, into which both
    /// scalar types convert exactly.
    pub(crate) fn save<Opt: State<N>, L, R>(
        &self,
        path: &Path,
        net: &N,
        trainer: &mut Trainer<N, Opt, L, R>,
    ) -> Result<(), Error> {
        let history = &self.history;
        let stopped = f64::from(u8::from(self.stopped));
        let validated = f64::from(u8::from(!history.validation.is_empty()));
        let epochs = self.epochs as f64;
        let best_epoch = history.best_epoch as f64;
        let mut state = vec![epochs, stopped, best_epoch, self.best_loss, validated];
        let optimizer = &mut trainer.optimizer;
        state.extend(optimizer.counters().into_iter().map(|c| *c as f64));
        let metrics = history.train.iter().chain(&history.validation);
        state.extend(metrics.flat_map(|m| [m.loss, m.accuracy]));
        let buffers = optimizer.buffers().into_iter().map(|b| &*b);
        for network in [net, &self.best].into_iter().chain(buffers) {
            state.extend(network.params().flatten().map(|v| v.to_f64()));
        }
        let bytes: Vec<u8> = state.iter().flat_map(|v| v.to_le_bytes()).collect();
        let view = TensorView::new(Dtype::F64, vec![state.len()], &bytes);
        let meta = [("architecture".into(), N::ARCHITECTURE.into())];
        let file =
            safetensors::serialize([("state", view.map_err(format_error)?)], Some(meta.into()));
        write_atomically(path, &file.map_err(format_error)?)
    }

    /// Loads what [`Progress::save`] saved to `path` into `net` and `trainer`'s optimizer,
    /// and returns the progress. Nothing changes unless all of it loads.
    pub(crate) fn load<Opt: State<N>, L, R>(
        path: &Path,
        net: &mut N,
        trainer: &mut Trainer<N, Opt, L, R>,
    ) -> Result<Self, Error> {
        let bytes = std::fs::read(path);
        let bytes = bytes.map_err(|e| Error::Io(path.display().to_string(), e.to_string()))?;
        let file = SafeTensors::deserialize(&bytes).map_err(format_error)?;
        let view = file.tensor("state").map_err(format_error)?;
        let shape = view.shape().to_vec();
        check(&file, &bytes, ("state".into(), shape, "F64")).map_err(Error::Load)?;
        let state: Vec<f64> = view.data().chunks_exact(8).map(value).collect();
        let optimizer = &mut trainer.optimizer;
        let head = HEADER + optimizer.counters().len();
        let header = state.get(..head).unwrap_or_default();
        let epochs = header.first().map_or(0, |&e| e as usize);
        let entries = epochs.saturating_mul(1 + header.get(4).map_or(0, |&v| v as usize));
        let networks = 2 + optimizer.buffers().len();
        let expected = (head + 2 * entries).saturating_add(networks * N::PARAMS);
        // A state shorter than its header is shorter than expected too.
        if state.len() != expected {
            let shape = LoadError::Shape("state".into(), vec![expected], vec![state.len()]);
            return Err(Error::Load(shape));
        }
        let mut values = state[head..].iter().copied();
        let mut metric = || {
            let loss = values.next().unwrap_or_default();
            let accuracy = values.next().unwrap_or_default();
            Metrics { loss, accuracy }
        };
        let history = History {
            train: (0..epochs).map(|_| metric()).collect(),
            validation: (epochs..entries).map(|_| metric()).collect(),
            best_epoch: header[2] as usize,
        };
        let mut network = || {
            let mut n = N::default();
            let params = n.params_mut().flatten();
            params.for_each(|p| *p = N::Scalar::cast(values.next().unwrap_or_default()));
            n
        };
        *net = network();
        let best = network();
        optimizer.buffers().into_iter().for_each(|b| *b = network());
        let saved = header[HEADER..].iter();
        let counters = optimizer.counters().into_iter().zip(saved);
        counters.for_each(|(c, &v)| *c = v as u64);
        let stopped = header[1] != 0.0;
        let best_loss = header[3];
        Ok(Self {
            epochs,
            stopped,
            best,
            best_loss,
            history,
        })
    }
}

/// A safetensors error as a [`LoadError::Format`].
fn format_error(e: SafeTensorError) -> Error {
    Error::Load(LoadError::Format(format!("{e}")))
}
