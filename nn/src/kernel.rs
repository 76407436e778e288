//! The fast products behind the [`gemm`](crate::gemm) seam: a static kernel whose sums stay
//! in SIMD registers, and the blocked GEMM of `matrixmultiply` for large heap networks.
use crate::gemm::Product;
use crate::{Float, Storage};
use nalgebra::{DMatrixView, DMatrixViewMut, SMatrixView, SMatrixViewMut};

/// From this many multiply-adds on, a product of a [`crate::Heap`] network whose sides all
/// exceed 5 runs as the blocked GEMM of `matrixmultiply`; below it, and always for an
/// [`crate::Inline`] network, as loops over static sizes, which touch no heap.
pub const BLOCKED_GEMM: usize = 32_768;

/// A product with a side this short or shorter stays static: packing it for the blocked GEMM
/// would cost more than it saves.
const NARROW: usize = 5;

/// Below this many multiply-adds, a product runs as nalgebra's loops, which the compiler
/// unrolls whole: picking SIMD instructions at run time would cost more than it saves.
const TINY: usize = 512;

/// The most values a static product keeps on the stack: its sums, or a transposed operand.
const STACK: usize = 4096;

/// Adds the product to `c` if this module has a faster way than nalgebra's loops, and says
/// whether it did.
///
/// With `std`, a [`crate::Heap`] network's products of at least [`BLOCKED_GEMM`]
/// multiply-adds whose sides all exceed [`NARROW`] go through nalgebra's dynamic-size `gemm`
/// on views of the same memory, which calls `matrixmultiply`'s blocked, vectorised GEMM (it
/// allocates its packing buffers). Other products of at least [`TINY`] multiply-adds stay
/// static and touch no heap: the sums of a few columns of `c` at a time stay in registers
/// (`aᵀ` copied to the stack first, if it has at most [`STACK`] values), except for an `a·bᵀ`
/// whose columns are not a multiple of 8 long and whose rows are (a layer's gradient over a
/// batch of 8k samples), which runs as `cᵀ += b·aᵀ` on a copy of `cᵀ`. `pulp` compiles these
/// loops for the widest SIMD instructions the CPU has (AVX2 on most x86-64) and picks them at
/// run time; each sum adds its terms in the same order whatever the instructions.
#[inline]
pub(crate) fn gemm<S: Storage, T: Float, const M: usize, const K: usize, const N: usize>(
    c: &mut [T],
    a: &[T],
    b: &[T],
    product: Product,
) -> bool {
    if M * K * N < TINY {
        return false;
    }
    let large = M * K * N >= BLOCKED_GEMM && M.min(K).min(N) > NARROW;
    if cfg!(feature = "std") && S::BLOCKED && large {
        blocked::<T, M, K, N>(c, a, b, product);
        return true;
    }
    let a = &a[..M * K];
    let b = &b[..K * N];
    let c = &mut c[..M * N];
    // Element (i, k) of `A` and (k, j) of `B`.
    let a_mk = |i, k| a[i + k * M];
    let b_kn = |k, j| b[k + j * K];
    let b_nk = |k, j| b[j + k * N];
    // The sums run down `c`'s columns, in SIMD vectors when they are a multiple of 8; for
    // `a·bᵀ`, else along its rows if those are (`cᵀ += b·aᵀ`, where `b` is in place).
    let by_rows = M.is_multiple_of(8) || !N.is_multiple_of(8);
    match product {
        Product::AB if M <= STACK => kernel::<T, M>(c, a, N, b_kn),
        Product::AtB if M <= STACK && M * K <= STACK => {
            transposed::<T, K, M>(a, |v| kernel::<T, M>(c, v, N, b_kn));
        }
        Product::ABt if by_rows && M <= STACK => kernel::<T, M>(c, a, N, b_nk),
        Product::ABt if M * N <= STACK => {
            let s = |k, i| a_mk(i, k);
            in_transpose::<T, M, N>(c, |c| kernel::<T, N>(c, b, M, s));
        }
        _ => return false,
    }
    true
}

