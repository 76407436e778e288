// Embedded tensors have the network's scalar type (f32 unless declared f64).
// (`tests/ui.rs` copies the fixtures next to the crate trybuild builds.)
nn::network! {
    struct Net < 3 => 4 tanh => 2 sigmoid >
    const TRAINED = "fixtures/wrong_dtype.safetensors";
}
fn main() {}
