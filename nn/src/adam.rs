//! Adam and AdamW, with PyTorch's semantics: each step all or nothing, as SGD's.
use crate::gemm::elementwise;
use crate::optim::all_finite;
use crate::{Error, Float, Model, Optimizer};
use nalgebra::ComplexField;

/// Adam, like `torch.optim.Adam`, and with a weight decay `λ`, AdamW (`torch.optim.AdamW`):
/// `w -= lr·λ·w; m = β₁·m + (1-β₁)·g; v = β₂·v + (1-β₂)·g²; w -= lr·m̂ / (√v̂ + ε)`, with the
/// bias corrections `m̂ = m / (1-β₁ᵗ)` and `v̂ = v / (1-β₂ᵗ)`. Its numbers are the network's
/// scalars, and a step computes in them alone (the bias corrections too): an `f32` network
/// steps in `f32` arithmetic only, as a microcontroller without an `f64` unit wants.
#[derive(Clone, Debug, PartialEq)]
pub struct Adam<N: Model> {
    /// The learning rate `lr` (PyTorch's default is 0.001).
    pub lr: N::Scalar,
    /// `(β₁, β₂)`, the decays of the moving means of `g` and `g²`: `(0.9, 0.999)`.
    pub betas: (N::Scalar, N::Scalar),
    /// `ε`, added after the square root: 1e-8.
    pub eps: N::Scalar,
    /// AdamW's decoupled weight decay `λ` (0 for Adam).
    pub weight_decay: N::Scalar,
    /// The number of steps taken, `t` (PyTorch's `state['step']`).
    pub t: u64,
    pub(crate) moments: (N, N),
}

impl<N: Model> Adam<N> {
    /// Adam with PyTorch's defaults and learning rate `lr`.
    pub fn new(lr: N::Scalar) -> Self {
        Self::adamw(lr, nalgebra::zero())
    }
    /// AdamW: Adam with decoupled weight decay `λ` (PyTorch's default is 0.01).
    pub fn adamw(lr: N::Scalar, weight_decay: N::Scalar) -> Self {
        Self {
            lr,
            betas: (N::Scalar::cast(0.9), N::Scalar::cast(0.999)),
            eps: N::Scalar::cast(1e-8),
            weight_decay,
            t: 0,
            moments: (N::default(), N::default()),
        }
    }

    /// The step, run by [`elementwise`].
    #[inline(always)]
    fn update(&mut self, net: &mut N, grads: &N) -> Result<(), Error> {
        let one: N::Scalar = nalgebra::one();
        let (b1, b2) = self.betas;
        let t = N::Scalar::count(self.t) + one;
        // The bias corrections `1 - βᵗ`.
        let correction1 = one - b1.powf(t);
        let correction2 = one - b2.powf(t);
        let decay = one - self.lr * self.weight_decay;
        let lr = self.lr;
        let eps = self.eps;
        let one_minus_b1 = one - b1;
        let one_minus_b2 = one - b2;
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
