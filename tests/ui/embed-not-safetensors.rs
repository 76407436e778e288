// A file that is not safetensors (here a CSV file) is said to be so, with the numbers that
// show it, not reported as a header of billions of bytes.
nn::network! {
    struct Net < 3 => 4 tanh => 2 sigmoid >
    const TRAINED = "fixtures/heap_layout_expected.csv";
}
fn main() {}
