//! The PyTorch layout of saved networks and the errors of loading, compiled from `nn`'s own
//! files at the same module paths, so that a file embedded at compile time is checked exactly
//! as one loaded at run time.
#[path = "../../nn/src/io/layout.rs"]
pub mod layout;
#[path = "../../nn/src/io/layout_error.rs"]
pub mod layout_error;
