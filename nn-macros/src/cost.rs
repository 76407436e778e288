//! What a network costs: parameters, bytes and multiply-adds, as plain numbers for its
//! constants and its docs.
use crate::validate::Model;

/// A network's size and work per sample.
pub struct Cost {
    /// The weights and biases.
    pub params: usize,
    /// The bytes the parameters take.
    pub bytes: usize,
    /// The multiply-adds of one forward pass of one sample.
    pub macs: usize,
}

/// The cost of `model` (nothing overflows: `validate` checked that the parameters' bytes fit
/// in an `isize`).
pub fn cost(model: &Model) -> Cost {
    let layers = model.sizes.windows(2);
    let params: usize = layers.clone().map(|w| w[1] * (w[0] + 1)).sum();
    let macs: usize = layers.map(|w| w[1] * w[0]).sum();
    let bytes = params * model.scalar_bytes;
    Cost {
        params,
        bytes,
        macs,
    }
}
