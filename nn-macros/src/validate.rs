//! Stage 2: check the declaration and reduce it to plain sizes, activations and embedded
//! weights. Each rule is one check, with an error spanned at the token that breaks it.
use crate::ast::{activation_names, NetworkDef, ACTIVATIONS};
use crate::layout::{Layout, LoadError};
use crate::quant_layout::SCHEME;
use syn::{Error, Ident, LitInt, LitStr, Result};

/// A declaration that passed every check.
pub struct Model<'a> {
    pub def: &'a NetworkDef,
    /// `f32` or `f64`.
    pub dtype: Ident,
    /// The input size, then every layer's size.
    pub sizes: Vec<usize>,
    /// Every layer's activation: its DSL name and its `nn` type, spanned as written.
    pub activations: Vec<(&'static str, Ident)>,
    /// Whether the numbers live on the heap (`nn::Heap`) rather than inline (`nn::Inline`).
    pub heap: bool,
    /// The declaration in a canonical form, such as `2 => 4 relu => 1 sigmoid`.
    pub architecture: String,
    /// Whether the network quantizes: its hidden layers are `relu` or `linear`.
    pub quantizes: bool,
    /// The embedded weights: each const's name, whether it is quantized, its path as
    /// written, the file's full path, and where each tensor's data starts in the file
    /// (checked to fit the network).
    pub consts: Vec<Const<'a>>,
}

/// An embedded file: `(name, quantized, path as written, full path, offsets)`.
pub type Const<'a> = (&'a Ident, bool, String, String, Vec<usize>);

pub fn validate(def: &NetworkDef) -> Result<Model<'_>> {
    let f32 = Ident::new("f32", def.name.span());
    let dtype = def.dtype.clone().unwrap_or(f32);
    if dtype != "f32" && dtype != "f64" {
        let msg = format!("unknown scalar type `{dtype}`, expected `f32` or `f64`");
        return Err(Error::new(dtype.span(), msg));
    } else if def.layers.is_empty() {
        let msg = "a network needs at least one layer after its input size, as in `2 => 1 sigmoid`";
        return Err(Error::new(def.input.span(), msg));
    }
    let sizes = def.layers.iter().map(|l| &l.0);
    let sizes = [&def.input].into_iter().chain(sizes);
    let sizes = sizes.map(size).collect::<Result<Vec<_>>>()?;
    let activations = def.layers.iter().map(|l| activation(&l.1));
    let activations = activations.collect::<Result<Vec<_>>>()?;
    let layers = sizes[1..].iter().zip(&activations);
    let layers: String = layers.map(|(n, a)| format!(" => {n} {}", a.0)).collect();
    let architecture = sizes[0].to_string() + &layers;
    let heap = heap(def, &sizes, if dtype == "f32" { 4 } else { 8 })?;
    let hidden = &activations[..activations.len() - 1];
    let quantizes = hidden.iter().all(|a| a.0 == "relu" || a.0 == "linear");
    let consts = Vec::new();
    let mut model = Model {
        def,
        dtype,
        sizes,
        activations,
        heap,
        architecture,
        quantizes,
        consts,
    };
    for (name, kind, path) in &def.consts {
        let int8 = kind.as_ref().map(|kind| int8(&model, kind)).transpose()?;
        let (file, offsets) = weights(&model, int8.is_some(), path)?;
        model
            .consts
            .push((name, int8.is_some(), path.value(), file, offsets));
    }
    Ok(model)
}

/// The most bytes an inline network may take, for its parameters and for a batch of
/// `CHUNK` samples of any layer's inputs or outputs (`nn::Model::Store` documents the rule).
const INLINE_BYTES: usize = 16 * 1024;
/// The columns of the matrices `nn` trains in (`nn::CHUNK`).
const CHUNK: usize = 32;

