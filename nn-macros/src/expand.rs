//! Stage 3: write the network's Rust code from a validated [`Model`]. Only what is specific to
//! one network is generated: its struct, its constants, and the unrolled chain of layers in
//! the forward and backward passes. The math of a layer lives once, in `nn`.
use crate::ast::NetworkDef;
use crate::validate::Model;
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote, quote_spanned};

/// When validation fails: the errors, and the struct without fields, so that code naming the
/// type does not add errors of its own.
pub fn fallback(def: &NetworkDef, err: &syn::Error) -> TokenStream {
    let (attrs, vis, name, err) = (&def.attrs, &def.vis, &def.name, err.to_compile_error());
    quote! { #err #(#attrs)* #vis struct #name; }
}

/// `l1`, `z1`, `a1`, `d1`: layer 1, its pre-activation, its output, its error `∂L/∂z1`.
fn id(prefix: &str, i: usize) -> Ident {
    format_ident!("{}{}", prefix, i)
}

/// Expands to, for `struct Xor < 2 => 4 relu => 1 sigmoid >`, the struct
/// `pub struct Xor { pub l1: Dense<f32, 2, 4, Relu>, pub l2: Dense<f32, 4, 1, Sigmoid> }`,
/// its embedded weights, and its `Model` (the parameters) and `Network<2, 1>` (the forward
/// and backward passes) implementations.
pub fn expand(model: &Model) -> TokenStream {
    let Model {
        def,
        dtype,
        sizes,
        architecture,
        ..
    } = model;
    let (attrs, vis, name) = (&def.attrs, &def.vis, &def.name);
    let n = model.activations.len();
    let (input, output, docs) = (sizes[0], sizes[n], docs(model));
    let field: Vec<_> = (1..=n).map(|i| id("l", i)).collect();
    let act: Vec<_> = (0..n).map(|i| activation(model, i)).collect();
    let names = model.activations.iter().map(|a| a.0);
    let (fan_in, fan_out, out_act) = (&sizes[..n], &sizes[1..], &act[n - 1]);
    let macs: usize = fan_in.iter().zip(fan_out).map(|(i, o)| i * o).sum();
    let params = macs + fan_out.iter().sum::<usize>();
    let field_doc = field
        .iter()
        .map(|f| format!("Layer `{f}`; see the struct's docs."));
    let consts = model.consts.iter().map(|(name, file, tensors)| {
        let (doc, value) = (
            format!("The weights in `{file}`, embedded."),
            trained(model, tensors),
        );
        // `include_bytes!` makes Cargo rebuild when the file changes.
        quote! {
            #[doc = #doc]
            #vis const #name: Self = {
                const _: &[u8] = include_bytes!(#file);
                #value
            };
        }
    });
    let (forward, backward) = (forward(n), backward(model));
    quote! {
        #(#attrs)*
        #(#[doc = #docs])*
        #[derive(Clone, Debug, PartialEq)]
        #vis struct #name {
            #( #[doc = #field_doc] pub #field: ::nn::Dense<#dtype, #fan_in, #fan_out, #act>, )*
        }

        impl #name {
            #(#consts)*
        }

        impl ::nn::Model for #name {
            type Scalar = #dtype;
            const ARCHITECTURE: &'static str = #architecture;
            const LAYERS: &'static [(usize, usize, &'static str)] = &[#((#fan_out, #fan_in, #names)),*];
            const PARAMS: usize = #params;
            const MACS: usize = #macs;

            fn zeros() -> Self {
                Self { #(#field: ::nn::Dense::zeros()),* }
            }
            fn params(&self) -> impl ::core::iter::Iterator<Item = &[#dtype]> {
                [#(self.#field.weight.as_slice(), self.#field.bias.as_slice()),*].into_iter()
            }
            fn params_mut(&mut self) -> impl ::core::iter::Iterator<Item = &mut [#dtype]> {
                [#(self.#field.weight.as_mut_slice(), self.#field.bias.as_mut_slice()),*].into_iter()
            }
        }

        impl ::nn::Network<#input, #output> for #name {
            type Output = #out_act;

            fn logits_batch<const B: usize>(
                &self,
                x: &::nn::SMatrix<#dtype, #input, B>,
            ) -> ::nn::SMatrix<#dtype, #output, B> {
                #forward
            }

            fn backward<L: ::nn::Loss<#out_act>, const B: usize>(
                &self,
                x: &::nn::SMatrix<#dtype, #input, B>,
                y: &::nn::SMatrix<#dtype, #output, B>,
                grads: &mut Self,
            ) -> #dtype {
                #backward
            }
        }
    }
}

