//! Data-parallel training (feature `parallel`): the gradient of a large minibatch as a
//! map-reduce on rayon's threads, behind the [`Reduce`] seam.
#![cfg(feature = "parallel")]
use crate::train::{Reduce, Sums};
use crate::{Error, Model};
use core::ops::Range;
use rayon::prelude::*;

/// Below this many multiply-adds of forward pass, a batch stays on the calling thread, where
/// threads cost more than they save.
const PARALLEL_MACS: usize = 200_000;

/// Sums a batch's gradient over shards on rayon's threads: the reduction of
/// [`Trainer::new`](crate::Trainer::new) with the `parallel` feature.
///
/// A batch of at least 200 000 multiply-adds of forward pass is split into one shard per
/// rayon thread; each thread maps its shard into a gradient buffer of its own (the backward
/// pass in matrices of `CHUNK` columns), and the buffers are added in order (the reduce, which
/// `nn::distributed::Mpi` runs across processes as an all-reduce), so the result does not
/// depend on scheduling, only on the number of threads. Smaller batches stay on this thread.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Threads;

impl Reduce for Threads {
    fn reduce<N: Model>(
        &self,
        len: usize,
        grads: &mut N,
        local: impl Fn(Range<usize>, &mut N) -> Result<Sums<N::Scalar>, Error> + Sync,
    ) -> Result<Sums<N::Scalar>, Error> {
        if len.saturating_mul(N::MACS) < PARALLEL_MACS {
            return local(0..len, grads);
        }
        let shard = len.div_ceil(rayon::current_num_threads());
        let starts: Vec<usize> = (0..len).step_by(shard).collect();
        let map = |&start: &usize| {
            let mut g = N::default();
            let sums = local(start..len.min(start + shard), &mut g);
            sums.map(|sums| (sums, g))
        };
        let shards: Vec<_> = starts.par_iter().map(map).collect::<Result<_, _>>()?;
        let mut total = Sums::default();
        for (sums, g) in shards {
            total.loss += sums.loss;
            total.samples += sums.samples;
            let pairs = grads.params_mut().flatten().zip(g.params().flatten());
            pairs.for_each(|(a, b)| *a += *b);
        }
        Ok(total)
    }
}
