//! Stage 3: write the network's Rust code from a validated [`Model`]. Only what is specific to
//! one network is generated: its struct, its constants, and the unrolled chain of layers in
//! the forward and backward passes. The math of a layer lives once, in `nn`.
use crate::validate::Model;
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote, quote_spanned};

/// `l1`, `f1`, `d1`: layer 1, its forward pass `{ z, a }`, its `δ1 = ∂L/∂z1`.
fn id(prefix: &str, i: usize) -> Ident {
    format_ident!("{}{}", prefix, i)
}

/// Expands to, for `struct Xor < 2 => 4 relu => 1 sigmoid >`, the struct
/// `pub struct Xor { pub l1: Dense<f32, 2, 4, Relu>, pub l2: Dense<f32, 4, 1, Sigmoid> }`,
/// its embedded weights, and its `Model` (the parameters) and `Network<2, 1>` (the forward
/// and backward passes) implementations.
pub fn expand(model: &Model) -> TokenStream {
    let def = model.def;
    let dtype = &model.dtype;
    let n = model.sizes.len() - 1;
    let attrs = &def.attrs;
    let vis = &def.vis;
    let name = &def.name;
    let arch = &model.architecture;
    let docs = crate::docs::docs(model);
    let sizes: Vec<_> = model
        .sizes
        .iter()
        .map(|&s| Literal::usize_unsuffixed(s))
        .collect();
    let input = &sizes[0];
    let output = &sizes[n];
    let fan_in = &sizes[..n];
    let fan_out = &sizes[1..];
    let store = match model.heap {
        true => quote!(::nn::Heap),
        false => quote!(::nn::Inline),
    };
    let field: Vec<_> = (1..=n).map(|i| id("l", i)).collect();
    // `::nn::Relu`, spanned at the activation as written, so that type errors point there.
    let path = |a: &crate::validate::Activation| {
        let ty = &a.ty;
        quote_spanned!(ty.span()=> ::nn::#ty)
    };
    let act: Vec<_> = model.activations.iter().map(path).collect();
    let out_act = &act[n - 1];
    let consts = crate::embed::consts(model, &act);
    let forward = forward(n);
    let backward = backward(n);
    let quantize = crate::quant::quantize(model);
    // The cost as plain numbers, so that the docs show them.
    let cost = crate::cost::cost(model);
    let params = Literal::usize_unsuffixed(cost.params);
    let macs = Literal::usize_unsuffixed(cost.macs);
    // A batch of inputs and of outputs: one sample per column. The const generic is written
    // in braces, so that it resolves as a value: a type of the user's named `B` cannot take
    // its place.
    let xs = quote!(impl ::nn::Values<#dtype, #input, { B }>);
    let ys = quote!(impl ::nn::Values<#dtype, #output, { B }>);
    quote! {
        #(#attrs)*
        #(#[doc = #docs])*
        #[derive(Clone, Debug, Default, PartialEq)]
        #vis struct #name {
            #( #[doc = "A dense layer: see the struct's docs."]
               pub #field: ::nn::Dense<#dtype, #fan_in, #fan_out, #act, #store>, )*
        }

        impl #name { #(#consts)* }

        #quantize

        impl ::nn::Model for #name {
            type Scalar = #dtype;
            type Store = #store;
            type Output = #out_act;
            const ARCHITECTURE: &'static str = #arch;
            const LAYERS: &'static [::nn::Layer] = &[#(::nn::Layer {
                outputs: #fan_out,
                inputs: #fan_in,
                activation: <#act as ::nn::Activation>::NAME,
                init: <#act as ::nn::Activation>::INIT,
            }),*];
            const PARAMS: usize = #params;
            const MACS: usize = #macs;

            fn params(&self) -> impl ::core::iter::Iterator<Item = &[#dtype]> {
                [#(::nn::Values::values(&self.#field.weight), ::nn::Values::values(&self.#field.bias)),*].into_iter()
            }
            fn params_mut(&mut self) -> impl ::core::iter::Iterator<Item = &mut [#dtype]> {
                [#(::nn::Buffer::values_mut(&mut self.#field.weight), ::nn::Buffer::values_mut(&mut self.#field.bias)),*].into_iter()
            }
        }

        impl ::nn::Network<#input, #output> for #name {
            fn logits_batch<const B: usize>(&self, x: &#xs) -> ::nn::Batch<Self, #output, { B }> {
                #forward
            }
            fn backward<L: ::nn::Loss<#out_act>, const B: usize>(&self, x: &#xs, y: &#ys, grads: &mut Self) -> #dtype {
                #backward
            }
        }
    }
}

/// The forward pass to the output layer's pre-activation.
///
/// Expands to, for `< 2 => 4 relu => 1 sigmoid >`: `self.l2.linear(&self.l1.output(x))`.
fn forward(n: usize) -> TokenStream {
    let mut x = quote!(x);
    for f in (1..n).map(|i| id("l", i)) {
        x = quote!(&self.#f.output(#x));
    }
    let last = id("l", n);
    quote!(self.#last.linear(#x))
}

/// The forward pass keeping every layer's `z` and `a`, the loss and its `δ`, then the chain
/// rule downwards.
///
/// Expands to, for `< 2 => 4 relu => 1 sigmoid >`:
/// ```text
/// let f1 = self.l1.forward(x);                      // z1 = W1·x + b1, a1 = relu(z1)
/// let f2 = self.l2.forward(&f1.a);                  // z2 = W2·a1 + b2, a2 = sigmoid(z2)
/// let loss = self.l2.loss::<L, { B }>(&f2, y);
/// let d2 = self.l2.output_delta::<L, { B }>(&f2, y); // δ2 = ∂L/∂z2
/// grads.l2.accumulate(&f1.a, &d2);                  // ∂L/∂W2 += δ2·a1ᵀ, ∂L/∂b2 += δ2
/// let mut d1 = self.l2.grad_input(&d2);             // ∂L/∂a1 = W2ᵀ·δ2
/// self.l1.delta(&f1, &mut d1);                      // δ1 = ∂L/∂a1 ⊙ relu'(z1)
/// grads.l1.accumulate(x, &d1);                      // ∂L/∂W1 += δ1·xᵀ, ∂L/∂b1 += δ1
/// loss
/// ```
fn backward(n: usize) -> TokenStream {
    // The input of layer `i`: `x` for the first, else the layer below's `a`.
    let input = |i: usize| match i {
        1 => quote!(x),
        _ => {
            let f = id("f", i - 1);
            quote!(&#f.a)
        }
    };
    let mut body = Vec::new();
    for i in 1..=n {
        let l = id("l", i);
        let f = id("f", i);
        let x = input(i);
        body.push(quote! { let #f = self.#l.forward(#x); });
    }
    let l = id("l", n);
    let f = id("f", n);
    let d = id("d", n);
    body.push(quote! { let loss = self.#l.loss::<L, { B }>(&#f, y); });
    body.push(quote! { let #d = self.#l.output_delta::<L, { B }>(&#f, y); });
    for i in (1..=n).rev() {
        let l = id("l", i);
        let d = id("d", i);
        let x = input(i);
        body.push(quote! { grads.#l.accumulate(#x, &#d); });
        if i > 1 {
            let below = id("l", i - 1);
            let d_below = id("d", i - 1);
            let f = id("f", i - 1);
            body.push(quote! { let mut #d_below = self.#l.grad_input(&#d); });
            body.push(quote! { self.#below.delta(&#f, &mut #d_below); });
        }
    }
    quote! { #(#body)* loss }
}
