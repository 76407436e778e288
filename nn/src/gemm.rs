//! The one matrix product every layer's forward and backward pass is made of. This is the
//! seam where a GPU's or a BLAS's GEMM would plug in.
use crate::Float;
use nalgebra::{DMatrixView, DMatrixViewMut, SMatrixView, SMatrixViewMut};

/// Below this many multiply-adds, a product runs as nalgebra's loops over static sizes,
/// which the compiler unrolls; from it on, as the blocked GEMM of `matrixmultiply`.
pub const BLOCKED_GEMM: usize = 32_768;

/// How an operand of [`gemm`] is read: as stored, or transposed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// As stored.
    N,
    /// Transposed: the slice holds the operand's transpose.
    T,
}

/// Computes `c += a·b` with `c` an `M×N` matrix, `a` an `M×K` and `b` a `K×N` one, each a
/// column-major slice; an operand read with [`Op::T`] is stored as its transpose. A layer's
/// three products are `Z += W·X`, `G = Wᵀ·Δ` and `∂W += Δ·Xᵀ`.
///
/// Products of at least [`BLOCKED_GEMM`] multiply-adds whose sizes all exceed 5 go through
/// nalgebra's dynamic-size `gemm` on views of the same memory, which calls `matrixmultiply`'s
/// blocked, vectorised GEMM (with `std`); transposes are views with swapped strides, so
/// nothing is copied. Smaller products stay static.
///
/// ```
/// use nn::{gemm, Op, SMatrix};
/// let w = SMatrix::<f32, 2, 3>::new(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
/// let x = SMatrix::<f32, 3, 1>::new(1.0, 0.0, -1.0);
/// let mut z = SMatrix::<f32, 2, 1>::zeros();
/// gemm::<f32, 2, 3, 1>(z.as_mut_slice(), (w.as_slice(), Op::N), (x.as_slice(), Op::N));
/// assert_eq!(z, w * x);
/// let mut g = SMatrix::<f32, 3, 1>::zeros();
/// gemm::<f32, 3, 2, 1>(g.as_mut_slice(), (w.as_slice(), Op::T), (z.as_slice(), Op::N));
/// assert_eq!(g, w.transpose() * z);
/// ```
#[inline]
pub fn gemm<T: Float, const M: usize, const K: usize, const N: usize>(
    c: &mut [T],
    (a, op_a): (&[T], Op),
    (b, op_b): (&[T], Op),
) {
    let one = T::one();
    if M * K * N >= BLOCKED_GEMM && M.min(K).min(N) > 5 {
        // Column-major: element (r, c) at r + c·rows; a transpose swaps the strides.
        let view = |s, rows, cols, op| match op {
            Op::N => DMatrixView::from_slice_with_strides(s, rows, cols, 1, rows),
            Op::T => DMatrixView::from_slice_with_strides(s, rows, cols, cols, 1),
        };
        let mut c = DMatrixViewMut::from_slice(c, M, N);
        c.gemm(one, &view(a, M, K, op_a), &view(b, K, N, op_b), one);
        return;
    }
    let mut c = SMatrixViewMut::<T, M, N>::from_slice(c);
    match (op_a, op_b) {
        (Op::N, Op::N) => {
            let a = SMatrixView::<T, M, K>::from_slice(a);
            c.gemm(one, &a, &SMatrixView::<T, K, N>::from_slice(b), one);
        }
        (Op::T, Op::N) => {
            let a = SMatrixView::<T, K, M>::from_slice(a);
            c.gemm_tr(one, &a, &SMatrixView::<T, K, N>::from_slice(b), one);
        }
        (Op::N, Op::T) => {
            let a = SMatrixView::<T, M, K>::from_slice(a);
            let b = SMatrixView::<T, N, K>::from_slice(b);
            for (a, b) in a.column_iter().zip(b.column_iter()) {
                c.ger(one, &a, &b, one);
            }
        }
        (Op::T, Op::T) => {
            let a = SMatrixView::<T, K, M>::from_slice(a);
            c.gemm_tr(
                one,
                &a,
                &SMatrixView::<T, N, K>::from_slice(b).transpose(),
                one,
            );
        }
    }
}
