//! Saving and loading networks as safetensors in PyTorch's layout: bytes with `alloc`, files
//! with `std`.
use crate::layout::Layout;
use crate::{c, Error, Float, LoadError, Model};
use alloc::{format, vec::Vec};
use safetensors::{tensor::TensorView, Dtype};

/// The layout a network of type `N` is saved in.
fn layout<N: Model>(net: &N) -> Layout<'static> {
    let shapes = net.layers().map(|l| l.shape()).collect();
    Layout {
        architecture: N::ARCHITECTURE,
        dtype: N::Scalar::DTYPE,
        shapes,
    }
}

/// Where the elements of an `o×n` matrix stored column by column (as nalgebra does) sit,
/// listed row by row (as PyTorch stores them).
fn row_major(o: usize, n: usize) -> impl Iterator<Item = usize> {
    (0..o).flat_map(move |r| (0..n).map(move |c| c * o + r))
}

fn format_error(e: safetensors::SafeTensorError) -> Error {
    Error::Load(LoadError::Format(format!("{e}")))
}

/// Writes `net` as safetensors bytes: `layers.{i}.weight` (`[out, in]`, row-major) and
/// `layers.{i}.bias` for each dense layer `i`, with the architecture and the crate version in
/// the metadata.
///
/// # Errors
/// [`LoadError::Format`] if safetensors refuses to serialise.
pub fn to_bytes<N: Model>(net: &N) -> Result<Vec<u8>, Error> {
    let f32 = N::Scalar::DTYPE == "F32";
    let mut data = Vec::new();
    for layer in net.layers() {
        let ([w, b], (o, n)) = (layer.params(), layer.shape());
        data.push(le(row_major(o, n).map(|i| w[i]), f32));
        data.push(le(b.iter().copied(), f32));
    }
    let dtype = if f32 { Dtype::F32 } else { Dtype::F64 };
    let mut views = Vec::new();
    for ((name, shape), bytes) in layout(net).tensors().into_iter().zip(&data) {
        views.push((
            name,
            TensorView::new(dtype, shape, bytes).map_err(format_error)?,
        ));
    }
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

/// The values as little-endian `f32` or `f64` bytes.
fn le<T: Float>(values: impl Iterator<Item = T>, f32: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for v in values.map(T::to_f64) {
        match f32 {
            true => out.extend((v as f32).to_le_bytes()),
            false => out.extend(v.to_le_bytes()),
        }
    }
    out
}

/// Reads a network of type `N` from safetensors bytes, checking everything: each tensor
/// present and none extra, dtypes, shapes, finite values, and the architecture in the metadata
/// when the file records one.
///
/// # Errors
/// [`Error::Load`] with the [`LoadError`] that names the tensor, what was expected and what was
/// found; truncated, corrupt or hostile bytes give [`LoadError::Format`].
pub fn from_bytes<N: Model>(bytes: &[u8]) -> Result<N, Error> {
    let mut net = N::zeros();
    let tensors = layout(&net).read(bytes).map_err(Error::Load)?;
    for (layer, tensor) in net.layers_mut().zip(tensors.chunks(2)) {
        let ((o, n), [w, b]) = (layer.shape(), layer.params_mut());
        let (weights, bias) = (tensor[0].iter(), tensor[1].iter());
        row_major(o, n).zip(weights).for_each(|(i, &v)| w[i] = c(v));
        b.iter_mut().zip(bias).for_each(|(x, &v)| *x = c(v));
    }
    Ok(net)
}

#[cfg(feature = "std")]
pub use files::{load, save};

#[cfg(feature = "std")]
mod files {
    use super::{from_bytes, to_bytes, Error, Model};
    use std::{fs, io::Write, path::Path};

    fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
        move |e| Error::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    }

    /// Saves `net` to the safetensors file `path`. It writes a temporary file beside it, syncs
    /// it and renames it over `path`, so a crash or a full disk never leaves a half-written
    /// model where the old one was.
    ///
    /// # Errors
    /// [`Error::Io`] naming the path.
    pub fn save<N: Model>(net: &N, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let bytes = to_bytes(net)?;
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let write = || {
            let mut file = fs::File::create(&tmp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            fs::rename(&tmp, path)
        };
        write().map_err(|e| {
            let _ = fs::remove_file(&tmp);
            io_error(path)(e)
        })
    }

    /// Loads a network of type `N` from the safetensors file `path`, checked as by
    /// [`from_bytes`](super::from_bytes).
    ///
    /// # Errors
    /// [`Error::Io`] naming the path, or [`Error::Load`].
    pub fn load<N: Model>(path: impl AsRef<Path>) -> Result<N, Error> {
        let path = path.as_ref();
        from_bytes(&fs::read(path).map_err(io_error(path))?)
    }
}
