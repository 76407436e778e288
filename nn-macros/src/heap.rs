//! The choice of storage: inline or on the heap, by the rule in `nn/src/inline.rs` (shared
//! with `nn`), and the sizes too large for either.
use crate::ast::NetworkDef;
use crate::inline::{is_inline, CHUNK};
use syn::{Error, Result};

/// Whether the network goes on the heap: when its parameters, or a batch of `CHUNK` samples of
/// its widest layer, take more than the rule allows. Neither may take more than `isize::MAX`
/// bytes, Rust's limit for one allocation: the size that breaks it is an error.
pub fn heap(def: &NetworkDef, sizes: &[usize], scalar: usize) -> Result<bool> {
    let tokens = def.layers.iter().map(|l| &l.size);
    let tokens = [&def.input].into_iter().chain(tokens);
    let mut params = 0usize;
    let mut widest = 0;
    for (i, token) in tokens.enumerate() {
        let layer = match i {
            0 => Some(0),
            _ => sizes[i].checked_mul(sizes[i - 1] + 1),
        };
        let total = layer.and_then(|p| params.checked_add(p));
        params = total.unwrap_or(usize::MAX);
        widest = widest.max(sizes[i]);
        let batch = widest.saturating_mul(CHUNK);
        if params.max(batch).saturating_mul(scalar) > isize::MAX as usize {
            let msg = format!(
                "the network is too large with this size: its parameters, or a batch of \
                 {CHUNK} samples of one layer, would take more than {} bytes",
                isize::MAX
            );
            return Err(Error::new(token.span(), msg));
        }
    }
    Ok(!is_inline(params, widest, scalar))
}
