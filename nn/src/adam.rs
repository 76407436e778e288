//! Adam and AdamW, with PyTorch's semantics: each step all or nothing, as SGD's.
use crate::gemm::elementwise;
use crate::optim::all_finite;
use crate::{Error, Float, Model, Optimizer};
use nalgebra::ComplexField;

/// Adam, like `torch.optim.Adam`, and with a weight decay `λ`, AdamW (`torch.optim.AdamW`):
/// `w -= lr·λ·w; m = β₁·m + (1-β₁)·g; v = β₂·v + (1-β₂)·g²; w -= lr·m̂ / (√v̂ + ε)`, with the
/// bias corrections `m̂ = m / (1-β₁ᵗ)` and `v̂ = v / (1-β₂ᵗ)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Adam<N> {
    /// The learning rate `lr` (PyTorch's default is 0.001).
    pub lr: f64,
    /// `(β₁, β₂)`, the decays of the moving means of `g` and `g²`: `(0.9, 0.999)`.
    pub betas: (f64, f64),
    /// `ε`, added after the square root: 1e-8.
    pub eps: f64,
    /// AdamW's decoupled weight decay `λ` (0 for Adam).
    pub weight_decay: f64,
    /// The number of steps taken, `t` (PyTorch's `state['step']`).
    pub t: u64,
    pub(crate) moments: (N, N),
}

impl<N: Model> Adam<N> {
    /// Adam with PyTorch's defaults and learning rate `lr`.
    pub fn new(lr: f64) -> Self {
        Self::adamw(lr, 0.0)
    }
    /// AdamW: Adam with decoupled weight decay `λ` (PyTorch's default is 0.01).
    pub fn adamw(lr: f64, weight_decay: f64) -> Self {
        Self {
            lr,
            betas: (0.9, 0.999),
            eps: 1e-8,
            weight_decay,
            t: 0,
            moments: (N::default(), N::default()),
        }
    }

    /// The step, run by [`elementwise`].
    #[inline(always)]
    fn update(&mut self, net: &mut N, grads: &N) -> Result<(), Error> {
        let cast = N::Scalar::cast;
        let (beta1, beta2) = self.betas;
        let t = self.t as f64 + 1.0;
        // The bias corrections `1 - βᵗ`.
        let correction1 = cast(1.0 - libm::pow(beta1, t));
        let correction2 = cast(1.0 - libm::pow(beta2, t));
        let decay = cast(1.0 - self.lr * self.weight_decay);
        let lr = cast(self.lr);
        let eps = cast(self.eps);
        let b1 = cast(beta1);
        let b2 = cast(beta2);
        let one_minus_b1 = cast(1.0 - beta1);
        let one_minus_b2 = cast(1.0 - beta2);
        // The new first and second moments and weight.
        let new = |w: N::Scalar, g: N::Scalar, (m, v): (N::Scalar, N::Scalar)| {
            let m = b1 * m + one_minus_b1 * g;
            let v = b2 * v + one_minus_b2 * g * g;
            let m_hat = m / correction1;
            let v_hat = v / correction2;
            (m, v, decay * w - lr * m_hat / (v_hat.sqrt() + eps))
        };
        let mut finite = true;
        let tensors = net.params().zip(grads.params());
        let moments = self.moments.0.params().zip(self.moments.1.params());
        for ((w, g), (m, v)) in tensors.zip(moments) {
            for ((&w, &g), (&m, &v)) in w.iter().zip(g).zip(m.iter().zip(v)) {
                finite &= new(w, g, (m, v)).2.is_finite();
            }
        }
        all_finite(finite)?;
        self.t += 1;
        let tensors = net.params_mut().zip(grads.params());
        let moments = self.moments.0.params_mut().zip(self.moments.1.params_mut());
        for ((w, g), (m, v)) in tensors.zip(moments) {
            for ((w, &g), (m, v)) in w.iter_mut().zip(g).zip(m.iter_mut().zip(v)) {
                (*m, *v, *w) = new(*w, g, (*m, *v));
            }
        }
        Ok(())
    }
}

impl<N: Model> Optimizer<N> for Adam<N> {
    const ALL_OR_NOTHING: bool = true;

    fn step(&mut self, net: &mut N, grads: &N) -> Result<(), Error> {
        elementwise(
            #[inline(always)]
            || self.update(net, grads),
        )
    }
}
