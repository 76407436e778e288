// A file saved from a network with other activations does not fit.
// (`tests/ui.rs` copies the fixtures next to the crate trybuild builds.)
nn::network! {
    struct Net < 3 => 4 relu => 2 sigmoid >
    const TRAINED = "fixtures/torch_layout.safetensors";
}
fn main() {}
