//! Data-parallel training (`--features parallel`): a large minibatch's gradient, summed over
//! shards on rayon's threads, equals the serial one within floating-point tolerance.
#![cfg(feature = "parallel")]
use nn::prelude::*;
use nn::{CrossEntropy, Sgd, Trainer};

network! { struct Digits < 64 => 32 relu => 10 softmax > }

/// One SGD step on a batch of 256 on a pool of `threads` threads; the network after it.
fn step(threads: usize) -> Digits {
    let xs: Vec<SVector<f32, 64>> = (0..256)
        .map(|k| SVector::from_fn(|i, _| ((i * 7 + k * 13) % 17) as f32 / 17.0 - 0.5))
        .collect();
    let ys: Vec<SVector<f32, 10>> = (0..256)
        .map(|k| SVector::from_fn(|i, _| f32::from(u8::from(i == k % 10))))
        .collect();
    let mut net = Digits::new(0);
    let mut trainer = Trainer::new(Sgd::new(0.5, 0.0), CrossEntropy);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a pool");
    pool.install(|| trainer.step(&mut net, (&xs, &ys)))
        .expect("finite");
    net
}

#[test]
fn parallel_gradient_equals_serial() {
    let (serial, parallel, start) = (step(1), step(2), Digits::new(0));
    let moved = |net: &Digits| {
        net.params()
            .flatten()
            .zip(start.params().flatten())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max)
    };
    assert!(moved(&serial) > 1e-3, "the step changed the weights");
    for (a, b) in serial.params().flatten().zip(parallel.params().flatten()) {
        assert!((a - b).abs() <= 1e-5 * (1.0 + a.abs()), "{a} vs {b}");
    }
    assert_ne!(serial, parallel, "two shards sum in another order than one");
}
