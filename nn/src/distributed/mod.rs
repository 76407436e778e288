//! Training on many processes: what the training loop asks of the processes a reduction spans
//! ([`Group`]: one, or many that agree), and with the `distributed` feature, `Mpi`, the
//! reduction that all-reduces a step's gradient sums across the processes of an MPI job.
//!
//! Every process holds the same network and the whole data set, and shuffles it with the same
//! seed; each takes its share of every minibatch (process `r` of `n`, the `r`-th of `n`
//! near-equal parts), computes its local gradient sums, and the all-reduce adds them up, so
//! that every process takes the same optimizer step and the weights stay the same everywhere,
//! bit for bit. This is data-parallel training as Horovod and PyTorch's
//! `DistributedDataParallel` do it.
use crate::Local;

#[cfg(feature = "std")]
mod agree;
#[cfg(feature = "distributed")]
mod mpi;
#[cfg(feature = "distributed")]
pub use self::mpi::Mpi;
/// The MPI bindings `Mpi` is built on (the `mpi` crate), to start MPI with the same version:
/// `nn::distributed::mpi::initialize()`.
#[cfg(feature = "distributed")]
pub use ::mpi as bindings;
#[cfg(feature = "std")]
pub(crate) use agree::{agree, digest, resumed_at};

/// The processes a [`Reduce`](crate::Reduce) spans, as [`Trainer::fit`](crate::Trainer::fit)
/// and [`Trainer::evaluate`](crate::Trainer::evaluate) see them: by default one, this one.
///
/// The loop checks that all processes train the same data with the same settings, evaluates a
/// share of the data on each process and sums the totals, and leaves files and the progress
/// bar to process 0. A reduction of your own says it spans one process with an empty
/// `impl Group for Mine {}`:
///
/// ```
/// use core::ops::Range;
/// use nn::distributed::Group;
/// use nn::prelude::*;
/// use nn::{Error, Fit, Local, Mse, Reduce, Sgd, Sums, Trainer};
///
/// /// `Local`, counting its calls.
/// #[derive(Default)]
/// struct Counting(std::sync::atomic::AtomicUsize);
/// impl Reduce for Counting {
///     fn reduce<N: Model>(
///         &self,
///         len: usize,
///         grads: &mut N,
///         local: impl Fn(Range<usize>, &mut N) -> Result<Sums<N::Scalar>, Error> + Sync,
///     ) -> Result<Sums<N::Scalar>, Error> {
///         self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
///         Local.reduce(len, grads, local)
///     }
/// }
/// impl Group for Counting {}
///
/// network! { struct Net < 1 => 1 linear > }
/// let xs = [[0.0], [1.0], [2.0]].map(SVector::from);
/// let mut net = Net::new(0);
/// let mut trainer = Trainer::reducing(Sgd::new(0.1, 0.0), Mse, Counting::default());
/// let fit = Fit { epochs: 4, batch_size: 2, quiet: true, ..Fit::default() };
/// trainer.fit(&mut net, (&xs, &xs), None, &fit)?;
/// assert_eq!(trainer.reduce.0.into_inner(), 8); // 2 steps an epoch
/// assert_eq!((Local.rank(), Local.size()), (0, 1));
/// # Ok::<(), Error>(())
/// ```
pub trait Group {
    /// This process's number, from 0 to [`Group::size`] - 1.
    fn rank(&self) -> usize {
        0
    }

    /// The number of processes.
    fn size(&self) -> usize {
        1
    }

    /// Replaces `values` by their sums over the processes, the same on every process.
    fn sum(&self, _values: &mut [f64]) {}

    /// Replaces `values` by their maxima over the processes: how they find out whether they
    /// all hold the same fingerprint (the largest of `h` and of `!h`).
    fn max(&self, _values: &mut [u64]) {}
}

impl Group for Local {}

#[cfg(feature = "parallel")]
impl Group for crate::Threads {}