/// Whether the network goes on the heap: when its parameters, or a batch of `CHUNK` samples of
/// its widest layer, take more than `INLINE_BYTES`. Neither may take more than `isize::MAX`
/// bytes, Rust's limit for one allocation: the size that breaks it is an error.
fn heap(def: &NetworkDef, sizes: &[usize], scalar: usize) -> Result<bool> {
    let tokens = [&def.input]
        .into_iter()
        .chain(def.layers.iter().map(|l| &l.0));
    let mut params = 0usize;
    let mut widest = 0;
    for (i, token) in tokens.enumerate() {
        let layer = match i {
            0 => Some(0),
            _ => sizes[i].checked_mul(sizes[i - 1] + 1),
        };
        params = layer
            .and_then(|p| params.checked_add(p))
            .unwrap_or(usize::MAX);
        widest = widest.max(sizes[i].saturating_mul(CHUNK));
        if params.max(widest).saturating_mul(scalar) > isize::MAX as usize {
            let msg = format!(
                "the network is too large with this size: its parameters, or a batch of \
                 {CHUNK} samples of one layer, would take more than {} bytes",
                isize::MAX
            );
            return Err(Error::new(token.span(), msg));
        }
    }
    Ok(params.max(widest) * scalar > INLINE_BYTES)
}

/// A size is a whole number from 1 to `usize::MAX`, written without a type suffix.
fn size(lit: &LitInt) -> Result<usize> {
    let digits = lit.base10_digits();
    if !lit.suffix().is_empty() {
        let msg = format!("a size takes no type suffix: write `{digits}`");
        return Err(Error::new(lit.span(), msg));
    }
    match lit.base10_parse::<usize>() {
        Ok(0) => Err(Error::new(lit.span(), "a size must be at least 1")),
        Ok(n) => Ok(n),
        Err(_) => {
            let msg = format!("a size is a whole number from 1 to {}", usize::MAX);
            Err(Error::new(lit.span(), msg))
        }
    }
}

/// An activation is one of the names `nn` implements.
fn activation(ident: &Ident) -> Result<(&'static str, Ident)> {
    let Some(name) = ACTIVATIONS.split(' ').find(|name| ident == *name) else {
        let names = activation_names();
        let msg = format!("unknown activation `{ident}`, expected one of {names}");
        return Err(Error::new(ident.span(), msg));
    };
    let words = name.split('_').map(|w| w[..1].to_uppercase() + &w[1..]);
    let camel: String = words.collect();
    Ok((name, Ident::new(&camel, ident.span())))
}

/// The kind of an embedded file, after its `:`, is `int8`, for a network that quantizes.
fn int8(model: &Model, kind: &Ident) -> Result<()> {
    if kind != "int8" {
        let msg = format!("unknown kind of weights `{kind}`, expected `int8` or none");
        return Err(Error::new(kind.span(), msg));
    } else if !model.quantizes {
        let msg = "only a network whose hidden layers are `relu` or `linear` quantizes to int8";
        return Err(Error::new(kind.span(), msg));
    }
    Ok(())
}

/// An embedded file exists (relative to the declaring crate's `Cargo.toml`) and holds exactly
/// this network, float or quantized, checked as `nn::load` checks a file at run time.
fn weights(model: &Model, int8: bool, path: &LitStr) -> Result<(String, Vec<usize>)> {
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let file = std::path::Path::new(&dir).join(path.value());
    let file = file.display().to_string();
    let error = |msg: String| Error::new(path.span(), msg);
    let shapes = model.sizes.windows(2).map(|w| (w[1], w[0])).collect();
    let (dtype, architecture) = match (int8, model.dtype == "f32") {
        (true, _) => ("I8", format!("{}; {SCHEME}", model.architecture)),
        (false, true) => ("F32", model.architecture.clone()),
        (false, false) => ("F64", model.architecture.clone()),
    };
    let layout = Layout {
        architecture,
        dtype,
        shapes,
    };
    let fail = |e: LoadError| error(format!("{}: {e}", path.value()));
    let len = std::fs::metadata(&file).map_or(0, |m| m.len());
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    if len > layout.max_len() {
        return Err(fail(LoadError::TooLong("file", layout.max_len(), len)));
    }
    let unreadable = |e| {
        let relative = "relative to the crate's Cargo.toml";
        error(format!("cannot read `{}` ({relative}): {e}", path.value()))
    };
    let bytes = std::fs::read(&file).map_err(unreadable)?;
    Ok((file, layout.read(&bytes).map_err(fail)?))
}
