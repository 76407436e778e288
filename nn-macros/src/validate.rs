//! Stage 2: check the declaration and reduce it to plain sizes, activations and embedded
//! weights. Each rule is one check, with an error spanned at the token that breaks it.
use crate::ast::{activation_names, NetworkDef, ACTIVATIONS};
use syn::{Error, Ident, LitInt, Result};

/// A declaration that passed every check.
pub struct Model<'a> {
    pub def: &'a NetworkDef,
    /// `f32` or `f64`.
    pub dtype: Ident,
    /// The bytes of one scalar: 4 for `f32`, 8 for `f64`.
    pub scalar_bytes: usize,
    /// The input size, then every layer's size.
    pub sizes: Vec<usize>,
    /// Every layer's activation.
    pub activations: Vec<Activation>,
    /// Whether the numbers live on the heap (`nn::Heap`) rather than inline (`nn::Inline`).
    pub heap: bool,
    /// The declaration in a canonical form, such as `2 => 4 relu => 1 sigmoid`.
    pub architecture: String,
    /// The embedded files, checked to fit the network.
    pub consts: Vec<crate::embed::Embed<'a>>,
}

/// A layer's activation: its DSL name and its `nn` type, spanned as written.
pub struct Activation {
    pub name: &'static str,
    pub ty: Ident,
}

pub fn validate(def: &NetworkDef) -> Result<Model<'_>> {
    let f32 = Ident::new("f32", def.name.span());
    let dtype = def.dtype.clone().unwrap_or(f32);
    let scalar_bytes = match () {
        () if dtype == "f32" => 4,
        () if dtype == "f64" => 8,
        () => {
            let msg = format!("unknown scalar type `{dtype}`, expected `f32` or `f64`");
            return Err(Error::new(dtype.span(), msg));
        }
    };
    if def.layers.is_empty() {
        let msg = "a network needs at least one layer after its input size, as in `2 => 1 sigmoid`";
        return Err(Error::new(def.input.span(), msg));
    }
    let sizes = def.layers.iter().map(|l| &l.size);
    let sizes = [&def.input].into_iter().chain(sizes);
    let sizes = sizes.map(size).collect::<Result<Vec<_>>>()?;
    let activations = def.layers.iter().map(|l| activation(&l.activation));
    let activations = activations.collect::<Result<Vec<_>>>()?;
    let layers = sizes[1..].iter().zip(&activations);
    let layers: String = layers.map(|(n, a)| format!(" => {n} {}", a.name)).collect();
    let architecture = sizes[0].to_string() + &layers;
    let heap = crate::heap::heap(def, &sizes, scalar_bytes)?;
    let mut model = Model {
        def,
        dtype,
        scalar_bytes,
        sizes,
        activations,
        heap,
        architecture,
        consts: Vec::new(),
    };
    model.consts = crate::embed::check(&model)?;
    Ok(model)
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
fn activation(ident: &Ident) -> Result<Activation> {
    let Some(name) = ACTIVATIONS.split(' ').find(|name| ident == *name) else {
        let names = activation_names();
        let msg = format!("unknown activation `{ident}`, expected one of {names}");
        return Err(Error::new(ident.span(), msg));
    };
    let words = name.split('_').map(|w| w[..1].to_uppercase() + &w[1..]);
    let camel: String = words.collect();
    let ty = Ident::new(&camel, ident.span());
    Ok(Activation { name, ty })
}
