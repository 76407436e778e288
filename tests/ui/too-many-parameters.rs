// The parameter count overflows at the second layer: 2^32 × (2^32 + 1).
nn::network! { struct Net < 2 => 4294967296 relu => 4294967296 relu => 1 sigmoid > }
fn main() {}
