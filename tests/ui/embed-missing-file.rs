// An embedded weights file must exist, relative to the crate's Cargo.toml.
// (trybuild compiles this file in target/tests/trybuild/nn-examples, hence the path.)
nn::network! {
    struct Net < 3 => 4 tanh => 2 sigmoid >
    const TRAINED = "../../../../tests/fixtures/no_such_file.safetensors";
}
fn main() {}
