// An embedded weights file must exist, relative to the crate's Cargo.toml.
// (`tests/ui.rs` copies the fixtures next to the crate trybuild builds.)
nn::network! {
    struct Net < 3 => 4 tanh => 2 sigmoid >
    const TRAINED = "fixtures/no_such_file.safetensors";
}
fn main() {}
