//! Stage 3: write the network's Rust code from a validated [`Model`]. Only what is specific to
//! one network is generated: its struct, its constants, and the unrolled chain of layers in
//! the forward and backward passes. The math of a layer lives once, in `nn`.
use crate::ast::NetworkDef;
use crate::validate::Model;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};

/// When validation fails: the errors, and the struct without fields, so that code naming the
/// type does not add errors of its own.
pub fn fallback(def: &NetworkDef, err: &syn::Error) -> TokenStream {
    let (attrs, vis, name, err) = (&def.attrs, &def.vis, &def.name, err.to_compile_error());
    quote! { #err #(#attrs)* #vis struct #name; }
}

pub fn expand(model: &Model) -> TokenStream {
    let Model { def, dtype, .. } = model;
    let (attrs, vis, name) = (&def.attrs, &def.vis, &def.name);
    let n = model.layers.len();
    let sizes: Vec<usize> = [model.input]
        .into_iter()
        .chain(model.layers.iter().map(|l| l.size))
        .collect();
    let (input, output) = (sizes[0], sizes[n]);
    let field: Vec<_> = (1..=n).map(|i| format_ident!("l{}", i)).collect();
    // `::nn::Relu`, spanned at the activation as written, so type errors point there.
    let act: Vec<_> = model.layers.iter().map(|l| path(&l.ty)).collect();
    let (fan_in, fan_out) = (&sizes[..n], &sizes[1..]);
    let out_act = &act[n - 1];

    let macs: usize = fan_in.iter().zip(fan_out).map(|(i, o)| i * o).sum();
    let params = macs + fan_out.iter().sum::<usize>();
    let bytes = params * if dtype == "f64" { 8 } else { 4 };
    let arch: Vec<String> = model
        .layers
        .iter()
        .map(|l| format!("{} {}", l.size, l.name))
        .collect();
    let arch = format!("{input} => {}", arch.join(" => "));
    let docs = docs(model, &sizes, params, bytes, macs);
    let field_docs = (1..).zip(&model.layers).map(|(i, l)| {
        format!(
            "Layer {i}: `{}×{}` weights, activation `{}`.",
            sizes[i],
            sizes[i - 1],
            l.name
        )
    });

    let (forward, backward) = (forward(model), backward(model));
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
        }

        impl ::nn::Model for #name {
            type Scalar = #dtype;
            const ARCHITECTURE: &'static str = #arch;
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
    match i {
        1 => quote!(x),
        _ => {
            let a = format_ident!("a{}", i - 1);
            quote!(&#a)
        }
    }
}

/// The forward pass to the output layer's pre-activation.
///
/// Expands to, for `< 2 => 4 relu => 1 sigmoid >`:
/// `let a1 = self.l1.forward(x); self.l2.linear(&a1)`
fn forward(model: &Model) -> TokenStream {
    let n = model.layers.len();
    let hidden = (1..n).map(|i| {
        let (f, a, x) = (
            format_ident!("l{}", i),
            format_ident!("a{}", i),
            input_of(i),
        );
        quote! { let #a = self.#f.forward(#x); }
    });
    let (last, x) = (format_ident!("l{}", n), input_of(n));
    quote! { #(#hidden)* self.#last.linear(#x) }
}

/// The forward pass keeping every `z` and `a`, the loss, then the chain rule downwards.
///
/// Expands to, for `< 2 => 4 relu => 1 sigmoid >`:
/// ```text
/// let z1 = self.l1.linear(x);
/// let a1 = <Relu as Activation>::forward(&z1);
/// let z2 = self.l2.linear(&a1);
/// let (loss, d2) = L::loss(&z2, y);                                  // d2 = ∂L/∂z2
/// grads.l2.accumulate(&a1, &d2);                                     // ∂L/∂W2 += d2·a1ᵀ
/// let d1 = <Relu as Activation>::backward(&z1, &a1, &self.l2.backprop(&d2)); // (W2ᵀ·d2) ⊙ relu'(z1)
/// grads.l1.accumulate(x, &d1);
/// loss
/// ```
fn backward(model: &Model) -> TokenStream {
    let n = model.layers.len();
    let (f, z, a, d) = (
        |i| format_ident!("l{}", i),
        |i| format_ident!("z{}", i),
        |i| format_ident!("a{}", i),
        |i| format_ident!("d{}", i),
    );
    let mut body = Vec::new();
    for (i, layer) in (1..).zip(&model.layers) {
        let (f, z, a, x, ty) = (f(i), z(i), a(i), input_of(i), path(&layer.ty));
        body.push(quote! { let #z = self.#f.linear(#x); });
        if i < n {
            body.push(quote! { let #a = <#ty as ::nn::Activation>::forward(&#z); });
        }
    }
    let (zn, dn) = (z(n), d(n));
    body.push(quote! { let (loss, #dn) = L::loss(&#zn, y); });
    for i in (1..=n).rev() {
        let (fi, di, x) = (f(i), d(i), input_of(i));
        body.push(quote! { grads.#fi.accumulate(#x, &#di); });
        if i > 1 {
            let (d, z, a, ty) = (d(i - 1), z(i - 1), a(i - 1), path(&model.layers[i - 2].ty));
            body.push(quote! {
                let #d = <#ty as ::nn::Activation>::backward(&#z, &#a, &self.#fi.backprop(&#di));
            });
        }
    }
    quote! { #(#body)* loss }
}

/// The struct's rustdoc: what it computes, layer by layer, with shapes.
fn docs(model: &Model, sizes: &[usize], params: usize, bytes: usize, macs: usize) -> Vec<String> {
    let n = model.layers.len();
    let mut docs = vec![
        String::new(),
        format!(
            "Computes, for `x` of {} values (a batch is a matrix, one sample per column):",
            sizes[0]
        ),
        String::new(),
        "```text".to_string(),
    ];
    for (i, layer) in (1..).zip(&model.layers) {
        let out = if i == n {
            "y ".to_string()
        } else {
            format!("h{i}")
        };
        let x = if i == 1 {
            "x".to_string()
        } else {
            format!("h{}", i - 1)
        };
        let (o, k, name) = (sizes[i], sizes[i - 1], layer.name);
        docs.push(format!(
            "{out} = {name}(W{i} · {x} + b{i})    W{i}: {o}×{k}, b{i}: {o}"
        ));
    }
    docs.push("```".to_string());
    docs.push(format!(
        "{params} parameters ({bytes} bytes), {macs} multiply-adds per sample."
    ));
    docs
}
