// A file saved from a network with other activations does not fit.
// (trybuild compiles this file in target/tests/trybuild/nn-examples, hence the path.)
nn::network! {
    struct Net < 3 => 4 relu => 2 sigmoid >
    const TRAINED = "../../../../tests/fixtures/torch_layout.safetensors";
}
fn main() {}
