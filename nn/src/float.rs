//! The scalar a network computes in, and the conversions generic code needs.

/// A scalar a network computes in: `f32` (the default) or `f64`.
pub trait Float: nalgebra::RealField + Copy + Default {
    /// The safetensors name of this type: `"F32"` or `"F64"`.
    const DTYPE: &'static str;
    /// The error function `erf(x) = 2/√π ∫₀ˣ e^(-t²) dt`.
    fn erf(self) -> Self;
    /// Widens (or keeps) the value as an `f64`.
    fn to_f64(self) -> f64 {
        self.to_subset_unchecked()
    }
    /// The `f64` `x` in this type, rounded to the nearest `f32` for `f32`: the conversion
    /// generic code needs for a constant, as in `T::cast(0.5)`, which the compiler does once.
    ///
    /// ```
    /// use nn::Float;
    /// fn half<T: Float>() -> T { T::cast(0.5) }
    /// assert_eq!(half::<f32>(), 0.5f32);
    /// ```
    fn cast(x: f64) -> Self {
        Self::from_subset(&x)
    }
    /// The whole number `n` in this type (rounded to the nearest `f32` for `f32`), converted
    /// in this type's own arithmetic and never through `f64`, which a microcontroller without
    /// a double-precision unit emulates in software: how generic code turns a count of
    /// samples, outputs or steps into a scalar.
    ///
    /// ```
    /// use nn::Float;
    /// assert_eq!(f32::count(3), 3.0f32);
    /// assert_eq!(f32::count(u64::MAX), 1.8446744e19f32);
    /// ```
    fn count(n: u64) -> Self {
        Self::from_u64(n).unwrap_or_default()
    }
    /// The value's little-endian bytes.
    fn to_le(self) -> impl IntoIterator<Item = u8>;
}

/// Implements [`Float`] for `$t`, whose safetensors name is `$dtype` and whose erf is `$erf`.
macro_rules! float {
    ($t:ty, $dtype:literal, $erf:path) => {
        impl Float for $t {
            const DTYPE: &'static str = $dtype;
            fn erf(self) -> Self {
                $erf(self)
            }
            fn to_le(self) -> impl IntoIterator<Item = u8> {
                self.to_le_bytes()
            }
        }
    };
}
float!(f32, "F32", libm::erff);
float!(f64, "F64", libm::erf);
