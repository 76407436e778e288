//! Optimizers with PyTorch's semantics: the trait, and SGD (Adam is the `adam` module). Their
//! state is shaped like the network (values of the network's own type), so a step is
//! arithmetic on arrays and allocates nothing.
//!
//! A step is all or nothing: a first pass computes every new weight without writing it, and
//! only if all are finite does a second pass write the weights and the optimizer's state. A
//! step that would make a weight NaN or infinite changes nothing.
use crate::error::ensure;
use crate::gemm::elementwise;
use crate::{Error, Model};
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
pub(crate) fn all_finite(finite: bool) -> Result<(), Error> {
    ensure(finite, || Error::NonFinite("weights", 0, 0))
}

/// Stochastic gradient descent with momentum `μ`, like `torch.optim.SGD`:
/// `v = μ·v + g; w -= lr·v` (with `μ = 0`, plain `w -= lr·g`, which leaves `v` as it was, so
/// that a momentum set later starts at `v = g`, as PyTorch's does). Its numbers are the
/// network's scalars: an `f32` network steps in `f32` arithmetic only.
#[derive(Clone, Debug, PartialEq)]
pub struct Sgd<N: Model> {
    /// The learning rate `lr`.
    pub lr: N::Scalar,
    /// The momentum `μ`.
    pub momentum: N::Scalar,
    pub(crate) velocity: N,
}

impl<N: Model> Sgd<N> {
    /// SGD with learning rate `lr` and momentum `μ` (0 for plain SGD).
    pub fn new(lr: N::Scalar, momentum: N::Scalar) -> Self {
        let velocity = N::default();
        Self {
            lr,
            momentum,
            velocity,
        }
    }

    /// The step, run by [`elementwise`].
    #[inline(always)]
    fn update(&mut self, net: &mut N, grads: &N) -> Result<(), Error> {
        let lr = self.lr;
        let mu = self.momentum;
        // The new velocity and weight.
        let new = |w: N::Scalar, g, v: N::Scalar| (mu * v + g, w - lr * (mu * v + g));
        // Plain SGD neither reads nor writes the velocity: `μ·v` is 0 for any finite `v`,
        // such as `g`.
        let plain = mu == nalgebra::zero();
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
        elementwise(
            #[inline(always)]
            || self.update(net, grads),
        )
    }
}
