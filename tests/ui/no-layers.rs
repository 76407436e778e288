// A network has at least one layer after its input size.
nn::network! { struct Net < 2 > }
fn main() {}
