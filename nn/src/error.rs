//! The one error type of the crate.
use core::fmt;

/// Everything that can go wrong in training and io, as variants a caller can match.
///
/// With `std`, its `Debug` form is its message, so that a `main` returning `Result<_, Error>`
/// (or `Box<dyn Error>`) prints "Error: line 2: 14 fields, the header has 5"; match on the
/// variants to tell errors apart.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(not(feature = "std"), derive(Debug))]
pub enum Error {
    /// Training was given no samples.
    EmptyData,
    /// Inputs and targets have different numbers of samples: `(inputs, targets)`.
    LengthMismatch(usize, usize),
    /// A batch size of zero.
    ZeroBatch,
    /// A NaN or infinity appeared; the network kept its last good weights. It says where
    /// (`"sample"` for an input or target, `"validation sample"`, `"loss"`, `"gradient"` or
    /// `"weights"`), and in which epoch and batch (both 0-based): `(what, epoch, batch)`.
    NonFinite(&'static str, usize, usize),
    /// A calibration sample for quantizing holds NaN or infinity: its index.
    Calibration(usize),
    /// The processes training together do not all have the same of what it names (their
    /// networks at the start, their data or `Fit` settings, their checkpoints): every process
    /// returns it, before the first step.
    Ranks(&'static str),
    /// Bytes or a file that do not hold this network.
    #[cfg(feature = "alloc")]
    Load(crate::io::layout_error::LoadError),
    /// Reading or writing a file failed: `(path, what the system said)`.
    #[cfg(feature = "std")]
    Io(String, String),
    /// A data set that cannot be read or does not fit the network.
    #[cfg(feature = "std")]
    Data(crate::data::error::DataError),
}

/// `Err(error())` unless `ok`. The error is built only when it is returned: dropping an
/// unused one would cost a call on every check.
pub(crate) fn ensure(ok: bool, error: impl FnOnce() -> Error) -> Result<(), Error> {
    ok.then_some(()).ok_or_else(error)
}

/// `Err(LengthMismatch)` unless there are as many targets as inputs.
pub(crate) fn same_length<X, Y>(inputs: &[X], targets: &[Y]) -> Result<(), Error> {
    let (x, y) = (inputs.len(), targets.len());
    ensure(x == y, || Error::LengthMismatch(x, y))
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyData => write!(f, "no training samples"),
            Self::LengthMismatch(x, y) => write!(f, "{x} inputs but {y} targets"),
            Self::ZeroBatch => write!(f, "the batch size must be at least 1"),
            Self::NonFinite(w, e, b) => write!(f, "NaN or infinity in {w} at epoch {e}, batch {b}"),
            Self::Calibration(i) => write!(f, "calibration sample {i} holds NaN or infinity"),
            Self::Ranks(what) => write!(f, "the processes' {what} differ: they must be the same"),
            #[cfg(feature = "alloc")]
            Self::Load(e) => write!(f, "{e}"),
            #[cfg(feature = "std")]
            Self::Io(path, e) => write!(f, "{path}: {e}"),
            #[cfg(feature = "std")]
            Self::Data(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for Error {}
