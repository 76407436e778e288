//! Optimizers with PyTorch's semantics. Their state is shaped like the network (a value of the
//! network's own type), so a step is arithmetic on arrays and allocates nothing.
use crate::{c, Model};
use nalgebra::ComplexField;

/// Updates a network's parameters from the gradient of the loss.
pub trait Optimizer<N: Model> {
    /// Applies one update to `net` given `grads = ∂L/∂θ`, shaped like the network.
    fn step(&mut self, net: &mut N, grads: &N);
}

/// Stochastic gradient descent, like `torch.optim.SGD`: `g += λ·w; v = μ·v + g; w -= lr·v`.
#[derive(Clone, Debug, PartialEq)]
pub struct Sgd<N> {
    /// The learning rate `lr`.
    pub lr: f64,
    /// The momentum `μ` (0 for plain SGD).
    pub momentum: f64,
    /// The L2 penalty `λ` added to the gradient.
    pub weight_decay: f64,
    velocity: N,
}

impl<N: Model> Sgd<N> {
    /// Plain SGD: `w -= lr·g`.
    #[must_use]
    pub fn new(lr: f64) -> Self {
        Self::momentum(lr, 0.0)
    }
    /// SGD with momentum `μ`: `v = μ·v + g; w -= lr·v`.
    #[must_use]
    pub fn momentum(lr: f64, momentum: f64) -> Self {
        let (weight_decay, velocity) = (0.0, N::zeros());
        Self {
            lr,
            momentum,
            weight_decay,
            velocity,
        }
    }
}

impl<N: Model> Optimizer<N> for Sgd<N> {
    fn step(&mut self, net: &mut N, grads: &N) {
        let c = c::<N::Scalar>;
        let (lr, mu, wd) = (c(self.lr), c(self.momentum), c(self.weight_decay));
        let params = net.params_mut().flatten().zip(grads.params().flatten());
        for ((w, &g), v) in params.zip(self.velocity.params_mut().flatten()) {
            *v = mu * *v + g + wd * *w;
            *w -= lr * *v;
        }
    }
}

/// Adam, like `torch.optim.Adam` (or `AdamW` with [`Adam::adamw`]):
/// `m = β₁·m + (1-β₁)·g; v = β₂·v + (1-β₂)·g²; w -= lr·m̂ / (√v̂ + ε)` with the bias
/// corrections `m̂ = m / (1-β₁ᵗ)`, `v̂ = v / (1-β₂ᵗ)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Adam<N> {
    /// The learning rate `lr` (PyTorch's default is 0.001).
    pub lr: f64,
    /// `β₁`, the decay of the mean of the gradient (0.9).
    pub beta1: f64,
    /// `β₂`, the decay of the mean of its square (0.999).
    pub beta2: f64,
    /// `ε`, added after the square root (1e-8).
    pub eps: f64,
    /// The weight decay `λ`: an L2 term in the gradient for Adam, decoupled for AdamW.
    pub weight_decay: f64,
    /// AdamW's decoupled decay `w -= lr·λ·w` instead of adding `λ·w` to the gradient.
    pub decoupled: bool,
    t: i32,
    moments: (N, N),
}

impl<N: Model> Adam<N> {
    /// Adam with PyTorch's defaults and learning rate `lr`.
    #[must_use]
    pub fn new(lr: f64) -> Self {
        let (beta1, beta2, eps, weight_decay) = (0.9, 0.999, 1e-8, 0.0);
        let (decoupled, t, moments) = (false, 0, (N::zeros(), N::zeros()));
        Self {
            lr,
            beta1,
            beta2,
            eps,
            weight_decay,
            decoupled,
            t,
            moments,
        }
    }
    /// AdamW: Adam with decoupled weight decay `λ` (PyTorch's default is 0.01).
    #[must_use]
    pub fn adamw(lr: f64, weight_decay: f64) -> Self {
        Self {
            weight_decay,
            decoupled: true,
            ..Self::new(lr)
        }
    }
}

impl<N: Model> Optimizer<N> for Adam<N> {
    fn step(&mut self, net: &mut N, grads: &N) {
        self.t += 1;
        let (b1, b2) = (self.beta1, self.beta2);
        let (c1, c2) = (1.0 - b1.powi(self.t), 1.0 - b2.powi(self.t));
        let c = c::<N::Scalar>;
        let (lr, eps, wd) = (c(self.lr), c(self.eps), c(self.weight_decay));
        let (c1, c2, b1, b2, one) = (c(c1), c(c2), c(b1), c(b2), c(1.0));
        let (m, v) = &mut self.moments;
        let params = net.params_mut().flatten().zip(grads.params().flatten());
        let moments = m.params_mut().flatten().zip(v.params_mut().flatten());
        for ((w, &g), (m, v)) in params.zip(moments) {
            let g = if self.decoupled {
                *w -= lr * wd * *w;
                g
            } else {
                g + wd * *w
            };
            *m = b1 * *m + (one - b1) * g;
            *v = b2 * *v + (one - b2) * g * g;
            *w -= lr * (*m / c1) / ((*v / c2).sqrt() + eps);
        }
    }
}
