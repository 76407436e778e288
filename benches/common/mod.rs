//! What the benchmarks share.
use nn::SVector;

/// A fixed synthetic data set of `n` samples: inputs in [-1, 1), one-hot targets (a 0/1
/// target for one output).
pub fn data<const I: usize, const O: usize>(
    n: usize,
) -> (Vec<SVector<f32, I>>, Vec<SVector<f32, O>>) {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 40) as f32 / (1u64 << 24) as f32
    };
    let xs = (0..n)
        .map(|_| SVector::from_fn(|_, _| 2.0 * next() - 1.0))
        .collect();
    let ys = (0..n)
        .map(|k| {
            SVector::from_fn(|i, _| {
                f32::from(u8::from(if O == 1 { k % 2 == 1 } else { i == k % O }))
            })
        })
        .collect();
    (xs, ys)
}
