//! Storage on the heap, for networks too large to keep inline: one boxed slice per matrix, so
//! a network of any size runs in a debug build on a small stack.
#[cfg(feature = "alloc")]
use crate::{Buffer, Values};
use crate::{Float, Storage};
#[cfg(not(feature = "alloc"))]
use nalgebra::SMatrix;

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
