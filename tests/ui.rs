//! Compile errors a user sees: each `ui/*.rs` must fail to build with its `.stderr`.
#[test]
fn ui() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
