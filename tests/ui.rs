//! Compile errors a user sees: each `ui/*.rs` must fail to build with its `.stderr`.
//!
//! trybuild builds the cases as a crate of its own in `<target dir>/tests/trybuild/nn-tests`,
//! and `network!` reads an embedded file relative to that crate's `Cargo.toml`: the test copies
//! `tests/fixtures` there first, so the `embed-*` cases find `fixtures/...` wherever
//! `CARGO_TARGET_DIR` points.
#[test]
fn ui() {
    // This test's executable is `<target dir>/<profile>/deps/ui-<hash>`.
    let exe = std::env::current_exe().expect("the test's path");
    let target = exe.ancestors().nth(3).expect("the target dir");
    let fixtures = target.join("tests/trybuild/nn-tests/fixtures");
    std::fs::create_dir_all(&fixtures).expect("trybuild's crate dir");
    for entry in std::fs::read_dir("tests/fixtures").expect("tests/fixtures") {
        let path = entry.expect("a fixture").path();
        std::fs::copy(&path, fixtures.join(path.file_name().expect("a name"))).expect("copy");
    }
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