/// `::nn::Relu` for layer `i` (0-based), spanned at the activation as written, so that type
/// errors point there.
fn activation(model: &Model, i: usize) -> TokenStream {
    let ty = &model.activations[i].1;
    quote_spanned!(ty.span()=> ::nn::#ty)
}

/// The input of layer `i` (1-based): `x` for the first layer, else `&a{i-1}`.
fn input_of(i: usize) -> TokenStream {
    let a = id("a", i - 1);
    if i == 1 {
        quote!(x)
    } else {
        quote!(&#a)
    }
}

/// The forward pass to the output layer's pre-activation.
///
/// Expands to, for `< 2 => 4 relu => 1 sigmoid >`: `self.l2.linear(&self.l1.forward(x))`.
fn forward(n: usize) -> TokenStream {
    let (mut x, last) = (quote!(x), id("l", n));
    for f in (1..n).map(|i| id("l", i)) {
        x = quote!(&self.#f.forward(#x));
    }
    quote!(self.#last.linear(#x))
}

/// The forward pass keeping every `z` and `a`, the loss, then the chain rule downwards.
///
/// Expands to, for `< 2 => 4 relu => 1 sigmoid >`:
/// ```text
/// let z1 = self.l1.linear(x);
/// let a1 = <Relu as Activation>::forward(&z1);
/// let z2 = self.l2.linear(&a1);
/// let (loss, d2) = L::loss(&z2, y);              // d2 = ∂L/∂z2
/// grads.l2.accumulate(&a1, &d2);                 // ∂L/∂W2 += d2·a1ᵀ, ∂L/∂b2 += d2
/// let d1 = <Relu as Activation>::backward(&z1, &a1, &self.l2.backprop(&d2));
/// grads.l1.accumulate(x, &d1);                   // d1 = (W2ᵀ·d2) ⊙ relu'(z1)
/// loss
/// ```
fn backward(model: &Model) -> TokenStream {
    let n = model.activations.len();
    let mut body = Vec::new();
    for i in 1..=n {
        let (f, z, a, x, ty) = (
            id("l", i),
            id("z", i),
            id("a", i),
            input_of(i),
            activation(model, i - 1),
        );
        body.push(quote! { let #z = self.#f.linear(#x); });
        if i < n {
            body.push(quote! { let #a = <#ty as ::nn::Activation>::forward(&#z); });
        }
    }
    let (z, d) = (id("z", n), id("d", n));
    body.push(quote! { let (loss, #d) = L::loss(&#z, y); });
    for i in (1..=n).rev() {
        let (f, d, x) = (id("l", i), id("d", i), input_of(i));
        body.push(quote! { grads.#f.accumulate(#x, &#d); });
        if i > 1 {
            let (below, z, a, ty) = (
                id("d", i - 1),
                id("z", i - 1),
                id("a", i - 1),
                activation(model, i - 2),
            );
            let error = quote!(&self.#f.backprop(&#d));
            body.push(
                quote! { let #below = <#ty as ::nn::Activation>::backward(&#z, &#a, #error); },
            );
        }
    }
    quote! { #(#body)* loss }
}

/// A trained network as a constant expression, its weights column by column as nalgebra
/// stores them.
///
/// Expands to `Self { l1: Dense { weight: SMatrix::from_array_storage(ArrayStorage([[..]])),
/// bias: .., activation: Relu }, .. }`.
fn trained(model: &Model, tensors: &[Vec<f64>]) -> TokenStream {
    let f64 = model.dtype == "f64";
    let lit = |v: f64| {
        if f64 {
            Literal::f64_suffixed(v)
        } else {
            Literal::f32_suffixed(v as f32)
        }
    };
    let storage = |columns: Vec<TokenStream>| quote!(::nn::SMatrix::from_array_storage(::nn::nalgebra::ArrayStorage([#(#columns),*])));
    let layers = tensors.chunks(2).enumerate().map(|(i, t)| {
        let (f, act, k) = (id("l", i + 1), activation(model, i), model.sizes[i]);
        let column = |c| t[0].iter().skip(c).step_by(k).map(|&v| lit(v));
        let weight = storage(
            (0..k)
                .map(|c| {
                    let col = column(c);
                    quote!([#(#col),*])
                })
                .collect(),
        );
        let bias = t[1].iter().map(|&v| lit(v));
        let bias = storage(vec![quote!([#(#bias),*])]);
        quote!(#f: ::nn::Dense { weight: #weight, bias: #bias, activation: #act })
    });
    quote!(Self { #(#layers),* })
}

/// The struct's rustdoc: what it computes, layer by layer, with shapes.
fn docs(model: &Model) -> Vec<String> {
    let (n, sizes) = (model.activations.len(), &model.sizes);
    let var = |i: usize| match i {
        0 => "x".to_string(),
        _ if i == n => "y".to_string(),
        _ => format!("h{i}"),
    };
    let mut docs = vec![String::new(), format!("`{}`: computes", model.architecture)];
    docs.extend([String::new(), "```text".into()]);
    for (i, (f, _)) in (1..).zip(&model.activations) {
        let (y, x, o, k) = (var(i), var(i - 1), sizes[i], sizes[i - 1]);
        docs.push(format!(
            "{y:<3}= {f}(W{i} · {x} + b{i})    W{i}: {o}×{k}, b{i}: {o}"
        ));
    }
    docs.push("```".into());
    docs.push("where `x` holds one sample per column, and `Wi` is field `li`'s weights.".into());
    docs
}
