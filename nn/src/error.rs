//! The one error type of the crate.
use core::fmt;

/// Everything that can go wrong in training and io, as variants a caller can match.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Training was given no samples.
    EmptyData,
    /// Inputs and targets have different numbers of samples.
    LengthMismatch {
        /// The number of inputs.
        inputs: usize,
        /// The number of targets.
        targets: usize,
    },
    /// A batch size of zero.
    ZeroBatch,
    /// A NaN or infinity appeared; the network kept its last good weights.
    NonFinite {
        /// Where: `"input"`, `"target"`, `"loss"`, `"gradient"` or `"weights"`.
        what: &'static str,
        /// The epoch (0-based) in which it appeared.
        epoch: usize,
        /// The batch (0-based) within the epoch.
        batch: usize,
    },
}

impl Error {
    /// Places a [`Error::NonFinite`] at `epoch` and `batch`; other errors are unchanged.
    #[must_use]
    pub fn at(self, epoch: usize, batch: usize) -> Self {
        match self {
            Self::NonFinite { what, .. } => Self::NonFinite { what, epoch, batch },
            other => other,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyData => write!(f, "no training samples"),
            Self::LengthMismatch { inputs, targets } => {
                write!(f, "{inputs} inputs but {targets} targets")
            }
            Self::ZeroBatch => write!(f, "the batch size must be at least 1"),
            Self::NonFinite { what, epoch, batch } => write!(
                f,
                "non-finite {what} in epoch {epoch}, batch {batch}; the last good weights are kept"
            ),
        }
    }
}

impl core::error::Error for Error {}
