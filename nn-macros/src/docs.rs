//! The rustdoc of a generated network: its equations, forward and backward, with every shape,
//! its cost, and where its numbers live.
use crate::inline::{CHUNK, INLINE_BYTES};
use crate::validate::Model;

/// The struct's rustdoc, one line per string.
pub fn docs(model: &Model) -> Vec<String> {
    let n = model.activations.len();
    let sizes = &model.sizes;
    let mut docs = vec![String::new(), format!("`{}`: computes", model.architecture)];
    docs.extend([String::new(), "```text".into()]);
    for (i, activation) in (1..).zip(&model.activations) {
        let f = activation.name;
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
    docs.push(String::new());
    docs.push(format!(
        "Its gradient, the chain rule from the loss's `δ{n} = ∂L/∂z{n}` down (`zi` is layer \
         `i`'s pre-activation, `Σ` sums over the batch's columns):"
    ));
    docs.extend([String::new(), "```text".into()]);
    for i in (1..=n).rev() {
        let grads = format!("∂L/∂W{i} = δ{i}·h{}ᵀ   ∂L/∂b{i} = Σ δ{i}", i - 1);
        let below = i - 1;
        let chain = match below {
            0 => String::new(),
            _ => {
                let f = model.activations[below - 1].name;
                format!("   δ{below} = W{i}ᵀ·δ{i} ⊙ {f}'(z{below})")
            }
        };
        docs.push(format!("{grads}{chain}"));
    }
    docs.push("```".into());
    let cost = crate::cost::cost(model);
    let params = cost.params;
    let bytes = cost.bytes;
    let macs = cost.macs;
    docs.push(String::new());
    docs.push(format!(
        "{params} parameters ({bytes} bytes), {macs} multiply-adds per sample."
    ));
    docs.push(String::new());
    let kib = INLINE_BYTES / 1024;
    docs.push(match model.heap {
        true => format!(
            "Its numbers live on the heap (`nn::Heap`): its parameters, or a batch of {CHUNK} \
             samples of its widest layer, take more than {kib} KiB. Its large products go \
             through the blocked GEMM (`nn::gemm`)."
        ),
        false => format!(
            "Its numbers live inline (`nn::Inline`): its parameters, and a batch of {CHUNK} \
             samples of its widest layer, take at most {kib} KiB, and its products run as \
             static loops, so it allocates nothing, in batches and training too."
        ),
    });
    docs
}
