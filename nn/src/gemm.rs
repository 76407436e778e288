//! The products seam: every product of a layer's forward and backward pass is one call of
//! [`gemm`]. Its meaning is three lines of nalgebra on views of the layer's memory (below, in
//! `plain`); the `kernel` module runs the same products faster on the CPU, and a GPU or a
//! BLAS would plug in here the same way.
use crate::{Float, Storage};
use nalgebra::{Const, MatrixView, SMatrixView, SMatrixViewMut};

/// Which product [`gemm`] adds to `c`; `a` and `b` are column-major slices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Product {
    /// `c += a·b`, `a` stored `M×K`, `b` stored `K×N`: a layer's `Z += W·X`.
    AB,
    /// `c += aᵀ·b`, `a` stored `K×M`: the gradient passed down, `G = Wᵀ·Δ`.
    AtB,
    /// `c += a·bᵀ`, `b` stored `N×K`: the weights' gradient, `∂W += Δ·Xᵀ`.
    ABt,
}

/// Computes `c += a·b`, `aᵀ·b` or `a·bᵀ` (see [`Product`]) for an `M×N` matrix `c` and a
/// product over `K`, every matrix a column-major slice, for a layer in storage `S`.
///
/// The `kernel` module computes it when it has a faster way (SIMD loops for static sizes, the
/// blocked GEMM of `matrixmultiply` for a [`crate::Heap`] network's large products: see
/// [`BLOCKED_GEMM`](crate::BLOCKED_GEMM)); otherwise nalgebra's product on views of the same
/// memory does. Either way a sum adds its terms in the same order on every machine.
/// Panics if a slice is shorter than its matrix.
///
/// ```
/// use nn::{gemm, Inline, Product, SMatrix};
/// let w = SMatrix::<f32, 2, 3>::new(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
/// let x = SMatrix::<f32, 3, 1>::new(1.0, 0.0, -1.0);
/// let mut z = SMatrix::<f32, 2, 1>::zeros();
/// gemm::<Inline, f32, 2, 3, 1>(z.as_mut_slice(), w.as_slice(), x.as_slice(), Product::AB);
/// assert_eq!(z, w * x);
/// let mut g = SMatrix::<f32, 3, 1>::zeros();
/// gemm::<Inline, f32, 3, 2, 1>(g.as_mut_slice(), w.as_slice(), z.as_slice(), Product::AtB);
/// assert_eq!(g, w.transpose() * z);
/// ```
#[inline]
pub fn gemm<S: Storage, T: Float, const M: usize, const K: usize, const N: usize>(
    c: &mut [T],
    a: &[T],
    b: &[T],
    product: Product,
) {
    if !crate::kernel::gemm::<S, T, M, K, N>(c, a, b, product) {
        plain::<T, M, K, N>(c, a, b, product);
    }
}

/// The product as nalgebra computes it, on views of the slices: `a`, `aᵀ` or `bᵀ` is a view
/// with its strides swapped, so nothing is copied.
#[inline]
fn plain<T: Float, const M: usize, const K: usize, const N: usize>(
    c: &mut [T],
    a: &[T],
    b: &[T],
    product: Product,
) {
    let one = T::one();
    let mut c = SMatrixViewMut::<T, M, N>::from_slice(c);
    match product {
        Product::AB => {
            let a = SMatrixView::<T, M, K>::from_slice(a);
            c.gemm(one, &a, &SMatrixView::<T, K, N>::from_slice(b), one);
        }
        Product::AtB => {
            let a = SMatrixView::<T, K, M>::from_slice(a);
            c.gemm_tr(one, &a, &SMatrixView::<T, K, N>::from_slice(b), one);
        }
        Product::ABt => {
            // `b` read as `K×N`: element (k, j) at `j + k·N`.
            let k = Const::<K>;
            let n = Const::<N>;
            let b = MatrixView::from_slice_with_strides_generic(b, k, n, n, Const::<1>);
            c.gemm(one, &SMatrixView::<T, M, K>::from_slice(a), &b, one);
        }
    }
}

/// Runs `pass`, a loop over every parameter (the gradient's mean, an optimizer's update),
/// compiled as the kernel compiles its products: the other arithmetic on whole arrays that a
/// back end takes over. Here, `pass()`; in `kernel`, with the widest SIMD instructions the CPU
/// has. `pass` must be an `#[inline(always)]` closure.
#[inline(always)]
pub(crate) fn elementwise<R>(pass: impl FnOnce() -> R) -> R {
    crate::kernel::simd(pass)
}