/// The product through nalgebra's dynamic-size `gemm`, which calls `matrixmultiply`.
fn blocked<T: Float, const M: usize, const K: usize, const N: usize>(
    c: &mut [T],
    a: &[T],
    b: &[T],
    product: Product,
) {
    // Column-major: element (r, c) at r + c·rows; a transpose swaps the strides.
    let view = |s, rows, cols, transposed| match transposed {
        false => DMatrixView::from_slice_with_strides(s, rows, cols, 1, rows),
        true => DMatrixView::from_slice_with_strides(s, rows, cols, cols, 1),
    };
    let a = view(a, M, K, product == Product::AtB);
    let b = view(b, K, N, product == Product::ABt);
    let one = T::one();
    DMatrixViewMut::from_slice(c, M, N).gemm(one, &a, &b, one);
}

/// Calls `then` with the `R×K` transpose of `x`, stored `K×R`, copied to the stack: a function
/// of its own, so that even in a debug build only the products that copy have a frame that
/// holds the copy.
fn transposed<T: Float, const K: usize, const R: usize>(x: &[T], then: impl FnOnce(&[T])) {
    then(SMatrixView::<T, K, R>::from_slice(x).transpose().as_slice())
}

/// Calls `then` with the transpose of `c` (`M×N`) copied to the stack, and copies it back.
fn in_transpose<T: Float, const M: usize, const N: usize>(
    c: &mut [T],
    then: impl FnOnce(&mut [T]),
) {
    let mut transpose = SMatrixView::<T, M, N>::from_slice(c).transpose();
    then(transpose.as_mut_slice());
    SMatrixViewMut::<T, M, N>::from_slice(c).tr_copy_from(&transpose);
}

/// The static product: for each `j < n`, adds `Σₖ v[r, k]·s(k, j)` to `c[r, j]` for all
/// `r < R`, with `v` an `R×K` and `c` an `R×n` column-major slice. The `R` sums of a few
/// columns at a time stay in registers, and the loops over them compile to the widest SIMD
/// instructions the CPU has.
#[inline]
fn kernel<T: Float, const R: usize>(c: &mut [T], v: &[T], n: usize, s: impl Fn(usize, usize) -> T) {
    simd(
        #[inline(always)]
        || Kernel::<T, _, R> { c, v, n, s }.run(),
    )
}

/// Runs `f` compiled for the widest SIMD instructions the CPU has, picked at run time by
/// `pulp` (AVX2 on most x86-64): `f` must be an `#[inline(always)]` closure.
#[inline(always)]
pub(crate) fn simd<R>(f: impl FnOnce() -> R) -> R {
    pulp::Arch::new().dispatch(f)
}

/// The static product's operands: `c += v·s` over `n` columns (see [`kernel`]).
struct Kernel<'a, T, S, const R: usize> {
    c: &'a mut [T],
    v: &'a [T],
    n: usize,
    s: S,
}

impl<T: Float, S: Fn(usize, usize) -> T, const R: usize> Kernel<'_, T, S, R> {
    #[inline(always)]
    fn run(mut self) {
        // Enough columns at a time for 8 independent sums of 8 values (AVX's f32 vectors).
        let done = match (R % 8, R / 8) {
            (0, 1 | 2) => self.columns::<4>(),
            (0, 3 | 4) => self.columns::<2>(),
            _ => 0,
        };
        for j in done..self.n {
            self.column::<1>(j);
        }
    }

    /// Adds the sums of all columns, `J` at a time; returns the first column left.
    #[inline(always)]
    fn columns<const J: usize>(&mut self) -> usize {
        let groups = self.n / J * J;
        for j in (0..groups).step_by(J) {
            self.column::<J>(j);
        }
        groups
    }

    /// Adds the sums of the `J` columns from `j` on.
    #[inline(always)]
    fn column<const J: usize>(&mut self, j: usize) {
        let mut sums = [[T::zero(); R]; J];
        for (q, sums) in sums.iter_mut().enumerate() {
            sums.copy_from_slice(&self.c[(j + q) * R..][..R]);
        }
        for (k, vk) in self.v.chunks_exact(R).enumerate() {
            for (q, sums) in sums.iter_mut().enumerate() {
                let skj = (self.s)(k, j + q);
                for (sum, &x) in sums.iter_mut().zip(vk) {
                    *sum += x * skj;
                }
            }
        }
        for (q, sums) in sums.iter().enumerate() {
            self.c[(j + q) * R..][..R].copy_from_slice(sums);
        }
    }
}
