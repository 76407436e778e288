//! The generated backward pass against central finite differences in f64, for every activation
//! and every loss, on networks of two and three layers. Relative error must stay under 1e-6.
use nn::prelude::*;
use nn::{BinaryCrossEntropy, CrossEntropy, Loss, Mse};

network! { struct ReluSigmoid: f64 < 3 => 4 relu => 2 sigmoid > }
network! { struct LeakyTanh: f64 < 3 => 5 leaky_relu => 4 tanh => 2 linear > }
network! { struct GeluElu: f64 < 3 => 4 gelu => 4 elu => 3 softmax > }
network! { struct SiluSoftplus: f64 < 3 => 4 silu => 3 softplus => 2 sigmoid > }
network! { struct LinearSoftmax: f64 < 3 => 4 linear => 3 softmax > }
network! { struct TanhOut: f64 < 3 => 4 sigmoid => 2 tanh > }
network! { struct OutRelu: f64 < 3 => 4 tanh => 2 relu > }
network! { struct OutActs: f64 < 3 => 4 tanh => 3 gelu => 2 leaky_relu > }
network! { struct OutSmooth: f64 < 3 => 3 elu => 3 silu => 2 softplus > }

const B: usize = 3;

fn inputs<const I: usize>() -> SMatrix<f64, I, B> {
    SMatrix::from_fn(|r, c| ((r * 7 + c * 3) % 5) as f64 * 0.4 - 0.9)
}

/// Targets: one-hot per column for `one_hot`, else values in (0, 1).
fn targets<const O: usize>(one_hot: bool) -> SMatrix<f64, O, B> {
    SMatrix::from_fn(|r, c| match one_hot {
        true => f64::from(u8::from(r == c % O)),
        false => ((r + 2 * c) % 4) as f64 * 0.25 + 0.1,
    })
}

/// Compares every entry of `backward`'s gradient with `(L(θ+h) - L(θ-h)) / 2h`.
fn check<N, L, const I: usize, const O: usize>(seed: u64, one_hot: bool)
where
    N: Network<I, O, Scalar = f64>,
    L: Loss<N::Output>,
{
    let (net, x, y) = (N::new(seed), inputs::<I>(), targets::<O>(one_hot));
    let loss = |n: &N| loss_of::<N::Output, L>(n.logits_batch(&x).values(), y.as_slice(), O).0;
    let mut grads = N::default();
    let value = net.backward::<L, B>(&x, &y, &mut grads);
    assert!((value - loss(&net)).abs() < 1e-12);
    let analytic: Vec<f64> = grads.params().flatten().copied().collect();
    assert!(analytic.iter().filter(|g| g.abs() > 1e-6).count() > analytic.len() / 2);
    let h = 1e-5;
    for (k, &a) in analytic.iter().enumerate() {
        let nudged = |d: f64| {
            let mut n = net.clone();
            *n.params_mut().flatten().nth(k).expect("a parameter") += d;
            loss(&n)
        };
        let numeric = (nudged(h) - nudged(-h)) / (2.0 * h);
        let err = (a - numeric).abs() / a.abs().max(numeric.abs()).max(1e-3);
        assert!(
            err < 1e-6,
            "{}: parameter {k}: {a} vs {numeric}",
            N::ARCHITECTURE
        );
    }
}

/// The loss `L` summed over the columns of `z` (`rows` values each) and its `δ`.
fn loss_of<A: nn::Activation, L: Loss<A>>(z: &[f64], y: &[f64], rows: usize) -> (f64, Vec<f64>) {
    let mut a = z.to_vec();
    A::forward(&mut a, rows);
    let mut delta = vec![0.0; z.len()];
    L::delta(z, &a, y, &mut delta, rows);
    (L::loss(z, &a, y, rows), delta)
}

#[test]
fn mse_through_every_activation() {
    check::<ReluSigmoid, Mse, 3, 2>(1, false);
    check::<LeakyTanh, Mse, 3, 2>(2, false);
    check::<GeluElu, Mse, 3, 3>(3, false);
    check::<SiluSoftplus, Mse, 3, 2>(4, false);
    check::<TanhOut, Mse, 3, 2>(5, false);
    check::<OutRelu, Mse, 3, 2>(6, false);
    check::<OutActs, Mse, 3, 2>(7, false);
    check::<OutSmooth, Mse, 3, 2>(8, false);
    check::<LinearSoftmax, Mse, 3, 3>(9, true);
}

#[test]
fn binary_cross_entropy_on_sigmoid() {
    check::<ReluSigmoid, BinaryCrossEntropy, 3, 2>(11, false);
    check::<SiluSoftplus, BinaryCrossEntropy, 3, 2>(12, false);
}

#[test]
fn cross_entropy_on_softmax() {
    check::<GeluElu, CrossEntropy, 3, 3>(21, true);
    check::<LinearSoftmax, CrossEntropy, 3, 3>(22, true);
}

#[test]
fn losses_use_pytorch_reductions() {
    // MSE: mean over all elements; BCE: mean over all elements; CE: sum over classes.
    let z = [0.3, -1.2];
    let y = [1.0, 0.0];
    let mse = loss_of::<nn::Linear, Mse>(&z, &y, 2).0;
    assert!((mse - (0.7f64.powi(2) + 1.2f64.powi(2)) / 2.0).abs() < 1e-15);
    let s = |v: f64| 1.0 / (1.0 + (-v).exp());
    let bce = loss_of::<nn::Sigmoid, BinaryCrossEntropy>(&z, &y, 2).0;
    assert!((bce - -(s(0.3).ln() + (1.0 - s(-1.2)).ln()) / 2.0).abs() < 1e-12);
    let ce = loss_of::<nn::Softmax, CrossEntropy>(&z, &y, 2).0;
    assert!((ce - -(0.3f64.exp() / (0.3f64.exp() + (-1.2f64).exp())).ln()).abs() < 1e-12);
    // Stable for logits far out: no inf, no NaN.
    let far = [1000.0, -1000.0];
    let (ce, d) = loss_of::<nn::Softmax, CrossEntropy>(&far, &[0.0, 1.0], 2);
    assert!((ce - 2000.0).abs() < 1e-9 && d.iter().all(|v| v.is_finite()));
    let (bce, _) = loss_of::<nn::Sigmoid, BinaryCrossEntropy>(&far, &[0.0, 1.0], 2);
    assert!((bce - 1000.0).abs() < 1e-9);
    // The log-sum-exp comes from the largest output wherever it is (mutation caught: taking
    // the first output, whose softmax underflows to 0 here).
    let (ce, _) = loss_of::<nn::Softmax, CrossEntropy>(&[-1000.0, 1000.0], &[1.0, 0.0], 2);
    assert!((ce - 2000.0).abs() < 1e-9, "{ce}");
}
