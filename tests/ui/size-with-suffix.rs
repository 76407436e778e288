// A size is written without a type suffix.
nn::network! { struct Net < 2 => 300u8 relu => 1 sigmoid > }
fn main() {}
