// Every size, input or layer, is at least 1.
nn::network! { struct Net < 2 => 0 relu => 1 sigmoid > }
fn main() {}
