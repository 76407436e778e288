// Layers are joined by `=>`, not arithmetic.
nn::network! { struct Net < 2 * 2 => 1 sigmoid > }
fn main() {}
