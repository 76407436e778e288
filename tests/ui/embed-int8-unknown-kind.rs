// The kind of embedded weights after `:` is `int8`, or nothing for float weights.
nn::network! {
    struct Net < 6 => 16 relu => 8 linear => 4 softmax >
    const INT4: int4 = "fixtures/quant_int8.safetensors";
}
fn main() {}
