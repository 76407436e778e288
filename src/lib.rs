//! nn's integration tests live in this package (`tests/`; the examples are the package in
//! `examples/`); this library only runs the README's code blocks as doctests. The data sets
//! are in `examples/data/` (see `PROVENANCE.md` there) and are read with `nn::data`.

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
