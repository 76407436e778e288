//! Data-parallel training (feature `parallel`): the gradient of a large minibatch as a
//! map-reduce on rayon's threads. This is where a cluster would plug in.
use crate::train::{in_columns, Sample};
use crate::{Error, Loss, Network};
use rayon::prelude::*;

/// Adds the gradient of the loss summed over `batch` to `grads`; returns the summed loss, the
/// samples classified right (none: training does not count them) and the number of samples.
///
/// A batch of at least 200 000 multiply-adds of forward pass is split into one shard per
/// rayon thread; each thread maps its shard into a gradient buffer of its own (the backward
/// pass in matrices of `CHUNK` columns), and the buffers are added in order (the reduce, which
/// a cluster would run as an all-reduce), so the result does not depend on scheduling, only
/// on the number of threads. Smaller batches stay on this thread, where threads cost more than
/// they save.
pub(crate) fn gradient<'a, N, L, const I: usize, const O: usize>(
    net: &N,
    grads: &mut N,
    batch: impl IntoIterator<Item = Sample<'a, N::Scalar, I, O>>,
) -> Result<(f64, usize, usize), Error>
where
    N: Network<I, O>,
    L: Loss<N::Output>,
{
    let batch: Vec<_> = batch.into_iter().collect();
    if batch.len() * N::MACS < 200_000 {
        return in_columns::<N, L, I, O>(net, Some(grads), batch);
    }
    let map = |shard: &[Sample<'a, N::Scalar, I, O>]| {
        let mut g = N::default();
        let sum = in_columns::<N, L, I, O>(net, Some(&mut g), shard.iter().copied());
        sum.map(|sum| (sum, g))
    };
    let shard = batch.len().div_ceil(rayon::current_num_threads());
    let shards: Vec<_> = batch.par_chunks(shard).map(map).collect::<Result<_, _>>()?;
    let mut loss = 0.0;
    let mut n = 0;
    for ((shard_loss, _, shard_n), g) in shards {
        loss += shard_loss;
        n += shard_n;
        let pairs = grads.params_mut().flatten().zip(g.params().flatten());
        pairs.for_each(|(a, b)| *a += *b);
    }
    Ok((loss, 0, n))
}
