//! Files: saving and loading networks as safetensors in PyTorch's layout (`save`), the layout
//! and its checks (`layout`, `layout_error`: `nn-macros` compiles both too, so that a file
//! embedded while compiling is checked exactly as one loaded at run time), and the `const fn`s
//! that build an embedded network from the file's bytes (`consts`).
pub mod consts;
/// What the code `network!` writes refers to, and nothing else needs (as `nn::__private`): the
/// readers of embedded files and the layers of a quantized network. Not part of the API.
#[doc(hidden)]
pub use consts as __private;
#[cfg(feature = "alloc")]
pub(crate) mod layout;
#[cfg(feature = "alloc")]
pub(crate) mod layout_error;
#[cfg(feature = "alloc")]
mod save;

#[cfg(feature = "alloc")]
pub use layout::Layout;
#[cfg(feature = "alloc")]
pub use layout_error::LoadError;
#[cfg(feature = "std")]
pub(crate) use save::write_atomically;
#[cfg(feature = "alloc")]
pub use save::{from_bytes, load_state_dict, state_dict, to_bytes, Embedded, Saved, Tensor};
#[cfg(feature = "std")]
pub use save::{load, save};
#[cfg(feature = "alloc")]
pub(crate) use save::{serialize, shapes};
