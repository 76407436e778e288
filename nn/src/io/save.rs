//! Saving and loading networks as safetensors in PyTorch's layout: bytes with `alloc`, files
//! with `std`.
use crate::io::layout::{value, Layout};
use crate::{Error, Float, LoadError, Model};
use alloc::{format, string::String, vec, vec::Vec};
use safetensors::{tensor::TensorView, SafeTensorError};

/// The dense layers' `(outputs, inputs)` of network `N`.
pub(crate) fn shapes<N: Model>() -> Vec<(usize, usize)> {
    N::LAYERS.iter().map(|l| (l.outputs, l.inputs)).collect()
}

/// The layout a network of type `N` is saved in.
fn layout<N: Model>() -> Layout {
    Layout {
        architecture: N::ARCHITECTURE.into(),
        dtype: N::Scalar::DTYPE,
        shapes: shapes::<N>(),
    }
}

/// What [`to_bytes`], [`from_bytes`], [`save`] and [`load`] store: a float network (every
/// [`Model`]) or a quantized one ([`Int8`](crate::Int8)).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a network to save or load",
    note = "name a type that `network!` declared, or its int8 form `nn::Quantized<Net>`"
)]
pub trait Saved: Sized {
    /// The tensors, dtypes and metadata its file holds.
    fn layout() -> Layout;
    /// Every tensor's values as little-endian bytes, row-major, in the layout's order.
    #[doc(hidden)]
    fn values(&self) -> Vec<Vec<u8>>;
    /// The value whose tensors start at `offsets` in `bytes`, which [`Layout::read`] checked
    /// and returned (other offsets may panic: use [`from_bytes`]).
    #[doc(hidden)]
    fn decode(bytes: &[u8], offsets: &[usize]) -> Self;
}

impl<N: Model> Saved for N {
    fn layout() -> Layout {
        layout::<N>()
    }
    fn values(&self) -> Vec<Vec<u8>> {
        let bytes = |t: Tensor<N::Scalar>| t.values.iter().flat_map(|v| v.to_le()).collect();
        state_dict(self).into_iter().map(bytes).collect()
    }
    /// Each tensor's row-major values go to nalgebra's column-major places.
    fn decode(bytes: &[u8], offsets: &[usize]) -> Self {
        let mut net = N::default();
        let size = core::mem::size_of::<N::Scalar>();
        for ((t, &offset), (_, shape, _)) in
            net.params_mut().zip(offsets).zip(layout::<N>().tensors())
        {
            for (k, i) in row_major(&shape).enumerate() {
                t[i] = N::Scalar::cast(value(&bytes[offset + k * size..][..size]));
            }
        }
        net
    }
}

/// Where the elements of a tensor of `shape` stored column by column (as nalgebra stores a
/// matrix) sit, listed row by row (as PyTorch stores it). A bias is one column.
fn row_major(shape: &[usize]) -> impl Iterator<Item = usize> + '_ {
    let (o, n) = (shape[0], shape.get(1).copied().unwrap_or(1));
    (0..o).flat_map(move |r| (0..n).map(move |c| c * o + r))
}

/// One tensor of a network as PyTorch's `state_dict()` holds it: its name
/// (`layers.{i}.weight` or `layers.{i}.bias`), its shape (`[out, in]` or `[out]`) and its
/// values, row by row.
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor<T> {
    /// `layers.{i}.weight` or `layers.{i}.bias`, `i` counting dense layers from 0.
    pub name: String,
    /// `[out, in]` for a weight, `[out]` for a bias.
    pub shape: Vec<usize>,
    /// The values, row-major (nalgebra keeps a matrix column by column).
    pub values: Vec<T>,
}

