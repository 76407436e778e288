//! Every activation against values computed by hand from its definition, and its derivative
//! against a central difference.
use nn::{Activation, SMatrix, SVector};
use nn::{Elu, Gelu, LeakyRelu, Linear, Relu, Sigmoid, Silu, Softmax, Softplus, Tanh};

const XS: [f64; 6] = [-3.0, -1.0, -0.25, 0.5, 1.0, 2.5];

fn f<A: Activation>(x: f64) -> f64 {
    let mut v = [x];
    A::forward(&mut v, 1);
    v[0]
}

fn df<A: Activation>(x: f64) -> f64 {
    let mut g = [1.0];
    A::backward(&[x], &[f::<A>(x)], &mut g, 1);
    g[0]
}

/// Checks `f` against `expected` and `f'` against a central difference of `f`.
fn check<A: Activation>(expected: impl Fn(f64) -> f64) {
    for x in XS {
        let (got, want) = (f::<A>(x), expected(x));
        assert!(
            (got - want).abs() < 1e-12,
            "{}({x}) = {got}, expected {want}",
            A::NAME
        );
        let h = 1e-6;
        let numeric = (f::<A>(x + h) - f::<A>(x - h)) / (2.0 * h);
        let got = df::<A>(x);
        assert!(
            (got - numeric).abs() < 1e-7,
            "{}'({x}) = {got}, expected {numeric}",
            A::NAME
        );
    }
}

/// `a = f(z)` for a matrix `z` with one sample per column: the activation's `forward` in place.
fn apply<A: Activation, T: nn::Float, const R: usize, const C: usize>(
    mut z: SMatrix<T, R, C>,
) -> SMatrix<T, R, C> {
    A::forward(z.as_mut_slice(), R);
    z
}

#[test]
fn linear() {
    check::<Linear>(|x| x);
}

#[test]
fn relu() {
    check::<Relu>(|x| if x > 0.0 { x } else { 0.0 });
}

#[test]
fn leaky_relu() {
    check::<LeakyRelu>(|x| if x > 0.0 { x } else { 0.01 * x });
}

#[test]
fn sigmoid() {
    check::<Sigmoid>(|x| 1.0 / (1.0 + (-x).exp()));
    assert_eq!(f::<Sigmoid>(-1000.0), 0.0);
    assert_eq!(f::<Sigmoid>(1000.0), 1.0);
}

#[test]
fn tanh() {
    check::<Tanh>(|x| (x.exp() - (-x).exp()) / (x.exp() + (-x).exp()));
}

#[test]
fn gelu() {
    // Golden values of x·Φ(x), computed with Python: `x * 0.5 * (1 + math.erf(x / math.sqrt(2)))`.
    let golden = [
        (-3.0, -0.004_049_694_094_890_31),
        (-1.0, -0.158_655_253_931_457_07),
        (0.5, 0.345_731_230_637_006_56),
        (2.5, 2.484_475_836_685_559_7),
    ];
    for (x, y) in golden {
        assert!((f::<Gelu>(x) - y).abs() < 1e-12, "gelu({x})");
    }
    check::<Gelu>(|x| x * 0.5 * (1.0 + libm::erf(x / 2f64.sqrt())));
}

#[test]
fn elu() {
    check::<Elu>(|x| if x > 0.0 { x } else { x.exp() - 1.0 });
}

#[test]
fn silu() {
    check::<Silu>(|x| x / (1.0 + (-x).exp()));
}

#[test]
fn softplus() {
    check::<Softplus>(|x| (1.0 + x.exp()).ln());
    assert_eq!(f::<Softplus>(1000.0), 1000.0);
    assert_eq!(f::<Softplus>(-1000.0), 0.0);
}

#[test]
fn f32_matches_f64() {
    let z = SVector::<f32, 3>::new(-1.5, 0.3, 2.0);
    let (a, b) = (
        apply::<Gelu, _, 3, 1>(z),
        apply::<Gelu, _, 3, 1>(z.cast::<f64>()),
    );
    assert!((a.cast::<f64>() - b).abs().max() < 1e-6);
}

#[test]
fn softmax_by_hand() {
    let z = SVector::<f64, 3>::new(1.0, 2.0, 3.0);
    let e = [1f64.exp(), 2f64.exp(), 3f64.exp()];
    let sum: f64 = e.iter().sum();
    let a = apply::<Softmax, _, 3, 1>(z);
    for i in 0..3 {
        assert!((a[i] - e[i] / sum).abs() < 1e-15);
    }
}

#[test]
fn softmax_is_stable_for_large_inputs() {
    let z =
        SMatrix::<f32, 3, 2>::from_column_slice(&[1000.0, -1000.0, 999.0, 0.0, 1000.0, -1000.0]);
    let a = apply::<Softmax, _, 3, 2>(z);
    assert!(a.iter().all(|v| v.is_finite()), "{a}");
    for col in a.column_iter() {
        assert!((col.sum() - 1.0).abs() < 1e-6);
    }
    assert!((a[(0, 0)] - 1.0 / (1.0 + (-1f32).exp())).abs() < 1e-6);
    assert_eq!(a[(1, 0)], 0.0);
    assert!((a[(1, 1)] - 1.0).abs() < 1e-6);
}

#[test]
fn softmax_backward_is_the_jacobian_product() {
    // J = diag(a) - a·aᵀ; the vector-Jacobian product is Jᵀ·g = J·g.
    let z = SVector::<f64, 3>::new(0.2, -1.0, 0.7);
    let g = SVector::<f64, 3>::new(1.0, -2.0, 0.5);
    let a = apply::<Softmax, _, 3, 1>(z);
    let jacobian = SMatrix::<f64, 3, 3>::from_diagonal(&a) - a * a.transpose();
    let mut got = g;
    Softmax::backward(z.as_slice(), a.as_slice(), got.as_mut_slice(), 3);
    assert!((got - jacobian * g).abs().max() < 1e-15);
}

/// NaN propagates through every activation, as in PyTorch: `max(NaN, 0)` would make it 0.
/// (Mutations caught: relu, leaky_relu or elu written with `max`/`min` again.)
#[test]
fn nan_stays_nan() {
    fn nan<A: Activation>() {
        assert!(f::<A>(f64::NAN).is_nan(), "{}(NaN)", A::NAME);
    }
    nan::<Linear>();
    nan::<Relu>();
    nan::<LeakyRelu>();
    nan::<Sigmoid>();
    nan::<Tanh>();
    nan::<Gelu>();
    nan::<Elu>();
    nan::<Silu>();
    nan::<Softplus>();
    let mut column = [0.2, f64::NAN, 0.7];
    Softmax::forward(&mut column, 3);
    assert!(column.iter().all(|v| v.is_nan()));
}
