//! Where a network's numbers live: inline for small networks (here), on the heap for large
//! ones (the `heap` module).
//!
//! A matrix's shape is always a type (`R×C`); its storage is [`Inline`] (an `SMatrix`, on the
//! stack or inside its owner, no allocator needed) or [`Heap`](crate::Heap) (a boxed slice of
//! `R·C` values, with `alloc`). Either way the values are stored column by column, and every
//! product sees them through nalgebra views. The `network!` macro picks one storage per
//! network by the rule in `inline.rs` (see [`Model::Store`](crate::Model::Store)).
use crate::Float;
use core::fmt::Debug;
use nalgebra::SMatrix;

/// `R×C` values of `T`, column by column, that nalgebra can view as a matrix.
#[diagnostic::on_unimplemented(message = "expected {R} rows, a column per sample: `{Self}`")]
pub trait Values<T: Float, const R: usize, const C: usize> {
    /// The values, column by column.
    fn values(&self) -> &[T];
}

/// An owned `R×C` matrix in some storage, which a layer's parameters, gradients and
/// activations are kept in.
pub trait Buffer<T: Float, const R: usize, const C: usize>:
    Values<T, R, C> + Clone + Debug + PartialEq + Send + Sync
{
    /// A matrix of zeros, built in place (a heap buffer never passes through the stack).
    fn zeros() -> Self;
    /// The values, column by column, to change in place.
    fn values_mut(&mut self) -> &mut [T];
}

/// A kind of storage: [`Inline`] or [`Heap`](crate::Heap).
pub trait Storage: Copy + Debug + Default + PartialEq + Eq + Send + Sync + 'static {
    /// `"inline"` or `"heap"`.
    const NAME: &'static str;
    /// Whether large products go through the blocked GEMM, which allocates (see [`crate::gemm`]):
    /// only for [`Heap`](crate::Heap) with `alloc`.
    const BLOCKED: bool = false;
    /// An `R×C` matrix of `T` in this storage.
    type Matrix<T: Float, const R: usize, const C: usize>: Buffer<T, R, C>;
}

/// Storage inside the owner: matrices are `SMatrix` values, and nothing touches the heap.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Inline;

impl Storage for Inline {
    const NAME: &'static str = "inline";
    type Matrix<T: Float, const R: usize, const C: usize> = SMatrix<T, R, C>;
}

impl<T: Float, const R: usize, const C: usize> Values<T, R, C> for SMatrix<T, R, C> {
    fn values(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T: Float, const R: usize, const C: usize> Buffer<T, R, C> for SMatrix<T, R, C> {
    fn zeros() -> Self {
        Self::zeros()
    }
    fn values_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
}
