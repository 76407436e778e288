// A float file is not a quantized network.
nn::network! {
    struct Net < 6 => 16 relu => 8 linear => 4 softmax >
    const INT8: int8 = "fixtures/quant_float.safetensors";
}
fn main() {}
