// The functions every kernel may call: each activation `f(x)` and its derivative `df(x, y)`
// (`y = f(x)`), as the `activation` module computes them on the CPU, named after the
// activation in `network!`. Softmax works on whole columns: its kernels are in `wgsl.rs`.

// Whether `x` is neither NaN nor infinite, from its bits (WGSL may assume floats finite).
fn finite(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

fn sigmoid(x: f32) -> f32 {
    return 1.0 / (1.0 + exp(-x));
}

// `e^x - 1`, accurate near 0 where `exp(x) - 1` cancels.
fn expm1(x: f32) -> f32 {
    if abs(x) < 1e-2 {
        return x + x * x * (0.5 + x / 6.0);
    }
    return exp(x) - 1.0;
}

// `ln(1 + x)` for `x` in [0, 1], accurate near 0.
fn log1p(x: f32) -> f32 {
    if x < 1e-2 {
        return x - x * x * (0.5 - x / 3.0);
    }
    return log(1.0 + x);
}

// The error function, Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7).
fn erf(x: f32) -> f32 {
    let t = 1.0 / (1.0 + 0.3275911 * abs(x));
    let p = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    return sign(x) * (1.0 - p * exp(-x * x));
}

fn linear_f(x: f32) -> f32 { return x; }
fn linear_df(x: f32, y: f32) -> f32 { return 1.0; }
fn relu_f(x: f32) -> f32 { return select(x, 0.0, x < 0.0); }
fn relu_df(x: f32, y: f32) -> f32 { return select(0.0, 1.0, x > 0.0); }
fn leaky_relu_f(x: f32) -> f32 { return select(x, x * 0.01, x < 0.0); }
fn leaky_relu_df(x: f32, y: f32) -> f32 { return select(0.01, 1.0, x > 0.0); }
fn sigmoid_f(x: f32) -> f32 { return sigmoid(x); }
fn sigmoid_df(x: f32, y: f32) -> f32 { return y * (1.0 - y); }
// tanh's builtin may give NaN where `e^(2x)` overflows: clamped where tanh is ±1 in f32.
fn tanh_f(x: f32) -> f32 { return tanh(clamp(x, -15.0, 15.0)); }
fn tanh_df(x: f32, y: f32) -> f32 { return 1.0 - y * y; }
fn gelu_f(x: f32) -> f32 { return x * 0.5 * (1.0 + erf(x * 0.70710678)); }
fn gelu_df(x: f32, y: f32) -> f32 {
    return 0.5 * (1.0 + erf(x * 0.70710678)) + x * exp(-x * x * 0.5) * 0.39894228;
}
fn elu_f(x: f32) -> f32 { return select(x, expm1(x), x < 0.0); }
fn elu_df(x: f32, y: f32) -> f32 { return exp(min(x, 0.0)); }
fn silu_f(x: f32) -> f32 { return x * sigmoid(x); }
fn silu_df(x: f32, y: f32) -> f32 { return sigmoid(x) * (1.0 + x * (1.0 - sigmoid(x))); }
fn softplus_f(x: f32) -> f32 { return max(x, 0.0) + log1p(exp(-abs(x))); }
fn softplus_df(x: f32, y: f32) -> f32 { return sigmoid(x); }
// Softmax is its own kernel, after the product: here the identity.
fn softmax_f(x: f32) -> f32 { return x; }
