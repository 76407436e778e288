//! The examples and integration tests of nn live in `examples/` and `tests/`; this library only
//! runs the README's code blocks as doctests.

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
