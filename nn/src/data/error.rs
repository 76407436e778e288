//! Why a data set cannot be read or used: the errors of the `data` module, in a file of their
//! own so that the crate's `Error` can hold one without depending on the rest of the module.
use core::fmt;

/// Why a data set cannot be read or used. Each variant says where: the line (1-based, the
/// header is line 1) and the column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataError {
    /// The file cannot be read, or is not CSV: `(what, why)`.
    Read(String, String),
    /// A row with another number of fields than the header: `(line, expected, found)`.
    Ragged(u64, usize, usize),
    /// A feature that is not a finite number: `(line, column, text)`.
    NotANumber(u64, String, String),
    /// A target that is not a class `0, 1, 2, ...`: `(line, column, text)`.
    NotAClass(u64, String, String),
    /// No column of this name: `(name, the columns there are)`.
    UnknownColumn(String, Vec<String>),
    /// A class with too few samples to be in both parts of a split: `(class, samples)`.
    TooFewSamples(usize, usize),
    /// The data does not fit the network: `(what, the network's, the data's)`, such as
    /// `("features", 4, 5)`.
    Shape(&'static str, usize, usize),
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read(what, why) => write!(f, "cannot read {what}: {why}"),
            Self::Ragged(line, e, x) => write!(f, "line {line}: {x} fields, the header has {e}"),
            Self::NotANumber(line, column, text) => {
                write!(
                    f,
                    "line {line}, column `{column}`: `{text}` is not a finite number"
                )
            }
            Self::NotAClass(line, column, text) => write!(
                f,
                "line {line}, column `{column}`: `{text}` is not a class (0, 1, 2, ...)"
            ),
            Self::UnknownColumn(name, names) => {
                write!(f, "no column `{name}`; the columns are {names:?}")
            }
            Self::TooFewSamples(class, n) => write!(
                f,
                "class {class} has {n} sample(s): a split needs at least 2, one for each part"
            ),
            Self::Shape(what, e, x) => write!(f, "the network takes {e} {what}, the data has {x}"),
        }
    }
}
