//! Reading an embedded file's tensors while compiling: `const fn`s that turn the row-major
//! little-endian values of a tensor that `network!` has checked into an inline matrix, so a
//! small network embedded with `const NAME = "file";` is a `const` built by the compiler from
//! the file's bytes (`include_bytes!`): no parsing and no allocation at run time, and a
//! compile time that grows with the file at a small constant.
use nalgebra::{ArrayStorage, SMatrix};

/// The `N` bytes at `at` in `bytes`: one little-endian value, for `from_le_bytes`.
pub(crate) const fn le<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
    let mut le = [0; N];
    let mut k = 0;
    while k < N {
        le[k] = bytes[at + k];
        k += 1;
    }
    le
}

/// Writes a `const fn` named `$name` that reads an `R×C` matrix of `$t` (`$n` bytes each).
macro_rules! matrix {
    ($(#[$doc:meta])* $name:ident, $t:ty, $n:literal) => {
        $(#[$doc])*
        #[must_use]
        pub const fn $name<const R: usize, const C: usize>(
            bytes: &[u8],
            offset: usize,
        ) -> SMatrix<$t, R, C> {
            let mut columns = [[0.0; R]; C];
            let mut i = 0;
            while i < R * C {
                columns[i % C][i / C] = <$t>::from_le_bytes(le(bytes, offset + $n * i));
                i += 1;
            }
            SMatrix::from_array_storage(ArrayStorage(columns))
        }
    };
}

matrix! {
    /// The `R×C` matrix of `f32` stored row-major at `offset` in `bytes` (a `[R, C]` tensor
    /// of PyTorch), as nalgebra keeps it, column by column.
    ///
    /// ```
    /// let bytes: Vec<u8> = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0].iter().flat_map(|v| v.to_le_bytes()).collect();
    /// let m = nn::__private::f32_matrix::<2, 3>(&bytes, 0);
    /// assert_eq!(m, nn::SMatrix::<f32, 2, 3>::new(1.0, 2.0, 3.0, 4.0, 5.0, 6.0));
    /// ```
    f32_matrix, f32, 4
}
matrix! {
    /// The `R×C` matrix of `f64` stored row-major at `offset` in `bytes`, column by column.
    ///
    /// ```
    /// let bytes: Vec<u8> = [1.0f64, 2.0].iter().flat_map(|v| v.to_le_bytes()).collect();
    /// assert_eq!(nn::__private::f64_matrix::<2, 1>(&bytes, 0), nn::SVector::<f64, 2>::new(1.0, 2.0));
    /// ```
    f64_matrix, f64, 8
}

pub use crate::inline::is_inline;
pub use crate::quant::{f32_array, i32_array, i8_array, i8_rows, QDense, Rows};
