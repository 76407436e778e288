//! Stage 2: check the declaration and reduce it to plain sizes and activations. Every rule is
//! checked, and all errors are reported together.
use crate::ast::NetworkDef;
use proc_macro2::Span;
use syn::{Error, Ident, LitInt, Result};

/// The activations `network!` knows: the DSL name and the `nn` type.
const ACTIVATIONS: [(&str, &str); 10] = [
    ("linear", "Linear"),
    ("relu", "Relu"),
    ("leaky_relu", "LeakyRelu"),
    ("sigmoid", "Sigmoid"),
    ("tanh", "Tanh"),
    ("softmax", "Softmax"),
    ("gelu", "Gelu"),
    ("elu", "Elu"),
    ("silu", "Silu"),
    ("softplus", "Softplus"),
];

/// A declaration that passed every check.
pub struct Model<'a> {
    pub def: &'a NetworkDef,
    /// `f32` or `f64`.
    pub dtype: Ident,
    pub input: usize,
    pub layers: Vec<Layer>,
}

/// One dense layer.
pub struct Layer {
    pub size: usize,
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
    let input = errors.check(check_size(&def.input));
    let mut layers = Vec::new();
    for layer in &def.layers {
        let size = errors.check(check_size(&layer.size));
        let activation = errors.check(check_activation(&layer.activation));
        if let (Some(size), Some((name, ty))) = (size, activation) {
            layers.push(Layer { size, name, ty });
        }
    }
    match (errors.0, input) {
        (Some(all), _) => Err(all),
        (None, input) => Ok(Model {
            def,
            dtype,
            input: input.unwrap_or(1),
            layers,
        }),
    }
}

/// The scalar type is `f32` or `f64`: nalgebra's real fields that safetensors stores.
fn check_dtype(dtype: &Ident) -> Result<()> {
    if dtype == "f32" || dtype == "f64" {
        Ok(())
    } else {
        Err(Error::new(
            dtype.span(),
            format!("unknown scalar type `{dtype}`, expected `f32` or `f64`"),
        ))
    }
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
fn check_activation(ident: &Ident) -> Result<(&'static str, Ident)> {
    match ACTIVATIONS.iter().find(|(name, _)| ident == name) {
        Some((name, ty)) => Ok((name, Ident::new(ty, ident.span()))),
        None => {
            let names: Vec<String> = ACTIVATIONS.iter().map(|(n, _)| format!("`{n}`")).collect();
            let msg = format!(
                "unknown activation `{ident}`, expected one of {}",
                names.join(", ")
            );
            Err(Error::new(ident.span(), msg))
        }
    }
}
