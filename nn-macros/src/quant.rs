//! The quantized form of a network: its `nn::Quantize` impl, and an embedded int8 file.
use crate::validate::Model;
/// The layout and checks of quantized files, shared with `nn` in the same way.
#[path = "../../nn/src/quant/layout.rs"]
pub mod layout;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

/// Whether the network quantizes: its hidden layers are `relu` or `linear`, which have an
/// integer form.
pub fn quantizes(model: &Model) -> bool {
    let hidden = &model.activations[..model.activations.len() - 1];
    let integer = |a: &crate::validate::Activation| a.name == "relu" || a.name == "linear";
    hidden.iter().all(integer)
}

/// `impl Quantize` for a network whose hidden layers are relu or linear.
///
/// Expands to, for `Xor < 2 => 4 relu => 1 sigmoid >`: `impl ::nn::Quantize for Xor { type
/// Int8 = ::nn::Int8<Self, 2, 1, (QDense<2, 4>, (QDense<4, 1>, ()))>; }`.
pub fn quantize(model: &Model) -> Option<TokenStream> {
    let name = &model.def.name;
    let sizes = model.sizes.iter().map(|&s| Literal::usize_unsuffixed(s));
    let sizes: Vec<_> = sizes.collect();
    let input = &sizes[0];
    let output = &sizes[sizes.len() - 1];
    let chain = sizes.windows(2).rev().fold(quote!(()), |rest, w| {
        let i = &w[0];
        let o = &w[1];
        quote!((::nn::quant::QDense<#i, #o>, #rest))
    });
    quantizes(model).then(|| {
        quote! {
            impl ::nn::Quantize for #name {
                type Int8 = ::nn::Int8<Self, #input, #output, #chain>;
            }
        }
    })
}

/// A quantized network as a constant expression, read from the file's bytes while compiling;
/// each layer's weights are a `const` of their own, which the network's `const` refers to.
///
/// Expands to `{ const BYTES: &[u8] = include_bytes!("/path/xor-int8.safetensors");
/// const W1: [[i8; 2]; 4] = ::nn::__private::i8_rows::<4, 2>(BYTES, 96); ..
/// ::nn::Int8 { input_scale: ::nn::__private::f32_array::<1>(BYTES, 88)[0], .., layers:
/// (QDense::read(Rows::Static(&W1), BYTES, &[104, ..]), (.., ())), .. } }`.
pub fn embedded_int8(model: &Model, file: &str, offsets: &[usize]) -> TokenStream {
    let mut weights = Vec::new();
    let mut layers = quote!(());
    for (i, at) in offsets[2..].chunks(6).enumerate().rev() {
        let w = format_ident!("W{}", i + 1);
        let o = Literal::usize_unsuffixed(model.sizes[i + 1]);
        let k = Literal::usize_unsuffixed(model.sizes[i]);
        let start = at[0];
        let rest = &at[1..];
        let rows = quote!(::nn::__private::i8_rows::<#o, #k>(BYTES, #start));
        weights.push(quote!(const #w: [[i8; #k]; #o] = #rows;));
        let static_rows = quote!(::nn::__private::Rows::Static(&#w));
        let read = quote!(::nn::__private::QDense::read(#static_rows, BYTES, &[#(#rest),*]));
        layers = quote!((#read, #layers));
    }
    let scale = offsets[0];
    let zero = offsets[1];
    let output_scale = offsets[offsets.len() - 2];
    let output_zero = offsets[offsets.len() - 1];
    quote!({
        const BYTES: &[u8] = include_bytes!(#file);
        #(#weights)*
        ::nn::Int8 {
            input_scale: ::nn::__private::f32_array::<1>(BYTES, #scale)[0],
            input_zero: ::nn::__private::i8_array::<1>(BYTES, #zero)[0],
            output_scale: ::nn::__private::f32_array::<1>(BYTES, #output_scale)[0],
            output_zero: ::nn::__private::i8_array::<1>(BYTES, #output_zero)[0],
            layers: #layers,
            network: ::core::marker::PhantomData,
        }
    })
}
