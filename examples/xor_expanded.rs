//! What `network!` writes, by hand: the XOR network as plain Rust.
//!
//! `network! { pub struct Xor < 2 => 4 relu => 1 sigmoid > }` expands to the code below (the
//! macro writes absolute paths, `::nn::Dense` and so on, and the rustdoc with the formulas).
//! `main` checks that this hand-written version computes exactly what the macro's does.
//!
//! ```text
//! cargo run --example xor_expanded
//! ```
use nn::prelude::*;
use nn::{Batch, BinaryCrossEntropy, Dense, Init, Inline, Layer, Loss, Relu, Sigmoid};

/// `2 => 4 relu => 1 sigmoid`: computes `h1 = relu(W1·x + b1)`, `y = sigmoid(W2·h1 + b2)`.
/// It is small, so its numbers live inline (a large network's layers end in `, Heap>`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Xor {
    /// Layer 1: `W1` is 4×2.
    pub l1: Dense<f32, 2, 4, Relu, Inline>,
    /// Layer 2: `W2` is 1×4.
    pub l2: Dense<f32, 4, 1, Sigmoid, Inline>,
}

impl Model for Xor {
    type Scalar = f32;
    type Store = Inline;
    type Output = Sigmoid;
    const ARCHITECTURE: &'static str = "2 => 4 relu => 1 sigmoid";
    const LAYERS: &'static [Layer] = &[
        Layer {
            outputs: 4,
            inputs: 2,
            activation: "relu",
            init: Init::He,
        },
        Layer {
            outputs: 1,
            inputs: 4,
            activation: "sigmoid",
            init: Init::Glorot,
        },
    ];
    const PARAMS: usize = 4 * (2 + 1) + (4 + 1); // outputs × (inputs + 1), per layer
    const MACS: usize = 4 * 2 + 4; // outputs × inputs

    fn params(&self) -> impl Iterator<Item = &[f32]> {
        let l1 = [self.l1.weight.values(), self.l1.bias.values()];
        let l2 = [self.l2.weight.values(), self.l2.bias.values()];
        l1.into_iter().chain(l2)
    }
    fn params_mut(&mut self) -> impl Iterator<Item = &mut [f32]> {
        let l1 = [self.l1.weight.values_mut(), self.l1.bias.values_mut()];
        let l2 = [self.l2.weight.values_mut(), self.l2.bias.values_mut()];
        l1.into_iter().chain(l2)
    }
}

impl Network<2, 1> for Xor {
    /// One matrix product per layer; the batch `x` holds one sample per column.
    fn logits_batch<const B: usize>(&self, x: &impl Values<f32, 2, B>) -> Batch<Self, 1, B> {
        self.l2.linear(&self.l1.output(x))
    }

    /// The forward pass keeping each layer's `z` and `a`, then the chain rule backwards.
    fn backward<L: Loss<Sigmoid>, const B: usize>(
        &self,
        x: &impl Values<f32, 2, B>,
        y: &impl Values<f32, 1, B>,
        grads: &mut Self,
    ) -> f32 {
        let f1 = self.l1.forward(x); // z1 = W1·x + b1, a1 = relu(z1)
        let f2 = self.l2.forward(&f1.a); // z2 = W2·a1 + b2, a2 = sigmoid(z2)
        let loss = self.l2.loss::<L, B>(&f2, y); // the loss summed over the batch
        let d2 = self.l2.output_delta::<L, B>(&f2, y); // δ2 = ∂L/∂z2 (= a2 - y for BCE)
        grads.l2.accumulate(&f1.a, &d2); // ∂L/∂W2 += δ2·a1ᵀ, ∂L/∂b2 += δ2
        let mut d1 = self.l2.grad_input(&d2); // ∂L/∂a1 = W2ᵀ·δ2
        self.l1.delta(&f1, &mut d1); // δ1 = ∂L/∂z1 = ∂L/∂a1 ⊙ relu'(z1)
        grads.l1.accumulate(x, &d1); // ∂L/∂W1 += δ1·xᵀ, ∂L/∂b1 += δ1
        loss
    }
}

mod generated {
    nn::network! { pub struct Xor < 2 => 4 relu => 1 sigmoid > }
}

/// Checks that the hand-written expansion of the XOR network computes what `network!` writes.
#[derive(clap::Parser)]
struct Args {}

fn main() {
    <Args as clap::Parser>::parse();
    let (by_hand, by_macro) = (Xor::new(7), generated::Xor::new(7));
    let x = SMatrix::<f32, 2, 4>::from_column_slice(&[0., 0., 0., 1., 1., 0., 1., 1.]);
    let y = SMatrix::<f32, 1, 4>::from_column_slice(&[0., 1., 1., 0.]);
    assert_eq!(by_hand.forward_batch(&x), by_macro.forward_batch(&x));
    let (mut g1, mut g2) = (Xor::default(), generated::Xor::default());
    let l1 = by_hand.backward::<BinaryCrossEntropy, 4>(&x, &y, &mut g1);
    let l2 = by_macro.backward::<BinaryCrossEntropy, 4>(&x, &y, &mut g2);
    assert_eq!(
        (l1, g1.params().flatten().collect::<Vec<_>>()),
        (l2, g2.params().flatten().collect())
    );
    println!("the hand-written expansion computes what network! generates:");
    println!("outputs {}", by_hand.forward_batch(&x));
    println!("summed loss {l1}, gradient of W1 {}", g1.l1.weight);
}
