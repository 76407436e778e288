//! Activations: each is a unit struct with `f` and its derivative side by side.
use crate::Float;
use core::fmt::Debug;

/// A nonlinearity applied to a layer's pre-activation `z = W·x + b`.
///
/// Both methods work in place on a matrix's elements, column by column: `rows` values per
/// sample. `backward` is the vector-Jacobian product: it turns `∂L/∂a` into `∂L/∂z`, which for
/// an elementwise `f` is `∂L/∂a ⊙ f'(z)`.
pub trait Activation: Copy + Default + Debug + PartialEq + Eq + Send + Sync + 'static {
    /// The name used in `network!` and in saved files, such as `"relu"`.
    const NAME: &'static str;
    /// How [`Model::new`](crate::Model::new) draws the weights of a layer with this
    /// activation.
    const INIT: Init;
    /// Replaces `z` by `a = f(z)`.
    fn forward<T: Float>(z: &mut [T], rows: usize);
    /// Replaces `∂L/∂a` in `grad` by `∂L/∂z`, given `z` and `a = f(z)`.
    fn backward<T: Float>(z: &[T], a: &[T], grad: &mut [T], rows: usize);
}

/// The initial weights' distribution: uniform in `±limit`, as Keras's initializers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Init {
    /// He, for the relu family (Keras's `he_uniform`): `limit = sqrt(6 / fan_in)`.
    He,
    /// Glorot (Keras's default, `glorot_uniform`): `limit = sqrt(6 / (fan_in + fan_out))`.
    Glorot,
}

/// Declares elementwise activations, each from `f(x)` and `f'(x)` (which may use `y = f(x)`).
macro_rules! elementwise {
    ($($(#[$doc:meta])* $name:ident, $s:literal, $init:ident, |$x:ident| $f:expr, |$dx:ident, $y:ident| $df:expr;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $name;

        impl Activation for $name {
            const NAME: &'static str = $s;
            const INIT: Init = Init::$init;
            fn forward<T: Float>(z: &mut [T], _: usize) {
                z.iter_mut().for_each(|v| *v = (|$x: T| $f)(*v));
            }
            fn backward<T: Float>(z: &[T], a: &[T], grad: &mut [T], _: usize) {
                for ((g, &$dx), &$y) in grad.iter_mut().zip(z).zip(a) {
                    *g *= $df;
                }
            }
        }
    )*};
}

/// `σ(x) = 1 / (1 + e^(-x))`.
fn sigmoid<T: Float>(x: T) -> T {
    T::one() / (T::one() + (-x).exp())
}

elementwise! {
    /// `f(x) = x`, `f'(x) = 1`.
    Linear, "linear", Glorot, |x| x, |_x, _y| T::one();
    /// `f(x) = max(x, 0)` (NaN stays NaN, as in PyTorch), `f'(x) = [x > 0]`.
    Relu, "relu", He, |x| if x < T::zero() { T::zero() } else { x }, |x, _y| if x > T::zero() { T::one() } else { T::zero() };
    /// `f(x) = max(x, 0.01·x)`, `f'(x) = 1` for `x > 0`, else `0.01`.
    LeakyRelu, "leaky_relu", He, |x| if x < T::zero() { x * T::cast(0.01) } else { x }, |x, _y| if x > T::zero() { T::one() } else { T::cast(0.01) };
    /// `f(x) = σ(x) = 1 / (1 + e^(-x))`, `f'(x) = y·(1 - y)`.
    Sigmoid, "sigmoid", Glorot, |x| sigmoid(x), |_x, y| y * (T::one() - y);
    /// `f(x) = tanh(x)`, `f'(x) = 1 - y²`.
    Tanh, "tanh", Glorot, |x| x.tanh(), |_x, y| T::one() - y * y;
    /// `f(x) = x·Φ(x) = x/2·(1 + erf(x/√2))`, the exact GELU; `f'(x) = Φ(x) + x·φ(x)`.
    Gelu, "gelu", Glorot,
    |x| x * T::cast(0.5) * (T::one() + (x * T::cast(core::f64::consts::FRAC_1_SQRT_2)).erf()),
    |x, _y| T::cast(0.5) * (T::one() + (x * T::cast(core::f64::consts::FRAC_1_SQRT_2)).erf())
        + x * (-x * x * T::cast(0.5)).exp() * T::cast(0.398_942_280_401_432_7);
    /// `f(x) = max(x, 0) + (e^min(x, 0) - 1)`: `x` for `x > 0`, else `e^x - 1` (alpha 1);
    /// `f'(x) = e^min(x, 0)`.
    Elu, "elu", Glorot, |x| if x < T::zero() { x.exp_m1() } else { x }, |x, _y| x.min(T::zero()).exp();
    /// `f(x) = x·σ(x)`, `f'(x) = σ(x)·(1 + x·(1 - σ(x)))`.
    Silu, "silu", Glorot, |x| x * sigmoid(x), |x, _y| sigmoid(x) * (T::one() + x * (T::one() - sigmoid(x)));
    /// `f(x) = ln(1 + e^x)`, computed as `max(x, 0) + ln(1 + e^(-|x|))`; `f'(x) = σ(x)`.
    Softplus, "softplus", Glorot, |x| x.max(T::zero()) + (-x.abs()).exp().ln_1p(), |x, _y| sigmoid(x);
}

/// `a_i = e^(z_i) / Σ_j e^(z_j)` over each column, computed with the column's maximum
/// subtracted first so that no `exp` overflows. Its `backward` is `a ⊙ (g - (g·a))` per
/// column: the softmax Jacobian applied to `g`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Softmax;

impl Activation for Softmax {
    const NAME: &'static str = "softmax";
    const INIT: Init = Init::Glorot;
    fn forward<T: Float>(z: &mut [T], rows: usize) {
        for col in z.chunks_mut(rows) {
            let max = col.iter().fold(col[0], |m, &v| m.max(v));
            col.iter_mut().for_each(|v| *v = (*v - max).exp());
            let sum = col.iter().fold(T::zero(), |s, &v| s + v);
            col.iter_mut().for_each(|v| *v /= sum);
        }
    }
    fn backward<T: Float>(_: &[T], a: &[T], grad: &mut [T], rows: usize) {
        for (g, a) in grad.chunks_mut(rows).zip(a.chunks(rows)) {
            let dot = g.iter().zip(a).fold(T::zero(), |s, (&g, &a)| s + g * a);
            g.iter_mut().zip(a).for_each(|(g, &a)| *g = a * (*g - dot));
        }
    }
}
