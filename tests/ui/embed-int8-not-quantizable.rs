// Only relu and linear hidden layers have an integer form.
nn::network! {
    struct Net < 6 => 16 tanh => 8 linear => 4 softmax >
    const INT8: int8 = "fixtures/quant_int8.safetensors";
}
fn main() {}
