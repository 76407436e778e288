//! Optimizers with PyTorch's semantics. Their state is shaped like the network (values of the
//! network's own type), so a step is arithmetic on arrays and allocates nothing.
//!
//! A step is all or nothing: a first pass computes every new weight without writing it, and
//! only if all are finite does a second pass write the weights and the optimizer's state. A
//! step that would make a weight NaN or infinite changes nothing.
use crate::error::ensure;
use crate::gemm::simd;
use crate::{c, Error, Model};
use nalgebra::ComplexField;

/// Updates a network's parameters from the gradient of the loss.
///
/// An optimizer of your own that writes as it goes is not all or nothing, so [`crate::Trainer`]
/// keeps a copy of the weights to restore if a step leaves a NaN:
///
/// ```
/// use nn::prelude::*;
/// use nn::{BinaryCrossEntropy, Error, Optimizer, Sgd, Trainer};
/// network! { struct Net < 2 => 1 sigmoid > }
///
/// struct Plain(f32);
/// impl Optimizer<Net> for Plain {
///     fn step(&mut self, net: &mut Net, grads: &Net) -> Result<(), Error> {
///         for (w, g) in net.params_mut().zip(grads.params()) {
///             w.iter_mut().zip(g).for_each(|(w, g)| *w -= self.0 * g);
///         }
///         Ok(())
///     }
/// }
/// assert!(!<Plain as Optimizer<Net>>::ALL_OR_NOTHING);
/// assert!(<Sgd<Net> as Optimizer<Net>>::ALL_OR_NOTHING);
///
/// let mut net = Net::new(0);
/// let x = [SVector::from([1.0, 0.0])];
/// let y = [SVector::from([1.0])];
/// let mut trainer = Trainer::new(Plain(f32::INFINITY), BinaryCrossEntropy);
/// assert!(trainer.step(&mut net, (&x, &y)).is_err());
/// assert_eq!(net, Net::new(0));
/// ```
pub trait Optimizer<N: Model> {
    /// Applies one update to `net` given `grads = ∂L/∂θ`, shaped like the network.
    ///
    /// # Errors
    /// [`Error::NonFinite`] (`"weights"`) if the update would make a weight NaN or infinite;
    /// then neither `net` nor the optimizer's state has changed.
    fn step(&mut self, net: &mut N, grads: &N) -> Result<(), Error>;

    /// Whether [`Optimizer::step`] is all or nothing: it returns `Err` whenever a new weight
    /// would not be finite, and then has changed neither `net` nor itself. [`crate::Trainer`]
    /// keeps a copy of the last good weights only for an optimizer that is not.
    const ALL_OR_NOTHING: bool = false;
}

/// `Err` unless every new weight is finite (the end of a step's first pass).
fn all_finite(finite: bool) -> Result<(), Error> {
    ensure(finite, || Error::NonFinite("weights", 0, 0))
}

/// Stochastic gradient descent with momentum `μ`, like `torch.optim.SGD`:
/// `v = μ·v + g; w -= lr·v` (with `μ = 0`, plain `w -= lr·g`, which leaves `v` as it was, so
/// that a momentum set later starts at `v = g`, as PyTorch's does).
#[derive(Clone, Debug, PartialEq)]
pub struct Sgd<N> {
    /// The learning rate `lr`.
    pub lr: f64,
    /// The momentum `μ`.
    pub momentum: f64,
    velocity: N,
}

impl<N: Model> Sgd<N> {
    /// SGD with learning rate `lr` and momentum `μ` (0 for plain SGD).
    pub fn new(lr: f64, momentum: f64) -> Self {
        let velocity = N::default();
        Self {
            lr,
            momentum,
            velocity,
        }
    }

    /// The step, compiled into [`simd`]'s dispatch.
    #[inline(always)]
    fn update(&mut self, net: &mut N, grads: &N) -> Result<(), Error> {
        let lr = c::<N::Scalar>(self.lr);
        let mu = c::<N::Scalar>(self.momentum);
        // The new velocity and weight.
        let new = |w: N::Scalar, g, v: N::Scalar| (mu * v + g, w - lr * (mu * v + g));
        // Plain SGD neither reads nor writes the velocity: `μ·v` is 0 for any finite `v`,
        // such as `g`.
        let plain = self.momentum == 0.0;
        let velocity = if plain {
            grads.params()
        } else {
            self.velocity.params()
        };
        let mut finite = true;
        for ((w, g), v) in net.params().zip(grads.params()).zip(velocity) {
            for ((&w, &g), &v) in w.iter().zip(g).zip(v) {
                finite &= new(w, g, v).1.is_finite();
            }
        }
        all_finite(finite)?;
        if plain {
            for (w, g) in net.params_mut().zip(grads.params()) {
                w.iter_mut().zip(g).for_each(|(w, &g)| *w -= lr * g);
            }
            return Ok(());
        }
        let tensors = net.params_mut().zip(grads.params());
        for ((w, g), v) in tensors.zip(self.velocity.params_mut()) {
            for ((w, &g), v) in w.iter_mut().zip(g).zip(v) {
                (*v, *w) = new(*w, g, *v);
            }
        }
        Ok(())
    }
}

impl<N: Model> Optimizer<N> for Sgd<N> {
    const ALL_OR_NOTHING: bool = true;

    fn step(&mut self, net: &mut N, grads: &N) -> Result<(), Error> {
        simd(
            #[inline(always)]
            || self.update(net, grads),
        )
    }
}

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
    moments: (N, N),
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

    /// The step, compiled into [`simd`]'s dispatch.
    #[inline(always)]
    fn update(&mut self, net: &mut N, grads: &N) -> Result<(), Error> {
        let c = c::<N::Scalar>;
        let (b1, b2) = self.betas;
        let t = self.t as f64 + 1.0;
        let c1 = c(1.0 - libm::pow(b1, t));
        let c2 = c(1.0 - libm::pow(b2, t));
        let decay = c(1.0 - self.lr * self.weight_decay);
        let lr = c(self.lr);
        let eps = c(self.eps);
        let k1 = c(b1);
        let k2 = c(b2);
        let j1 = c(1.0 - b1);
        let j2 = c(1.0 - b2);
        // The new first and second moments and weight.
        let new = |w: N::Scalar, g: N::Scalar, (m, v): (N::Scalar, N::Scalar)| {
            let m = k1 * m + j1 * g;
            let v = k2 * v + j2 * g * g;
            (m, v, decay * w - lr * (m / c1) / ((v / c2).sqrt() + eps))
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
        simd(
            #[inline(always)]
            || self.update(net, grads),
        )
    }
}
