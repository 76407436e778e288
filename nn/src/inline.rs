//! When a network's numbers live inline: the one statement of the rule. `nn-macros` compiles
//! this file too (`#[path]`), so the macro that picks a network's storage and the training
//! loop that sizes its batches read the same numbers.

/// Training and evaluation gather samples into matrices of this many columns, so that each
/// layer's products run as matrix products; the rest of a batch goes in matrices of 8
/// columns, then one by one.
pub const CHUNK: usize = 32;

/// The most bytes an inline network may take, for its parameters and for a batch of
/// [`CHUNK`] samples of any layer's inputs or outputs.
pub const INLINE_BYTES: usize = 16 * 1024;

/// Whether a network keeps its numbers inline: its `params` parameters, and a batch of
/// [`CHUNK`] samples of its widest layer (`widest` values per sample), take at most
/// [`INLINE_BYTES`] at `scalar` bytes a value.
pub const fn is_inline(params: usize, widest: usize, scalar: usize) -> bool {
    let batch = widest.saturating_mul(CHUNK);
    let largest = if params > batch { params } else { batch };
    largest.saturating_mul(scalar) <= INLINE_BYTES
}
