// The expansion of `network! { DEEP }` in `tests/macro_stages.rs`, linted there.
// Written by `NN_BLESS=1 cargo test --test macro_stages`; do not edit.
#[doc = " A network in f64, with three layers."]
#[doc = ""]
#[doc = "`3 => 5 tanh => 4 gelu => 2 softmax`: computes"]
#[doc = ""]
#[doc = "```text"]
#[doc = "h1 = tanh(W1·h0 + b1)       W1: 5×3, b1: 5"]
#[doc = "h2 = gelu(W2·h1 + b2)       W2: 4×5, b2: 4"]
#[doc = "h3 = softmax(W3·h2 + b3)    W3: 2×4, b3: 2"]
#[doc = "```"]
#[doc = "from the input `x = h0` to the output `y = h3`, one sample per column;"]
#[doc = "`Wi` and `bi` are the weights and bias of field `li`."]
#[doc = ""]
#[doc = "Its gradient, the chain rule from the loss's `δ3 = ∂L/∂z3` down (`zi` is layer `i`'s pre-activation, `Σ` sums over the batch's columns):"]
#[doc = ""]
#[doc = "```text"]
#[doc = "∂L/∂W3 = δ3·h2ᵀ   ∂L/∂b3 = Σ δ3   δ2 = W3ᵀ·δ3 ⊙ gelu'(z2)"]
#[doc = "∂L/∂W2 = δ2·h1ᵀ   ∂L/∂b2 = Σ δ2   δ1 = W2ᵀ·δ2 ⊙ tanh'(z1)"]
#[doc = "∂L/∂W1 = δ1·h0ᵀ   ∂L/∂b1 = Σ δ1"]
#[doc = "```"]
#[doc = ""]
#[doc = "54 parameters (432 bytes), 43 multiply-adds per sample."]
#[doc = ""]
#[doc = "Its numbers live inline (`nn::Inline`): its parameters, and a batch of 32 samples of its widest layer, take at most 16 KiB, and its products run as static loops, so it allocates nothing, in batches and training too."]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Deep {
    #[doc = "A dense layer: see the struct's docs."]
    pub l1: ::nn::Dense<f64, 3, 5, ::nn::Tanh, ::nn::Inline>,
    #[doc = "A dense layer: see the struct's docs."]
    pub l2: ::nn::Dense<f64, 5, 4, ::nn::Gelu, ::nn::Inline>,
    #[doc = "A dense layer: see the struct's docs."]
    pub l3: ::nn::Dense<f64, 4, 2, ::nn::Softmax, ::nn::Inline>,
}
impl Deep {}
impl ::nn::Model for Deep {
    type Scalar = f64;
    type Store = ::nn::Inline;
    type Output = ::nn::Softmax;
    const ARCHITECTURE: &'static str = "3 => 5 tanh => 4 gelu => 2 softmax";
    const LAYERS: &'static [::nn::Layer] = &[
        ::nn::Layer {
            outputs: 5,
            inputs: 3,
            activation: <::nn::Tanh as ::nn::Activation>::NAME,
            init: <::nn::Tanh as ::nn::Activation>::INIT,
        },
        ::nn::Layer {
            outputs: 4,
            inputs: 5,
            activation: <::nn::Gelu as ::nn::Activation>::NAME,
            init: <::nn::Gelu as ::nn::Activation>::INIT,
        },
        ::nn::Layer {
            outputs: 2,
            inputs: 4,
            activation: <::nn::Softmax as ::nn::Activation>::NAME,
            init: <::nn::Softmax as ::nn::Activation>::INIT,
        },
    ];
    const PARAMS: usize = 54;
    const MACS: usize = 43;
    fn params(&self) -> impl ::core::iter::Iterator<Item = &[f64]> {
        [
            ::nn::Values::values(&self.l1.weight),
            ::nn::Values::values(&self.l1.bias),
            ::nn::Values::values(&self.l2.weight),
            ::nn::Values::values(&self.l2.bias),
            ::nn::Values::values(&self.l3.weight),
            ::nn::Values::values(&self.l3.bias),
        ]
        .into_iter()
    }
    fn params_mut(&mut self) -> impl ::core::iter::Iterator<Item = &mut [f64]> {
        [
            ::nn::Buffer::values_mut(&mut self.l1.weight),
            ::nn::Buffer::values_mut(&mut self.l1.bias),
            ::nn::Buffer::values_mut(&mut self.l2.weight),
            ::nn::Buffer::values_mut(&mut self.l2.bias),
            ::nn::Buffer::values_mut(&mut self.l3.weight),
            ::nn::Buffer::values_mut(&mut self.l3.bias),
        ]
        .into_iter()
    }
}
impl ::nn::Network<3, 2> for Deep {
    fn logits_batch<const B: usize>(
        &self,
        x: &impl ::nn::Values<f64, 3, { B }>,
    ) -> ::nn::Batch<Self, 2, { B }> {
        self.l3.linear(&self.l2.output(&self.l1.output(x)))
    }
    fn backward<L: ::nn::Loss<::nn::Softmax>, const B: usize>(
        &self,
        x: &impl ::nn::Values<f64, 3, { B }>,
        y: &impl ::nn::Values<f64, 2, { B }>,
        grads: &mut Self,
    ) -> f64 {
        let f1 = self.l1.forward(x);
        let f2 = self.l2.forward(&f1.a);
        let f3 = self.l3.forward(&f2.a);
        let loss = self.l3.loss::<L, { B }>(&f3, y);
        let d3 = self.l3.output_delta::<L, { B }>(&f3, y);
        grads.l3.accumulate(&f2.a, &d3);
        let mut d2 = self.l3.grad_input(&d3);
        self.l2.delta(&f2, &mut d2);
        grads.l2.accumulate(&f1.a, &d2);
        let mut d1 = self.l2.grad_input(&d2);
        self.l1.delta(&f1, &mut d1);
        grads.l1.accumulate(x, &d1);
        loss
    }
}
