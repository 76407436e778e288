//! Where a network's numbers live: inline for small networks, on the heap for large ones.
//!
//! A matrix's shape is always a type (`R×C`); its storage is [`Inline`] (an `SMatrix`, on the
//! stack or inside its owner, no allocator needed) or [`Heap`] (a boxed slice of `R·C` values,
//! with `alloc`). Either way the values are stored column by column, and every product sees
//! them through nalgebra views. The `network!` macro picks one storage per network (see
//! [`Model::Store`](crate::Model::Store)).
use crate::Float;
use core::fmt::Debug;
use nalgebra::{SMatrix, SMatrixView, SMatrixViewMut};

/// `R×C` values of `T`, column by column, that nalgebra can view as a matrix.
pub trait Values<T: Float, const R: usize, const C: usize> {
    /// The values, column by column.
    fn values(&self) -> &[T];
    /// The values as an `R×C` matrix view.
    fn view(&self) -> SMatrixView<'_, T, R, C> {
        SMatrixView::from_slice(self.values())
    }
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
    /// The values as an `R×C` matrix view, to change in place.
    fn view_mut(&mut self) -> SMatrixViewMut<'_, T, R, C> {
        SMatrixViewMut::from_slice(self.values_mut())
    }
}

/// A kind of storage: [`Inline`] or [`Heap`].
pub trait Storage: Copy + Debug + Default + PartialEq + Eq + Send + Sync + 'static {
    /// `"inline"` or `"heap"`.
    const NAME: &'static str;
    /// Whether large products go through the blocked GEMM, which allocates (see [`crate::gemm`]):
    /// only for [`Heap`] with `alloc`.
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

/// `R·C` values in memory owned elsewhere, column by column.
pub(crate) struct Columns<'a, T, const R: usize, const C: usize>(pub &'a [T]);

impl<T: Float, const R: usize, const C: usize> Values<T, R, C> for Columns<'_, T, R, C> {
    fn values(&self) -> &[T] {
        &self.0[..R * C]
    }
}

/// Storage on the heap: matrices are [`HeapMatrix`] values, one allocation each.
///
/// Without the `alloc` feature there is no heap, and a network that would be on it keeps its
/// numbers inline all the same: on a microcontroller, such a network (or the quantized form
/// that `network!` names for it) belongs in a `static`, in flash, not on the stack.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Heap;

#[cfg(not(feature = "alloc"))]
impl Storage for Heap {
    const NAME: &'static str = "inline, without alloc";
    type Matrix<T: Float, const R: usize, const C: usize> = SMatrix<T, R, C>;
}

#[cfg(feature = "alloc")]
impl Storage for Heap {
    const NAME: &'static str = "heap";
    const BLOCKED: bool = true;
    type Matrix<T: Float, const R: usize, const C: usize> = HeapMatrix<T, R, C>;
}

/// An `R×C` matrix whose `R·C` values, column by column, live on the heap.
#[cfg(feature = "alloc")]
#[derive(Clone, Debug, PartialEq)]
pub struct HeapMatrix<T, const R: usize, const C: usize>(alloc::boxed::Box<[T]>);

#[cfg(feature = "alloc")]
impl<T: Float, const R: usize, const C: usize> Values<T, R, C> for HeapMatrix<T, R, C> {
    fn values(&self) -> &[T] {
        &self.0
    }
}

#[cfg(feature = "alloc")]
impl<T: Float, const R: usize, const C: usize> Buffer<T, R, C> for HeapMatrix<T, R, C> {
    fn zeros() -> Self {
        Self(alloc::vec![T::zero(); R * C].into_boxed_slice())
    }
    fn values_mut(&mut self) -> &mut [T] {
        &mut self.0
    }
}