/// `net`'s tensors in PyTorch's order and layout, as `model.state_dict()` lists them: to read
/// or write weights in code that thinks in `[out, in]` rows.
///
/// ```
/// use nn::prelude::*;
/// network! { struct Net < 3 => 2 linear > }
/// let mut net = Net::default();
/// net.l1.weight[(1, 0)] = 5.0; // output 1, input 0
/// let tensors = nn::state_dict(&net);
/// assert_eq!((tensors[0].name.as_str(), &tensors[0].shape[..]), ("layers.0.weight", &[2, 3][..]));
/// assert_eq!(tensors[0].values, [0.0, 0.0, 0.0, 5.0, 0.0, 0.0]);
/// assert_eq!(nn::load_state_dict::<Net>(&tensors), Ok(net));
/// ```
pub fn state_dict<N: Model>(net: &N) -> Vec<Tensor<N::Scalar>> {
    let tensors = layout::<N>().tensors().into_iter().zip(net.params());
    let tensor = |((name, shape, _), t): ((String, Vec<usize>, _), &[N::Scalar])| {
        let values = row_major(&shape).map(|i| t[i]).collect();
        Tensor {
            name,
            shape,
            values,
        }
    };
    tensors.map(tensor).collect()
}

/// The network whose tensors, in PyTorch's order and layout, are `tensors` (as
/// [`state_dict`] gives them), checked as loading checks a file.
///
/// # Errors
/// [`Error::Load`]: [`LoadError::MissingTensor`], [`LoadError::UnexpectedTensor`],
/// [`LoadError::Shape`] (for a shape, or values that are not as many as the shape holds) or
/// [`LoadError::NonFinite`], naming the tensor.
pub fn load_state_dict<N: Model>(tensors: &[Tensor<N::Scalar>]) -> Result<N, Error> {
    let expected = layout::<N>().tensors();
    let unexpected = |t: &&Tensor<N::Scalar>| expected.iter().all(|e| e.0 != t.name);
    if let Some(extra) = tensors.iter().find(unexpected) {
        return Err(Error::Load(LoadError::UnexpectedTensor(extra.name.clone())));
    }
    let mut net = N::default();
    for ((name, shape, _), to) in expected.into_iter().zip(net.params_mut()) {
        let Some(t) = tensors.iter().find(|t| t.name == name) else {
            return Err(Error::Load(LoadError::MissingTensor(name)));
        };
        if t.shape != shape || t.values.len() != to.len() {
            let found = if t.shape == shape {
                vec![t.values.len()]
            } else {
                t.shape.clone()
            };
            return Err(Error::Load(LoadError::Shape(name, shape, found)));
        } else if !crate::network::finite(&t.values) {
            return Err(Error::Load(LoadError::NonFinite(name)));
        }
        let places = row_major(&shape).zip(&t.values);
        places.for_each(|(i, &v)| to[i] = v);
    }
    Ok(net)
}

/// Writes `net` as safetensors bytes: `layers.{i}.weight` (`[out, in]`, row-major) and
/// `layers.{i}.bias` for each dense layer `i`, with the architecture in the metadata (a
/// quantized network's tensors are [`Int8`](crate::Int8)'s). The same network always gives
/// the same bytes.
///
/// # Errors
/// [`LoadError::Format`] if safetensors refuses to serialise.
pub fn to_bytes<N: Saved>(net: &N) -> Result<Vec<u8>, Error> {
    serialize(&N::layout(), &net.values())
}

/// Writes the tensors of `layout`, whose values are `data`, as safetensors bytes.
pub(crate) fn serialize(layout: &Layout, data: &[Vec<u8>]) -> Result<Vec<u8>, Error> {
    let format_error = |e: SafeTensorError| Error::Load(LoadError::Format(format!("{e}")));
    let tensors = layout.tensors();
    let mut views = Vec::new();
    for ((name, shape, dtype), bytes) in tensors.iter().zip(data) {
        let Some(dtype) = crate::io::layout::dtype(dtype) else {
            let known = "F32, F64, I8 or I32".into();
            return Err(Error::Load(LoadError::Dtype(
                name.clone(),
                known,
                (*dtype).into(),
            )));
        };
        let view = TensorView::new(dtype, shape.clone(), bytes).map_err(format_error)?;
        views.push((name, view));
    }
    // One key only: safetensors writes its metadata map in hash order, and the same network
    // must always give the same bytes.
    let meta = [("architecture".into(), layout.architecture.clone())];
    safetensors::serialize(views, Some(meta.into())).map_err(format_error)
}

