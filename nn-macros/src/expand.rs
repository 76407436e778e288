//! Stage 3: write the network's Rust code from a validated [`Model`]. Only what is specific to
//! one network is generated: its struct, its constants, and the unrolled chain of layers in
//! the forward and backward passes. The math of a layer lives once, in `nn`.
use crate::ast::NetworkDef;
use crate::validate::Model;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote, quote_spanned};

/// When validation fails: the errors, and the struct without fields, so that code naming the
/// type does not add errors of its own.
pub fn fallback(def: &NetworkDef, err: &syn::Error) -> TokenStream {
    let (attrs, vis, name, err) = (&def.attrs, &def.vis, &def.name, err.to_compile_error());
    quote! { #err #(#attrs)* #vis struct #name; }
}

pub fn expand(model: &Model) -> TokenStream {
    let Model {
        def,
        dtype,
        sizes,
        architecture,
        ..
    } = model;
    let (attrs, vis, name) = (&def.attrs, &def.vis, &def.name);
    let n = model.layers.len();
    let (input, output) = (sizes[0], sizes[n]);
    let field: Vec<_> = (1..=n).map(|i| format_ident!("l{}", i)).collect();
    // `::nn::Relu`, spanned at the activation as written, so type errors point there.
    let act: Vec<_> = model.layers.iter().map(|l| path(&l.ty)).collect();
    let (fan_in, fan_out, out_act) = (&sizes[..n], &sizes[1..], &act[n - 1]);
    let macs: usize = fan_in.iter().zip(fan_out).map(|(i, o)| i * o).sum();
    let params = macs + fan_out.iter().sum::<usize>();
    let bytes = params * if dtype == "f64" { 8 } else { 4 };
    let docs = docs(model, params, bytes, macs);
    let field_docs = (1..).zip(&model.layers).map(|(i, l)| {
        let (o, k) = (sizes[i], sizes[i - 1]);
        format!(
            "Layer {i}: `{o}×{k}` weights, `{o}` biases, activation `{}`.",
            l.name
        )
    });
    let consts = model.consts.iter().map(|(name, file, tensors)| {
        let (file, value) = (file.display().to_string(), trained(model, tensors));
        let doc = format!("The weights embedded from `{file}` when this crate was compiled.");
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

    // Expands to, for `struct Xor < 2 => 4 relu => 1 sigmoid >`:
    //     pub struct Xor { pub l1: Dense<f32, 2, 4, Relu>, pub l2: Dense<f32, 4, 1, Sigmoid> }
    // with its constants, `Model` (the parameters) and `Network<2, 1>` (forward, backward).
    quote! {
        #(#attrs)*
        #(#[doc = #docs])*
        #[derive(Clone, Debug, PartialEq)]
        #vis struct #name {
            #(
                #[doc = #field_docs]
                pub #field: ::nn::Dense<#dtype, #fan_in, #fan_out, #act>,
            )*
        }

        impl #name {
            /// The input length.
            pub const INPUTS: usize = #input;
            /// The output length.
            pub const OUTPUTS: usize = #output;
            #(#consts)*
        }

        impl ::nn::Model for #name {
            type Scalar = #dtype;
            const ARCHITECTURE: &'static str = #architecture;
            const PARAMS: usize = #params;
            const BYTES: usize = #bytes;
            const MACS: usize = #macs;

            fn zeros() -> Self {
                Self { #(#field: ::nn::Dense::zeros()),* }
            }
            fn layers(&self) -> impl ::core::iter::Iterator<Item = &dyn ::nn::Layer<#dtype>> {
                [#(&self.#field as &dyn ::nn::Layer<#dtype>),*].into_iter()
            }
            fn layers_mut(&mut self) -> impl ::core::iter::Iterator<Item = &mut dyn ::nn::Layer<#dtype>> {
                [#(&mut self.#field as &mut dyn ::nn::Layer<#dtype>),*].into_iter()
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

/// `::nn::Name`, spanned at `ty`.
fn path(ty: &syn::Ident) -> TokenStream {
    quote_spanned!(ty.span()=> ::nn::#ty)
}

/// The input of layer `i` (1-based): `x` for the first layer, else the layer below's output.
fn input_of(i: usize) -> TokenStream {
    let a = format_ident!("a{}", i - 1);
    if i == 1 {
        quote!(x)
    } else {
        quote!(&#a)
    }
}

/// The forward pass to the output layer's pre-activation.
///
/// Expands to, for `< 2 => 4 relu => 1 sigmoid >`: `self.l2.linear(&self.l1.forward(x))`
fn forward(n: usize) -> TokenStream {
    let (mut x, last) = (quote!(x), format_ident!("l{}", n));
    for f in (1..n).map(|i| format_ident!("l{}", i)) {
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
    let n = model.layers.len();
    let ident = |prefix: &str, i: usize| format_ident!("{}{}", prefix, i);
    let mut body = Vec::new();
    for (i, layer) in (1..).zip(&model.layers) {
        let (f, z, a, x, ty) = (
            ident("l", i),
            ident("z", i),
            ident("a", i),
            input_of(i),
            path(&layer.ty),
        );
        body.push(quote! { let #z = self.#f.linear(#x); });
        if i < n {
            body.push(quote! { let #a = <#ty as ::nn::Activation>::forward(&#z); });
        }
    }
    let (zn, dn) = (ident("z", n), ident("d", n));
    body.push(quote! { let (loss, #dn) = L::loss(&#zn, y); });
    for i in (1..=n).rev() {
        let (f, d, x) = (ident("l", i), ident("d", i), input_of(i));
        body.push(quote! { grads.#f.accumulate(#x, &#d); });
        if i > 1 {
            let (d_below, z, a) = (ident("d", i - 1), ident("z", i - 1), ident("a", i - 1));
            let ty = path(&model.layers[i - 2].ty);
            body.push(quote! {
                let #d_below = <#ty as ::nn::Activation>::backward(&#z, &#a, &self.#f.backprop(&#d));
            });
        }
    }
    quote! { #(#body)* loss }
}

/// A trained network as a constant expression.
///
/// Expands to `Self { l1: Dense { weight: SMatrix::from_array_storage(ArrayStorage([[..]])),
/// bias: .., activation: Relu }, .. }`, the weights column by column as nalgebra stores them.
fn trained(model: &Model, tensors: &[Vec<f64>]) -> TokenStream {
    let lit = |v: f64| match model.dtype == "f64" {
        true => Literal::f64_suffixed(v),
        false => Literal::f32_suffixed(v as f32),
    };
    let layers = (1..).zip(&model.layers).zip(tensors.chunks(2)).map(|((i, layer), t)| {
        let (o, k, f, act) = (model.sizes[i], model.sizes[i - 1], format_ident!("l{}", i), path(&layer.ty));
        let columns = (0..k).map(|c| {
            let column = (0..o).map(|r| lit(t[0][r * k + c]));
            quote!([#(#column),*])
        });
        let bias = t[1].iter().map(|&v| lit(v));
        quote! {
            #f: ::nn::Dense {
                weight: ::nn::SMatrix::from_array_storage(::nn::nalgebra::ArrayStorage([#(#columns),*])),
                bias: ::nn::SMatrix::from_array_storage(::nn::nalgebra::ArrayStorage([[#(#bias),*]])),
                activation: #act,
            }
        }
    });
    quote!(Self { #(#layers),* })
}

/// The struct's rustdoc: what it computes, layer by layer, with shapes.
fn docs(model: &Model, params: usize, bytes: usize, macs: usize) -> Vec<String> {
    let (n, sizes) = (model.layers.len(), &model.sizes);
    let var = |i: usize| match i {
        0 => "x".to_string(),
        _ if i == n => "y".to_string(),
        _ => format!("h{i}"),
    };
    let mut docs = vec![
        String::new(),
        format!(
            "`{}`: computes, one sample per column of `x`,",
            model.architecture
        ),
        String::new(),
        "```text".to_string(),
    ];
    for (i, layer) in (1..).zip(&model.layers) {
        let (y, x, o, k, f) = (var(i), var(i - 1), sizes[i], sizes[i - 1], layer.name);
        docs.push(format!(
            "{y:<3}= {f}(W{i} · {x} + b{i})    W{i}: {o}×{k}, b{i}: {o}"
        ));
    }
    docs.push("```".to_string());
    docs.push(format!(
        "{params} parameters ({bytes} bytes), {macs} multiply-adds per sample."
    ));
    docs
}
