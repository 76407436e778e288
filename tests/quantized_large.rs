//! Quantized networks of MNIST's and CIFAR's sizes, in debug builds on the default 2 MiB test
//! threads: quantizing, saving, loading and running never put their int8 weights on the stack
//! (`nn::quant::Rows` keeps them on the heap).
use nn::prelude::*;

network! { struct Mnist < 784 => 128 relu => 10 softmax > }
network! { struct Cifar < 3072 => 512 relu => 10 softmax > }

/// Quantizes `net` on two samples, saves and loads it, and checks that the loaded network
/// computes what the quantized one does.
fn round_trip<N, const I: usize, const O: usize>(net: &N) -> nn::Quantized<N>
where
    N: Network<I, O, Scalar = f32> + nn::Quantize,
    nn::Quantized<N>: nn::Saved + PartialEq + std::fmt::Debug,
{
    let xs = [SVector::<f32, I>::repeat(0.5), SVector::repeat(-0.25)];
    let q = nn::quantize(net, &xs).expect("quantize");
    let bytes = nn::to_bytes(&q).expect("save");
    let back: nn::Quantized<N> = nn::from_bytes(&bytes).expect("load");
    assert_eq!(back, q);
    q
}

#[test]
fn an_mnist_sized_network_quantizes_saves_and_loads() {
    let q = round_trip(&Mnist::new(0));
    let x = SVector::repeat(0.5);
    assert!((q.forward(&x).sum() - 1.0).abs() < 1e-5);
    assert!(Mnist::new(0).forward(&x).imax() == q.forward(&x).imax());
}

#[test]
fn a_cifar_sized_network_quantizes_saves_and_loads() {
    let q = round_trip(&Cifar::new(0));
    assert!((q.forward(&SVector::repeat(0.5)).sum() - 1.0).abs() < 1e-5);
}
