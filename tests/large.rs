//! Networks of MNIST's and CIFAR-10's sizes run on a default test thread (2 MiB of stack, in
//! debug builds too), and on 256 KiB: their parameters, gradients, optimizer state and every
//! batch's activations live on the heap, so no operation builds a large matrix on the stack.
use nn::prelude::*;
use nn::{Adam, CrossEntropy, Fit, Heap, Inline, Optimizer, Sgd, Trainer};

network! { struct Mnist < 784 => 128 relu => 10 softmax > }
network! { struct Cifar < 3072 => 512 relu => 10 softmax > }
network! { struct Wide < 2 => 100000 relu => 1 sigmoid > }
// Either side of the 16 KiB rule: 4·(128·(64 + 1)) = 33 280 bytes of parameters, and a
// 32-sample batch of 129 inputs takes 16 512 bytes.
network! { struct Under < 64 => 32 relu => 10 softmax > }
network! { struct Over < 64 => 128 relu => 10 softmax > }
network! { struct Tall < 129 => 2 relu => 1 sigmoid > }
// 64·(63 + 1) = 4096 parameters, exactly 16 KiB of f32: inline. One more input, and the
// biases push the parameters past it: 64·(64 + 1) = 4160, on the heap.
network! { struct AtTheLimit < 63 => 64 linear > }
network! { struct PastTheLimit < 64 => 64 linear > }

/// `n` samples of `I` inputs in [0, 1) and one-hot targets of `O` classes.
fn data<const I: usize, const O: usize>(n: usize) -> (Vec<SVector<f32, I>>, Vec<SVector<f32, O>>) {
    let x = (0..n).map(|k| SVector::from_fn(|i, _| ((i * 7 + k * 13) % 17) as f32 / 17.0));
    let y = (0..n).map(|k| SVector::from_fn(|i, _| f32::from(u8::from(i == k % O))));
    (x.collect(), y.collect())
}

/// Everything a user does with a large network, on this thread's stack.
fn everything<N, const I: usize, const O: usize>(samples: usize)
where
    N: Network<I, O, Scalar = f32, Output = nn::Softmax>,
{
    let mut net = N::new(1);
    let (xs, ys) = data::<I, O>(samples);
    let one = net.forward(&xs[0]);
    assert!((one.sum() - 1.0).abs() < 1e-5, "softmax outputs sum to 1");
    let mut batch = nn::Batch::<N, I, 64>::zeros();
    for (column, x) in batch
        .values_mut()
        .chunks_exact_mut(I)
        .zip(xs.iter().cycle())
    {
        column.copy_from_slice(x.as_slice());
    }
    let outputs = net.forward_batch(&batch);
    let mut column = outputs.values()[..O].iter().zip(one.iter());
    assert!(
        column.all(|(a, b)| (a - b).abs() < 1e-5),
        "column 0 is sample 0"
    );
    let fit = Fit {
        epochs: 1,
        batch_size: 32,
        quiet: true,
        ..Fit::default()
    };
    let before = nn::evaluate(&net, (&xs, &ys), CrossEntropy);
    let mut adam = Trainer::new(Adam::new(1e-4), CrossEntropy);
    adam.fit(&mut net, (&xs, &ys), None, &fit).expect("finite");
    let after = nn::evaluate(&net, (&xs, &ys), CrossEntropy);
    assert!(after.loss < before.loss, "{after:?} < {before:?}");
    let mut sgd = Trainer::new(Sgd::new(0.001, 0.9), CrossEntropy);
    let history = sgd.fit(&mut net, (&xs, &ys), Some((&xs, &ys)), &fit);
    assert!(history.expect("finite").validation[0].loss.is_finite());
    let thread = std::thread::current().id();
    let name = format!("nn-large-{}-{thread:?}.safetensors", N::PARAMS);
    let path = std::env::temp_dir().join(&name);
    nn::save(&net, &path).expect("saved");
    let loaded: N = nn::load(&path).expect("loaded");
    std::fs::remove_file(&path).expect("removed");
    assert!(loaded == net, "the loaded network is the saved one");
    let copy = loaded.clone();
    assert!(copy.params().flatten().eq(net.params().flatten()));
    // A checkpoint: one epoch, then a second resumed from it, is two epochs without one.
    let checkpoint = std::env::temp_dir().join(format!("{name}.ckpt"));
    let _ = std::fs::remove_file(&checkpoint);
    let two = |checkpoint: Option<std::path::PathBuf>, epochs| Fit {
        epochs,
        checkpoint,
        ..fit.clone()
    };
    let mut whole = net.clone();
    let mut trainer = Trainer::new(Adam::new(1e-4), CrossEntropy);
    trainer
        .fit(&mut whole, (&xs, &ys), None, &two(None, 2))
        .unwrap();
    let mut resumed = net.clone();
    for epochs in [1, 2] {
        let mut trainer = Trainer::new(Adam::new(1e-4), CrossEntropy);
        let fit = two(Some(checkpoint.clone()), epochs);
        trainer.fit(&mut resumed, (&xs, &ys), None, &fit).unwrap();
    }
    std::fs::remove_file(&checkpoint).expect("removed");
    assert!(
        resumed == whole,
        "resumed from a checkpoint, the same weights"
    );
}