/// Reads a network of type `N` from safetensors bytes, checking everything: each tensor
/// present and none extra, dtypes, shapes, finite values, and the architecture in the metadata
/// when the file records one.
///
/// # Errors
/// [`Error::Load`] with the [`LoadError`] that names the tensor, what was expected and what was
/// found; truncated, corrupt or hostile bytes give [`LoadError::Format`].
pub fn from_bytes<N: Saved>(bytes: &[u8]) -> Result<N, Error> {
    let offsets = N::layout().read(bytes).map_err(Error::Load)?;
    Ok(N::decode(bytes, &offsets))
}

/// A large network's trained weights embedded at compile time: `network!` writes one for
/// `const NAME = "file";` when the network's numbers live on the heap (a `const` cannot hold
/// heap memory; a small network's const is the network itself). The file was checked while
/// compiling, so building the network cannot fail.
#[derive(Clone, Copy, Debug)]
pub struct Embedded<N> {
    bytes: &'static [u8],
    offsets: &'static [usize],
    network: core::marker::PhantomData<fn() -> N>,
}

impl<N: Model> Embedded<N> {
    /// The safetensors `bytes` whose tensors start at `offsets`, checked by `network!`.
    #[doc(hidden)]
    pub const fn new(bytes: &'static [u8], offsets: &'static [usize]) -> Self {
        Self {
            bytes,
            offsets,
            network: core::marker::PhantomData,
        }
    }

    /// Builds the network: one allocation per tensor, no parsing.
    pub fn network(&self) -> N {
        N::decode(self.bytes, self.offsets)
    }
}

/// Names `path` in an io error.
#[cfg(feature = "std")]
fn io_error(path: &std::path::Path) -> impl Fn(std::io::Error) -> Error + '_ {
    |e| Error::Io(path.display().to_string(), e.to_string())
}

/// Saves `net` to the safetensors file `path`, atomically: the bytes go to a new temporary
/// file of their own in the same directory (`tempfile`), which is synced and renamed over
/// `path`, and on unix the directory is synced too. A reader of `path`, a crash, a full disk or
/// another thread saving to the same path never sees a half-written model: only the whole old
/// one or the whole new one.
///
/// # Errors
/// [`Error::Io`] naming the path.
#[cfg(feature = "std")]
pub fn save<N: Saved>(net: &N, path: impl AsRef<std::path::Path>) -> Result<(), Error> {
    write_atomically(path.as_ref(), &to_bytes(net)?)
}

/// Writes `bytes` to the file `path` atomically, as [`save`] does.
///
/// # Errors
/// [`Error::Io`] naming the path.
#[cfg(feature = "std")]
pub(crate) fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => std::path::Path::new("."),
    };
    let mut temporary = tempfile::Builder::new();
    // The mode `File::create` gives (0666 less the umask), not a temporary file's 0600.
    #[cfg(unix)]
    temporary.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let write = || {
        let mut file = temporary.tempfile_in(dir)?;
        file.write_all(bytes)?;
        file.as_file().sync_all()?;
        file.persist(path)?;
        #[cfg(unix)]
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
    };
    write().map_err(io_error(path))
}

/// Loads a network of type `N` from the safetensors file `path`, checked as by [`from_bytes`].
///
/// # Errors
/// [`Error::Io`] naming the path, or [`Error::Load`].
#[cfg(feature = "std")]
pub fn load<N: Saved>(path: impl AsRef<std::path::Path>) -> Result<N, Error> {
    use std::io::Read;
    let path = path.as_ref();
    let most = N::layout().max_len();
    let mut bytes = Vec::new();
    let mut read = || {
        let file = std::fs::File::open(path)?;
        let len = file.metadata()?.len();
        if len <= most as u64 {
            // A file that grows while read is cut one byte past the most, and refused below.
            file.take(most as u64 + 1).read_to_end(&mut bytes)?;
        }
        Ok(len.max(bytes.len() as u64))
    };
    let len = read().map_err(io_error(path))?;
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    let too_long = Error::Load(LoadError::TooLong("file", most, len));
    crate::error::ensure(len <= most, || too_long)?;
    from_bytes(&bytes)
}
