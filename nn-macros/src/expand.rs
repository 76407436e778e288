//! Stage 3: write the network's Rust code from a validated [`Model`]. Only what is specific to
//! one network is generated: its struct, its constants, and the unrolled chain of layers in
//! the forward and backward passes. The math of a layer lives once, in `nn`.
use crate::validate::Model;
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote, quote_spanned};

/// `l1`, `z1`, `a1`, `d1`: layer 1, its pre-activation, its output, its error `∂L/∂z1`.
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
    let docs = docs(model);
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
    let path = |(_, ty): &(_, Ident)| quote_spanned!(ty.span()=> ::nn::#ty);
    let act: Vec<_> = model.activations.iter().map(path).collect();
    let names = model.activations.iter().map(|a| a.0);
    let out_act = &act[n - 1];
    let consts = model
        .consts
        .iter()
        .map(|(name, int8, path, file, offsets)| {
            let doc = format!("The weights in `{path}`, checked while compiling.");
            // `include_bytes!` embeds the file and makes Cargo rebuild when it changes.
            let value = match (int8, model.heap) {
                (true, _) => embedded_int8(model, file, offsets),
                (false, true) => {
                    quote!(::nn::Embedded::new(include_bytes!(#file), &[#(#offsets),*]))
                }
                (false, false) => embedded(model, &act, file, offsets),
            };
            let ty = match (int8, model.heap) {
                (true, _) => quote!(<Self as ::nn::Quantize>::Int8),
                (false, true) => quote!(::nn::Embedded<Self>),
                (false, false) => quote!(Self),
            };
            quote! {
                #[doc = #doc]
                #vis const #name: #ty = #value;
            }
        });
    let (forward, backward) = (forward(n), backward(n));
    // The quantized form: the chain `(QDense<I, H>, (QDense<H, O>, ()))`, for a network whose
    // hidden layers are relu or linear.
    let chain = fan_in.iter().zip(fan_out).rev();
    let chain = chain.fold(
        quote!(()),
        |rest, (i, o)| quote!((::nn::QDense<#i, #o>, #rest)),
    );
    let quantize = model.quantizes.then(|| {
        quote! {
            impl ::nn::Quantize for #name {
                type Int8 = ::nn::Int8<Self, #input, #output, #chain>;
            }
        }
    });
    // The cost as plain numbers, so that the docs show them.
    let cost = cost(model);
    let params = Literal::usize_unsuffixed(cost.0);
    let bytes = Literal::usize_unsuffixed(cost.1);
    let macs = Literal::usize_unsuffixed(cost.2);
    // A batch of inputs and of outputs: one sample per column. The const generic is written
    // in braces, so that it resolves as a value: a type of the user's named `NN_BATCH` cannot
    // take its place.
    let xs = quote!(impl ::nn::Values<#dtype, #input, { NN_BATCH }>);
    let ys = quote!(impl ::nn::Values<#dtype, #output, { NN_BATCH }>);
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
            const LAYERS: &'static [(usize, usize, &'static str)] = &[#((#fan_out, #fan_in, #names)),*];
            const PARAMS: usize = #params;
            const BYTES: usize = #bytes;
            const MACS: usize = #macs;

            fn params(&self) -> impl ::core::iter::Iterator<Item = &[#dtype]> {
                [#(::nn::Values::values(&self.#field.weight), ::nn::Values::values(&self.#field.bias)),*].into_iter()
            }
            fn params_mut(&mut self) -> impl ::core::iter::Iterator<Item = &mut [#dtype]> {
                [#(::nn::Buffer::values_mut(&mut self.#field.weight), ::nn::Buffer::values_mut(&mut self.#field.bias)),*].into_iter()
            }
        }

        impl ::nn::Network<#input, #output> for #name {
            fn logits_batch<const NN_BATCH: usize>(&self, x: &#xs) -> ::nn::Batch<Self, #output, { NN_BATCH }> {
                #forward
            }
            fn backward<NnLoss: ::nn::Loss<#out_act>, const NN_BATCH: usize>(&self, x: &#xs, y: &#ys, grads: &mut Self) -> #dtype {
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

/// The forward pass keeping every layer's `[z, a]`, the loss, then the chain rule downwards.
///
/// Expands to, for `< 2 => 4 relu => 1 sigmoid >`:
/// ```text
/// let t1 = self.l1.forward(x);                  // [z1, a1]: z1 = W1·x + b1, a1 = relu(z1)
/// let t2 = self.l2.forward(&t1[1]);             // [z2, a2]
/// let (loss, d2) = self.l2.error::<L, B>(&t2, y); // d2 = ∂L/∂z2
/// grads.l2.accumulate(&t1[1], &d2);             // ∂L/∂W2 += d2·a1ᵀ, ∂L/∂b2 += d2
/// let mut d1 = self.l2.back(&d2);               // ∂L/∂a1 = W2ᵀ·d2
/// self.l1.delta(&t1, &mut d1);                  // d1 = ∂L/∂z1 = ∂L/∂a1 ⊙ relu'(z1)
/// grads.l1.accumulate(x, &d1);                  // ∂L/∂W1 += d1·xᵀ, ∂L/∂b1 += d1
/// loss
/// ```
fn backward(n: usize) -> TokenStream {
    // The input of layer `i`: `x` for the first, else the layer below's `a`.
    let input = |i: usize| match i {
        1 => quote!(x),
        _ => {
            let t = id("t", i - 1);
            quote!(&#t[1])
        }
    };
    let mut body = Vec::new();
    for i in 1..=n {
        let f = id("l", i);
        let t = id("t", i);
        let x = input(i);
        body.push(quote! { let #t = self.#f.forward(#x); });
    }
    let f = id("l", n);
    let t = id("t", n);
    let d = id("d", n);
    body.push(quote! { let (loss, #d) = self.#f.error::<NnLoss, { NN_BATCH }>(&#t, y); });
    for i in (1..=n).rev() {
        let f = id("l", i);
        let d = id("d", i);
        let x = input(i);
        body.push(quote! { grads.#f.accumulate(#x, &#d); });
        if i > 1 {
            let below = id("l", i - 1);
            let d_below = id("d", i - 1);
            let t = id("t", i - 1);
            body.push(quote! { let mut #d_below = self.#f.back(&#d); });
            body.push(quote! { self.#below.delta(&#t, &mut #d_below); });
        }
    }
    quote! { #(#body)* loss }
}

/// A small network as a constant expression, read from the file's bytes while compiling.
///
/// Expands to `{ const BYTES: &[u8] = include_bytes!("/path/xor.safetensors");
/// Self { l1: Dense { weight: ::nn::f32_matrix::<4, 2>(BYTES, 128), bias: .., activation: Relu },
/// .. } }`.
fn embedded(model: &Model, act: &[TokenStream], file: &str, offsets: &[usize]) -> TokenStream {
    let read = format_ident!("{}_matrix", model.dtype);
    let layers = offsets.chunks(2).enumerate().map(|(i, offset)| {
        let f = id("l", i + 1);
        let act = &act[i];
        let o = Literal::usize_unsuffixed(model.sizes[i + 1]);
        let k = Literal::usize_unsuffixed(model.sizes[i]);
        let weight = offset[0];
        let bias = offset[1];
        quote!(#f: ::nn::Dense {
            weight: ::nn::#read::<#o, #k>(BYTES, #weight),
            bias: ::nn::#read::<#o, 1>(BYTES, #bias),
            activation: #act,
        })
    });
    quote!({ const BYTES: &[u8] = include_bytes!(#file); Self { #(#layers),* } })
}

/// A quantized network as a constant expression, read from the file's bytes while compiling;
/// each layer's weights are a `const` of their own, which the network's `const` refers to.
///
/// Expands to `{ const BYTES: &[u8] = include_bytes!("/path/xor-int8.safetensors");
/// const W1: [[i8; 2]; 4] = ::nn::i8_rows::<4, 2>(BYTES, 96); ..
/// ::nn::Int8 { input_scale: ::nn::f32_array::<1>(BYTES, 88)[0], .., layers:
/// (::nn::QDense::read(::nn::Rows::Static(&W1), BYTES, &[104, ..]), (.., ())), .. } }`.
fn embedded_int8(model: &Model, file: &str, offsets: &[usize]) -> TokenStream {
    let mut weights = Vec::new();
    let mut layers = quote!(());
    for (i, at) in offsets[2..].chunks(6).enumerate().rev() {
        let w = id("W", i + 1);
        let o = Literal::usize_unsuffixed(model.sizes[i + 1]);
        let k = Literal::usize_unsuffixed(model.sizes[i]);
        let (start, rest) = (at[0], &at[1..]);
        weights.push(quote!(const #w: [[i8; #k]; #o] = ::nn::i8_rows::<#o, #k>(BYTES, #start);));
        let read = quote!(::nn::QDense::read(::nn::Rows::Static(&#w), BYTES, &[#(#rest),*]));
        layers = quote!((#read, #layers));
    }
    let (scale, zero) = (offsets[0], offsets[1]);
    quote!({
        const BYTES: &[u8] = include_bytes!(#file);
        #(#weights)*
        ::nn::Int8 {
            input_scale: ::nn::f32_array::<1>(BYTES, #scale)[0],
            input_zero: ::nn::i8_array::<1>(BYTES, #zero)[0],
            layers: #layers,
            network: ::core::marker::PhantomData,
        }
    })
}

/// The struct's rustdoc: what it computes, layer by layer, with shapes.
fn docs(model: &Model) -> Vec<String> {
    let n = model.activations.len();
    let sizes = &model.sizes;
    let mut docs = vec![String::new(), format!("`{}`: computes", model.architecture)];
    docs.extend([String::new(), "```text".into()]);
    for (i, (f, _)) in (1..).zip(&model.activations) {
        let line = format!("h{i} = {f}(W{i}·h{} + b{i})", i - 1);
        let o = sizes[i];
        let k = sizes[i - 1];
        docs.push(format!("{line:<28}W{i}: {o}×{k}, b{i}: {o}"));
    }
    docs.push("```".into());
    docs.push(format!(
        "from the input `x = h0` to the output `y = h{n}`, one sample per column;"
    ));
    docs.push("`Wi` and `bi` are the weights and bias of field `li`.".into());
    let (params, bytes, macs) = cost(model);
    docs.push(String::new());
    docs.push(format!(
        "{params} parameters ({bytes} bytes), {macs} multiply-adds per sample."
    ));
    docs.push(String::new());
    docs.push(match model.heap {
        true => "Its numbers live on the heap (`nn::Heap`): its parameters, or a batch of 32 \
                 samples of its widest layer, take more than 16 KiB. Its large products go \
                 through the blocked GEMM (`nn::gemm`)."
            .into(),
        false => "Its numbers live inline (`nn::Inline`): its parameters, and a batch of 32 \
                  samples of its widest layer, take at most 16 KiB, and its products run as \
                  static loops, so it allocates nothing, in batches and training too."
            .into(),
    });
    docs
}

/// The parameters, their bytes and the multiply-adds per sample (none overflows: `validate`
/// checked that the parameters' bytes fit in an `isize`).
fn cost(model: &Model) -> (usize, usize, usize) {
    let layers = model.sizes.windows(2);
    let params: usize = layers.clone().map(|w| w[1] * (w[0] + 1)).sum();
    let macs: usize = layers.map(|w| w[1] * w[0]).sum();
    let bytes = params * if model.dtype == "f32" { 4 } else { 8 };
    (params, bytes, macs)
}
