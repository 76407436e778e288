//! The code `network!` generates is lint-clean: this file denies clippy's pedantic lints, and
//! CI runs clippy on the tests with warnings as errors.
#![deny(clippy::pedantic)]

use nn::prelude::*;

network! {
    /// A network in f64, with three layers.
    pub struct Deep: f64 < 3 => 5 tanh => 4 gelu => 2 softmax >
}

network! {
    /// The interop fixture, embedded.
    pub struct Torch < 3 => 4 tanh => 2 sigmoid >
    const FIXTURE = "tests/fixtures/torch_layout.safetensors";
}

#[test]
fn generated_code_compiles_under_pedantic_lints() {
    let x = SVector::from([0.1, 0.2, 0.3]);
    assert!((Deep::new(1).forward(&x).sum() - 1.0).abs() < 1e-12);
    assert!(Torch::FIXTURE
        .forward(&x.cast())
        .iter()
        .all(|p| (0.0..=1.0).contains(p)));
}
