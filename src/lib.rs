//! nn's examples and integration tests live in this package (`examples/`, `tests/`); this
//! library only runs the README's code blocks as doctests. The data sets are in
//! `examples/data/` (see `PROVENANCE.md` there) and are read with `nn::data`.

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
