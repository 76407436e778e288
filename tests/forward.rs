//! The generated forward pass against a hand-written computation, and the generated constants.
use nn::prelude::*;
use nn::{Dense, Relu, Sigmoid};

network! {
    /// The network of the product card.
    pub struct Xor < 2 => 4 relu => 1 sigmoid >
}

network! {
    struct Deep: f64 < 3 => 5 tanh => 4 gelu => 2 softmax >
}

#[test]
fn forward_matches_a_hand_written_computation() {
    let mut net = Xor::default();
    net.l1.weight = SMatrix::<f32, 4, 2>::new(1.0, -1.0, -1.0, 1.0, 0.5, 0.5, 2.0, 0.0);
    net.l1.bias = SVector::from([0.0, 0.0, -0.5, 0.1]);
    net.l2.weight = SMatrix::<f32, 1, 4>::new(1.0, 1.0, -2.0, 0.25);
    net.l2.bias = SVector::from([0.3]);
    for (x0, x1) in [(0.0f32, 0.0f32), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)] {
        let h = [x0 - x1, -x0 + x1, 0.5 * x0 + 0.5 * x1 - 0.5, 2.0 * x0 + 0.1].map(|v| v.max(0.0));
        let z = h[0] + h[1] - 2.0 * h[2] + 0.25 * h[3] + 0.3;
        let want = 1.0 / (1.0 + (-z).exp());
        let got = net.forward(&SVector::from([x0, x1]))[0];
        assert!((got - want).abs() < 1e-6, "{x0},{x1}: {got} vs {want}");
    }
}

#[test]
fn a_batch_is_a_matrix_of_columns() {
    let net = Deep::new(3);
    let xs = SMatrix::<f64, 3, 4>::from_fn(|r, c| (r as f64 - 1.0) * 0.7 + c as f64 * 0.3);
    let batch = net.forward_batch(&xs);
    for (c, x) in xs.column_iter().enumerate() {
        let one = net.forward(&x.into_owned());
        assert!((batch.column(c) - one).abs().max() < 1e-14);
        assert!((one.sum() - 1.0).abs() < 1e-12);
    }
}

mod names {
    // Networks may take any name, the generated code's own generic parameters' included.
    nn::network! { pub struct B < 2 => 3 relu => 1 sigmoid > }
    nn::network! { pub struct L < 2 => 1 linear > }
    nn::network! { pub struct T < 2 => 1 tanh > }
}

#[test]
fn networks_may_take_short_names() {
    let x = SVector::from([1.0, -1.0]);
    assert!(names::B::new(0).forward(&x)[0] > 0.0);
    assert_eq!(names::L::default().forward(&x)[0], 0.0);
    assert!(names::T::new(0).forward(&x)[0].abs() < 1.0);
}

/// Names a user plausibly writes do not clash with the generated code: a type named like the
/// expansion's const generic (`NN_BATCH`) or loss parameter (`NnLoss`), and networks named
/// like the prelude's traits, whose methods stay in scope (the prelude also imports them
/// `as _`). Mutations caught: the generic argument written without braces; the prelude
/// without its unnamed imports.
mod clashes {
    #![allow(non_camel_case_types, reason = "a user's odd but legal names")]
    use nn::prelude::*;
    pub struct NN_BATCH;
    pub struct NnLoss;
    network! { pub struct Net < 2 => 3 relu => 1 sigmoid > }
    network! { pub struct Model < 2 => 3 relu => 1 sigmoid > }
    network! { pub struct Network < 2 => 1 sigmoid > }

    pub fn outputs() -> [f32; 3] {
        let x = SVector::from([1.0, 2.0]);
        let _ = (NN_BATCH, NnLoss);
        [
            Net::new(1).forward(&x)[0],
            Model::new(1).forward(&x)[0],
            Network::default().forward(&x)[0] + Model::PARAMS as f32,
        ]
    }
}

#[test]
fn generated_names_do_not_clash_with_the_users() {
    let [net, model, network] = clashes::outputs();
    assert!(net > 0.0 && net < 1.0);
    assert!(model > 0.0 && model < 1.0);
    assert_eq!(network, 0.5 + 13.0);
}

#[test]
fn constants_describe_the_cost() {
    assert_eq!((Xor::INPUTS, Xor::OUTPUTS), (2, 1));
    assert_eq!(Xor::PARAMS, 4 * 2 + 4 + 4 + 1);
    assert_eq!(Xor::BYTES, 17 * 4);
    assert_eq!(Xor::MACS, 4 * 2 + 4);
    assert_eq!(Xor::ARCHITECTURE, "2 => 4 relu => 1 sigmoid");
    assert_eq!(Deep::PARAMS, 5 * 3 + 5 + 4 * 5 + 4 + 2 * 4 + 2);
    assert_eq!(Deep::BYTES, Deep::PARAMS * 8);
    assert_eq!(Deep::ARCHITECTURE, "3 => 5 tanh => 4 gelu => 2 softmax");
}

#[test]
fn fields_are_the_static_layers() {
    let net = Xor::new(1);
    let _: &Dense<f32, 2, 4, Relu> = &net.l1;
    let _: &Dense<f32, 4, 1, Sigmoid> = &net.l2;
    let relu = nn::Layer {
        outputs: 4,
        inputs: 2,
        activation: "relu",
        init: nn::Init::He,
    };
    let sigmoid = nn::Layer {
        outputs: 1,
        inputs: 4,
        activation: "sigmoid",
        init: nn::Init::Glorot,
    };
    assert_eq!(Xor::LAYERS, [relu, sigmoid]);
    let sizes: Vec<usize> = net.params().map(<[f32]>::len).collect();
    assert_eq!(sizes, [8, 4, 4, 1]);
}

#[test]
fn seeded_init_is_reproducible_and_scaled() {
    assert_eq!(Xor::new(5), Xor::new(5));
    assert_ne!(Xor::new(5), Xor::new(6));
    let net = Deep::new(5);
    // Glorot for tanh: |w| <= sqrt(6 / (3 + 5)); biases start at zero.
    let limit = (6.0f64 / 8.0).sqrt();
    assert!(net.l1.weight.iter().all(|w| w.abs() <= limit));
    assert!(net.l1.weight.iter().any(|w| w.abs() > limit / 2.0));
    assert!(net.l1.bias.iter().all(|&b| b == 0.0));
    let he = (6.0f32 / 2.0).sqrt();
    let xor = Xor::new(5);
    assert!(xor.l1.weight.iter().all(|w| w.abs() <= he));
    assert!(xor
        .l1
        .weight
        .iter()
        .any(|w| w.abs() > (6.0f32 / 6.0).sqrt()));
}

#[test]
fn summary_lists_layers_and_counts() {
    let s = Xor::new(0).summary();
    assert!(s.contains("relu") && s.contains("sigmoid"), "{s}");
    // Each layer's row: its name, the weights' shape, its parameters (outputs × (inputs + 1)).
    let rows: Vec<Vec<&str>> = s.lines().map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows[1], ["l1", "4×2", "12", "relu"], "{s}");
    assert_eq!(rows[2], ["l2", "1×4", "5", "sigmoid"], "{s}");
    assert!(
        s.contains("17 parameters (68 bytes, inline), 12 multiply-adds"),
        "{s}"
    );
}
