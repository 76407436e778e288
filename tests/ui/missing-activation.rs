// An activation must follow every size.
nn::network! { struct Net < 2 => 4 => 1 sigmoid > }
fn main() {}
