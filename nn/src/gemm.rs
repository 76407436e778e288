//! The one matrix product every layer's forward and backward pass is made of. This is the
//! seam where a GPU's or a BLAS's GEMM would plug in.
use crate::{Float, Storage};
use nalgebra::{Const, DMatrixView, DMatrixViewMut, MatrixView, SMatrixView, SMatrixViewMut};

/// From this many multiply-adds on, a product of a [`crate::Heap`] network runs as the
/// blocked GEMM of `matrixmultiply`; below it, and always for an [`crate::Inline`] network,
/// as nalgebra's loops over static sizes, which the compiler unrolls and which touch no heap.
pub const BLOCKED_GEMM: usize = 32_768;

/// Which product [`gemm`] adds to `c`; `a` and `b` are column-major slices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Product {
    /// `c += a·b`, `a` stored `M×K`, `b` stored `K×N`: a layer's `Z += W·X`.
    AB,
    /// `c += aᵀ·b`, `a` stored `K×M`: the error passed down, `G = Wᵀ·Δ`.
    AtB,
    /// `c += a·bᵀ`, `b` stored `N×K`: the weights' gradient, `∂W += Δ·Xᵀ`.
    ABt,
}

/// Computes `c += a·b`, `aᵀ·b` or `a·bᵀ` (see [`Product`]) for an `M×N` matrix `c` and a
/// product over `K`, every matrix a column-major slice, for a layer in storage `S`.
///
/// With `std`, a [`crate::Heap`] network's products of at least [`BLOCKED_GEMM`]
/// multiply-adds whose sizes all exceed 5 go through nalgebra's dynamic-size `gemm` on views
/// of the same memory, which calls `matrixmultiply`'s blocked, vectorised GEMM (it allocates
/// its packing buffers); a transpose is a view with swapped strides, so nothing is copied.
/// Other products stay static and touch no heap: each one a sum of columns of the left
/// operand (`aᵀ` copied to the stack first when it has at most 4096 values, else dot
/// products).
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
    let one = T::one();
    let large = M * K * N >= BLOCKED_GEMM && M.min(K).min(N) > 5;
    if cfg!(feature = "std") && S::BLOCKED && large {
        // Column-major: element (r, c) at r + c·rows; a transpose swaps the strides.
        let view = |s, rows, cols, transposed| match transposed {
            false => DMatrixView::from_slice_with_strides(s, rows, cols, 1, rows),
            true => DMatrixView::from_slice_with_strides(s, rows, cols, cols, 1),
        };
        let a = view(a, M, K, product == Product::AtB);
        let b = view(b, K, N, product == Product::ABt);
        DMatrixViewMut::from_slice(c, M, N).gemm(one, &a, &b, one);
        return;
    }
    let mut c = SMatrixViewMut::<T, M, N>::from_slice(c);
    match product {
        Product::AB => {
            let a = SMatrixView::<T, M, K>::from_slice(a);
            c.gemm(one, &a, &SMatrixView::<T, K, N>::from_slice(b), one);
        }
        Product::AtB if M * K <= 4096 => transposed(c, SMatrixView::<T, K, M>::from_slice(a), b),
        Product::AtB => {
            let a = SMatrixView::<T, K, M>::from_slice(a);
            c.gemm_tr(one, &a, &SMatrixView::<T, K, N>::from_slice(b), one);
        }
        Product::ABt => {
            // `b` read as `K×N`: element (k, j) at `j + k·N`.
            let (k, n) = (Const::<K>, Const::<N>);
            let b = MatrixView::from_slice_with_strides_generic(b, k, n, n, Const::<1>);
            c.gemm(one, &SMatrixView::<T, M, K>::from_slice(a), &b, one);
        }
    }
}

/// `c += aᵀ·b` with `aᵀ` copied to the stack: a function of its own, so that even in a debug
/// build only the products whose `a` is small have a frame that holds it.
fn transposed<T: Float, const M: usize, const K: usize, const N: usize>(
    mut c: SMatrixViewMut<'_, T, M, N>,
    a: SMatrixView<'_, T, K, M>,
    b: &[T],
) {
    let one = T::one();
    c.gemm(
        one,
        &a.transpose(),
        &SMatrixView::<T, K, N>::from_slice(b),
        one,
    );
}
