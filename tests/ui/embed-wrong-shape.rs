// Every embedded tensor has the shape the declaration gives it.
// (`tests/ui.rs` copies the fixtures next to the crate trybuild builds.)
nn::network! {
    struct Net < 3 => 4 tanh => 2 sigmoid >
    const TRAINED = "fixtures/wrong_shape.safetensors";
}
fn main() {}
