//! The gradient reduction across the processes of an MPI job (feature `distributed`).
use super::agree::{agree, fingerprint, share, weights};
use super::Group;
use crate::error::ensure;
use crate::{DefaultReduce, Error, Float, Model, Reduce, Sums};
use core::cell::RefCell;
use core::fmt;
use core::ops::Range;
use mpi::collective::SystemOperation;
use mpi::datatype::Equivalence;
use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator, CommunicatorCollectives};

/// Sums a step's gradient across the processes of an MPI communicator: each computes its share
/// of the minibatch (with `within`, on threads with `parallel`), and `MPI_Allreduce` adds the
/// gradients, losses and sample counts, so every process steps the same.
///
/// ```
/// use nn::distributed::{bindings, Mpi};
/// use nn::prelude::*;
/// use nn::{Adam, CrossEntropy, Fit, Trainer};
///
/// network! { struct Net < 4 => 16 tanh => 3 softmax > }
/// # fn main() -> Result<(), nn::Error> {
/// let universe = bindings::initialize().expect("MPI starts once");
/// let mut net = Net::new(0); // the same seed on every process
/// let mpi = Mpi::new(universe.world(), &net)?;
/// let mut trainer = Trainer::reducing(Adam::new(0.01), CrossEntropy, mpi);
/// let xs: Vec<_> = (0..90).map(|i| SVector::from_fn(|k, _| ((i + k) % 3) as f32)).collect();
/// let ys: Vec<_> = (0..90).map(|i| SVector::from_fn(|k, _| f32::from(k == i % 3))).collect();
/// let fit = Fit { epochs: 10, batch_size: 32, quiet: true, ..Fit::default() };
/// let history = trainer.fit(&mut net, (&xs, &ys), None, &fit)?;
/// assert_eq!(history.train.len(), 10);
/// # Ok(())
/// # }
/// ```
///
/// Run alone, it is one process of one; run with `mpirun -n 2 PROGRAM`, the two processes
/// end with the same weights.
///
/// Every process must make the same calls in the same order: a `fit_with` callback that stops
/// one process and not the others leaves them waiting for it (decide from the history, which
/// is the same on all).
pub struct Mpi<R = DefaultReduce> {
    world: SimpleCommunicator,
    /// How each process computes its share of a batch.
    pub within: R,
    /// The gradient as sent and as summed, kept from step to step so that a step allocates
    /// nothing after the first: for `f32` networks, and for `f64` ones.
    f32s: RefCell<[Vec<f32>; 2]>,
    f64s: RefCell<[Vec<f64>; 2]>,
}

impl Mpi {
    /// Trains `net` on the processes of `world`, each computing its share with
    /// [`DefaultReduce`]. Every process must call it with the same network, as built from
    /// the same seed or file: it checks so.
    ///
    /// # Errors
    /// [`Error::Ranks`] on every process if the processes' networks differ in declaration
    /// or in any weight.
    pub fn new<N: Model>(world: SimpleCommunicator, net: &N) -> Result<Self, Error> {
        Self::with(world, net, DefaultReduce::default())
    }
}

impl<R: Reduce> Mpi<R> {
    /// [`Mpi::new`], each process computing its share with `within`.
    ///
    /// # Errors
    /// As [`Mpi::new`].
    pub fn with<N: Model>(world: SimpleCommunicator, net: &N, within: R) -> Result<Self, Error> {
        let mpi = Self {
            world,
            within,
            f32s: RefCell::default(),
            f64s: RefCell::default(),
        };
        let scalar = core::mem::size_of::<N::Scalar>() as u64;
        let declaration = N::ARCHITECTURE.bytes().map(u64::from).chain([scalar]);
        agree(&mpi, "network declarations", || fingerprint(declaration))?;
        agree(&mpi, "starting weights", || fingerprint(weights(net)))?;
        Ok(mpi)
    }

    /// `values` replaced by their reduction with `op` over the processes.
    fn all_reduce<E: Equivalence + Copy>(&self, values: &mut [E], op: SystemOperation) {
        let send = values.to_vec();
        self.world.all_reduce_into(&send[..], values, op);
    }
}

impl<R: Reduce> Reduce for Mpi<R> {
    fn reduce<N: Model>(
        &self,
        len: usize,
        grads: &mut N,
        local: impl Fn(Range<usize>, &mut N) -> Result<Sums<N::Scalar>, Error> + Sync,
    ) -> Result<Sums<N::Scalar>, Error> {
        let share = share(self, len);
        let start = share.start;
        let shifted =
            |range: Range<usize>, g: &mut N| local(start + range.start..start + range.end, g);
        let here = self.within.reduce(share.len(), grads, shifted);
        // Every process joins the all-reduces, also one whose share failed, so that none waits
        // forever: a failure travels as a count, and then every process returns an error.
        let sums = here.clone().unwrap_or_default();
        let failed = f64::from(u8::from(here.is_err()));
        let mut totals = [sums.loss.to_f64(), sums.samples as f64, failed];
        self.sum(&mut totals);
        // The gradient is summed in the network's own scalar type, into which both convert
        // exactly.
        if core::mem::size_of::<N::Scalar>() == 4 {
            all_sum::<N, f32>(&self.world, grads, &self.f32s, |x| x as f32, f64::from);
        } else {
            all_sum::<N, f64>(&self.world, grads, &self.f64s, |x| x, |x| x);
        }
        let failure = || here.err().unwrap_or(Error::NonFinite("sample", 0, 0));
        ensure(totals[2] == 0.0, failure)?;
        let loss = N::Scalar::cast(totals[0]);
        let samples = totals[1] as usize;
        Ok(Sums { loss, samples })
    }
}

/// `grads` replaced by their sums over the processes of `world`, computed as values of type
/// `E` (`to` and `from` convert) in `buffers`.
fn all_sum<N: Model, E: Equivalence + Copy + Default>(
    world: &SimpleCommunicator,
    grads: &mut N,
    buffers: &RefCell<[Vec<E>; 2]>,
    to: fn(f64) -> E,
    from: fn(E) -> f64,
) {
    let [send, sums] = &mut *buffers.borrow_mut();
    send.clear();
    // Tensor by tensor, so that each copy is a loop over a slice.
    for tensor in grads.params() {
        send.extend(tensor.iter().map(|g| to(g.to_f64())));
    }
    sums.resize(send.len(), E::default());
    world.all_reduce_into(&send[..], &mut sums[..], SystemOperation::sum());
    let mut sums = &sums[..];
    for tensor in grads.params_mut() {
        let (these, rest) = sums.split_at(tensor.len());
        let pairs = tensor.iter_mut().zip(these);
        pairs.for_each(|(g, &sum)| *g = N::Scalar::cast(from(sum)));
        sums = rest;
    }
}

impl<R: Reduce> Group for Mpi<R> {
    fn rank(&self) -> usize {
        self.world.rank() as usize
    }

    fn size(&self) -> usize {
        self.world.size() as usize
    }

    fn sum(&self, values: &mut [f64]) {
        self.all_reduce(values, SystemOperation::sum());
    }

    fn max(&self, values: &mut [u64]) {
        self.all_reduce(values, SystemOperation::max());
    }
}

impl<R: fmt::Debug> fmt::Debug for Mpi<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mpi")
            .field("rank", &self.world.rank())
            .field("size", &self.world.size())
            .field("within", &self.within)
            .finish()
    }
}
