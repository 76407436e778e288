// Embedded tensors have the network's scalar type (f32 unless declared f64).
// (trybuild compiles this file in target/tests/trybuild/nn-examples, hence the path.)
nn::network! {
    struct Net < 3 => 4 tanh => 2 sigmoid >
    const TRAINED = "../../../../tests/fixtures/wrong_dtype.safetensors";
}
fn main() {}
