//! Stage 2: check the declaration and reduce it to plain sizes, activations and embedded
//! weights. Every rule is checked, and all errors are reported together.
use crate::ast::{ConstDef, NetworkDef};
use crate::layout::Layout;
use proc_macro2::Span;
use std::path::PathBuf;
use syn::{Error, Ident, LitInt, Result};

/// The activations `network!` knows, by their DSL names; the `nn` type is the name in
/// CamelCase (`leaky_relu` is `LeakyRelu`).
const ACTIVATIONS: [&str; 10] = [
    "linear",
    "relu",
    "leaky_relu",
    "sigmoid",
    "tanh",
    "softmax",
    "gelu",
    "elu",
    "silu",
    "softplus",
];

/// A declaration that passed every check.
pub struct Model<'a> {
    pub def: &'a NetworkDef,
    /// `f32` or `f64`.
    pub dtype: Ident,
    /// The input size, then every layer's size.
    pub sizes: Vec<usize>,
    pub layers: Vec<Layer>,
    /// The declaration in a canonical form, such as `2 => 4 relu => 1 sigmoid`.
    pub architecture: String,
    /// The embedded weights: each const's name, its file, and its tensors as `nn` saves them.
    pub consts: Vec<(&'a Ident, PathBuf, Vec<Vec<f64>>)>,
}

/// One dense layer.
pub struct Layer {
    /// The DSL name, such as `relu`.
    pub name: &'static str,
    /// The `nn` type, such as `Relu`, spanned at the activation as written.
    pub ty: Ident,
}

/// Gathers every rule's error, so that the user sees them all at once.
#[derive(Default)]
struct Errors(Option<Error>);

impl Errors {
    fn check<T>(&mut self, result: Result<T>) -> Option<T> {
        result
            .map_err(|e| match &mut self.0 {
                Some(all) => all.combine(e),
                None => self.0 = Some(e),
            })
            .ok()
    }
}

pub fn validate(def: &NetworkDef) -> Result<Model<'_>> {
    let mut errors = Errors::default();
    let dtype = def
        .dtype
        .clone()
        .unwrap_or_else(|| Ident::new("f32", Span::call_site()));
    errors.check(check_dtype(&dtype));
    errors.check(check_some_layers(def));
    let mut sizes = vec![errors.check(check_size(&def.input)).unwrap_or(1)];
    let mut layers = Vec::new();
    for layer in &def.layers {
        sizes.extend(errors.check(check_size(&layer.size)));
        layers.extend(errors.check(check_activation(&layer.activation)));
    }
    if let Some(all) = errors.0 {
        return Err(all);
    }
    let names = layers
        .iter()
        .zip(&sizes[1..])
        .map(|(l, s)| format!(" => {s} {}", l.name));
    let architecture = format!("{}{}", sizes[0], names.collect::<String>());
    let mut model = Model {
        def,
        dtype,
        sizes,
        layers,
        architecture,
        consts: Vec::new(),
    };
    for c in &def.consts {
        model.consts.extend(errors.check(check_weights(&model, c)));
    }
    errors.0.map_or(Ok(model), Err)
}

/// The scalar type is `f32` or `f64`: nalgebra's real fields that safetensors stores.
fn check_dtype(dtype: &Ident) -> Result<()> {
    if dtype == "f32" || dtype == "f64" {
        return Ok(());
    }
    let msg = format!("unknown scalar type `{dtype}`, expected `f32` or `f64`");
    Err(Error::new(dtype.span(), msg))
}

/// A network maps its input through at least one layer.
fn check_some_layers(def: &NetworkDef) -> Result<()> {
    if def.layers.is_empty() {
        let msg = "a network needs at least one layer, as in `< 2 => 1 sigmoid >`";
        return Err(Error::new(def.close.span, msg));
    }
    Ok(())
}

/// A size is a whole number of at least 1.
fn check_size(lit: &LitInt) -> Result<usize> {
    match lit.base10_parse::<usize>() {
        Ok(0) => Err(Error::new(lit.span(), "a size must be at least 1")),
        Ok(n) if lit.suffix().is_empty() => Ok(n),
        _ => Err(Error::new(
            lit.span(),
            "expected a size, a whole number such as `4`",
        )),
    }
}

/// An activation is one of the names `nn` implements.
fn check_activation(ident: &Ident) -> Result<Layer> {
    let Some(name) = ACTIVATIONS.iter().find(|name| ident == *name) else {
        let names: Vec<String> = ACTIVATIONS.iter().map(|n| format!("`{n}`")).collect();
        let msg = format!(
            "unknown activation `{ident}`, expected one of {}",
            names.join(", ")
        );
        return Err(Error::new(ident.span(), msg));
    };
    let camel = name.split('_').map(|w| w[..1].to_uppercase() + &w[1..]);
    Ok(Layer {
        name,
        ty: Ident::new(&camel.collect::<String>(), ident.span()),
    })
}

/// An embedded file exists (relative to the declaring crate's `Cargo.toml`) and holds exactly
/// this network, as `nn::load` would check it at run time.
fn check_weights<'a>(
    model: &Model,
    c: &'a ConstDef,
) -> Result<(&'a Ident, PathBuf, Vec<Vec<f64>>)> {
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let path = PathBuf::from(dir).join(c.path.value());
    let error = |msg: String| Error::new(c.path.span(), msg);
    let read = std::fs::read(&path);
    let bytes = read.map_err(|e| error(format!("cannot read {}: {e}", path.display())))?;
    let shapes = model.sizes.windows(2).map(|w| (w[1], w[0])).collect();
    let dtype = if model.dtype == "f64" { "F64" } else { "F32" };
    let layout = Layout {
        architecture: &model.architecture,
        dtype,
        shapes,
    };
    let tensors = layout
        .read(&bytes)
        .map_err(|e| error(format!("{}: {e}", c.path.value())))?;
    Ok((&c.name, path, tensors))
}
