//! The GPU path against the CPU path: forward outputs, gradients, optimizer steps and `fit`,
//! for the networks the CPU tests use and the four benchmark networks. Run with
//! `cargo test --features gpu --test gpu`; without an adapter the tests print why and pass,
//! except in CI (`CI` set), where a missing adapter fails.
use nn::gpu::Gpu;
use nn::prelude::*;
use nn::{Adam, BinaryCrossEntropy, CrossEntropy, Mse, Sgd};
use rand::{rngs::Xoshiro256PlusPlus, RngExt, SeedableRng};

/// The network on the GPU, or `None` (with the reason printed) where there is none.
fn on_gpu<N: Model<Scalar = f32>>(net: &N) -> Option<Gpu<N>> {
    match Gpu::new(net) {
        Ok(gpu) => Some(gpu),
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: {e}");
            None
        }
        Err(e) => panic!("CI needs a GPU adapter (Mesa's software Vulkan): {e}"),
    }
}

network! { struct Xor < 2 => 4 relu => 1 sigmoid > }

#[test]
fn smoke() {
    let net = Xor::new(3);
    let Some(gpu) = on_gpu(&net) else { return };
    eprintln!("{}", gpu.adapter());
    let xs = [[0., 0.], [0., 1.], [1., 0.], [1., 1.]].map(SVector::from);
    let out = gpu.predict(&xs).unwrap();
    for (x, y) in xs.iter().zip(&out) {
        assert!(
            (net.forward(x)[0] - y[0]).abs() < 1e-6,
            "{} {}",
            net.forward(x),
            y
        );
    }
    let back: Xor = gpu.to_cpu().unwrap();
    assert_eq!(back, net);
}
