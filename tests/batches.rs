//! Batches give the numbers of single samples, on both sides of every size threshold the
//! library has: the storage (inline up to 16 KiB, `Under`; heap beyond, `Over`), the blocked
//! GEMM (a heap network's products from `nn::BLOCKED_GEMM` multiply-adds on: `Over`'s batch of
//! 32 goes above it; `Under`'s, inline, stay static), the columns training gathers samples in (`nn::CHUNK` = 32, then 8, then 1)
//! and, with `--features parallel`, the size from which a batch is split over threads (about
//! 85 samples of `Under`, 21 of `Over`). CI runs this file with and without `parallel`.
//!
//! Mutations these tests catch: `Trainer::step` summing the gradients instead of averaging
//! them, or returning the summed loss; the parallel reduce keeping one shard's gradient or
//! loss; a batched backward pass dropping the last columns of a chunk; `forward_batch` dropping
//! the bias on the blocked-GEMM path.
use nn::prelude::*;
use nn::{CrossEntropy, Sgd, Trainer};

network! { struct Under < 64 => 32 relu => 10 softmax > }
network! { struct Over < 64 => 128 relu => 10 softmax > }

/// `n` distinct samples with one-hot targets.
fn data(n: usize) -> (Vec<SVector<f32, 64>>, Vec<SVector<f32, 10>>) {
    let xs = (0..n)
        .map(|k| SVector::from_fn(|i, _| ((i * 7 + k * 13) % 17) as f32 / 8.0 - 1.0))
        .collect();
    let ys = (0..n)
        .map(|k| SVector::from_fn(|i, _| f32::from(u8::from(i == k % 10))))
        .collect();
    (xs, ys)
}

/// One SGD step on `n` samples moves every weight by `-lr·mean(per-sample gradients)` and
/// returns the mean per-sample loss.
fn step_is_the_mean<N>(n: usize)
where
    N: Network<64, 10> + Model<Scalar = f32, Output = nn::Softmax>,
{
    let (xs, ys) = data(n);
    let net = N::new(5);
    let mut sum = N::default();
    let mut loss = 0.0;
    for (x, y) in xs.iter().zip(&ys) {
        loss += f64::from(net.backward::<CrossEntropy, 1>(x, y, &mut sum));
    }
    let lr = 0.5f32;
    let mut stepped = net.clone();
    let mut trainer = Trainer::new(Sgd::new(lr, 0.0), CrossEntropy);
    let reported = trainer.step(&mut stepped, (&xs, &ys));
    let reported = f64::from(reported.expect("finite"));
    let mean = loss / n as f64;
    assert!(
        (reported - mean).abs() < 1e-5 * mean,
        "n = {n}: loss {reported} vs {mean}"
    );
    let expected = net.params().flatten().zip(sum.params().flatten());
    let expected = expected.map(|(&w, &g)| f64::from(w) - f64::from(lr) * f64::from(g) / n as f64);
    let mut moved = 0.0f64;
    for ((&w, e), &w0) in stepped
        .params()
        .flatten()
        .zip(expected)
        .zip(net.params().flatten())
    {
        let w = f64::from(w);
        assert!(
            (w - e).abs() < 1e-5 * (1.0 + e.abs()),
            "n = {n}: {w} vs {e}"
        );
        moved = moved.max((w - f64::from(w0)).abs());
    }
    assert!(moved > 1e-3, "n = {n}: the step moved the weights");
}

const SIZES: [usize; 10] = [1, 7, 8, 9, 31, 32, 33, 41, 100, 256];

#[test]
fn a_step_on_an_inline_network_averages_per_sample_gradients() {
    SIZES.into_iter().for_each(step_is_the_mean::<Under>);
}

#[test]
fn a_step_on_a_heap_network_averages_per_sample_gradients() {
    SIZES.into_iter().for_each(step_is_the_mean::<Over>);
}

/// `forward_batch` of `B` samples equals `forward` of each.
fn forward_batch_is_per_column<N, const B: usize>()
where
    N: Network<64, 10> + Model<Scalar = f32>,
{
    let net = N::new(2);
    let (xs, _) = data(B);
    let mut x = nn::Batch::<N, 64, B>::zeros();
    for (k, xi) in xs.iter().enumerate() {
        x.values_mut()[k * 64..][..64].copy_from_slice(xi.as_slice());
    }
    let outputs = net.forward_batch(&x);
    for (k, xi) in xs.iter().enumerate() {
        let one = net.forward(xi);
        let column = &outputs.values()[k * 10..][..10];
        for (a, b) in column.iter().zip(one.iter()) {
            assert!((a - b).abs() < 1e-5, "B = {B}: {a} vs {b}");
        }
    }
}

#[test]
fn forward_batch_equals_forward_per_column() {
    forward_batch_is_per_column::<Under, 1>();
    forward_batch_is_per_column::<Under, 8>();
    forward_batch_is_per_column::<Under, 33>();
    forward_batch_is_per_column::<Over, 1>();
    forward_batch_is_per_column::<Over, 3>();
    forward_batch_is_per_column::<Over, 64>();
}
