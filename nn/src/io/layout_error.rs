//! Why bytes do not hold a network: the error of loading, in a file of its own so that the
//! float and the quantized layouts both use it and neither imports the other's module. Like
//! `layout.rs`, this file is also compiled into `nn-macros`.
use alloc::{string::String, vec::Vec};
use core::fmt;

/// Why bytes do not hold a network of the expected layout. Each variant names what was
/// expected and what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// Not safetensors: truncated, corrupt or hostile bytes.
    Format(String),
    /// The metadata records another network: `(expected, found)` declarations.
    Architecture(String, String),
    /// A tensor the network needs is not in the file.
    MissingTensor(String),
    /// The file holds a tensor the network does not have.
    UnexpectedTensor(String),
    /// A tensor of another element type: `(tensor, expected, found)`.
    Dtype(String, String, String),
    /// A tensor of another shape: `(tensor, expected, found)`.
    Shape(String, Vec<usize>, Vec<usize>),
    /// A tensor holding NaN or infinity.
    NonFinite(String),
    /// A quantized tensor whose values do not fit the scheme: `(tensor, why)`.
    Value(String, String),
    /// The header or the whole file is longer than any file of this network can be, so it is
    /// refused before it is parsed or read: `(what, most bytes, bytes found)`.
    TooLong(&'static str, usize, usize),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Format(e) => write!(f, "not a safetensors file: {e}"),
            Self::Architecture(e, x) => write!(f, "the file holds a `{x}` network, expected `{e}`"),
            Self::MissingTensor(t) => write!(f, "tensor `{t}` is missing"),
            Self::UnexpectedTensor(t) => write!(f, "unexpected tensor `{t}`"),
            Self::Dtype(t, e, x) => write!(f, "tensor `{t}` is {x}, expected {e}"),
            Self::Shape(t, e, x) => write!(f, "tensor `{t}` has shape {x:?}, expected {e:?}"),
            Self::NonFinite(t) => write!(f, "tensor `{t}` holds NaN or infinity"),
            Self::Value(t, why) => write!(f, "tensor `{t}`: {why}"),
            Self::TooLong(what, most, x) => {
                write!(
                    f,
                    "the {what} takes {x} bytes, this network's at most {most}"
                )
            }
        }
    }
}
