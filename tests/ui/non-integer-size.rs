// Sizes are integer literals: they become the matrices' static shapes.
nn::network! { struct Net < 2 => four relu => 1 sigmoid > }
fn main() {}