#[test]
fn an_mnist_sized_network_does_everything_on_a_default_thread() {
    everything::<Mnist, 784, 10>(96);
    assert_eq!(Mnist::PARAMS, 101_770);
}

#[test]
fn a_cifar_sized_network_does_everything_on_a_default_thread() {
    everything::<Cifar, 3072, 10>(40);
}

/// A few hundred KiB of stack are enough at any size: the same on a thread of 256 KiB.
#[test]
fn a_quarter_mebibyte_of_stack_is_enough() {
    let thread = std::thread::Builder::new().stack_size(256 << 10);
    let run = || {
        everything::<Cifar, 3072, 10>(40);
        wide();
    };
    thread
        .spawn(run)
        .expect("a thread")
        .join()
        .expect("no stack overflow");
}

#[test]
fn a_hundred_thousand_units_wide_layer_runs() {
    wide();
}

/// `2 => 100000 relu => 1 sigmoid`: forward, backward and an Adam step.
fn wide() {
    let net = Wide::new(0);
    let y = net.forward(&SVector::from([0.5, -0.5]));
    assert!(y[0] > 0.0 && y[0] < 1.0);
    let mut grads = Wide::default();
    let x = SMatrix::<f32, 2, 1>::new(0.5, -0.5);
    let loss = net.backward::<nn::BinaryCrossEntropy, 1>(&x, &SMatrix::repeat(1.0), &mut grads);
    assert!(loss.is_finite() && grads.params().flatten().any(|g| *g != 0.0));
    Adam::new(0.01)
        .step(&mut net.clone(), &grads)
        .expect("finite");
}

#[test]
/// Mutations caught: the macro's parameter count without the biases (`+ 1` as `- 1` or `* 1`
/// in `nn-macros/src/heap.rs`), and the rule's `<=` as `<` (`nn/src/inline.rs`).
fn the_16_kib_rule_decides_the_storage() {
    fn store<N: Model>() -> &'static str {
        <N::Store as nn::Storage>::NAME
    }
    assert_eq!(store::<Under>(), "inline");
    assert_eq!(store::<Over>(), "heap");
    assert_eq!(store::<Tall>(), "heap");
    assert_eq!(store::<Mnist>(), "heap");
    assert_eq!(store::<AtTheLimit>(), "inline");
    assert_eq!(store::<PastTheLimit>(), "heap");
    assert_eq!(AtTheLimit::BYTES, nn::INLINE_BYTES);
    let _: &nn::Dense<f32, 64, 32, nn::Relu, Inline> = &Under::default().l1;
    let _: &nn::Dense<f32, 64, 128, nn::Relu, Heap> = &Over::default().l1;
    assert!(Mnist::default().summary().contains("heap"));
}

/// The batched backward pass (through the blocked GEMM) equals the sum of single-sample ones
/// (matrix-vector products), and the batched forward pass equals the per-sample one.
#[test]
fn batched_products_equal_per_sample_ones() {
    let net = Cifar::new(3);
    let (xs, ys) = data::<3072, 10>(32);
    let mut x = nn::Batch::<Cifar, 3072, 32>::zeros();
    let mut y = nn::Batch::<Cifar, 10, 32>::zeros();
    for (k, (xi, yi)) in xs.iter().zip(&ys).enumerate() {
        x.values_mut()[k * 3072..][..3072].copy_from_slice(xi.as_slice());
        y.values_mut()[k * 10..][..10].copy_from_slice(yi.as_slice());
    }
    let mut batched = Cifar::default();
    let loss = net.backward::<CrossEntropy, 32>(&x, &y, &mut batched);
    let mut single = Cifar::default();
    let mut sum = 0.0;
    for (xi, yi) in xs.iter().zip(&ys) {
        sum += net.backward::<CrossEntropy, 1>(xi, yi, &mut single);
    }
    assert!((loss - sum).abs() < 1e-3 * sum.abs(), "{loss} vs {sum}");
    let pairs = batched.params().flatten().zip(single.params().flatten());
    let worst = pairs.map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
    let largest = single
        .params()
        .flatten()
        .map(|g| g.abs())
        .fold(0.0, f32::max);
    assert!(
        largest > 0.0 && worst < 1e-4 * largest,
        "{worst} vs {largest}"
    );
    let outputs = net.forward_batch(&x);
    for (k, xi) in xs.iter().enumerate() {
        let one = net.forward(xi);
        let column = &outputs.values()[k * 10..][..10];
        assert!(column
            .iter()
            .zip(one.iter())
            .all(|(a, b)| (a - b).abs() < 1e-5));
    }
}
