//! Saving and loading networks as safetensors in PyTorch's layout: bytes with `alloc`, files
//! with `std`.
use crate::layout::Layout;
use crate::{c, Error, Float, LoadError, Model};
use alloc::{format, vec::Vec};
use safetensors::{tensor::TensorView, Dtype, SafeTensorError};

/// The layout a network of type `N` is saved in.
fn layout<N: Model>() -> Layout<'static> {
    let shapes = N::LAYERS.iter().map(|&(o, n, _)| (o, n)).collect();
    Layout {
        architecture: N::ARCHITECTURE,
        dtype: N::Scalar::DTYPE,
        shapes,
    }
}

/// Where the elements of a tensor of `shape` stored column by column (as nalgebra stores a
/// matrix) sit, listed row by row (as PyTorch stores it). A bias is one column.
fn row_major(shape: &[usize]) -> impl Iterator<Item = usize> + '_ {
    let (o, n) = (shape[0], shape.get(1).copied().unwrap_or(1));
    (0..o).flat_map(move |r| (0..n).map(move |c| c * o + r))
}

fn format_error(e: SafeTensorError) -> Error {
    Error::Load(LoadError::Format(format!("{e}")))
}

/// Writes `net` as safetensors bytes: `layers.{i}.weight` (`[out, in]`, row-major) and
/// `layers.{i}.bias` for each dense layer `i`, with the architecture and the crate version in
/// the metadata.
///
/// # Errors
/// [`LoadError::Format`] if safetensors refuses to serialise.
pub fn to_bytes<N: Model>(net: &N) -> Result<Vec<u8>, Error> {
    let (tensors, f32) = (layout::<N>().tensors(), N::Scalar::DTYPE == "F32");
    let mut data = Vec::new();
    for (t, (_, shape)) in net.params().zip(&tensors) {
        let mut bytes = Vec::new();
        for v in row_major(shape).map(|i| t[i].to_f64()) {
            match f32 {
                true => bytes.extend((v as f32).to_le_bytes()),
                false => bytes.extend(v.to_le_bytes()),
            }
        }
        data.push(bytes);
    }
    let dtype = if f32 { Dtype::F32 } else { Dtype::F64 };
    let views = tensors
        .into_iter()
        .zip(&data)
        .map(|((name, shape), bytes)| {
            TensorView::new(dtype, shape, bytes).map(|view| (name, view))
        });
    let views = views.collect::<Result<Vec<_>, _>>().map_err(format_error)?;
    let meta = [
        ("architecture", N::ARCHITECTURE),
        ("nn_version", env!("CARGO_PKG_VERSION")),
    ];
    let meta = meta
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    safetensors::serialize(views, Some(meta)).map_err(format_error)
}

/// Reads a network of type `N` from safetensors bytes, checking everything: each tensor
/// present and none extra, dtypes, shapes, finite values, and the architecture in the metadata
/// when the file records one.
///
/// # Errors
/// [`Error::Load`] with the [`LoadError`] that names the tensor, what was expected and what was
/// found; truncated, corrupt or hostile bytes give [`LoadError::Format`].
pub fn from_bytes<N: Model>(bytes: &[u8]) -> Result<N, Error> {
    let (mut net, layout) = (N::zeros(), layout::<N>());
    let values = layout.read(bytes).map_err(Error::Load)?;
    for ((t, v), (_, shape)) in net.params_mut().zip(values).zip(layout.tensors()) {
        row_major(&shape).zip(v).for_each(|(i, v)| t[i] = c(v));
    }
    Ok(net)
}

/// Saves `net` to the safetensors file `path`. It writes a temporary file beside it, syncs it
/// and renames it over `path`, so a crash or a full disk never leaves a half-written model
/// where the old one was.
///
/// # Errors
/// [`Error::Io`] naming the path.
#[cfg(feature = "std")]
pub fn save<N: Model>(net: &N, path: impl AsRef<std::path::Path>) -> Result<(), Error> {
    use std::io::Write;
    let (path, bytes) = (path.as_ref(), to_bytes(net)?);
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let write = || {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::Io(path.display().to_string(), e.to_string())
    })
}

/// Loads a network of type `N` from the safetensors file `path`, checked as by [`from_bytes`].
///
/// # Errors
/// [`Error::Io`] naming the path, or [`Error::Load`].
#[cfg(feature = "std")]
pub fn load<N: Model>(path: impl AsRef<std::path::Path>) -> Result<N, Error> {
    let path = path.as_ref();
    let bytes = std::fs::read(path);
    from_bytes(&bytes.map_err(|e| Error::Io(path.display().to_string(), e.to_string()))?)
}
