// A size is a positive whole number.
nn::network! { struct Net < 2 => -1 relu => 1 sigmoid > }
fn main() {}
