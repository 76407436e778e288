// Every embedded tensor has the shape the declaration gives it.
// (trybuild compiles this file in target/tests/trybuild/nn-examples, hence the path.)
nn::network! {
    struct Net < 3 => 4 tanh => 2 sigmoid >
    const TRAINED = "../../../../tests/fixtures/wrong_shape.safetensors";
}
fn main() {}
