//! The PyTorch layout of a saved network, and the checks that a file fits a declaration.
//!
//! Dense layer `i` (0-based) is stored as `layers.{i}.weight`, shape `[out, in]`, row-major (as
//! `torch.nn.Linear` keeps it), and `layers.{i}.bias`, shape `[out]`; the metadata records the
//! declaration under `architecture`. This file is also compiled into `nn-macros`, which checks
//! embedded files while compiling, so it uses only `alloc` and `safetensors`.
use crate::io::layout_error::LoadError;
use alloc::{format, string::String, vec, vec::Vec};
use safetensors::{Dtype, SafeTensors};

/// The bytes of header a file may hold beyond its tensors' entries: room for the metadata of
/// other writers (PyTorch's `save_file(..., metadata=...)`).
const HEADER_SLACK: usize = 4096;

/// The most bytes one tensor's entry takes in a header (its name, dtype, shape and offsets).
const ENTRY_BYTES: usize = 192;

/// What a file must hold for one network.
pub struct Layout {
    /// The declaration, such as `"2 => 4 relu => 1 sigmoid"`; a quantized network's is
    /// followed by `; ` and the scheme (see [`quant`](crate::quant)).
    pub architecture: String,
    /// `"F32"` or `"F64"` for a float network, `"I8"` for a quantized one.
    pub dtype: &'static str,
    /// Every dense layer's `(outputs, inputs)`.
    pub shapes: Vec<(usize, usize)>,
}

impl Layout {
    /// Every tensor's name, shape and dtype, in order: `layers.0.weight`, `layers.0.bias`,
    /// ... (a quantized network's are listed in [`quant`](crate::quant)).
    pub fn tensors(&self) -> Vec<(String, Vec<usize>, &'static str)> {
        if self.dtype == "I8" {
            return crate::quant::layout::tensors(&self.shapes);
        }
        let mut tensors = Vec::new();
        for (i, &(o, n)) in self.shapes.iter().enumerate() {
            tensors.push((format!("layers.{i}.weight"), vec![o, n], self.dtype));
            tensors.push((format!("layers.{i}.bias"), vec![o], self.dtype));
        }
        tensors
    }

    /// The most bytes a header of this layout takes: ours, with room for the metadata of
    /// other writers (PyTorch's `save_file(..., metadata=...)`).
    pub fn max_header(&self) -> usize {
        let per_layer = if self.dtype == "I8" { 6 } else { 2 };
        let entries = 2 + per_layer * self.shapes.len();
        HEADER_SLACK + self.architecture.len() + ENTRY_BYTES * entries
    }

    /// The most bytes a file of this layout takes: the header's length (8 bytes), the header,
    /// the values.
    pub fn max_len(&self) -> usize {
        // A dtype no file can hold (a `Float` of the user's) bounds nothing; reading refuses it.
        let size = |name: &str| dtype(name).map_or(usize::MAX, |d| d.bitsize() / 8);
        let tensors = self.tensors().into_iter();
        let values = tensors.map(|(_, shape, name)| {
            let count = shape.iter().product::<usize>();
            count.saturating_mul(size(name))
        });
        let values = values.fold(0, usize::saturating_add);
        (8 + self.max_header()).saturating_add(values)
    }

    /// Checks that `bytes` hold exactly this layout, with finite values, and returns where
    /// each tensor's data starts in `bytes` (its values are row-major, little-endian). A
    /// header longer than [`Layout::max_header`] is refused before it is parsed, so hostile
    /// bytes cost no more memory or time than a few kilobytes of header.
    pub fn read(&self, bytes: &[u8]) -> Result<Vec<usize>, LoadError> {
        let format = |e| LoadError::Format(format!("{e}"));
        let header = bytes.get(..8).and_then(|n| n.try_into().ok());
        let header = header.map_or(0, u64::from_le_bytes);
        let most = self.max_header();
        let rest = bytes.len().saturating_sub(8) as u64;
        if header > rest {
            let why = format!("its first 8 bytes give a header of {header} bytes, {rest} follow");
            return Err(LoadError::Format(why));
        } else if header > most as u64 {
            let found = usize::try_from(header).unwrap_or(usize::MAX);
            return Err(LoadError::TooLong("header", most, found));
        }
        let (_, meta) = SafeTensors::read_metadata(bytes).map_err(format)?;
        let meta = meta.metadata().as_ref().and_then(|m| m.get("architecture"));
        if let Some(found) = meta.filter(|found| **found != self.architecture) {
            let expected = self.architecture.clone();
            return Err(LoadError::Architecture(expected, found.clone()));
        }
        let file = SafeTensors::deserialize(bytes).map_err(format)?;
        let tensors = self.tensors();
        let mut names = file.names().into_iter();
        if let Some(extra) = names.find(|n| tensors.iter().all(|t| t.0 != *n)) {
            return Err(LoadError::UnexpectedTensor(extra.into()));
        }
        let offsets = tensors
            .into_iter()
            .map(|tensor| check(&file, bytes, tensor));
        let offsets = offsets.collect::<Result<Vec<_>, _>>()?;
        if self.dtype == "I8" {
            crate::quant::layout::check(&self.shapes, bytes, &offsets)?;
        }
        Ok(offsets)
    }
}

/// Checks that `file`, parsed from `bytes`, holds the tensor `name` of `shape` and dtype
/// `expected` (finite values if floats), and returns where its data starts in `bytes`.
pub fn check(
    file: &SafeTensors,
    bytes: &[u8],
    (name, shape, expected): (String, Vec<usize>, &str),
) -> Result<usize, LoadError> {
    let Ok(t) = file.tensor(&name) else {
        return Err(LoadError::MissingTensor(name));
    };
    let dtype = format!("{}", t.dtype());
    if dtype != expected {
        return Err(LoadError::Dtype(name, expected.into(), dtype));
    } else if t.shape() != shape {
        return Err(LoadError::Shape(name, shape, t.shape().into()));
    }
    let mut values = t.data().chunks_exact(t.dtype().bitsize() / 8);
    let float = matches!(t.dtype(), Dtype::F32 | Dtype::F64);
    match !float || values.all(|v| value(v).is_finite()) {
        true => Ok(t.data().as_ptr() as usize - bytes.as_ptr() as usize),
        false => Err(LoadError::NonFinite(name)),
    }
}

/// The safetensors dtype a layout's name stands for (`"F32"`, `"F64"`, `"I8"` or `"I32"`, the
/// ones this crate writes), as safetensors itself names them.
pub fn dtype(name: &str) -> Option<Dtype> {
    let known = [Dtype::F32, Dtype::F64, Dtype::I8, Dtype::I32];
    known.into_iter().find(|d| format!("{d}") == name)
}

/// A little-endian `f32` (4 bytes) or `f64` (8 bytes); NaN, which loading rejects, otherwise.
pub fn value(bytes: &[u8]) -> f64 {
    match bytes.try_into() {
        Ok(four) => f64::from(f32::from_le_bytes(four)),
        Err(_) => bytes.try_into().map_or(f64::NAN, f64::from_le_bytes),
    }
}
