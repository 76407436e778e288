//! The `network!` macro of [nn](https://docs.rs/nn). This crate is an implementation detail:
//! depend on `nn`, which re-exports the macro.
//!
//! The macro is a pipeline, one module per stage: `ast` parses the tokens as written (with
//! their spans), `validate` checks them into a plain `validate::Model`, and `expand`
//! writes the Rust code from that model alone. The modules beside them are parts a reader
//! can skip: `heap` (the storage rule), `embed` (embedded files), `quant` (int8), `docs` and
//! `cost`.
#![forbid(unsafe_code)]

extern crate alloc;

mod ast;
mod cost;
mod docs;
mod embed;
mod expand;
mod heap;
/// The rule that puts a network inline or on the heap, shared with `nn`.
#[path = "../../nn/src/inline.rs"]
mod inline;
mod io;
mod quant;
mod validate;

use proc_macro::TokenStream;

/// Declares a network: a struct of statically sized dense layers with its forward and
/// backward passes. `nn::network!` documents the grammar, the activations and the errors.
#[proc_macro]
pub fn network(input: TokenStream) -> TokenStream {
    let def = syn::parse::<ast::NetworkDef>(input);
    let tokens = def.and_then(|def| Ok(expand::expand(&validate::validate(&def)?)));
    tokens.unwrap_or_else(|e| e.to_compile_error()).into()
}
