//! Embedded weights: `const NAME (: int8)? = "file";` parsed, its file checked against the
//! declaration while compiling (as `nn::load` checks one at run time), and expanded to a
//! `const` built from the file's bytes.
use crate::ast::NetworkDef;
use crate::io::layout::Layout;
use crate::io::layout_error::LoadError;
use crate::quant::layout::SCHEME;
use crate::validate::Model;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::{Error, Ident, LitStr, Result, Token};

/// `const NAME = "path";`, or `const NAME: int8 = "path";` for a quantized network: the path is
/// relative to the declaring crate's `Cargo.toml`.
pub struct ConstDef {
    pub name: Ident,
    pub kind: Option<Ident>,
    pub path: LitStr,
}

impl Parse for ConstDef {
    fn parse(stream: ParseStream) -> Result<Self> {
        stream.parse::<Token![const]>()?;
        let name = stream.parse()?;
        let colon = stream.parse::<Option<Token![:]>>()?;
        let kind = colon.map(|_| stream.parse()).transpose()?;
        stream.parse::<Token![=]>()?;
        let path = stream.parse()?;
        stream.parse::<Token![;]>()?;
        Ok(Self { name, kind, path })
    }
}

/// An embedded file that holds exactly the network.
pub struct Embed<'a> {
    pub name: &'a Ident,
    /// Whether it holds the quantized network.
    pub int8: bool,
    /// The path as written.
    pub path: String,
    /// The file's full path.
    pub file: String,
    /// Where each tensor's data starts in the file.
    pub offsets: Vec<usize>,
}

/// Checks every embedded file of `model`'s declaration.
pub fn check<'a>(model: &Model<'a>) -> Result<Vec<Embed<'a>>> {
    let def: &'a NetworkDef = model.def;
    let mut embeds = Vec::new();
    for c in &def.consts {
        let int8 = c.kind.as_ref().map(|kind| int8(model, kind)).transpose()?;
        let int8 = int8.is_some();
        let file = full_path(&c.path);
        let offsets = weights(model, int8, &c.path, &file)?;
        let path = c.path.value();
        let name = &c.name;
        embeds.push(Embed {
            name,
            int8,
            path,
            file,
            offsets,
        });
    }
    Ok(embeds)
}

/// The kind of an embedded file, after its `:`, is `int8`, for a network that quantizes.
fn int8(model: &Model, kind: &Ident) -> Result<()> {
    if kind != "int8" {
        let msg = format!("unknown kind of weights `{kind}`, expected `int8` or none");
        return Err(Error::new(kind.span(), msg));
    } else if !crate::quant::quantizes(model) {
        let msg = "only a network whose hidden layers are `relu` or `linear` quantizes to int8";
        return Err(Error::new(kind.span(), msg));
    }
    Ok(())
}

/// The file's path, relative to the declaring crate's `Cargo.toml`.
fn full_path(path: &LitStr) -> String {
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let file = std::path::Path::new(&dir).join(path.value());
    file.display().to_string()
}

/// The file exists and holds exactly this network, float or quantized; returns where each
/// tensor's data starts.
fn weights(model: &Model, int8: bool, path: &LitStr, file: &str) -> Result<Vec<usize>> {
    let error = |msg: String| Error::new(path.span(), msg);
    let shapes = model.sizes.windows(2).map(|w| (w[1], w[0])).collect();
    let (dtype, architecture) = match (int8, model.scalar_bytes) {
        (true, _) => ("I8", format!("{}; {SCHEME}", model.architecture)),
        (false, 4) => ("F32", model.architecture.clone()),
        (false, _) => ("F64", model.architecture.clone()),
    };
    let layout = Layout {
        architecture,
        dtype,
        shapes,
    };
    let fail = |e: LoadError| error(format!("{}: {e}", path.value()));
    let len = std::fs::metadata(file).map_or(0, |m| m.len());
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    if len > layout.max_len() {
        return Err(fail(LoadError::TooLong("file", layout.max_len(), len)));
    }
    let unreadable = |e| {
        let relative = "relative to the crate's Cargo.toml";
        error(format!("cannot read `{}` ({relative}): {e}", path.value()))
    };
    let bytes = std::fs::read(file).map_err(unreadable)?;
    layout.read(&bytes).map_err(fail)
}

/// Each embedded file as an associated `const`: the network itself for an inline network, an
/// `nn::Embedded` for a heap one (a `const` cannot hold heap memory), the quantized network for
/// `: int8`. `include_bytes!` embeds the file and makes Cargo rebuild when it changes.
pub fn consts(model: &Model, act: &[TokenStream]) -> Vec<TokenStream> {
    let vis = &model.def.vis;
    let expand = |embed: &Embed| {
        let name = embed.name;
        let file = &embed.file;
        let offsets = &embed.offsets;
        let doc = format!("The weights in `{}`, checked while compiling.", embed.path);
        let (ty, value) = match (embed.int8, model.heap) {
            (true, _) => {
                let value = crate::quant::embedded_int8(model, file, offsets);
                (quote!(<Self as ::nn::Quantize>::Int8), value)
            }
            (false, true) => {
                let value = quote!(::nn::Embedded::new(include_bytes!(#file), &[#(#offsets),*]));
                (quote!(::nn::Embedded<Self>), value)
            }
            (false, false) => (quote!(Self), embedded(model, act, file, offsets)),
        };
        quote! {
            #[doc = #doc]
            #vis const #name: #ty = #value;
        }
    };
    model.consts.iter().map(expand).collect()
}

/// A small network as a constant expression, read from the file's bytes while compiling.
///
/// Expands to `{ const BYTES: &[u8] = include_bytes!("/path/xor.safetensors");
/// Self { l1: Dense { weight: ::nn::__private::f32_matrix::<4, 2>(BYTES, 128), bias: ..,
/// activation: Relu }, .. } }`.
fn embedded(model: &Model, act: &[TokenStream], file: &str, offsets: &[usize]) -> TokenStream {
    let read = format_ident!("{}_matrix", model.dtype);
    let layers = offsets.chunks(2).enumerate().map(|(i, offset)| {
        let f = format_ident!("l{}", i + 1);
        let act = &act[i];
        let o = Literal::usize_unsuffixed(model.sizes[i + 1]);
        let k = Literal::usize_unsuffixed(model.sizes[i]);
        let weight = offset[0];
        let bias = offset[1];
        quote!(#f: ::nn::Dense {
            weight: ::nn::__private::#read::<#o, #k>(BYTES, #weight),
            bias: ::nn::__private::#read::<#o, 1>(BYTES, #bias),
            activation: #act,
        })
    });
    quote!({ const BYTES: &[u8] = include_bytes!(#file); Self { #(#layers),* } })
}
