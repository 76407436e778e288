// Layers are separated by `=>`.
nn::network! { struct Net < 2 => 4 relu 1 sigmoid > }
fn main() {}
